"""Faults: builds killed halfway, BI queries during builds, and PostgreSQL restarted or crashed.

Everything runs on a warehouse of its own: a private PostgreSQL started with the production durability settings
(fsync and synchronous commits on, unlike the session's fast test server), the sample loaded and built. Then a
new export arrives (new orders, so the fact and the summary change) and ``dbt build`` is killed (SIGKILL to its
process group) at several points: as the first mart starts, as the fact starts, right after the fact is written.
After each kill every mart (and the feature table) must exist with its columns and hold exactly its old content
or its new content, never anything else; then a build completes. Analysts' queries run in a loop through all of
it, and none may fail. Before that, the server is restarted, then crashed (immediate shutdown) right after the
new export was loaded: nothing is lost, and the builds above run on the recovered server.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest
from conftest import scratch_folder
from dbt_project import BIN_DIR, PROJECT_ROOT, DbtProject, DbtResult, sample_exports
from warehouse_access import connect, failed_nodes, fetch, member_login, relations, table_signatures

from orders_warehouse.loader import EXPORT_COLUMNS
from orders_warehouse.server import LocalServer
from orders_warehouse.settings import ConnectionSettings

READ_SCHEMAS = ("marts", "ml")
KILL_POINTS = (
    r"START sql \w+ model marts\.",
    r"START sql \w+ model marts\.fct_order_items",
    r"OK created sql \w+ model marts\.fct_order_items",
)
BI_QUERIES = (
    """
    select dates.month_start_date, items.category, round(sum(fact.net_amount), 2) as net_revenue
    from marts.fct_order_items as fact
    inner join marts.dim_date as dates on fact.order_date = dates.date_day
    inner join marts.dim_items as items on fact.item_key = items.item_key
    inner join marts.dim_customers as customers on fact.customer_key = customers.customer_key
    where fact.is_revenue and customers.country_code = 'US'
    group by 1, 2
    """,
    "select count(distinct email_hash), count(*) from marts.dim_customers",
    "select store_id, sum(net_revenue) from marts.rpt_daily_revenue group by store_id",
    "select count(*) from marts.fct_order_items as fact"
    " inner join marts.dim_stores as stores on fact.store_key = stores.store_key",
)
BI_LOOP_LIMIT_SECONDS = 600


class BiLoop:
    """An analyst running the dashboard's queries in a loop, in a thread, until stopped; records every error."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self.settings = settings
        self.errors: list[str] = []
        self.iterations = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> BiLoop:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=120)

    def _run(self) -> None:
        deadline = time.monotonic() + BI_LOOP_LIMIT_SECONDS
        connection = connect(self.settings)
        try:
            with connection.cursor() as cursor:
                cursor.execute("set statement_timeout = '60s'")
                while not self._stop.is_set() and time.monotonic() < deadline:
                    self._run_queries(cursor)
                    self.iterations += 1
                    self._stop.wait(0.02)
        finally:
            connection.close()

    def _run_queries(self, cursor: psycopg2.extensions.cursor) -> None:
        for statement in BI_QUERIES:
            try:
                cursor.execute(statement)
                cursor.fetchall()
            except psycopg2.Error as error:
                self.errors.append(f"{' '.join(statement.split())[:60]}...: {error}")


@dataclass
class KilledBuild:
    """What a killed build left: the dbt line it was killed at, and the marts' columns and content."""

    kill_point: str
    line: str | None
    columns: dict[str, list[str]]
    signatures: dict[str, tuple[int, str]]


@dataclass
class FaultRun:
    """The marts before the new export, after each killed build, and after the build that completed."""

    old_columns: dict[str, list[str]]
    old: dict[str, tuple[int, str]]
    killed: list[KilledBuild] = field(default_factory=list)
    final: DbtResult | None = None
    new: dict[str, tuple[int, str]] = field(default_factory=dict)
    bi_errors: list[str] = field(default_factory=list)
    bi_iterations: int = 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def durable_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalServer, DbtProject]]:
    """A private server with durable settings, and the sample built on it."""
    folder = scratch_folder()
    server = LocalServer(data_dir=folder / "pgdata", port=free_port(), fast=False)
    try:
        server.start()
        server.ensure_database("warehouse")
        settings = ConnectionSettings(host="127.0.0.1", port=server.port, database="warehouse")
        project = DbtProject(settings, tmp_path_factory.mktemp("durable_warehouse"))
        project.load(sample_exports())
        project.build = project.run("build")
        assert project.build.returncode == 0, project.build.tail()
        yield server, project
    finally:
        server.destroy()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def new_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export that arrives after the sample: new orders, so the fact and the summary change."""
    return write_new_orders(tmp_path_factory.mktemp("exports") / "orders_export_new.csv", "NEW-")


def write_new_orders(path: Path, prefix: str) -> Path:
    """An export of new orders: the last sample file again, under new order and submission ids."""
    with sample_exports()[-1].open(newline="", encoding="utf-8") as source:
        rows = [{column.strip().lower(): value for column, value in row.items()} for row in csv.DictReader(source)]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS))
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {**row, "submission_id": prefix + row["submission_id"], "order_id": prefix + row["order_id"]}
            )
    return path


def mart_columns(settings: ConnectionSettings) -> dict[str, list[str]]:
    return {
        f"{schema}.{name}": [
            column
            for (column,) in fetch(
                settings,
                "select column_name from information_schema.columns"
                " where table_schema = %s and table_name = %s order by ordinal_position",
                (schema, name),
            )
        ]
        for schema, name in relations(settings, kinds="rp")
        if schema in READ_SCHEMAS and not name.endswith(("__dbt_tmp", "__dbt_backup"))
    }


def kill_build_at(project: DbtProject, pattern: str) -> str | None:
    """Start ``dbt build``; SIGKILL its whole process group when a line of its output matches ``pattern``."""
    process = subprocess.Popen(
        [str(BIN_DIR / "dbt"), "build"],
        cwd=PROJECT_ROOT,
        env={**project.environment(), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    matched = None
    try:
        for line in process.stdout or ():
            if re.search(pattern, line):
                matched = line.strip()
                break
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if process.stdout:
            process.stdout.close()
    return matched


@pytest.fixture(scope="module")
def fault_run(durable_warehouse: tuple[LocalServer, DbtProject], new_export: Path) -> FaultRun:
    server, project = durable_warehouse
    settings = project.settings
    run = FaultRun(old_columns=mart_columns(settings), old=table_signatures(settings, READ_SCHEMAS))
    project.load([new_export])  # skipped when the restart test loaded it already
    with member_login(server, settings, "analyst") as analyst, BiLoop(analyst) as bi_loop:
        for point in KILL_POINTS:
            line = kill_build_at(project, point)
            run.killed.append(
                KilledBuild(point, line, mart_columns(settings), table_signatures(settings, READ_SCHEMAS))
            )
        run.final = project.run("build")
        run.new = table_signatures(settings, READ_SCHEMAS)
    run.bi_errors, run.bi_iterations = bi_loop.errors, bi_loop.iterations
    return run


def test_a_restart_and_a_crash_of_postgresql_lose_nothing(
    durable_warehouse: tuple[LocalServer, DbtProject], new_export: Path
) -> None:
    """A clean restart, then a crash (immediate shutdown) right after a load committed: every table of every
    schema is exactly as it was (the builds of the tests below then run on the recovered server)."""
    server, project = durable_warehouse
    settings = project.settings
    schemas = sorted({schema for schema, _ in relations(settings)})
    before = table_signatures(settings, schemas, ignore=())
    server.stop()
    server.start()
    assert table_signatures(settings, schemas, ignore=()) == before

    [loaded] = project.load([new_export])
    assert loaded.rows > 0
    committed = table_signatures(settings, schemas, ignore=())
    server.stop(mode="immediate")
    server.start()
    assert table_signatures(settings, schemas, ignore=()) == committed
    with member_login(server, settings, "analyst") as analyst:
        assert fetch(analyst, "select count(*) from marts.fct_order_items")[0][0] > 0


def test_a_killed_build_leaves_every_mart_whole_at_its_old_or_new_state(fault_run: FaultRun) -> None:
    assert fault_run.final is not None
    assert fault_run.final.returncode == 0, fault_run.final.tail()
    changed = {table for table, signature in fault_run.new.items() if fault_run.old[table] != signature}
    assert {"marts.fct_order_items", "marts.rpt_daily_revenue"} <= changed
    for killed in fault_run.killed:
        assert killed.line, f"the build ended before reaching {killed.kill_point}"
        assert killed.columns == fault_run.old_columns, f"killed at {killed.line}: a mart is missing or changed shape"
        for table, signature in killed.signatures.items():
            assert signature in {fault_run.old[table], fault_run.new[table]}, f"{table} half-written at {killed.line}"
    first, _, last = fault_run.killed
    assert first.signatures["marts.fct_order_items"] == fault_run.old["marts.fct_order_items"]
    assert last.signatures["marts.fct_order_items"] == fault_run.new["marts.fct_order_items"]


def test_the_next_build_after_killed_ones_completes(fault_run: FaultRun) -> None:
    assert fault_run.final is not None
    assert fault_run.final.statuses() and not failed_nodes(fault_run.final)


def test_bi_queries_never_fail_during_builds(fault_run: FaultRun) -> None:
    assert not fault_run.bi_errors, fault_run.bi_errors[:5]
    assert fault_run.bi_iterations >= 20
