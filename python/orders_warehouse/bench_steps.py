"""The benchmark's steps, in the order ``bench.run_benchmark`` runs them: generate, load, floor, dbt builds, BI
queries and the feature pull."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import psycopg2

from orders_warehouse.bench_measure import BenchmarkError, BenchRun, ChildRun, NodeTiming, QueryTiming, run_child
from orders_warehouse.settings import ConnectionSettings, one_row

FILES = 101  # the base exports are files 1..100, the follow-up export is file 101 (1% of the orders)
SEED = 42
QUERY_RUNS = 7
EXPORTS_MANIFEST = "bench_exports.json"
#: Each engine the bench builds on, and its target in the profile.
ENGINE_TARGETS = {"postgresql": "dev", "duckdb": "duckdb"}
#: The steps the bench repeats on DuckDB after the PostgreSQL steps (``duckdb_`` + the PostgreSQL step's name).
PEER_STEPS = ("load", "full_build", "load_increment", "incremental_build")
#: The arguments ``make build`` gives ``dbt build`` (the Makefile's ``transform`` says why: no unit test); the
#: benchmark times the unit tests in a step of their own.
PRODUCTION_BUILD_ARGS: tuple[str, ...] = ("--exclude-resource-type", "unit_test")
UNIT_TEST_ARGS: tuple[str, ...] = ("test", "--select", "resource_type:unit_test")
FLOOR_COPY_SQL = "create table bench_floor.orders_export_copy as select * from raw.orders_export"
# A plain unnest of the raw JSON order lines. The export has malformed order_items on purpose (a text that
# does not look like an array is skipped: casting it would fail); judging them is the warehouse's work.
FLOOR_UNNEST_SQL = (
    "select count(*) from raw.orders_export, jsonb_array_elements(order_items::jsonb)"
    " where trim(order_items) like '[%]'"
)
# The README's star-schema query (the fact joined to three dimensions): what the monthly summary that the
# analyses read spares a BI tool. Timed for comparison.
STAR_QUERY_NAME = "star_schema_net_revenue_by_category_and_month_on_the_fact"
STAR_QUERY = """
select dates.month_start_date, items.category, round(sum(fact.net_amount), 2) as net_revenue
from marts.fct_order_items as fact
inner join marts.dim_date as dates on fact.order_date = dates.date_day
inner join marts.dim_items as items on fact.item_key = items.item_key
inner join marts.dim_customers as customers on fact.customer_key = customers.customer_key
where fact.is_revenue and customers.country_code = 'US'
group by 1, 2
order by 1, 2
"""


def generate_step(run: BenchRun) -> list[Path]:
    """Write the exports (or reuse those of an earlier run with the same size); return them in load order."""
    total = round(run.orders * 1.01)
    manifest = run.exports_dir / EXPORTS_MANIFEST
    wanted = {"orders": total, "files": FILES, "seed": SEED}
    with run.measure("generate", f"generate exports ({total:,} orders, {FILES} files)") as step:
        if manifest.is_file() and json.loads(manifest.read_text()).get("generation") == wanted:
            step.note = f"reused the exports in {run.exports_dir}; not timed"
            step.rows = json.loads(manifest.read_text())["rows"]
        else:
            step.rows = _generate(run, total)
            manifest.write_text(json.dumps({"generation": wanted, "rows": step.rows}))
    files = sorted(run.exports_dir.glob("orders_export_*.csv"))
    if len(files) != FILES:
        raise BenchmarkError(f"expected {FILES} export files in {run.exports_dir}, found {len(files)}")
    return files


def _generate(run: BenchRun, total: int) -> int:
    run.exports_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "orders_warehouse.cli", "generate", "--orders", str(total)]
    command += ["--files", str(FILES), "--seed", str(SEED), "--out", str(run.exports_dir)]
    child = _checked_child(run, command, "generate", show_stderr=True)
    match = re.search(r"wrote (\d+) rows", child.output)
    if match is None:
        raise BenchmarkError(f"the generator did not report what it wrote:\n{child.output[-2000:]}")
    return int(match.group(1))


def _checked_child(
    run: BenchRun, command: list[str], name: str, show_stderr: bool = False, target: str = "dev"
) -> ChildRun:
    """Run a child process; raise BenchmarkError (with its log's tail) if it fails."""
    log_file = run.work_dir / f"{name}.log"
    child = run_child(command, run.environment(target), log_file, show_stderr)
    if child.returncode != 0:
        raise BenchmarkError(f"{name} failed (exit {child.returncode}); see {log_file}:\n{child.output[-3000:]}")
    return child


def load_step(run: BenchRun, name: str, label: str, files: list[Path], engine: str = "postgresql") -> None:
    """Load ``files`` with the project's loader (``orders-warehouse load``), as a user would."""
    before = raw_rows(run, engine)
    with run.measure(name, label, engine) as step:
        target = ENGINE_TARGETS[engine]
        command = [sys.executable, "-m", "orders_warehouse.cli", "load", "--target", target, *map(str, files)]
        child = _checked_child(run, command, name, target=target)
        step.seconds = child.seconds
        step.client_peak_bytes = child.peak_bytes
        step.rows = raw_rows(run, engine) - before
        step.note = f"{len(files)} file{'s' if len(files) > 1 else ''}"


def raw_rows(run: BenchRun, engine: str = "postgresql") -> int:
    """Rows in raw.orders_export of the engine's warehouse (0 before the first load created it)."""
    if engine == "duckdb":
        if not run.duckdb_path.is_file():
            return 0
        with duckdb.connect(str(run.duckdb_path), read_only=True) as connection:
            return int(one_row(connection.execute("select count(*) from raw.orders_export"))[0])
    if run.query("select to_regclass('raw.orders_export')")[0][0] is None:
        return 0
    return int(run.query("select count(*) from raw.orders_export")[0][0])


def floor_steps(run: BenchRun) -> None:
    """The machine's floor: copy the raw table once (CREATE TABLE AS), unnest its JSON lines once."""
    run.query("create schema if not exists bench_floor")
    with run.measure("floor_copy", "floor: CREATE TABLE AS copy of raw.orders_export") as step:
        step.rows = run.execute(FLOOR_COPY_SQL)
    with run.measure("floor_unnest", "floor: unnest of the raw JSON order lines") as step:
        step.rows = int(run.query(FLOOR_UNNEST_SQL)[0][0])
    run.query("drop schema bench_floor cascade")


def dbt_build_step(
    run: BenchRun,
    name: str,
    label: str,
    rows: int | None,
    arguments: Sequence[str] = ("build", *PRODUCTION_BUILD_ARGS),
    engine: str = "postgresql",
) -> None:
    """``dbt build`` as ``make build`` runs it (or the dbt ``arguments``) on the engine, with its per-node timings.

    ``rows``: the rows the step processed (None: the number of nodes dbt ran, its hooks aside).
    """
    with run.measure(name, label, engine) as step:
        command = [_dbt(), *arguments, *run.build_args]
        (run.work_dir / "target" / "run_results.json").unlink(missing_ok=True)  # not an earlier step's
        environment = run.environment(ENGINE_TARGETS[engine])
        child = run_child(command, environment, run.work_dir / f"{name}.log")
        step.seconds = child.seconds
        step.client_peak_bytes = child.peak_bytes
        nodes = _node_timings(run.work_dir / "target" / "run_results.json")
        ran = [node for node in nodes if node.resource_type != "operation"]  # not the project's hooks
        step.rows = len(ran) if rows is None else rows
    run.benchmark.builds[name] = nodes
    failed = [node.name for node in nodes if node.status in {"error", "fail", "runtime error"}]
    summary = _last_line_like(child.output, "Done. PASS=")
    step.note = summary + (f"; FAILED: {', '.join(failed[:5])}" if failed or child.returncode else "")
    if child.returncode != 0:
        raise BenchmarkError(f"{label} failed (exit {child.returncode}): see {run.work_dir / (name + '.log')}")


def _dbt() -> str:
    return str(Path(sys.executable).parent / "dbt")


def _last_line_like(output: str, marker: str) -> str:
    lines = [line.strip() for line in output.splitlines() if marker in line]
    return re.sub(r"^\S+\s+", "", lines[-1]) if lines else ""


def _node_timings(results_file: Path) -> list[NodeTiming]:
    if not results_file.is_file():
        return []
    results = json.loads(results_file.read_text())["results"]
    return [
        NodeTiming(
            unique_id=result["unique_id"],
            resource_type=result["unique_id"].split(".")[0],
            name=result["unique_id"].split(".")[2] if result["unique_id"].count(".") >= 2 else result["unique_id"],
            status=str(result["status"]),
            seconds=float(result["execution_time"]),
        )
        for result in results
    ]


def duckdb_peer_steps(run: BenchRun, files: list[Path]) -> None:
    """The PEER_STEPS again on a fresh DuckDB file: the same exports, the same full and incremental builds."""
    run.duckdb_path.unlink(missing_ok=True)
    load_step(run, "duckdb_load", "DuckDB: load the exports", files[:-1], "duckdb")
    dbt_build_step(run, "duckdb_full_build", "DuckDB: full dbt build", raw_rows(run, "duckdb"), engine="duckdb")
    before = raw_rows(run, "duckdb")
    load_step(run, "duckdb_load_increment", "DuckDB: load the 1% follow-up export", files[-1:], "duckdb")
    increment = raw_rows(run, "duckdb") - before
    dbt_build_step(run, "duckdb_incremental_build", "DuckDB: incremental dbt build", increment, engine="duckdb")


def query_steps(run: BenchRun) -> None:
    """Compile the analyses with dbt and time each one ``QUERY_RUNS`` times; then the README's star query."""
    queries = [(path.stem, path.read_text()) for path in _compile_analyses(run)]
    for name, statement in [*queries, (STAR_QUERY_NAME, STAR_QUERY)]:
        with run.measure(f"query:{name}", f"BI query {name}") as step:
            timing = _time_query(run, name, statement)
            step.seconds = timing.median
            step.rows = timing.rows
            step.note = f"median of {QUERY_RUNS} runs (min {min(timing.runs) * 1000:.1f} ms)"
        run.benchmark.queries.append(timing)


def _compile_analyses(run: BenchRun) -> list[Path]:
    command = [_dbt(), "compile", "--select", "resource_type:analysis"]
    _checked_child(run, command, "compile_analyses")
    folder = run.work_dir / "target" / "compiled" / "orders_warehouse" / "analyses"
    files = sorted(folder.glob("*.sql"))
    if not files:
        raise BenchmarkError(f"dbt compiled no analyses into {folder}")
    return files


def _time_query(run: BenchRun, name: str, statement: str) -> QueryTiming:
    connection = psycopg2.connect(run.settings.dsn())
    runs, rows = [], 0
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            for _ in range(QUERY_RUNS):
                started = time.perf_counter()
                cursor.execute(statement)
                rows = len(cursor.fetchall())
                runs.append(time.perf_counter() - started)
    finally:
        connection.close()
    return QueryTiming(name=name, runs=runs, rows=rows)


FEATURE_PULL_CODE = "from orders_warehouse.bench_steps import pull_features_main; pull_features_main()"


def feature_pull_step(run: BenchRun) -> None:
    """Pull the churn feature table into pandas, in a child process (its memory measured exactly)."""
    with run.measure("feature_pull", "feature table pull into pandas") as step:
        child = run_child([sys.executable, "-c", FEATURE_PULL_CODE], run.environment(), run.work_dir / "features.log")
        step.client_peak_bytes = child.peak_bytes
        outcome = _last_json_line(child.output)
        if child.returncode != 0 or outcome is None:
            step.seconds = child.seconds
            step.note = f"failed (exit {child.returncode}); see {run.work_dir / 'features.log'}"
            return
        step.seconds = float(outcome["seconds"]) or child.seconds
        step.rows = outcome.get("rows")
        step.note = str(outcome["note"])


def _last_json_line(output: str) -> dict[str, Any] | None:
    for line in reversed(output.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return None


def pull_features_main() -> None:
    """Child process of the feature pull: read the table into a DataFrame, print one JSON line."""
    from orders_warehouse.features import FEATURE_TABLE, load_churn_features  # here: the bench needs no pandas

    settings = ConnectionSettings.from_env()
    connection = psycopg2.connect(settings.dsn())
    try:
        with connection.cursor() as cursor:
            cursor.execute("select to_regclass(%s)", (FEATURE_TABLE,))
            exists = one_row(cursor)[0] is not None
        if not exists:
            print(json.dumps({"seconds": 0, "rows": None, "note": f"skipped: {FEATURE_TABLE} does not exist"}))
            return
        started = time.perf_counter()
        frame = load_churn_features("all", settings)
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    how = "orders_warehouse.features.load_churn_features('all')"
    note = f"{how}: {frame.shape[1]} columns, {frame.memory_usage(deep=True).sum() / 2**20:,.0f} MiB in pandas"
    print(json.dumps({"seconds": seconds, "rows": len(frame), "note": note}))
