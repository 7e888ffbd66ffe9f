"""The benchmark behind ``make bench``: how fast the warehouse builds and answers, relative to the machine.

It runs the whole life of the warehouse on a throwaway PostgreSQL of its own (own port, own temporary data
folder, stopped and deleted at the end unless ``keep``), never on the user's warehouse:

1. generate ``orders`` orders of exports plus a 1% follow-up export (the generator, same seed);
2. load them with the project's loader (all but the follow-up file);
3. measure the machine's floor: one ``CREATE TABLE AS`` copy of ``raw.orders_export`` and one plain unnest of
   its JSON order lines;
4. a full ``dbt build`` as ``make build`` runs it (every model, snapshot, seed and data test; no unit test, see
   ``PRODUCTION_BUILD_ARGS``);
5. load the follow-up export and run an incremental ``dbt build``, the same way;
6. the dbt unit tests, as ``make test`` runs them with every build: a step of their own;
7. time the BI queries of ``analyses/`` (compiled by dbt, each run ``QUERY_RUNS`` times);
8. pull the churn feature table into pandas.

The follow-up export is the last of ``FILES`` files that the generator writes for ``orders * 1.01`` orders:
files are cut by share of orders, so it holds the newest 1% of orders plus the corrections and double
submits of older orders that came in its period, the way a real later export does.

Each step records its wall time, rows per second and peak memory: the largest resident set of one client
process (the bench itself, the loader, dbt) and of one PostgreSQL process, sampled every ``SAMPLE_SECONDS``
(for child processes also their exact peak from ``wait4``). Every time is reported as a ratio to the floor,
so the figures compare across machines. The report is written by ``bench_report``.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import psutil
import psycopg2

from orders_warehouse import bench_report
from orders_warehouse.server import LocalServer, project_root
from orders_warehouse.settings import ConnectionSettings

DEFAULT_ORDERS = 1_000_000
DEFAULT_PORT = 5435
DEFAULT_OUT = Path("reports/benchmark")
FILES = 101  # the base exports are files 1..100, the follow-up export is file 101 (1% of the orders)
SEED = 42
QUERY_RUNS = 7
SAMPLE_SECONDS = 0.1
DATABASE = "warehouse"
EXPORTS_MANIFEST = "bench_exports.json"
T = TypeVar("T")
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
SERVER_SETTINGS = (
    "shared_buffers",
    "work_mem",
    "maintenance_work_mem",
    "max_parallel_workers_per_gather",
    "fsync",
    "synchronous_commit",
    "jit",
)


class BenchmarkError(RuntimeError):
    """A step of the benchmark could not run."""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- results


@dataclass
class Step:
    """One measured step: wall time, rows processed and peak memory (bytes) of client and server."""

    name: str
    label: str
    seconds: float
    rows: int | None = None
    client_peak_bytes: int = 0
    server_peak_bytes: int = 0
    load_average: float = 0.0  # the machine's 1-minute load average at the end of the step (it is shared)
    note: str = ""

    @property
    def rows_per_second(self) -> float | None:
        """Rows processed per second of wall time (None when the step has no row count)."""
        if self.rows is None or self.seconds <= 0:
            return None
        return self.rows / self.seconds


@dataclass
class QueryTiming:
    """One BI query run ``QUERY_RUNS`` times: every run's seconds and the rows it returned."""

    name: str
    runs: list[float]
    rows: int

    @property
    def median(self) -> float:
        """The median run time in seconds."""
        return statistics.median(self.runs)


@dataclass
class NodeTiming:
    """One node of a dbt build from run_results.json: model, test, seed, snapshot or unit test."""

    unique_id: str
    resource_type: str
    name: str
    status: str
    seconds: float


@dataclass
class Benchmark:
    """Everything one run measured, as the report shows it."""

    orders: int
    started_at: str
    machine: dict[str, object]
    steps: list[Step] = field(default_factory=list)
    queries: list[QueryTiming] = field(default_factory=list)
    builds: dict[str, list[NodeTiming]] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)

    def step(self, name: str) -> Step | None:
        """The step called ``name``, if it ran."""
        return next((step for step in self.steps if step.name == name), None)

    def to_json(self) -> dict[str, object]:
        """The benchmark as plain JSON-ready data."""
        return asdict(self)


# --------------------------------------------------------------------------- memory


class MemorySampler:
    """Samples, in a thread, the resident set of every client process and every PostgreSQL process.

    Clients are this process and its descendants (the loader, dbt, the feature pull); the server is the
    postmaster of ``server_pid`` and its children. ``peaks()`` gives the largest single process of each since
    the last ``reset()``.
    """

    def __init__(self, server_pid: int | None) -> None:
        """Sample the bench's process tree, and the server tree of ``server_pid`` when given."""
        self.server_pid = server_pid
        self.client_peak = 0
        self.server_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="memory-sampler", daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def reset(self) -> None:
        """Start a new step: forget the peaks seen so far, and take a sample now."""
        self.client_peak = self.server_peak = 0
        self._sample()

    def peaks(self) -> tuple[int, int]:
        """(client, server) peak resident set of one process, in bytes, since the last reset."""
        self._sample()
        return self.client_peak, self.server_peak

    def _loop(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample()

    def _sample(self) -> None:
        server = _tree_rss(self.server_pid) if self.server_pid else {}
        client = {pid: rss for pid, rss in _tree_rss(os.getpid()).items() if pid not in server}
        self.client_peak = max(self.client_peak, *client.values(), 0)
        self.server_peak = max(self.server_peak, *server.values(), 0)


def _tree_rss(pid: int) -> dict[int, int]:
    """Resident set size in bytes of process ``pid`` and of each of its descendants."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return {}
    sizes = {}
    for process in processes:
        try:
            sizes[process.pid] = process.memory_info().rss
        except psutil.Error:
            continue
    return sizes


# --------------------------------------------------------------------------- child processes


@dataclass
class ChildRun:
    """A finished child process: exit code, wall time and its exact peak resident set (from wait4)."""

    returncode: int
    seconds: float
    peak_bytes: int
    output: str


def run_child(command: list[str], env: dict[str, str], log_file: Path, show_stderr: bool = False) -> ChildRun:
    """Run ``command`` in the project folder, its output in ``log_file`` (stderr shown live when asked)."""
    started = time.perf_counter()
    with log_file.open("w") as log:
        stderr = None if show_stderr else subprocess.STDOUT
        process = subprocess.Popen(command, cwd=project_root(), env=env, stdout=log, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return ChildRun(process.returncode, seconds, usage.ru_maxrss * 1024, log_file.read_text(errors="replace"))


# --------------------------------------------------------------------------- the run


@dataclass
class BenchRun:
    """One benchmark run: its server, folders and measurements."""

    orders: int
    work_dir: Path
    server: LocalServer
    exports_dir: Path
    benchmark: Benchmark
    build_args: tuple[str, ...] = ()
    sampler: MemorySampler | None = None

    @property
    def settings(self) -> ConnectionSettings:
        """Where the bench server's warehouse database is."""
        return ConnectionSettings(host="127.0.0.1", port=self.server.port, database=DATABASE)

    def environment(self) -> dict[str, str]:
        """The environment of the loader and dbt: the bench server, private profiles, target and logs."""
        return {
            **os.environ,
            "WAREHOUSE_HOST": self.settings.host,
            "WAREHOUSE_PORT": str(self.settings.port),
            "WAREHOUSE_USER": self.settings.user,
            "WAREHOUSE_PASSWORD": "",
            "WAREHOUSE_DB": DATABASE,
            "DBT_PROFILES_DIR": str(self.work_dir),
            "DBT_TARGET_PATH": str(self.work_dir / "target"),
            "DBT_LOG_PATH": str(self.work_dir / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "PYTHONUNBUFFERED": "1",
        }

    @contextmanager
    def measure(self, name: str, label: str) -> Iterator[Step]:
        """Time the block as step ``name`` and record its peak memory; the block fills in rows and notes."""
        _say(f"[bench] {label} ...")
        step = Step(name=name, label=label, seconds=0.0)
        if self.sampler is not None:
            self.sampler.reset()
        started = time.perf_counter()
        yield step
        if not step.seconds:
            step.seconds = time.perf_counter() - started
        step.load_average = round(os.getloadavg()[0], 2)
        if self.sampler is not None:
            client, server = self.sampler.peaks()
            step.client_peak_bytes = max(step.client_peak_bytes, client)
            step.server_peak_bytes = max(step.server_peak_bytes, server)
        self.benchmark.steps.append(step)
        _say(f"[bench] {label}: {_describe_step(step)}")

    def query(self, statement: str) -> list[tuple]:
        """Run one statement on the bench warehouse and return its rows."""
        return self._run(statement, lambda cursor: cursor.fetchall() if cursor.description else [])

    def execute(self, statement: str) -> int:
        """Run one statement on the bench warehouse and return how many rows it affected."""
        return self._run(statement, lambda cursor: cursor.rowcount)

    def _run(self, statement: str, collect: Callable[[Any], T]) -> T:
        connection = psycopg2.connect(self.settings.dsn())
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)
                return collect(cursor)
        finally:
            connection.close()


def _describe_step(step: Step) -> str:
    rate = f", {step.rows_per_second:,.0f} rows/s" if step.rows_per_second else ""
    memory = (
        f"peak RSS {step.client_peak_bytes / 2**20:,.0f} MiB client, {step.server_peak_bytes / 2**20:,.0f} MiB server"
    )
    return f"{step.seconds:,.2f} s{rate}; {memory}" + (f" ({step.note})" if step.note else "")


# --------------------------------------------------------------------------- steps


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


def _checked_child(run: BenchRun, command: list[str], name: str, show_stderr: bool = False) -> ChildRun:
    """Run a child process; raise BenchmarkError (with its log's tail) if it fails."""
    log_file = run.work_dir / f"{name}.log"
    child = run_child(command, run.environment(), log_file, show_stderr)
    if child.returncode != 0:
        raise BenchmarkError(f"{name} failed (exit {child.returncode}); see {log_file}:\n{child.output[-3000:]}")
    return child


def load_step(run: BenchRun, name: str, label: str, files: list[Path]) -> None:
    """Load ``files`` with the project's loader (``orders-warehouse load``), as a user would."""
    before = _raw_rows(run)
    with run.measure(name, label) as step:
        command = [sys.executable, "-m", "orders_warehouse.cli", "load", *map(str, files)]
        child = _checked_child(run, command, name)
        step.seconds = child.seconds
        step.client_peak_bytes = child.peak_bytes
        step.rows = _raw_rows(run) - before
        step.note = f"{len(files)} file{'s' if len(files) > 1 else ''}"


def _raw_rows(run: BenchRun) -> int:
    """Rows in raw.orders_export (0 before the first load created it)."""
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
    run: BenchRun, name: str, label: str, rows: int | None, arguments: Sequence[str] = ("build", *PRODUCTION_BUILD_ARGS)
) -> None:
    """``dbt build`` as ``make build`` runs it (or the dbt ``arguments``), with its per-node timings.

    ``rows``: the rows the step processed (None: the number of nodes dbt ran, its hooks aside).
    """
    with run.measure(name, label) as step:
        command = [_dbt(), *arguments, *run.build_args]
        (run.work_dir / "target" / "run_results.json").unlink(missing_ok=True)  # not an earlier step's
        child = run_child(command, run.environment(), run.work_dir / f"{name}.log")
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


FEATURE_PULL_CODE = "from orders_warehouse.bench import pull_features_main; pull_features_main()"


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


def _last_json_line(output: str) -> dict[str, object] | None:
    for line in reversed(output.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return None


def pull_features_main() -> None:
    """Child process of the feature pull: read the table into a DataFrame, print one JSON line."""
    import pandas as pd  # imported here: the bench itself does not need pandas

    settings = ConnectionSettings.from_env()
    try:
        from orders_warehouse.features import FEATURE_TABLE, load_churn_features
    except ImportError:
        load_churn_features, FEATURE_TABLE = None, "ml.customer_churn_features"
    connection = psycopg2.connect(settings.dsn())
    try:
        with connection.cursor() as cursor:
            cursor.execute("select to_regclass(%s)", (FEATURE_TABLE,))
            exists = cursor.fetchone()[0] is not None
        if not exists:
            print(json.dumps({"seconds": 0, "rows": None, "note": f"skipped: {FEATURE_TABLE} does not exist"}))
            return
        started = time.perf_counter()
        if load_churn_features is not None:
            frame, how = load_churn_features("all", settings), "orders_warehouse.features.load_churn_features('all')"
        else:
            frame, how = pd.read_sql(f"select * from {FEATURE_TABLE}", connection), "pandas.read_sql"
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    note = f"{how}: {frame.shape[1]} columns, {frame.memory_usage(deep=True).sum() / 2**20:,.0f} MiB in pandas"
    print(json.dumps({"seconds": seconds, "rows": len(frame), "note": note}))


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
        _say("[bench] stopped early; the report holds the steps that ran")
        raise
    finally:
        if benchmark.steps:
            paths = bench_report.write_reports(benchmark, Path(out))
            _say("[bench] report: " + ", ".join(str(path) for path in paths))
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
        dbt_build_step(run, "full_build", "full dbt build", _raw_rows(run))
        before = _raw_rows(run)
        load_step(run, "load_increment", "load the 1% follow-up export", files[-1:])
        dbt_build_step(run, "incremental_build", "incremental dbt build", _raw_rows(run) - before)
        dbt_build_step(run, "unit_tests", "dbt unit tests", None, UNIT_TEST_ARGS)
        query_steps(run)
        feature_pull_step(run)
        run.benchmark.facts = warehouse_facts(run)


def _finish(run: BenchRun, keep: bool) -> None:
    if keep:
        _say(f"[bench] kept: server on port {run.server.port} ({run.settings.url()}), folder {run.work_dir}")
        return
    run.server.destroy()
    shutil.rmtree(run.work_dir, ignore_errors=True)
