"""The incremental revenue summaries (rpt_daily_revenue, rpt_monthly_revenue_by_customer_country) after an export
that moves revenue out of groups in every way the summaries know: an order resubmitted on another day, in another
month and store; an order cancelled; an order given to another customer; a customer who moves to another country
(all of their history changes country); an item given another category (all of its lines change group). The
incremental build must give exactly what a full build of the summaries gives, while recomputing only part of them.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import query
from dbt_project import DbtProject

from orders_warehouse.loader import EXPORT_COLUMNS
from orders_warehouse.settings import ConnectionSettings

SUMMARIES = ("marts.rpt_daily_revenue", "marts.rpt_monthly_revenue_by_customer_country")
STORE_COLUMNS = ("store_id", "store_name", "store_city", "store_postal_code", "store_country", "store_timezone")
CUSTOMER_COLUMNS = (
    "customer_id", "customer_name", "customer_email", "customer_city", "customer_postal_code", "customer_country",
)  # fmt: skip


def _raw_row(settings: ConnectionSettings, submission_id: str) -> dict[str, str]:
    columns = ", ".join(EXPORT_COLUMNS)
    [row] = query(settings, f"select {columns} from raw.orders_export where submission_id = %s", (submission_id,))
    return {column: value or "" for column, value in zip(EXPORT_COLUMNS, row, strict=True)}


def _winning_submission(settings: ConnectionSettings, condition: str, offset: int = 0) -> dict[str, str]:
    """The raw row of the winning submission of a revenue order of a known customer matching ``condition``."""
    [(submission_id,)] = query(
        settings,
        "select submission_id from intermediate.int_orders as orders"
        f" where customer_id is not null and order_status != 'cancelled' and {condition}"
        f" order by order_id limit 1 offset {offset}",
    )
    return _raw_row(settings, submission_id)


def _contents(settings: ConnectionSettings, table: str) -> list[str]:
    schema, name = table.split(".")
    columns = [
        column
        for (column,) in query(
            settings,
            "select column_name from information_schema.columns"
            " where table_schema = %s and table_name = %s order by ordinal_position",
            (schema, name),
        )
        if column != "processed_at"
    ]
    return sorted(repr(row) for row in query(settings, f"select {', '.join(columns)} from {table}"))


def _changing_export(settings: ConnectionSettings, path: Path) -> dict[str, str]:
    """Write an export of five submissions, each moving revenue between groups; return what they changed."""
    moved = _winning_submission(settings, "store_id = 'ST01'")
    tokyo = _winning_submission(settings, "store_id = 'ST07'")
    moved.update({column: tokyo[column] for column in STORE_COLUMNS})
    moved.update(submission_id="SUB-TEST-000001", submitted_at="2024-07-20T12:00:00Z")

    cancelled = _winning_submission(settings, f"order_id != '{moved['order_id']}'", offset=5)
    cancelled.update(submission_id="SUB-TEST-000002", submitted_at="2024-07-20T13:00:00Z", order_status="cancelled")

    [(giver, taker)] = query(
        settings,
        "select min(customer_id), max(customer_id) from intermediate.int_customers where country_code = 'US'",
    )
    taken = (moved["order_id"], cancelled["order_id"])
    reassigned = _winning_submission(settings, f"customer_id = '{giver}' and order_id not in {taken}")
    receiver = _winning_submission(settings, f"customer_id = '{taker}'")
    reassigned.update({column: receiver[column] for column in CUSTOMER_COLUMNS})
    reassigned.update(submission_id="SUB-TEST-000003", submitted_at="2024-07-20T14:00:00Z")

    # the customer with the longest history moves to Canada: their latest order says so
    [(mover,)] = query(
        settings,
        "select customer_id from intermediate.int_orders where customer_id is not null"
        " and customer_id not in (%s, %s) group by customer_id"
        " order by count(distinct date_trunc('month', order_date)) desc, customer_id limit 1",
        (giver, taker),
    )
    relocated = _winning_submission(settings, f"customer_id = '{mover}'")
    relocated.update(
        submission_id="SUB-TEST-000004",
        order_id="ORD-TEST-000004",
        submitted_at="2024-07-21T10:00:00Z",
        customer_city="Toronto",
        customer_postal_code="M5V 2T6",
        customer_country="Canada",
    )

    # an item sold on many days is given a new category by the latest line that names it
    [(sku, name, brand, category)] = query(
        settings,
        "select items.sku, items.item_name, items.brand, items.category from intermediate.int_items as items"
        " inner join intermediate.int_order_items_priced as priced on items.sku = priced.sku"
        " where items.category is not null"
        " group by items.sku, items.item_name, items.brand, items.category"
        " order by count(distinct priced.order_date) desc, items.sku limit 1",
    )
    recategorized = _winning_submission(settings, "store_id = 'ST02'")
    recategorized.update(dict.fromkeys(CUSTOMER_COLUMNS, ""))  # a guest order: no customer's latest attributes
    line = {"sku": sku, "name": name, "brand": brand, "category": "Garden", "unit_price": "10.00", "quantity": 1}
    recategorized.update(
        submission_id="SUB-TEST-000005",
        order_id="ORD-TEST-000005",
        submitted_at="2024-07-21T11:00:00Z",
        order_items=json.dumps([line]),
    )

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(EXPORT_COLUMNS))
        writer.writeheader()
        writer.writerows([moved, cancelled, reassigned, relocated, recategorized])
    return {
        "moved_order": moved["order_id"],
        "cancelled_order": cancelled["order_id"],
        "reassigned_order": reassigned["order_id"],
        "receiver": taker,
        "mover": mover,
        "sku": sku,
        "old_category": category,
    }


@pytest.fixture(scope="module")
def changed_summaries(sample_copy: DbtProject, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The sample built (a copy of the session's build), then the changing export loaded and built incrementally
    (the summaries' data tests pass); then the summaries' contents, and the same after a full refresh of the two
    summaries."""
    project = sample_copy
    settings = project.settings
    work_dir = tmp_path_factory.mktemp("incremental_summaries")
    before = {table: _contents(settings, table) for table in SUMMARIES}
    changes = _changing_export(settings, work_dir / "orders_export_changes.csv")
    project.load([work_dir / "orders_export_changes.csv"])
    incremental_build = project.build_without_tests()
    assert incremental_build.returncode == 0, incremental_build.tail()
    tested = project.run("test", "--select", *(table.split(".")[1] for table in SUMMARIES))
    assert tested.returncode == 0, tested.tail()
    stamps = {
        table: query(
            settings,
            f"select count(*) filter (where processed_at = (select max(processed_at) from {table})), count(*)"
            f" from {table}",
        )[0]
        for table in SUMMARIES
    }
    incremental = {table: _contents(settings, table) for table in SUMMARIES}
    refreshed = project.run("run", "--full-refresh", "--select", *(table.split(".")[1] for table in SUMMARIES))
    assert refreshed.returncode == 0, refreshed.tail()
    full = {table: _contents(settings, table) for table in SUMMARIES}
    return {
        "project": project,
        "changes": changes,
        "before": before,
        "stamps": stamps,
        "incremental": incremental,
        "full": full,
    }


def test_the_export_moves_revenue_between_groups_in_every_way(changed_summaries: dict[str, object]) -> None:
    """The changes took effect upstream (else the equality below would prove little)."""
    project: DbtProject = changed_summaries["project"]  # type: ignore[assignment]
    changes: dict[str, str] = changed_summaries["changes"]  # type: ignore[assignment]
    settings = project.settings
    [(moved_date, moved_store)] = query(
        settings,
        "select distinct order_date, store_id from intermediate.int_order_items_priced where order_id = %s",
        (changes["moved_order"],),
    )
    assert (str(moved_date), moved_store) == ("2024-07-20", "ST07")
    [(is_revenue,)] = query(
        settings,
        "select distinct is_revenue from intermediate.int_order_items_priced where order_id = %s",
        (changes["cancelled_order"],),
    )
    assert is_revenue is False
    [(customer,)] = query(
        settings,
        "select distinct customer_id from intermediate.int_order_items_priced where order_id = %s",
        (changes["reassigned_order"],),
    )
    assert customer == changes["receiver"]
    [(country, earliest_month)] = query(
        settings,
        "select customers.country_code, min(date_trunc('month', priced.order_date))::date"
        " from marts.dim_customers as customers"
        " inner join intermediate.int_order_items_priced as priced on customers.customer_id = priced.customer_id"
        " where customers.customer_id = %s group by customers.country_code",
        (changes["mover"],),
    )
    assert country == "CA"
    [(canadian_months,)] = query(
        settings,
        "select count(*) from marts.rpt_monthly_revenue_by_customer_country"
        " where customer_country_code = 'CA' and month_start_date = %s",
        (earliest_month,),
    )
    assert canadian_months > 0, "the mover's history did not move to their new country"
    [(category,)] = query(settings, "select category from marts.dim_items where sku = %s", (changes["sku"],))
    assert category == "Garden" != changes["old_category"]
    [(garden_days, old_category_days)] = query(
        settings,
        "select count(distinct order_date) filter (where category = 'Garden'),"
        " count(distinct order_date) filter (where category = %s) from marts.rpt_daily_revenue",
        (changes["old_category"],),
    )
    assert garden_days > 1 and old_category_days > 0


def test_incremental_summaries_equal_a_full_build(changed_summaries: dict[str, object]) -> None:
    before, incremental, full = (changed_summaries[key] for key in ("before", "incremental", "full"))
    for table in SUMMARIES:
        assert incremental[table] != before[table], f"{table}: the export changed nothing"  # type: ignore[index]
        assert incremental[table] == full[table], f"{table} differs from its full build"  # type: ignore[index]


def test_incremental_summaries_recompute_only_part_of_their_groups(changed_summaries: dict[str, object]) -> None:
    for table, (stamped, rows) in changed_summaries["stamps"].items():  # type: ignore[attr-defined]
        assert 0 < stamped < rows, f"{table}: {stamped} of {rows} rows recomputed"


def test_a_summary_built_before_it_was_incremental_is_recomputed_whole(changed_summaries: dict[str, object]) -> None:
    """A table without processed_at stamps (a warehouse built when the summaries were plain tables) has no changes
    to read: its next run recomputes every group, and the table gains the column."""
    project: DbtProject = changed_summaries["project"]  # type: ignore[assignment]
    for table in SUMMARIES:
        query(project.settings, f"alter table {table} drop column processed_at")
    rerun = project.run("run", "--select", *(table.split(".")[1] for table in SUMMARIES))
    assert rerun.returncode == 0, rerun.tail()
    for table in SUMMARIES:
        assert _contents(project.settings, table) == changed_summaries["full"][table]  # type: ignore[index]
        [(unstamped,)] = query(project.settings, f"select count(*) from {table} where processed_at is null")
        assert unstamped == 0
