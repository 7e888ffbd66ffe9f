"""The project's own local Spark Thrift server, for the ``spark`` target (``make build TARGET=spark``).

pyspark's wheel bundles Spark with its Hive Thrift server (``HiveThriftServer2``), so nothing is downloaded:
the server runs in local mode from the virtual environment, listens on ``127.0.0.1`` only, keeps its
warehouse (parquet tables) and its Derby metastore in a folder of the project (``.warehouse/spark/``), and is
stopped by the pid it wrote at start, never by name. Small settings suit the sample on a small machine: a 2 GiB
driver and few shuffle partitions.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from orders_warehouse.server import project_root

LISTEN_HOST = "127.0.0.1"
DEFAULT_PORT = 10015
PORT_VARIABLE = "WAREHOUSE_SPARK_PORT"
DIR_VARIABLE = "WAREHOUSE_SPARK_DIR"
START_WAIT_SECONDS = 180.0
STOP_WAIT_SECONDS = 60.0
THRIFT_SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"

# Spark settings of the server. Timestamps are read and shown in UTC, like the other targets' sessions.
SPARK_CONF: dict[str, str] = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.sql.adaptive.enabled": "true",
    # A CREATE TABLE without USING makes a parquet table, not a Hive text one.
    "spark.sql.legacy.createHiveTableByDefault": "false",
}


class SparkServerError(RuntimeError):
    """The Spark Thrift server could not be started, reached or stopped."""


@dataclass(frozen=True)
class SparkThriftServer:
    """One local Spark Thrift server: its port and the folder of its warehouse, metastore, pid and log."""

    port: int
    base_dir: Path
    driver_memory: str = "2g"

    @classmethod
    def for_project(cls, port: int | None = None, base_dir: Path | None = None) -> SparkThriftServer:
        """The server of ``make build TARGET=spark``: ``$WAREHOUSE_SPARK_PORT`` (10015), ``.warehouse/spark/``."""
        chosen_port = port if port is not None else int(os.environ.get(PORT_VARIABLE, DEFAULT_PORT))
        default_dir = os.environ.get(DIR_VARIABLE) or str(project_root() / ".warehouse" / "spark")
        return cls(port=chosen_port, base_dir=(base_dir or Path(default_dir)).resolve())

    @property
    def pid_file(self) -> Path:
        return self.base_dir / "thriftserver.pid"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "thriftserver.log"

    @property
    def warehouse_dir(self) -> Path:
        return self.base_dir / "warehouse"

    @property
    def metastore_dir(self) -> Path:
        return self.base_dir / "metastore_db"

    def command(self) -> list[str]:
        """The spark-submit command line that runs the Thrift server in local mode."""
        spark_home = spark_home_dir()
        conf = {
            **SPARK_CONF,
            "spark.sql.warehouse.dir": str(self.warehouse_dir),
            "spark.driver.extraJavaOptions": f"-Dderby.system.home={self.base_dir}",
            "spark.hadoop.javax.jdo.option.ConnectionURL": (
                f"jdbc:derby:;databaseName={self.metastore_dir};create=true"
            ),
        }
        arguments = [str(spark_home / "bin" / "spark-submit"), "--master", "local[2]"]
        arguments += ["--driver-memory", self.driver_memory, "--name", f"orders-warehouse-{self.port}"]
        arguments += ["--class", THRIFT_SERVER_CLASS]
        for key, value in conf.items():
            arguments += ["--conf", f"{key}={value}"]
        arguments += ["--hiveconf", f"hive.server2.thrift.port={self.port}"]
        arguments += ["--hiveconf", f"hive.server2.thrift.bind.host={LISTEN_HOST}"]
        return [*arguments, "spark-internal"]

    def pid(self) -> int | None:
        """The pid of the running server this folder started, or None."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _process_alive(pid) else None

    def is_running(self) -> bool:
        return self.pid() is not None and _port_answers(self.port)

    def start(self) -> None:
        """Start the server (a no-op when it runs) and wait until its port answers."""
        if self.pid() is not None:
            self._wait_until_ready(self.pid() or 0)
            return
        if _port_answers(self.port):
            raise SparkServerError(f"port {self.port} is taken by another process: set {PORT_VARIABLE}")
        self.base_dir.mkdir(parents=True, exist_ok=True)
        environment = {**os.environ, "SPARK_HOME": str(spark_home_dir())}
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(
                self.command(),
                cwd=self.base_dir,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{process.pid}\n")
        self._wait_until_ready(process.pid)

    def stop(self) -> None:
        """Stop the server by the pid it wrote (SIGTERM, then SIGKILL after a minute); keep its data."""
        pid = self.pid()
        if pid is not None:
            _terminate(pid)
        self.pid_file.unlink(missing_ok=True)

    def _wait_until_ready(self, pid: int) -> None:
        deadline = time.monotonic() + START_WAIT_SECONDS
        while time.monotonic() < deadline:
            if not _process_alive(pid):
                raise SparkServerError(f"the Spark Thrift server exited; see {self.log_file}")
            if _port_answers(self.port):
                return
            time.sleep(1.0)
        raise SparkServerError(f"the Spark Thrift server did not answer on port {self.port}; see {self.log_file}")


def spark_home_dir() -> Path:
    """The Spark distribution inside pyspark's wheel (bin/spark-submit, jars/)."""
    spec = importlib.util.find_spec("pyspark")
    if spec is None or spec.origin is None:
        raise SparkServerError("pyspark is not installed: run make .venv/.installed")
    return Path(spec.origin).parent


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # not our child (started by another command): it is alive
    return waited == 0


def _port_answers(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex((LISTEN_HOST, port)) == 0


def _terminate(pid: int) -> None:
    """SIGTERM the server's process group (spark-submit and its JVM), then SIGKILL it if it lingers."""
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while time.monotonic() < deadline:
        if not _process_alive(pid):
            return
        time.sleep(0.5)
    _signal_group(pid, signal.SIGKILL)


def _signal_group(pid: int, signum: signal.Signals) -> None:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        return
