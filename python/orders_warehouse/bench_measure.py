"""How the benchmark measures a step: the records it keeps, the memory sampler, child processes (with their exact
peak from ``wait4``) and the run that ties them to the bench server."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psutil
import psycopg2

from orders_warehouse.server import LocalServer, project_root
from orders_warehouse.settings import ConnectionSettings

SAMPLE_SECONDS = 0.1
DATABASE = "warehouse"
T = TypeVar("T")


class BenchmarkError(RuntimeError):
    """A step of the benchmark could not run."""


def say(message: str) -> None:
    """One progress line of the bench on stderr."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- results


@dataclass
class Step:
    """One measured step: wall time, rows processed and peak memory (bytes) of client and server."""

    name: str
    label: str
    seconds: float
    engine: str = "postgresql"  # or "duckdb": embedded in the client, so no server memory
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
    machine: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    queries: list[QueryTiming] = field(default_factory=list)
    builds: dict[str, list[NodeTiming]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    def step(self, name: str) -> Step | None:
        """The step called ``name``, if it ran."""
        return next((step for step in self.steps if step.name == name), None)

    def to_json(self) -> dict[str, Any]:
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
    def duckdb_path(self) -> Path:
        """The DuckDB file of the peer build (the profile's ``duckdb`` target)."""
        return self.work_dir / "warehouse.duckdb"

    @property
    def settings(self) -> ConnectionSettings:
        """Where the bench server's warehouse database is."""
        return ConnectionSettings(host="127.0.0.1", port=self.server.port, database=DATABASE)

    def environment(self, target: str = "dev") -> dict[str, str]:
        """The environment of the loader and dbt: the profile's ``target`` (the bench server or the bench's DuckDB
        file), private profiles, target folder and logs."""
        return {
            **os.environ,
            "DBT_TARGET": target,
            "WAREHOUSE_DUCKDB_PATH": str(self.duckdb_path),
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
    def measure(self, name: str, label: str, engine: str = "postgresql") -> Iterator[Step]:
        """Time the block as step ``name`` and record its peak memory; the block fills in rows and notes."""
        say(f"[bench] {label} ...")
        step = Step(name=name, label=label, seconds=0.0, engine=engine)
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
            if engine == "postgresql":  # the idle server's memory says nothing about a DuckDB step
                step.server_peak_bytes = max(step.server_peak_bytes, server)
        self.benchmark.steps.append(step)
        say(f"[bench] {label}: {_describe_step(step)}")

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
