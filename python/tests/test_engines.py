"""The same export gives the same warehouse on every engine: PostgreSQL and DuckDB, built from the same models.

Both builds of the sample (``sample_warehouse``, ``duckdb_sample_warehouse``) are compared table by table and row
by row: raw, staging, intermediate, the Data Vault, marts and the feature table. Exact numbers are compared to 6
decimal places (PostgreSQL's numeric has no limit, the portable type keeps 10), timestamps as UTC. Left out: the
columns that say when a build ran (the vault's load_date included), dbt's snapshot bookkeeping, the parsed JSON
and the One Big Table's nested lines (each engine writes JSON its own way; the lines unnested from the export are
compared, and the nested lines are reconciled with the fact on each engine by a dbt test), and the personal-data
hash, which DuckDB does not compute (no key there).
"""

from __future__ import annotations

import pytest
from dbt_project import DbtProject
from engine_comparison import (
    MART_TOTALS,
    information_schema_columns,
    information_schema_relations,
    normalized,
    table_rows,
    to_the_cent,
)


@pytest.fixture(scope="module")
def relations(sample_warehouse: DbtProject, duckdb_sample_warehouse: DbtProject) -> list[str]:
    """The tables and views of both warehouses (they must be the same)."""
    postgres, duckdb = (
        information_schema_relations(sample_warehouse),
        information_schema_relations(duckdb_sample_warehouse),
    )
    assert postgres == duckdb, f"only on PostgreSQL: {postgres - duckdb}; only on DuckDB: {duckdb - postgres}"
    return sorted(postgres)


def test_both_engines_run_the_same_nodes(sample_warehouse: DbtProject, duckdb_sample_warehouse: DbtProject) -> None:
    postgres, duckdb = sample_warehouse.build.statuses(), duckdb_sample_warehouse.build.statuses()  # type: ignore[union-attr]
    # The fact's foreign keys are constraints on PostgreSQL; only DuckDB runs their relationships tests.
    only_duckdb = duckdb.keys() - postgres.keys()
    assert postgres.keys() <= duckdb.keys()
    assert len(only_duckdb) == 6 and all(
        node.startswith("test.orders_warehouse.relationships_fct_order_items_") for node in only_duckdb
    )
    assert len([node for node in duckdb if node.startswith(("test.", "unit_test."))]) >= 100


def test_every_table_holds_the_same_rows(
    sample_warehouse: DbtProject, duckdb_sample_warehouse: DbtProject, relations: list[str]
) -> None:
    assert {"raw.orders_export", "marts.fct_order_items", "ml.customer_churn_features"} <= set(relations)
    different = {}
    for relation in relations:
        columns = information_schema_columns(sample_warehouse, relation)
        assert columns == information_schema_columns(duckdb_sample_warehouse, relation), (
            f"{relation}: the columns differ"
        )
        postgres, duckdb = (
            table_rows(sample_warehouse, relation, columns),
            table_rows(duckdb_sample_warehouse, relation, columns),
        )
        if postgres != duckdb:
            different[relation] = (list((postgres - duckdb).items())[:2], list((duckdb - postgres).items())[:2])
    assert not different, f"rows only on PostgreSQL, only on DuckDB: {different}"


@pytest.mark.parametrize("mart", sorted(MART_TOTALS))
def test_mart_totals_are_identical(
    sample_warehouse: DbtProject, duckdb_sample_warehouse: DbtProject, mart: str
) -> None:
    statement = f"select {MART_TOTALS[mart]} from {mart}"
    [postgres] = sample_warehouse.query(statement)
    [duckdb] = duckdb_sample_warehouse.query(statement)
    assert postgres[0] > 0
    assert [normalized(value) for value in postgres] == [normalized(value) for value in duckdb]
    assert to_the_cent(postgres) == to_the_cent(duckdb)
