"""The local PostgreSQL manager, with real servers on this machine's loopback only."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import scratch_folder

from orders_warehouse.server import SERVER_OPTIONS, LocalServer, ServerError


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def folder() -> Iterator[Path]:
    path = scratch_folder()
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_start_is_a_no_op_when_already_running(test_server: LocalServer) -> None:
    assert test_server.is_running()
    assert test_server.start() is False
    assert test_server.running_port() == test_server.port


def test_the_server_runs_with_the_project_options(test_server: LocalServer) -> None:
    """SERVER_OPTIONS (jit off) are the running server's settings, not PostgreSQL's defaults."""
    assert SERVER_OPTIONS == ("jit=off",)
    with test_server.connect("postgres") as connection, connection.cursor() as cursor:
        cursor.execute("select setting, source from pg_settings where name = 'jit'")
        assert cursor.fetchone() == ("off", "command line")
    connection.close()


def test_stop_keeps_the_data_and_destroy_deletes_it(folder: Path) -> None:
    server = LocalServer(data_dir=folder / "pgdata", port=free_port(), fast=True)
    try:
        assert server.start() is True
        assert server.ensure_database("kept") is True
        assert server.ensure_database("kept") is False
        with server.connect("kept") as connection, connection.cursor() as cursor:
            cursor.execute("create table survivor as select 42 as answer")
        connection.close()

        assert server.stop() is True
        assert not server.is_running()
        assert server.stop() is False
        assert server.start() is True

        with server.connect("kept") as connection, connection.cursor() as cursor:
            cursor.execute("select answer from survivor")
            assert cursor.fetchall() == [(42,)]
        connection.close()
    finally:
        server.destroy()
    assert not server.data_dir.exists()
    assert not server.log_file.exists()


def test_refuses_a_port_another_program_listens_on(folder: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        server = LocalServer(data_dir=folder / "pgdata", port=port)

        with pytest.raises(ServerError, match=rf"port {port}.*WAREHOUSE_PORT"):
            server.start()

    assert not server.data_dir.exists()


def test_explicit_data_dir_is_used_as_given(folder: Path) -> None:
    server = LocalServer.for_project(port=5999, data_dir=folder / "elsewhere")
    assert server.data_dir == folder / "elsewhere"
    assert server.port == 5999


def test_project_data_folder_is_deterministic(folder: Path, tmp_path: Path) -> None:
    (folder / "dbt_project.yml").write_text("name: x\n")
    assert LocalServer.for_project(port=5999, root=folder).data_dir == folder / ".warehouse" / "pgdata"

    (tmp_path / "dbt_project.yml").write_text("name: x\n")
    tmp_path.chmod(0o700)
    first = LocalServer.for_project(port=5999, root=tmp_path)
    second = LocalServer.for_project(port=5999, root=tmp_path)
    assert first.data_dir == second.data_dir
    assert first.data_dir.name == "pgdata"
    if os.geteuid() == 0:  # the postgres user cannot enter a 0700 folder of root's
        assert first.data_dir.parent.parent == Path("/var/tmp")
        assert first.data_dir.parent.name.startswith("orders-warehouse-")
    else:
        assert first.data_dir == tmp_path / ".warehouse" / "pgdata"
