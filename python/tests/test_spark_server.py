"""The Spark Thrift server's control, without starting Spark (``make test-spark`` starts one for real)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orders_warehouse import spark_server
from orders_warehouse.spark_server import SparkThriftServer


def _conf(command: list[str]) -> dict[str, str]:
    pairs = [command[index + 1] for index, argument in enumerate(command) if argument == "--conf"]
    return dict(pair.split("=", 1) for pair in pairs)


def test_the_server_runs_locally_on_its_port_with_its_files_in_its_folder(tmp_path: Path) -> None:
    command = SparkThriftServer(port=10099, base_dir=tmp_path).command()
    assert command[0].endswith("bin/spark-submit")
    assert command[command.index("--master") + 1] == "local[2]"
    assert command[command.index("--class") + 1] == spark_server.THRIFT_SERVER_CLASS
    assert "hive.server2.thrift.port=10099" in command
    assert "hive.server2.thrift.bind.host=127.0.0.1" in command
    conf = _conf(command)
    assert conf["spark.sql.warehouse.dir"] == str(tmp_path / "warehouse")
    assert str(tmp_path / "metastore_db") in conf["spark.hadoop.javax.jdo.option.ConnectionURL"]
    assert int(conf["spark.sql.shuffle.partitions"]) <= 4
    assert not any(key.startswith(("spark.jars", "spark.sql.extensions")) for key in conf), "nothing is downloaded"


def test_the_project_server_reads_its_port_and_folder_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(spark_server.PORT_VARIABLE, "10123")
    monkeypatch.setenv(spark_server.DIR_VARIABLE, str(tmp_path))
    server = SparkThriftServer.for_project()
    assert (server.port, server.base_dir) == (10123, tmp_path.resolve())


def test_stopping_a_server_that_does_not_run_does_nothing(tmp_path: Path) -> None:
    server = SparkThriftServer(port=10099, base_dir=tmp_path)
    (tmp_path / "thriftserver.pid").write_text("not a pid\n")
    assert server.pid() is None
    server.stop()
    assert not server.pid_file.exists()
    assert not server.is_running()
