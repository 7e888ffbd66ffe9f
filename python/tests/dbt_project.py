"""Run the project's dbt commands against a test database, the way ``make build`` does.

Each ``DbtProject`` gets its own profiles folder (a copy of ``profiles.example.yml``), target folder and log
folder, so tests never read a developer's ``profiles.yml`` nor overwrite their ``target/``. A project given a
``duckdb_path`` runs the profile's ``duckdb`` target on that file (no server) instead of PostgreSQL; one given a
``spark_port`` runs the ``spark`` target on the Spark Thrift server listening there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg2

from orders_warehouse import duckdb_loader, loader, spark_loader
from orders_warehouse.settings import ConnectionSettings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
BIN_DIR = Path(sys.executable).parent


def sample_exports() -> list[Path]:
    """The committed sample export files, in load order."""
    return sorted(SAMPLE_DIR.glob("orders_export_*.csv"))


@dataclass
class DbtResult:
    """One dbt invocation: its exit code, its output, and run_results.json's node statuses."""

    returncode: int
    output: str
    results: list[dict]

    def statuses(self, resource_type: str | None = None) -> dict[str, str]:
        """unique_id -> status, optionally for one resource type (model, test, unit_test, seed)."""
        return {
            result["unique_id"]: result["status"]
            for result in self.results
            if resource_type is None or result["unique_id"].split(".")[0] == resource_type
        }

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.output.splitlines()[-lines:])


@dataclass
class DbtProject:
    """The dbt project pointed at one test database, with private profiles, target and log folders."""

    settings: ConnectionSettings
    work_dir: Path
    build: DbtResult | None = None  # the last full build, when a fixture made one
    duckdb_path: Path | None = None  # the DuckDB file of the duckdb target; None: PostgreSQL (settings)
    spark_port: int | None = None  # the Thrift server's port of the spark target; None: not Spark

    def __post_init__(self) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / "profiles.example.yml", self.work_dir / "profiles.yml")

    def environment(self) -> dict[str, str]:
        """The environment dbt, sqlfluff and the loader read their settings from."""
        return {
            **os.environ,
            "WAREHOUSE_HOST": self.settings.host,
            "WAREHOUSE_PORT": str(self.settings.port),
            "WAREHOUSE_USER": self.settings.user,
            "WAREHOUSE_DB": self.settings.database,
            "DBT_PROFILES_DIR": str(self.work_dir),
            "DBT_TARGET_PATH": str(self.work_dir / "target"),
            "DBT_LOG_PATH": str(self.work_dir / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_TARGET": self.target,
            "WAREHOUSE_DUCKDB_PATH": str(self.duckdb_path or ""),
            "WAREHOUSE_SPARK_PORT": str(self.spark_port or ""),
        }

    @property
    def target(self) -> str:
        """The profile's target this project runs: spark, duckdb or dev (PostgreSQL)."""
        if self.spark_port is not None:
            return "spark"
        return "dev" if self.duckdb_path is None else "duckdb"

    def run(self, *args: str) -> DbtResult:
        """Run ``dbt <args>`` in the project folder and collect its results."""
        return self._run([str(BIN_DIR / "dbt"), *args], collect_results=True)

    def build_without_tests(self, *select: str) -> DbtResult:
        """``dbt build`` of the seeds, models and snapshots only (of those ``select`` names, when given): for the
        intermediate steps of a scenario whose last step runs the full ``dbt build`` (tests included)."""
        selection = ["--select", *select] if select else []
        return self.run(
            "build", "--resource-type", "seed", "--resource-type", "model", "--resource-type", "snapshot", *selection
        )

    def run_with_breaks(self, breaks: dict[str, tuple[list[str], list[str]]], *args: str) -> DbtResult:
        """Run ``dbt <args>`` with one thread, running on the warehouse, for each node named in ``breaks``, the
        first statements right before the node starts and the second right after it finishes
        (break_during_dbt.py): a break that only the node sees. PostgreSQL only."""
        script = Path(__file__).with_name("break_during_dbt.py")
        command = [sys.executable, str(script), json.dumps(breaks), *args, "--threads", "1"]
        return self._run(command, collect_results=True)

    def sqlfluff(self, *args: str) -> DbtResult:
        """Run ``sqlfluff <args>`` in the project folder (the dbt templater reads this database)."""
        return self._run([str(BIN_DIR / "sqlfluff"), *args], collect_results=False)

    def load(self, files: list[Path]) -> list[loader.LoadResult]:
        """Load export files into this database's raw schema; every file must load (or be skipped)."""
        if self.spark_port is not None:
            outcomes = spark_loader.load_files(files, self.spark_port)
        elif self.duckdb_path is not None:
            outcomes = duckdb_loader.load_files(files, self.duckdb_path)
        else:
            outcomes = loader.load_files(files, self.settings)
        refused = [outcome.describe() for outcome in outcomes if isinstance(outcome, loader.Refusal)]
        assert not refused, "\n".join(refused)
        return [outcome for outcome in outcomes if isinstance(outcome, loader.LoadResult)]

    def query(self, statement: str) -> list[tuple]:
        """Run one read-only statement on this project's warehouse (PostgreSQL, DuckDB or Spark); return its rows."""
        if self.spark_port is not None:
            return _spark_query(self.spark_port, statement)
        if self.duckdb_path is not None:
            connection = duckdb.connect(str(self.duckdb_path), read_only=True)
            try:
                return connection.execute(statement).fetchall()
            finally:
                connection.close()
        pg_connection = psycopg2.connect(self.settings.dsn())
        try:
            with pg_connection, pg_connection.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchall()
        finally:
            pg_connection.close()

    def _run(self, command: list[str], collect_results: bool) -> DbtResult:
        results_file = self.work_dir / "target" / "run_results.json"
        results_file.unlink(missing_ok=True)
        completed = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env=self.environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        results = []
        if collect_results and results_file.exists():
            results = json.loads(results_file.read_text())["results"]
        return DbtResult(completed.returncode, completed.stdout + completed.stderr, results)


def _spark_query(port: int, statement: str) -> list[tuple]:
    connection = spark_loader.connect(port)
    try:
        cursor = connection.cursor()
        cursor.execute(statement)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        connection.close()
