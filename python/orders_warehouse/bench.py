"""The benchmark behind ``make bench``: how fast the warehouse builds and answers, relative to the machine.

It runs the whole life of the warehouse on a throwaway PostgreSQL of its own (own port, own temporary data
folder, stopped and deleted at the end unless ``keep``), never on the user's warehouse:

1. generate ``orders`` orders of exports plus a 1% follow-up export (the generator, same seed);
2. load them with the project's loader (all but the follow-up file);
3. measure the machine's floor: one ``CREATE TABLE AS`` copy of ``raw.orders_export`` and one plain unnest of
   its JSON order lines;
4. a full ``dbt build`` as ``make build`` runs it (every model, snapshot, seed and data test; no unit test, see
   ``bench_steps.PRODUCTION_BUILD_ARGS``);
5. load the follow-up export and run an incremental ``dbt build``, the same way;
6. the dbt unit tests, as ``make test`` runs them with every build: a step of their own;
7. time the BI queries of ``analyses/`` (compiled by dbt, each run ``bench_steps.QUERY_RUNS`` times);
8. pull the churn feature table into pandas;
9. the DuckDB peer (``bench_steps.duckdb_peer_steps``): load the same exports into a fresh DuckDB file (the
   profile's ``duckdb`` target) and run the same full build, follow-up load and incremental build, timed the
   same way and reported side by side with PostgreSQL, against the same floor.

The follow-up export is the last of ``bench_steps.FILES`` files that the generator writes for ``orders * 1.01`` orders:
files are cut by share of orders, so it holds the newest 1% of orders plus the corrections and double
submits of older orders that came in its period, the way a real later export does.

Each step records its wall time, rows per second and peak memory: the largest resident set of one client
process (the bench itself, the loader, dbt) and of one PostgreSQL process, sampled every
``bench_measure.SAMPLE_SECONDS`` (for child processes also their exact peak from ``wait4``). Every time is
reported as a ratio to the floor, so the figures compare across machines.

The parts: ``bench_measure`` (the records, the memory sampler, child processes), ``bench_steps`` (each
step), ``bench_report`` (the report); this module runs them in order on the throwaway server.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import signal
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import psutil

from orders_warehouse import bench_report
from orders_warehouse.bench_measure import DATABASE, Benchmark, BenchmarkError, BenchRun, MemorySampler, say
from orders_warehouse.bench_steps import (
    UNIT_TEST_ARGS,
    dbt_build_step,
    duckdb_peer_steps,
    feature_pull_step,
    floor_steps,
    generate_step,
    load_step,
    query_steps,
    raw_rows,
)
from orders_warehouse.server import LocalServer, project_root

DEFAULT_ORDERS = 1_000_000
DEFAULT_PORT = 5435
DEFAULT_OUT = Path("reports/benchmark")
SERVER_SETTINGS = (
    "shared_buffers",
    "work_mem",
    "maintenance_work_mem",
    "max_parallel_workers_per_gather",
    "fsync",
    "synchronous_commit",
    "jit",
)

# --------------------------------------------------------------------------- machine and facts


def machine_facts(run: BenchRun) -> dict[str, object]:
    """What the figures depend on: cores, memory, load, versions and the server's settings."""
    settings = dict(
        run.query(f"select name, setting || coalesce(unit, '') from pg_settings where name in {SERVER_SETTINGS}")
    )
    return {
        "cpu_count": os.cpu_count(),
        "memory_bytes": psutil.virtual_memory().total,
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "dbt_core": importlib.metadata.version("dbt-core"),
        "dbt_postgres": importlib.metadata.version("dbt-postgres"),
        "dbt_duckdb": importlib.metadata.version("dbt-duckdb"),
        "duckdb": importlib.metadata.version("duckdb"),
        "postgresql": run.query("show server_version")[0][0],
        "postgresql_settings": settings,
        "dbt_threads": int(os.environ.get("DBT_THREADS", "4")),
    }


def warehouse_facts(run: BenchRun) -> dict[str, object]:
    """Row counts of the main tables after the incremental build."""
    tables = {
        "raw_rows": "raw.orders_export",
        "orders": "marts.fct_order_items",
        "fact_rows": "marts.fct_order_items",
        "customers": "marts.dim_customers",
    }
    facts: dict[str, object] = {}
    for key, table in tables.items():
        column = "distinct order_id" if key == "orders" else "*"
        facts[key] = int(run.query(f"select count({column}) from {table}")[0][0])
    return facts


# --------------------------------------------------------------------------- entry point


def run_benchmark(
    orders: int = DEFAULT_ORDERS,
    port: int = DEFAULT_PORT,
    out: Path = DEFAULT_OUT,
    keep: bool = False,
    exports_dir: Path | None = None,
    build_args: Sequence[str] = (),
) -> Benchmark:
    """Run every step on a throwaway server on ``port`` and write the report into ``out``.

    ``exports_dir``: where the exports are written (by default the temporary folder); exports an earlier run
    wrote there for the same number of orders are reused, and their generation is not timed.
    ``build_args``: extra arguments of both ``dbt build`` calls (the tests use them to leave the data tests out).
    """
    if orders < 1:
        raise BenchmarkError("orders must be at least 1")
    work_dir = _scratch_folder()
    server = LocalServer(data_dir=work_dir / "pgdata", port=port)
    benchmark = Benchmark(orders=orders, started_at=datetime.now(UTC).isoformat(timespec="seconds"), machine={})
    exports = Path(exports_dir or work_dir / "exports").absolute()  # children run in the project folder
    run = BenchRun(orders, work_dir, server, exports, benchmark, tuple(build_args))
    try:
        _start(run)
        _run_steps(run)
    except BenchmarkError:
        say("[bench] stopped early; the report holds the steps that ran")
        raise
    finally:
        if benchmark.steps:
            paths = bench_report.write_reports(benchmark, Path(out))
            say("[bench] report: " + ", ".join(str(path) for path in paths))
        _finish(run, keep)
    return benchmark


def main(orders: int, port: int, out: Path, keep: bool = False, exports_dir: Path | None = None) -> Benchmark:
    """The ``orders-warehouse bench`` command: run the benchmark and print the targets, met or missed."""
    signal.signal(signal.SIGTERM, _exit_on_signal)  # a `kill` still stops the server and deletes the folder
    benchmark = run_benchmark(orders=orders, port=port, out=out, keep=keep, exports_dir=exports_dir)
    for target in bench_report.targets(benchmark):
        print(f"{'met   ' if target.met else 'MISSED'} {target.description}: {target.measured}")
    return benchmark


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _scratch_folder() -> Path:
    """A new folder the ``postgres`` user can enter (the server runs as that user when we are root)."""
    folder = Path(tempfile.mkdtemp(prefix="orders-warehouse-bench-", dir="/var/tmp"))
    folder.chmod(0o755)
    shutil.copy(project_root() / "profiles.example.yml", folder / "profiles.yml")
    return folder


def _start(run: BenchRun) -> None:
    run.server.start()
    run.server.ensure_database(DATABASE)
    run.benchmark.machine = machine_facts(run)
    pid_line = (run.server.data_dir / "postmaster.pid").read_text().splitlines()[0]
    run.sampler = MemorySampler(int(pid_line))


def _run_steps(run: BenchRun) -> None:
    assert run.sampler is not None
    with run.sampler:
        files = generate_step(run)
        load_step(run, "load", "load the exports", files[:-1])
        floor_steps(run)
        dbt_build_step(run, "full_build", "full dbt build", raw_rows(run))
        before = raw_rows(run)
        load_step(run, "load_increment", "load the 1% follow-up export", files[-1:])
        dbt_build_step(run, "incremental_build", "incremental dbt build", raw_rows(run) - before)
        dbt_build_step(run, "unit_tests", "dbt unit tests", None, UNIT_TEST_ARGS)
        query_steps(run)
        feature_pull_step(run)
        run.benchmark.facts = warehouse_facts(run)
        duckdb_peer_steps(run, files)
        run.benchmark.facts["duckdb_raw_rows"] = raw_rows(run, "duckdb")


def _finish(run: BenchRun, keep: bool) -> None:
    if keep:
        say(f"[bench] kept: server on port {run.server.port} ({run.settings.url()}), folder {run.work_dir}")
        return
    run.server.destroy()
    shutil.rmtree(run.work_dir, ignore_errors=True)
