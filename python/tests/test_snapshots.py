"""History: a store renamed and a customer who moved, in two exports built one after the other, leave two
versions each in the snapshots, with business-time validity ranges that answer "what was the store called
when this order was placed"."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import query
from dbt_project import DbtProject

from orders_warehouse.loader import EXPORT_COLUMNS
from orders_warehouse.server import LocalServer
from orders_warehouse.settings import ConnectionSettings

FIRST_ORDER_AT = "2024-03-01T10:00:00Z"
RENAMED_AT = "2024-03-20T10:00:00Z"
CUSTOMERS = {"CUS-1": ("Lovelace, Ada", "ada@example.org"), "CUS-2": ("Hopper, Grace", "grace@example.org")}


def order_row(
    submission: int, submitted_at: str, store_name: str, customer_city: str, customer: str = "CUS-1"
) -> dict[str, str]:
    """One valid export row for store ST01 and customer CUS-1 (Ada) or CUS-2 (Grace)."""
    name, email = CUSTOMERS[customer]
    line = {"sku": "SKU-1", "name": "Mug", "brand": "Hearth", "category": "Kitchen", "unit_price": "10.00"}
    return {
        **dict.fromkeys(EXPORT_COLUMNS, ""),
        "submission_id": f"SUB-{submission:03d}",
        "order_id": f"ORD-{submission:03d}",
        "submitted_at": submitted_at,
        "order_status": "placed",
        "customer_id": customer,
        "customer_name": name,
        "customer_email": email,
        "customer_city": customer_city,
        "customer_country": "GB",
        "store_id": "ST01",
        "store_name": store_name,
        "store_city": "London",
        "store_country": "GB",
        "store_timezone": "Europe/London",
        "currency": "USD",
        "prices_include_tax": "false",
        "tax_rate": "0.2",
        "order_items": json.dumps([{**line, "quantity": 1}]),
    }


def write_export(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(EXPORT_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def history_warehouse(test_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """Two exports, each followed by a dbt build: in the second the store is renamed and the customer CUS-1
    moved; CUS-2 ordered only in the first."""
    work_dir = tmp_path_factory.mktemp("history_warehouse")
    test_server.ensure_database("history_warehouse")
    settings = ConnectionSettings(host="127.0.0.1", port=test_server.port, database="history_warehouse")
    project = DbtProject(settings, work_dir / "dbt")
    first = write_export(
        work_dir / "export_1.csv",
        [
            order_row(1, FIRST_ORDER_AT, "Bankside", "Bath"),
            order_row(2, "2024-03-10T10:00:00Z", "Bankside", "Bath"),
            order_row(5, "2024-03-12T10:00:00Z", "Bankside", "Leeds", customer="CUS-2"),
        ],
    )
    second = write_export(
        work_dir / "export_2.csv",
        [
            order_row(3, RENAMED_AT, "Bankside Flagship", "York"),
            order_row(4, "2024-03-25T10:00:00Z", "Bankside Flagship", "York"),
        ],
    )
    exports = [first, second]
    for export in exports:
        project.load([export])
        is_last = export == exports[-1]
        project.build = project.run("build") if is_last else project.build_without_tests()
        assert project.build.returncode == 0, f"dbt build after {export.name} failed:\n{project.build.tail()}"
    return project


def test_a_renamed_store_has_two_versions(history_warehouse: DbtProject) -> None:
    versions = query(
        history_warehouse.settings,
        "select store_name, cast(dbt_valid_from as text), cast(dbt_valid_to as text)"
        " from snapshots.snp_stores where store_id = 'ST01' order by dbt_valid_from",
    )
    assert versions == [
        ("Bankside", "2024-03-01 10:00:00", "2024-03-20 10:00:00"),
        ("Bankside Flagship", "2024-03-20 10:00:00", None),
    ]


def test_a_customer_who_moved_has_two_versions(history_warehouse: DbtProject) -> None:
    versions = query(
        history_warehouse.settings,
        "select city, cast(dbt_valid_from as text), cast(dbt_valid_to as text)"
        " from snapshots.snp_customers where customer_id = 'CUS-1' order by dbt_valid_from",
    )
    assert versions == [
        ("Bath", "2024-03-01 10:00:00", "2024-03-20 10:00:00"),
        ("York", "2024-03-20 10:00:00", None),
    ]


def test_the_store_name_when_each_order_was_placed(history_warehouse: DbtProject) -> None:
    names = query(
        history_warehouse.settings,
        """
        select fact.order_id, stores.store_name
        from marts.fct_order_items as fact
        inner join marts.dim_stores as current_stores on fact.store_key = current_stores.store_key
        inner join snapshots.snp_stores as stores
            on current_stores.store_id = stores.store_id
            and fact.submitted_at at time zone 'UTC' >= stores.dbt_valid_from
            and (fact.submitted_at at time zone 'UTC' < stores.dbt_valid_to or stores.dbt_valid_to is null)
        order by fact.order_id
        """,
    )
    assert names == [
        ("ORD-001", "Bankside"),
        ("ORD-002", "Bankside"),
        ("ORD-003", "Bankside Flagship"),
        ("ORD-004", "Bankside Flagship"),
        ("ORD-005", "Bankside"),
    ]


def test_the_one_big_table_follows_the_renamed_store(history_warehouse: DbtProject) -> None:
    """The second build rewrote the One Big Table's rows of the renamed store's earlier orders: ORD-005, of a
    customer and lines the second export did not touch, shows the store's current name."""
    rows = query(
        history_warehouse.settings,
        "select order_id, store_name, customer_city from marts.obt_orders order by order_id",
    )
    assert rows == [
        ("ORD-001", "Bankside Flagship", "York"),
        ("ORD-002", "Bankside Flagship", "York"),
        ("ORD-003", "Bankside Flagship", "York"),
        ("ORD-004", "Bankside Flagship", "York"),
        ("ORD-005", "Bankside Flagship", "Leeds"),
    ]
