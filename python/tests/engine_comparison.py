"""What the engine comparisons share (``test_engines.py`` for DuckDB, ``spark/test_spark_engine.py`` for Spark).

Two builds of the sample on different engines are compared table by table and row by row: the schemas compared,
the columns left out, one representation of every value, the rows of a table and the totals of each mart.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

from dbt_project import DbtProject

# Every schema a build writes, snapshots aside (dbt's bookkeeping columns differ by engine; Spark has none).
SCHEMAS = ("raw", "staging", "intermediate", "vault", "marts", "ml")
# Left out of every comparison: the columns that say when a build ran (the vault's load_date included), the parsed
# JSON and the One Big Table's nested lines (each engine writes JSON its own way: the lines unnested from the export
# are compared, the nested lines are reconciled with the fact by a dbt test on each engine), and the personal-data
# hash (computed on PostgreSQL only, where the key is stored).
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
VAULT_TABLES = (
    "hub_customer",
    "hub_item",
    "hub_order",
    "hub_store",
    "lnk_order_customer",
    "lnk_order_item",
    "lnk_order_store",
    "sat_customer",
    "sat_item",
    "sat_order",
    "sat_order_item",
    "sat_store",
)
SIX_PLACES = Decimal("0.000001")
# The totals of each mart (and of the feature table) that must agree to 6 decimal places and to the cent.
MART_TOTALS = {
    "marts.fct_order_items": "count(*), sum(quantity), sum(net_amount), sum(tax_amount), sum(gross_amount)",
    "marts.rpt_daily_revenue": "count(*), sum(order_count), sum(quantity), sum(net_revenue), sum(gross_revenue)",
    "marts.rpt_monthly_revenue_by_customer_country": "count(*), sum(order_count), sum(net_revenue), sum(gross_revenue)",
    "marts.dim_customers": "count(*), count(customer_id), count(distinct country_code), count(distinct city)",
    "marts.dim_items": "count(*), count(distinct category), count(distinct brand)",
    "marts.dim_stores": "count(*), count(distinct timezone), count(distinct country_code)",
    "marts.dim_date": "count(*), min(date_day), max(date_day), sum(fiscal_year), sum(iso_week)",
    "marts.obt_orders": "count(*), sum(line_count), sum(quantity), sum(net_amount), sum(gross_amount)",
    "ml.customer_churn_features": "count(*), count(churned), sum(order_count_lifetime), sum(net_revenue_lifetime)",
}


def information_schema_relations(project: DbtProject) -> set[str]:
    """``schema.table`` of every table and view in SCHEMAS, from the information schema (PostgreSQL, DuckDB)."""
    schemas = ", ".join(f"'{schema}'" for schema in SCHEMAS)
    rows = project.query(
        f"select table_schema, table_name from information_schema.tables where table_schema in ({schemas})"
    )
    return {f"{schema}.{name}" for schema, name in rows if not name.endswith(("__dbt_tmp", "__dbt_backup"))}


def information_schema_columns(project: DbtProject, relation: str) -> list[str]:
    """The compared columns of a relation in their order, from the information schema (PostgreSQL, DuckDB)."""
    schema, name = relation.split(".")
    rows = project.query(
        "select column_name from information_schema.columns"
        f" where table_schema = '{schema}' and table_name = '{name}' order by ordinal_position"
    )
    return [column for (column,) in rows if column not in NOT_COMPARED]


def normalized(value: object) -> object:
    """One representation for every engine: numbers to 6 places, timestamps as naive UTC, dates as text."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (Decimal, float, int)):
        return Decimal(str(value)).quantize(SIX_PLACES)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo is not None else value
    if isinstance(value, date):
        return value.isoformat()
    return value


def table_rows(project: DbtProject, relation: str, columns: list[str]) -> Counter[tuple[object, ...]]:
    """The rows of a relation (those columns, normalized), counted."""
    rows = project.query(f"select {', '.join(columns)} from {relation}")
    return Counter(tuple(normalized(value) for value in row) for row in rows)


def to_the_cent(row: tuple[object, ...]) -> list[object]:
    """Numbers rounded to the cent (engines sum integers as numeric or as integers), other values normalized."""
    return [
        round(Decimal(str(value)), 2)
        if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool)
        # a boolean is a number to Python: keep it one
        else normalized(value)
        for value in row
    ]
