"""The sample export built end to end with ``dbt build`` on a real PostgreSQL and on DuckDB, checked against the
oracle (every check runs on both engines, but the keys PostgreSQL enforces and the SQL lint).

The generator writes ``expected_outcomes.csv`` beside the sample: for every submission, where it must end up
(winning, superseded or quarantined with a reason) and, for winners, the order's date, status, customer,
lines, quantity and net and gross amounts, computed independently in Python. These tests compare the
warehouse with it, row by row.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from decimal import Decimal

import psycopg2
import pytest
from conftest import query
from dbt_project import SAMPLE_DIR, DbtProject

from orders_warehouse.generator import QUARANTINE_REASONS

CONTRACT_QUARANTINE_REASONS = set(QUARANTINE_REASONS)  # the reasons the contract names
SIX_PLACES = Decimal("0.000001")


@pytest.fixture(params=["postgres", "duckdb"])
def built_sample(request: pytest.FixtureRequest) -> DbtProject:
    """The sample built by ``dbt build`` on each engine: PostgreSQL, and the duckdb target's file (no server)."""
    return request.getfixturevalue("sample_warehouse" if request.param == "postgres" else "duckdb_sample_warehouse")


@pytest.fixture(scope="module")
def oracle() -> dict[str, dict[str, str]]:
    """expected_outcomes.csv, by submission_id."""
    with (SAMPLE_DIR / "expected_outcomes.csv").open(newline="") as handle:
        return {row["submission_id"]: row for row in csv.DictReader(handle)}


def test_build_runs_every_model_test_and_unit_test(built_sample: DbtProject) -> None:
    build = built_sample.build
    assert build is not None
    statuses = build.statuses()
    done = {"success", "pass", "warn", "no-op"}  # no-op: an exposure (dbt builds nothing for it)
    failed = {node: status for node, status in statuses.items() if status not in done}
    assert not failed, f"nodes that did not succeed: {failed}"
    assert len(build.statuses("model")) >= 15
    assert len(build.statuses("unit_test")) >= 8
    assert len(build.statuses("test")) >= 100


def test_unknown_statuses_are_kept_and_reported_by_a_warning(
    built_sample: DbtProject, oracle: dict[str, dict[str, str]]
) -> None:
    expected_unknown = sum(
        1 for row in oracle.values() if row["expected_outcome"] == "winning" and row["order_status"] == "unknown"
    )
    assert expected_unknown > 0, "the sample should contain unknown statuses"
    statuses = built_sample.build.statuses("test")  # type: ignore[union-attr]
    warning = [node for node in statuses if "has_no_unknown_status" in node]
    assert warning and statuses[warning[0]] == "warn"
    [(unknown,)] = built_sample.query(
        "select count(*) from staging.stg_orders_export__orders where order_status = 'unknown'",
    )
    assert unknown == expected_unknown


def test_every_raw_row_has_the_outcome_the_oracle_expects(
    built_sample: DbtProject, oracle: dict[str, dict[str, str]]
) -> None:
    rows = built_sample.query(
        "select submission_id, submission_outcome, coalesce(quarantine_reason, '')"
        " from staging.base_orders_export__submissions_triaged",
    )
    [(raw_count,)] = built_sample.query("select count(*) from raw.orders_export")
    assert raw_count == len(oracle) == len(rows)
    actual = {submission: (outcome, reason) for submission, outcome, reason in rows}
    expected = {submission: (row["expected_outcome"], row["quarantine_reason"]) for submission, row in oracle.items()}
    mismatches = {key: (actual.get(key), value) for key, value in expected.items() if actual.get(key) != value}
    assert not mismatches, f"{len(mismatches)} rows differ (actual, expected), e.g. {list(mismatches.items())[:5]}"


def test_every_contract_quarantine_reason_is_produced_and_counted(
    built_sample: DbtProject, oracle: dict[str, dict[str, str]]
) -> None:
    rows = built_sample.query(
        "select quarantine_reason, count(*) from staging.stg_orders_export__quarantined_submissions group by 1",
    )
    actual = dict(rows)
    expected = Counter(row["quarantine_reason"] for row in oracle.values() if row["quarantine_reason"])
    assert actual == dict(expected)
    assert set(actual) >= CONTRACT_QUARANTINE_REASONS


def test_winning_orders_match_the_oracle(built_sample: DbtProject, oracle: dict[str, dict[str, str]]) -> None:
    rows = built_sample.query(
        """
        select
            orders.order_id,
            cast(orders.order_date as text),
            orders.order_status,
            coalesce(orders.customer_id, ''),
            count(*),
            sum(fact.quantity),
            sum(fact.net_amount),
            sum(fact.gross_amount),
            orders.fulfillment_seconds
        from intermediate.int_orders as orders
        inner join marts.fct_order_items as fact on orders.order_id = fact.order_id
        group by orders.order_id, orders.order_date, orders.order_status, orders.customer_id,
            orders.fulfillment_seconds
        """,
    )
    actual = {
        row[0]: (row[1], row[2], row[3], row[4], row[5], _six(row[6]), _six(row[7]), _number(row[8])) for row in rows
    }
    expected = {
        row["order_id"]: (
            row["order_date"],
            row["order_status"],
            row["customer_id"],
            int(row["line_count"]),
            int(row["quantity"]),
            _six(Decimal(row["net_amount"])),
            _six(Decimal(row["gross_amount"])),
            _number(row["fulfillment_seconds"] or None),
        )
        for row in oracle.values()
        if row["expected_outcome"] == "winning"
    }
    assert actual.keys() == expected.keys()
    mismatches = {key: (actual[key], value) for key, value in expected.items() if actual[key] != value}
    assert not mismatches, f"{len(mismatches)} orders differ (actual, expected), e.g. {list(mismatches.items())[:3]}"


def test_fact_totals_are_known_aggregates(built_sample: DbtProject, oracle: dict[str, dict[str, str]]) -> None:
    winners = [row for row in oracle.values() if row["expected_outcome"] == "winning"]
    [(lines, net, gross)] = built_sample.query(
        "select count(*), sum(net_amount), sum(gross_amount) from marts.fct_order_items",
    )
    assert lines == sum(int(row["line_count"]) for row in winners)
    assert abs(net - sum(Decimal(row["net_amount"]) for row in winners)) < Decimal("0.001")
    assert abs(gross - sum(Decimal(row["gross_amount"]) for row in winners)) < Decimal("0.001")


def test_guest_orders_point_at_the_guest_member(built_sample: DbtProject) -> None:
    [(guest_lines, guest_members, null_keys)] = built_sample.query(
        """
        select
            (select count(*) from marts.fct_order_items as fact
             inner join marts.dim_customers as customers on fact.customer_key = customers.customer_key
             where customers.is_guest),
            (select count(*) from marts.dim_customers where is_guest),
            (select count(*) from marts.fct_order_items where customer_key is null)
        """,
    )
    assert guest_members == 1
    assert guest_lines > 0
    assert null_keys == 0


def test_marts_enforce_their_keys(sample_warehouse: DbtProject) -> None:
    constraints = query(
        sample_warehouse.settings,
        """
        select conrelid::regclass::text, contype, count(*)
        from pg_constraint
        where connamespace = 'marts'::regnamespace and contype in ('p', 'f')
        group by 1, 2
        """,
    )
    by_table = {(table, kind): count for table, kind, count in constraints}
    for table in (
        "dim_customers",
        "dim_items",
        "dim_stores",
        "dim_date",
        "dim_store_versions",
        "dim_customer_versions",
        "fct_order_items",
        "rpt_daily_revenue",
    ):
        assert by_table.get((f"marts.{table}", "p")) == 1, f"{table} has no primary key"
    assert by_table[("marts.fct_order_items", "f")] == 6  # customers, items, stores, dates, store and customer versions
    for column in ("customer_key", "store_version_key", "customer_version_key"):
        with pytest.raises(psycopg2.errors.ForeignKeyViolation):
            query(
                sample_warehouse.settings,
                f"update marts.fct_order_items set {column} = 'no such member'"
                " where order_item_key = (select min(order_item_key) from marts.fct_order_items)",
            )


# The schemas of the tables dbt builds from models and snapshots; seeds are in raw, beside the loader's tables.
BUILT_SCHEMAS = ("staging", "intermediate", "vault", "marts", "ml", "snapshots")


def test_a_full_build_leaves_every_table_it_built_with_statistics(sample_warehouse: DbtProject) -> None:
    """Later nodes of the same build (models, data tests) plan their queries on the tables built before them: every
    table is analyzed once built, on a first build too. last_analyze is set by ANALYZE only, not by autovacuum."""
    assert sample_warehouse.build is not None
    seeds = [unique_id.split(".")[-1] for unique_id in sample_warehouse.build.statuses("seed")]
    tables = query(
        sample_warehouse.settings,
        "select schemaname || '.' || relname, last_analyze is not null from pg_stat_user_tables"
        " where schemaname = any(%s) or (schemaname = 'raw' and relname = any(%s))",
        (list(BUILT_SCHEMAS), seeds),
    )
    analyzed = dict(tables)
    assert {schema for schema, _ in (table.split(".") for table in analyzed)} == {*BUILT_SCHEMAS, "raw"}
    assert [table for table, has_statistics in sorted(analyzed.items()) if not has_statistics] == []


# The staging views that narrowed tests and incremental models join to (meta row_filters_reach_the_tables).
JOINED_STAGING_VIEWS = (
    "stg_orders_export__orders",
    "stg_orders_export__order_items",
    "stg_orders_export__order_submission_items",
)


@pytest.mark.parametrize("view", JOINED_STAGING_VIEWS)
def test_the_staging_views_joined_to_are_one_select(sample_warehouse: DbtProject, view: str) -> None:
    """PostgreSQL plans a view whose query has a WITH clause apart from the query that reads it, so a join to it
    cannot probe the tables' indexes: these views are one select, with no window or aggregate either (what their
    meta row_filters_reach_the_tables declares: a filter on their rows reaches the tables)."""
    definition = query(sample_warehouse.settings, f"select pg_get_viewdef('staging.{view}'::regclass)")[0][0]
    words = set(re.findall(r"[a-z_]+", definition.lower()))
    assert definition.lstrip().lower().split()[0] == "select", f"{view} does not start with its select:\n{definition}"
    assert not words & {"with", "over", "group", "distinct"}, f"{view} has a CTE, window or aggregate:\n{definition}"


def test_sql_is_lint_clean(sample_warehouse: DbtProject) -> None:
    lint = sample_warehouse.sqlfluff("lint", "models", "tests", "analyses")
    assert lint.returncode == 0, f"sqlfluff found violations:\n{lint.tail(80)}"


def _six(value: Decimal) -> Decimal:
    return Decimal(value).quantize(SIX_PLACES)


def _number(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).normalize()


def test_descriptions_are_postgresql_comments(sample_warehouse: DbtProject) -> None:
    """Every mart's description and every column's reach PostgreSQL (persist_docs), as the YAML renders them."""
    manifest = json.loads((sample_warehouse.work_dir / "target" / "manifest.json").read_text())
    marts = [
        node for node in manifest["nodes"].values() if node["resource_type"] == "model" and node["schema"] == "marts"
    ]
    assert len(marts) >= 8
    for node in marts:
        relation = f"marts.{node['alias']}"
        ((table_comment,),) = query(
            sample_warehouse.settings, "select obj_description(%s::regclass, 'pg_class')", (relation,)
        )
        assert (table_comment or "").strip() == node["description"].strip(), relation
        comments = dict(
            query(
                sample_warehouse.settings,
                "select attname, col_description(attrelid, attnum) from pg_attribute"
                " where attrelid = %s::regclass and attnum > 0 and not attisdropped",
                (relation,),
            )
        )
        documented = {name: column["description"].strip() for name, column in node["columns"].items()}
        assert documented and {name: (comments.get(name) or "").strip() for name in documented} == documented, relation
