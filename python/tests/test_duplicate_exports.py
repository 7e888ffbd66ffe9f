"""Duplicates are resolved: an export holding every sample row again, under new submission ids, changes nothing.

The sample is loaded, then a second file with a copy of every row of every sample file (same content, a new
submission_id). The copies tie with their originals on submitted_at, so one of each pair wins and the other
is superseded; quarantined rows are quarantined twice. The staging results must be exactly the sample's
(except for which submission id won) and every reconciliation test must still pass.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import query
from dbt_project import DbtProject, sample_exports

from orders_warehouse.loader import EXPORT_COLUMNS
from orders_warehouse.server import LocalServer
from orders_warehouse.settings import ConnectionSettings

ORDER_COLUMNS = """
    order_id, customer_id, store_id, customer_first_name, customer_last_name, customer_email, customer_city,
    customer_postal_code, customer_country_code, store_name, store_city, store_postal_code, store_country_code,
    store_timezone, order_status, currency_code, tax_rate, fulfillment_seconds, prices_include_tax,
    is_guest_order, order_date, submitted_at
"""
ORDER_ITEM_COLUMNS = "order_id, line_number, sku, item_name, item_brand, item_category, quantity, unit_price"


def write_copy_of_every_row(files: list[Path], destination: Path) -> int:
    """Write one export with every row of ``files`` under a new submission id; return the row count."""
    count = 0
    with destination.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS))
        writer.writeheader()
        for path in files:
            with path.open(newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    copy = {column.strip().lower(): value for column, value in row.items()}
                    copy["submission_id"] = "COPY-" + copy["submission_id"].strip()
                    writer.writerow(copy)
                    count += 1
    return count


@pytest.fixture(scope="module")
def doubled_warehouse(test_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The sample plus a copy of every row, built with dbt build."""
    work_dir = tmp_path_factory.mktemp("doubled_warehouse")
    test_server.ensure_database("doubled_warehouse")
    settings = ConnectionSettings(host="127.0.0.1", port=test_server.port, database="doubled_warehouse")
    project = DbtProject(settings, work_dir / "dbt")
    copies = work_dir / "orders_export_copies.csv"
    write_copy_of_every_row(sample_exports(), copies)
    project.load([*sample_exports(), copies])
    project.build = project.run("build")
    assert project.build.returncode == 0, f"dbt build failed on the doubled export:\n{project.build.tail()}"
    return project


def _rows(settings: ConnectionSettings, statement: str) -> list[tuple]:
    return sorted(query(settings, statement), key=repr)


def test_doubled_export_gives_the_same_orders(sample_warehouse: DbtProject, doubled_warehouse: DbtProject) -> None:
    statement = f"select {ORDER_COLUMNS} from staging.stg_orders_export__orders"
    sample_rows = _rows(sample_warehouse.settings, statement)
    assert len(sample_rows) > 1000
    assert _rows(doubled_warehouse.settings, statement) == sample_rows


def test_doubled_export_gives_the_same_order_items(sample_warehouse: DbtProject, doubled_warehouse: DbtProject) -> None:
    statement = f"select {ORDER_ITEM_COLUMNS} from staging.stg_orders_export__order_items"
    assert _rows(doubled_warehouse.settings, statement) == _rows(sample_warehouse.settings, statement)


def test_doubled_export_accounts_for_every_copy(sample_warehouse: DbtProject, doubled_warehouse: DbtProject) -> None:
    statement = "select submission_outcome, count(*) from staging.base_orders_export__submissions_triaged group by 1"
    sample = dict(query(sample_warehouse.settings, statement))
    doubled = dict(query(doubled_warehouse.settings, statement))
    assert doubled["winning"] == sample["winning"]
    assert doubled["superseded"] == 2 * sample["superseded"] + sample["winning"]
    assert doubled["quarantined"] == 2 * sample["quarantined"]
    statuses = doubled_warehouse.build.statuses("test")  # type: ignore[union-attr]
    reconciliation = [node for node in statuses if "assert_every_raw_row_is_accounted_for" in node]
    assert reconciliation and statuses[reconciliation[0]] == "pass"


def test_reconciliation_fails_when_a_row_goes_missing(doubled_warehouse: DbtProject) -> None:
    """The reconciliation test is not vacuous: lose one triaged row and it fails."""
    query(
        doubled_warehouse.settings,
        "delete from staging.base_orders_export__submissions_triaged"
        " where raw_row_id = (select max(raw_row_id) from staging.base_orders_export__submissions_triaged)",
    )
    try:
        result = doubled_warehouse.run("test", "--select", "assert_every_raw_row_is_accounted_for")
        assert result.returncode != 0
        assert result.statuses("test") and set(result.statuses("test").values()) == {"fail"}
    finally:
        rebuild = doubled_warehouse.run("run", "--select", "base_orders_export__submissions_triaged")
        assert rebuild.returncode == 0
