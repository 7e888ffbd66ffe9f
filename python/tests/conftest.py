"""Shared fixtures: a throwaway PostgreSQL for the whole test session, and a fresh database per test.

- ``test_server``: a ``LocalServer(fast=True)`` on port ``$WAREHOUSE_TEST_PORT`` (default 5434) in a new
  temporary folder; stopped and deleted at the end of the session, even when tests fail. Under pytest-xdist
  (``make test``) every worker process is a session of its own: worker N's server listens on the port plus N.
- ``fresh_database``: a new, uniquely named database on that server, as ``ConnectionSettings``; dropped after
  the test.
- ``scratch_folder()``: a new temporary folder the ``postgres`` user can enter (for extra servers).
- ``sample_warehouse``: the committed sample export loaded and built with ``dbt build``, once per session.
- ``sample_docs``: ``dbt docs generate`` on that warehouse (manifest, catalog, semantic manifest, docs site), once.
- ``sample_copy``: a private copy of that warehouse for the tests of one module that change it.
- ``duckdb_sample_warehouse``: the same sample loaded and built with ``dbt build`` on the ``duckdb`` target, in a
  DuckDB file of its own (no server), once per test run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from dbt_project import PROJECT_ROOT, DbtProject, sample_exports
from psycopg2 import sql
from warehouse_access import copy_database, drop_database

from orders_warehouse.server import LocalServer, ServerError
from orders_warehouse.settings import ConnectionSettings

# pytest-xdist names its worker processes gw0, gw1, ... (see test_server); without xdist this is 0.
WORKER_NUMBER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
TEST_PORT = int(os.environ.get("WAREHOUSE_TEST_PORT", "5434")) + WORKER_NUMBER


def scratch_folder() -> Path:
    """A new folder under /var/tmp that the ``postgres`` user can enter (it runs the server as root)."""
    folder = Path(tempfile.mkdtemp(prefix="orders-warehouse-test-", dir="/var/tmp"))
    folder.chmod(0o755)
    return folder


@pytest.fixture(scope="session")
def test_server() -> Iterator[LocalServer]:
    """A throwaway PostgreSQL for the session, on 127.0.0.1:$WAREHOUSE_TEST_PORT."""
    folder = scratch_folder()
    server = LocalServer(data_dir=folder / "pgdata", port=TEST_PORT, fast=True)
    try:
        try:
            server.start()
        except ServerError as error:
            pytest.exit(f"cannot start the test server ({error}); set WAREHOUSE_TEST_PORT", returncode=1)
        yield server
    finally:
        server.destroy()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def fresh_database(test_server: LocalServer) -> Iterator[ConnectionSettings]:
    """A new empty database on the test server; yields settings pointing at it, drops it afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    test_server.ensure_database(name)
    yield ConnectionSettings(host="127.0.0.1", port=test_server.port, user="postgres", database=name)
    connection = test_server.connect()
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
    finally:
        connection.close()


def query(settings: ConnectionSettings, statement: str, params: tuple[object, ...] = ()) -> list[tuple]:
    """Run one statement on the database of ``settings`` and return its rows."""
    connection = psycopg2.connect(settings.dsn())
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


# --------------------------------------------------------------------------- the built sample warehouse


@pytest.fixture(scope="session")
def sample_warehouse(test_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The committed sample export loaded and built with ``dbt build``, once for the whole session.

    The build must succeed: every model, seed, data test and unit test; warnings are allowed (the sample
    has unknown order statuses on purpose) and checked by the tests.
    """
    test_server.ensure_database("sample_warehouse")
    settings = ConnectionSettings(host="127.0.0.1", port=test_server.port, database="sample_warehouse")
    project = DbtProject(settings, tmp_path_factory.mktemp("sample_warehouse"))
    project.load(sample_exports())
    project.build = project.run("build")
    assert project.build.returncode == 0, f"dbt build failed on the sample:\n{project.build.tail()}"
    return project


@pytest.fixture(scope="session")
def duckdb_sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The committed sample export loaded and built with ``dbt build`` on the duckdb target, once per test run.

    The same models, seeds, data tests and unit tests as ``sample_warehouse`` must pass.
    """
    work_dir = tmp_path_factory.mktemp("duckdb_sample_warehouse")
    project = DbtProject(ConnectionSettings(), work_dir, duckdb_path=work_dir / "warehouse.duckdb")
    project.load(sample_exports())
    project.build = project.run("build")
    assert project.build.returncode == 0, f"dbt build failed on the sample (DuckDB):\n{project.build.tail()}"
    return project


# --------------------------------------------------------------------------- the docs of the built sample

# What a dbt project folder holds that the shadow project of ``sample_docs`` must not link: its own artifacts.
_NOT_LINKED = {".git", ".venv", "target", "logs", "profiles.yml", ".state", ".warehouse", "reports"}


@pytest.fixture(scope="session")
def sample_docs(sample_warehouse: DbtProject, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """``dbt docs generate`` on the built sample, once: ``work_dir/target`` holds manifest.json, catalog.json,
    semantic_manifest.json and the docs site (index.html).

    ``work_dir`` is also a shadow of the project (symbolic links to its files, with its own profiles.yml and
    target/), for the tools that read ``<project>/target`` and nothing else: run them with
    ``DBT_PROJECT_DIR=work_dir`` (MetricFlow's ``mf``, dbt-bouncer).
    """
    project = DbtProject(sample_warehouse.settings, tmp_path_factory.mktemp("sample_docs"))
    for entry in PROJECT_ROOT.iterdir():
        if entry.name not in _NOT_LINKED and not (project.work_dir / entry.name).exists():
            (project.work_dir / entry.name).symlink_to(entry)
    generated = project.run("docs", "generate")
    assert generated.returncode == 0, f"dbt docs generate failed on the sample:\n{generated.tail()}"
    return project


@pytest.fixture(scope="module")
def sample_copy(
    sample_warehouse: DbtProject, test_server: LocalServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DbtProject]:
    """A copy of the built sample warehouse for the tests of one module that change it; dropped afterwards."""
    name = f"sample_copy_{uuid.uuid4().hex[:12]}"
    settings = copy_database(test_server, sample_warehouse.settings.database, name)
    project = DbtProject(settings, tmp_path_factory.mktemp(name))
    project.build = sample_warehouse.build
    yield project
    drop_database(test_server, name)
