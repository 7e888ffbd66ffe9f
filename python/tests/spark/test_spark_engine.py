"""The sample built on Apache Spark equals the PostgreSQL build: ``make test-spark`` (not part of ``make test``).

A throwaway Spark Thrift server (pyspark's, local mode) is started on ``$WAREHOUSE_SPARK_TEST_PORT`` (default
10016) in a temporary folder, the sample export is loaded with the Spark loader and built with ``dbt build`` on
the ``spark`` target: every model, seed, data test and unit test must pass (snapshots are disabled on Spark).
Then the warehouse is compared with ``sample_warehouse`` (PostgreSQL) table by table and row by row (raw,
staging, intermediate, the Data Vault, marts, the feature table; numbers to 6 decimal places, within one unit
of the 6th, timestamps as UTC), the One Big Table's nested lines parsed from their JSON, and the marts' totals:
identical to 6 decimal places, and to the cent. Last, the vault is built again: insert-only on Spark too, it adds
nothing. The server is stopped by its pid at the end, even when a test fails.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from dbt_project import DbtProject, sample_exports
from engine_comparison import (
    MART_TOTALS,
    NOT_COMPARED,
    SCHEMAS,
    SIX_PLACES,
    VAULT_TABLES,
    information_schema_columns,
    information_schema_relations,
    normalized,
    table_rows,
    to_the_cent,
)

from orders_warehouse.settings import ConnectionSettings
from orders_warehouse.spark_server import SparkServerError, SparkThriftServer

pytestmark = pytest.mark.spark

SPARK_TEST_PORT = int(os.environ.get("WAREHOUSE_SPARK_TEST_PORT", "10016"))
# Spark rounds a quotient to its decimal scale (10, or 6 for a ratio of two decimal(38, 10)) half up, and that
# can round a tie of the 6th place the other way: numbers agree when they are within one unit of it.
TOLERANCE = SIX_PLACES


@pytest.fixture(scope="module")
def spark_server() -> Iterator[SparkThriftServer]:
    """A throwaway Spark Thrift server in a temporary folder; stopped (by pid) and deleted afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="orders-warehouse-spark-test-"))
    server = SparkThriftServer(port=SPARK_TEST_PORT, base_dir=folder)
    try:
        try:
            server.start()
        except SparkServerError as error:
            pytest.fail(f"cannot start the Spark Thrift server ({error}); set WAREHOUSE_SPARK_TEST_PORT")
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def spark_sample_warehouse(spark_server: SparkThriftServer, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The committed sample loaded and built with ``dbt build`` on the spark target, once for this module."""
    project = DbtProject(
        ConnectionSettings(), tmp_path_factory.mktemp("spark_sample_warehouse"), spark_port=spark_server.port
    )
    project.load(sample_exports())
    project.build = project.run("build")
    assert project.build.returncode == 0, f"dbt build failed on the sample (Spark):\n{project.build.tail()}"
    return project


def _spark_relations(project: DbtProject) -> set[str]:
    relations = set()
    for schema in SCHEMAS:
        for _, name, is_temporary in project.query(f"show tables in {schema}"):
            if not is_temporary:
                relations.add(f"{schema}.{name}")
    return relations


def _spark_columns(project: DbtProject, relation: str) -> list[str]:
    columns = []
    for column, _, _ in project.query(f"describe table {relation}"):
        if not column or column.startswith("#"):
            break  # the partition and detail sections follow the columns
        if column not in NOT_COMPARED:
            columns.append(column)
    return columns


def _sort_key(row: tuple[object, ...]) -> tuple[tuple[str, ...], tuple[tuple[bool, Decimal], ...]]:
    """The row's other values first, then its numbers: rows whose numbers differ by a rounding stay paired."""
    others = tuple("" if value is None else str(value) for value in row if not isinstance(value, Decimal))
    numbers = tuple((value is None, value or Decimal(0)) for value in row if isinstance(value, Decimal | None))
    return others, numbers


def _close(left: tuple[object, ...], right: tuple[object, ...]) -> bool:
    return all(
        abs(one - other) <= TOLERANCE if isinstance(one, Decimal) and isinstance(other, Decimal) else one == other
        for one, other in zip(left, right, strict=True)
    )


def _differences(
    postgres: Counter[tuple[object, ...]], spark: Counter[tuple[object, ...]]
) -> list[tuple[tuple[object, ...], tuple[object, ...]]]:
    """The pairs of rows that differ beyond TOLERANCE (a row missing on one side pairs with ())."""
    if postgres == spark:
        return []
    left, right = sorted(postgres.elements(), key=_sort_key), sorted(spark.elements(), key=_sort_key)
    if len(left) != len(right):
        return [(row, ()) for row in (postgres - spark)] + [((), row) for row in (spark - postgres)]
    return [(one, other) for one, other in zip(left, right, strict=True) if not _close(one, other)]


@pytest.fixture(scope="module")
def relations(sample_warehouse: DbtProject, spark_sample_warehouse: DbtProject) -> list[str]:
    """The tables and views of both warehouses (they must be the same)."""
    postgres, spark = information_schema_relations(sample_warehouse), _spark_relations(spark_sample_warehouse)
    assert postgres == spark, f"only on PostgreSQL: {postgres - spark}; only on Spark: {spark - postgres}"
    return sorted(postgres)


def test_spark_runs_every_node_but_the_snapshots(
    sample_warehouse: DbtProject, spark_sample_warehouse: DbtProject
) -> None:
    postgres, spark = sample_warehouse.build.statuses(), spark_sample_warehouse.build.statuses()  # type: ignore[union-attr]
    assert set(spark) <= set(postgres)
    assert all("snp_" in node for node in set(postgres) - set(spark)), set(postgres) - set(spark)
    assert len([node for node in spark if node.startswith("unit_test.")]) == len(
        [node for node in postgres if node.startswith("unit_test.")]
    )
    assert len([node for node in spark if node.startswith(("test.", "unit_test."))]) >= 100


def test_every_table_holds_the_same_rows(
    sample_warehouse: DbtProject, spark_sample_warehouse: DbtProject, relations: list[str]
) -> None:
    assert {"raw.orders_export", "marts.fct_order_items", "marts.obt_orders", "ml.customer_churn_features"} <= set(
        relations
    )
    assert {f"vault.{table}" for table in VAULT_TABLES} <= set(relations)
    different = {}
    for relation in relations:
        columns = information_schema_columns(sample_warehouse, relation)
        assert columns == _spark_columns(spark_sample_warehouse, relation), f"{relation}: the columns differ"
        postgres, spark = (
            table_rows(sample_warehouse, relation, columns),
            table_rows(spark_sample_warehouse, relation, columns),
        )
        differences = _differences(postgres, spark)
        if differences:
            different[relation] = differences[:2]
    assert not different, f"rows that differ, (PostgreSQL, Spark): {different}"


@pytest.mark.parametrize("mart", sorted(MART_TOTALS))
def test_mart_totals_are_identical(sample_warehouse: DbtProject, spark_sample_warehouse: DbtProject, mart: str) -> None:
    statement = f"select {MART_TOTALS[mart]} from {mart}"
    [postgres] = sample_warehouse.query(statement)
    [spark] = spark_sample_warehouse.query(statement)
    assert postgres[0] > 0
    assert [normalized(value) for value in postgres] == [normalized(value) for value in spark]
    assert to_the_cent(postgres) == to_the_cent(spark)
    print(f"{mart}: PostgreSQL {to_the_cent(postgres)}, Spark {to_the_cent(spark)}")


def _nested_lines(project: DbtProject) -> dict[str, list[tuple[tuple[str, object], ...]]]:
    """Each order's order_lines parsed (PostgreSQL's jsonb, Spark's JSON text): per line, its (key, value) pairs in
    key order, numbers to 6 places."""
    lines = {}
    for order_id, order_lines in project.query("select order_id, order_lines from marts.obt_orders"):
        parsed = json.loads(order_lines, parse_float=Decimal) if isinstance(order_lines, str) else order_lines
        lines[order_id] = [tuple(sorted((key, normalized(value)) for key, value in line.items())) for line in parsed]
    return lines


def _same_lines(left: list[tuple[tuple[str, object], ...]], right: list[tuple[tuple[str, object], ...]]) -> bool:
    """The same lines in the same order, with the same keys, their values equal (numbers within TOLERANCE)."""
    return len(left) == len(right) and all(
        [key for key, _ in one] == [key for key, _ in other]
        and _close(tuple(value for _, value in one), tuple(value for _, value in other))
        for one, other in zip(left, right, strict=True)
    )


def test_obt_nested_lines_are_identical(sample_warehouse: DbtProject, spark_sample_warehouse: DbtProject) -> None:
    postgres, spark = _nested_lines(sample_warehouse), _nested_lines(spark_sample_warehouse)
    assert len(postgres) > 0
    assert postgres.keys() == spark.keys()
    different = [
        (lines, spark[order_id]) for order_id, lines in postgres.items() if not _same_lines(lines, spark[order_id])
    ]
    assert not different, f"order_lines that differ, (PostgreSQL, Spark): {different[:2]}"


def test_the_vault_is_insert_only_on_spark(spark_sample_warehouse: DbtProject) -> None:
    """Built again on the same data (incrementally: the append strategy, as on PostgreSQL), the vault adds nothing."""
    counts = "select " + ", ".join(f"(select count(*) from vault.{table})" for table in VAULT_TABLES)
    [before] = spark_sample_warehouse.query(counts)
    rebuild = spark_sample_warehouse.run("build", "--select", "path:models/vault")
    assert rebuild.returncode == 0, f"dbt build of the vault failed on its second run (Spark):\n{rebuild.tail()}"
    [after] = spark_sample_warehouse.query(counts)
    assert min(before) > 0
    assert dict(zip(VAULT_TABLES, after, strict=True)) == dict(zip(VAULT_TABLES, before, strict=True))
