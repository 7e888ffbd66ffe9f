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

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from dbt_project import DbtProject

SCHEMAS = ("raw", "staging", "intermediate", "vault", "marts", "ml")
NOT_COMPARED = frozenset(
    {
        "processed_at",
        "_loaded_at",
        "loaded_at",
        "load_date",
        "order_items_json",
        "order_lines",
        "email_hash",
        "customer_email_hash",
    }
)
SIX_PLACES = Decimal("0.000001")


def _relations(project: DbtProject) -> set[str]:
    schemas = ", ".join(f"'{schema}'" for schema in SCHEMAS)
    rows = project.query(
        f"select table_schema, table_name from information_schema.tables where table_schema in ({schemas})"
    )
    return {f"{schema}.{name}" for schema, name in rows if not name.endswith(("__dbt_tmp", "__dbt_backup"))}


def _columns(project: DbtProject, relation: str) -> list[str]:
    schema, name = relation.split(".")
    rows = project.query(
        "select column_name from information_schema.columns"
        f" where table_schema = '{schema}' and table_name = '{name}' order by ordinal_position"
    )
    return [column for (column,) in rows if column not in NOT_COMPARED]


def _normalized(value: object) -> object:
    if isinstance(value, (Decimal, float)):
        return Decimal(str(value)).quantize(SIX_PLACES)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _rows(project: DbtProject, relation: str, columns: list[str]) -> Counter[tuple[object, ...]]:
    rows = project.query(f"select {', '.join(columns)} from {relation}")
    return Counter(tuple(_normalized(value) for value in row) for row in rows)


@pytest.fixture(scope="module")
def relations(sample_warehouse: DbtProject, duckdb_sample_warehouse: DbtProject) -> list[str]:
    """The tables and views of both warehouses (they must be the same)."""
    postgres, duckdb = _relations(sample_warehouse), _relations(duckdb_sample_warehouse)
    assert postgres == duckdb, f"only on PostgreSQL: {postgres - duckdb}; only on DuckDB: {duckdb - postgres}"
    return sorted(postgres)


def test_both_engines_run_the_same_nodes(sample_warehouse: DbtProject, duckdb_sample_warehouse: DbtProject) -> None:
    postgres, duckdb = sample_warehouse.build.statuses(), duckdb_sample_warehouse.build.statuses()  # type: ignore[union-attr]
    assert postgres.keys() == duckdb.keys()
    assert len([node for node in duckdb if node.startswith(("test.", "unit_test."))]) >= 100


def test_every_table_holds_the_same_rows(
    sample_warehouse: DbtProject, duckdb_sample_warehouse: DbtProject, relations: list[str]
) -> None:
    assert {"raw.orders_export", "marts.fct_order_items", "ml.customer_churn_features"} <= set(relations)
    different = {}
    for relation in relations:
        columns = _columns(sample_warehouse, relation)
        assert columns == _columns(duckdb_sample_warehouse, relation), f"{relation}: the columns differ"
        postgres, duckdb = _rows(sample_warehouse, relation, columns), _rows(duckdb_sample_warehouse, relation, columns)
        if postgres != duckdb:
            different[relation] = (list((postgres - duckdb).items())[:2], list((duckdb - postgres).items())[:2])
    assert not different, f"rows only on PostgreSQL, only on DuckDB: {different}"


MART_TOTALS = {
    "marts.fct_order_items": "count(*), sum(quantity), sum(net_amount), sum(tax_amount), sum(gross_amount)",
    "marts.rpt_daily_revenue": "count(*), sum(order_count), sum(quantity), sum(net_revenue), sum(gross_revenue)",
    "marts.rpt_monthly_revenue_by_customer_country": "count(*), sum(order_count), sum(net_revenue), sum(gross_revenue)",
    "marts.dim_customers": "count(*), count(customer_id), count(distinct country_code), count(distinct city)",
    "marts.dim_items": "count(*), count(distinct category), count(distinct brand)",
    "marts.dim_stores": "count(*), count(distinct timezone), count(distinct country_code)",
    "marts.dim_date": "count(*), min(date_day), max(date_day), sum(fiscal_year), sum(iso_week)",
}


@pytest.mark.parametrize("mart", sorted(MART_TOTALS))
def test_mart_totals_are_identical(
    sample_warehouse: DbtProject, duckdb_sample_warehouse: DbtProject, mart: str
) -> None:
    statement = f"select {MART_TOTALS[mart]} from {mart}"
    [postgres] = sample_warehouse.query(statement)
    [duckdb] = duckdb_sample_warehouse.query(statement)
    assert postgres[0] > 0
    assert [_normalized(value) for value in postgres] == [_normalized(value) for value in duckdb]
    assert _to_the_cent(postgres) == _to_the_cent(duckdb)


def _to_the_cent(row: tuple[object, ...]) -> list[object]:
    """Numbers rounded to the cent (PostgreSQL sums integers as numeric, DuckDB as integers)."""
    return [round(Decimal(str(value)), 2) if isinstance(value, (int, Decimal, float)) else value for value in row]
