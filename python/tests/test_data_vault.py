"""The Data Vault (models/vault): complete, insert-only, and in agreement with the 3NF layer and the snapshots.

- Complete: the current state read from the vault (each hub key with its latest satellite row, the links between
  them, an order's lines those whose latest row is not a removal) equals the intermediate 3NF tables, entity by
  entity, on the sample built at once (PostgreSQL and DuckDB) and built one file at a time.
- Insert-only: the sample loaded one file at a time, with a build after each, never changes or loses a vault row;
  loading the same files again adds none, and neither does a full refresh of every other model (which stamps
  every staging row anew).
- Corrections: a resubmission that moves a line to another sku or drops a line records the removal (the vault deletes
  nothing), and a later one that brings the line back revives it.
- History: the versions of customers and stores in the satellites, with their business-time validity
  (effective_from up to the next version's), are exactly those of the SCD2 snapshots.
- Business keys: one rule in every layer (trimmed, case kept): keys that differ only in case are two members, keys
  that differ only in surrounding spaces one, in the 3NF, the star and the vault alike.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

import pytest
from dbt_project import DbtProject, sample_exports
from engine_comparison import VAULT_TABLES
from test_snapshots import order_row, write_export

from orders_warehouse.server import LocalServer
from orders_warehouse.settings import ConnectionSettings


def _latest(satellite: str, hash_key: str) -> str:
    """A CTE body: the satellite's latest row per parent (recency = 1)."""
    return (
        f"select *, row_number() over (partition by {hash_key} order by load_date desc) as recency"
        f" from vault.{satellite}"
    )


# entity -> (its current state read from the vault, the same columns read from the 3NF table)
CURRENT_STATE = {
    "customers": (
        f"""
        with latest as ({_latest("sat_customer", "customer_hash_key")})
        select hub.customer_id, latest.first_name, latest.last_name, latest.email, latest.city,
            latest.postal_code, latest.country_code, latest.effective_from
        from vault.hub_customer as hub
        inner join latest on hub.customer_hash_key = latest.customer_hash_key and latest.recency = 1
        """,
        "select customer_id, first_name, last_name, email, city, postal_code, country_code, attributes_since"
        " from intermediate.int_customers",
    ),
    "stores": (
        f"""
        with latest as ({_latest("sat_store", "store_hash_key")})
        select hub.store_id, latest.store_name, latest.city, latest.postal_code, latest.country_code,
            latest.timezone, latest.effective_from
        from vault.hub_store as hub
        inner join latest on hub.store_hash_key = latest.store_hash_key and latest.recency = 1
        """,
        "select store_id, store_name, city, postal_code, country_code, timezone, attributes_since"
        " from intermediate.int_stores",
    ),
    "items": (
        f"""
        with latest as ({_latest("sat_item", "item_hash_key")})
        select hub.sku, latest.item_name, latest.brand, latest.category
        from vault.hub_item as hub
        inner join latest on hub.item_hash_key = latest.item_hash_key and latest.recency = 1
        """,
        "select sku, item_name, brand, category from intermediate.int_items",
    ),
    "orders": (
        f"""
        with latest as ({_latest("sat_order", "order_hash_key")})
        select hub.order_id, latest.submission_id, customers.customer_id, stores.store_id, latest.order_status,
            latest.currency_code, latest.tax_rate, latest.fulfillment_seconds, latest.prices_include_tax,
            latest.is_guest_order, latest.order_date, latest.submitted_at
        from vault.hub_order as hub
        inner join latest on hub.order_hash_key = latest.order_hash_key and latest.recency = 1
        left join vault.lnk_order_customer as order_customers on hub.order_hash_key = order_customers.order_hash_key
        left join vault.hub_customer as customers on order_customers.customer_hash_key = customers.customer_hash_key
        left join vault.lnk_order_store as order_stores on hub.order_hash_key = order_stores.order_hash_key
        left join vault.hub_store as stores on order_stores.store_hash_key = stores.store_hash_key
        """,
        "select order_id, submission_id, customer_id, store_id, order_status, currency_code, tax_rate,"
        " fulfillment_seconds, prices_include_tax, is_guest_order, order_date, submitted_at"
        " from intermediate.int_orders",
    ),
    "order lines": (
        f"""
        with latest as ({_latest("sat_order_item", "order_item_hash_key")})
        select orders.order_id, links.line_number, items.sku, latest.quantity, latest.unit_price
        from vault.lnk_order_item as links
        inner join latest
            on links.order_item_hash_key = latest.order_item_hash_key and latest.recency = 1
            and not latest.is_deleted
        inner join vault.hub_order as orders on links.order_hash_key = orders.order_hash_key
        inner join vault.hub_item as items on links.item_hash_key = items.item_hash_key
        """,
        "select order_id, line_number, sku, quantity, unit_price from intermediate.int_order_items",
    ),
}

# entity -> (its versions in the satellite, with validity up to the next version; the same from the snapshot)
HISTORY = {
    "customers": (
        """
        select hub.customer_id, sat.first_name, sat.last_name, sat.email, sat.city, sat.postal_code,
            sat.country_code, sat.effective_from,
            lead(sat.effective_from) over (partition by sat.customer_hash_key order by sat.load_date)
        from vault.sat_customer as sat
        inner join vault.hub_customer as hub on sat.customer_hash_key = hub.customer_hash_key
        """,
        "select customer_id, first_name, last_name, email, city, postal_code, country_code, dbt_valid_from,"
        " dbt_valid_to from snapshots.snp_customers",
    ),
    "stores": (
        """
        select hub.store_id, sat.store_name, sat.city, sat.postal_code, sat.country_code, sat.timezone,
            sat.effective_from,
            lead(sat.effective_from) over (partition by sat.store_hash_key order by sat.load_date)
        from vault.sat_store as sat
        inner join vault.hub_store as hub on sat.store_hash_key = hub.store_hash_key
        """,
        "select store_id, store_name, city, postal_code, country_code, timezone, dbt_valid_from, dbt_valid_to"
        " from snapshots.snp_stores",
    ),
}


def _rows(project: DbtProject, statement: str) -> Counter[tuple[object, ...]]:
    return Counter(project.query(statement))


def _assert_current_state_is_the_3nf(project: DbtProject) -> None:
    for entity, (vault_statement, normalized_statement) in CURRENT_STATE.items():
        vault, normalized = _rows(project, vault_statement), _rows(project, normalized_statement)
        assert normalized.total() > 0, f"no {entity} in the 3NF layer"
        assert vault == normalized, (
            f"{entity}: only in the vault {list((vault - normalized).items())[:3]},"
            f" only in the 3NF layer {list((normalized - vault).items())[:3]}"
        )


def test_the_current_state_of_the_vault_is_the_3nf_layer(sample_warehouse: DbtProject) -> None:
    _assert_current_state_is_the_3nf(sample_warehouse)


def test_the_current_state_of_the_vault_is_the_3nf_layer_on_duckdb(duckdb_sample_warehouse: DbtProject) -> None:
    _assert_current_state_is_the_3nf(duckdb_sample_warehouse)


def test_one_build_writes_one_version_of_everything(sample_warehouse: DbtProject) -> None:
    counts = {table: sample_warehouse.query(f"select count(*) from vault.{table}")[0][0] for table in VAULT_TABLES}
    [(customers, stores, items, orders, lines, customer_orders)] = sample_warehouse.query(
        "select (select count(*) from intermediate.int_customers), (select count(*) from intermediate.int_stores),"
        " (select count(*) from intermediate.int_items), (select count(*) from intermediate.int_orders),"
        " (select count(*) from intermediate.int_order_items),"
        " (select count(*) from intermediate.int_orders where customer_id is not null)"
    )
    assert counts == {
        "hub_customer": customers,
        "hub_item": items,
        "hub_order": orders,
        "hub_store": stores,
        "lnk_order_customer": customer_orders,
        "lnk_order_item": lines,
        "lnk_order_store": orders,
        "sat_customer": customers,
        "sat_item": items,
        "sat_order": orders,
        "sat_order_item": lines,
        "sat_store": stores,
    }
    assert 0 < customer_orders < orders  # the sample has guest orders, which link to no customer


# --------------------------------------------------------------------------- one file at a time


@dataclass
class VaultHistory:
    """The sample built one file at a time, then reloaded, then fully refreshed, with the vault after each step."""

    project: DbtProject
    after_each_file: list[dict[str, Counter[tuple[object, ...]]]]
    after_reloading: dict[str, Counter[tuple[object, ...]]]
    after_full_refresh: dict[str, Counter[tuple[object, ...]]]


# What the steps of vault_history read: the vault, the 3NF tables and the snapshots (and what they are built from).
# The marts built file by file are test_incremental_builds' (the same files); its last build rebuilds them all.
VAULT_AND_3NF = ("+path:models/vault", "+path:models/intermediate/normalized", "+path:snapshots")


def _vault_contents(project: DbtProject) -> dict[str, Counter[tuple[object, ...]]]:
    return {table: _rows(project, f"select * from vault.{table}") for table in VAULT_TABLES}


@pytest.fixture(scope="module")
def vault_history(test_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> VaultHistory:
    test_server.ensure_database("vault_history")
    settings = ConnectionSettings(host="127.0.0.1", port=test_server.port, database="vault_history")
    project = DbtProject(settings, tmp_path_factory.mktemp("vault_history"))
    exports = sample_exports()
    after_each_file = []
    for export in exports:
        project.load([export])
        built = project.build_without_tests(*VAULT_AND_3NF)
        assert built.returncode == 0, f"dbt build after {export.name} failed:\n{built.tail()}"
        after_each_file.append(_vault_contents(project))
    reloaded = project.load(exports)
    assert all(result.skipped for result in reloaded), "the loader loaded a file twice"
    built = project.build_without_tests(*VAULT_AND_3NF)
    assert built.returncode == 0, f"dbt build after reloading failed:\n{built.tail()}"
    after_reloading = _vault_contents(project)
    project.build = project.run("build", "--full-refresh")
    assert project.build.returncode == 0, f"dbt build --full-refresh failed:\n{project.build.tail()}"
    return VaultHistory(project, after_each_file, after_reloading, _vault_contents(project))


def test_no_vault_row_ever_changes_or_disappears(vault_history: VaultHistory) -> None:
    steps = vault_history.after_each_file
    for earlier, later in pairwise(steps):
        for table in VAULT_TABLES:
            assert not earlier[table] - later[table], f"{table}: a row changed or disappeared"
            assert later[table].total() >= earlier[table].total() > 0
    grown = {table for table in VAULT_TABLES if steps[-1][table].total() > steps[0][table].total()}
    # Every store and item of the sample is in its first file, and no item changes later (a store does).
    assert grown == set(VAULT_TABLES) - {"hub_store", "hub_item", "sat_item"}


def test_reloading_the_same_data_adds_nothing(vault_history: VaultHistory) -> None:
    assert vault_history.after_reloading == vault_history.after_each_file[-1]
    assert vault_history.after_full_refresh == vault_history.after_each_file[-1]


def test_the_vault_built_file_by_file_keeps_history_and_the_current_state(vault_history: VaultHistory) -> None:
    _assert_current_state_is_the_3nf(vault_history.project)
    project = vault_history.project
    # The later files correct orders of the earlier ones: the order satellite has versions beside the first.
    [(order_versions, orders)] = project.query(
        "select (select count(*) from vault.sat_order), (select count(*) from vault.hub_order)"
    )
    assert order_versions > orders
    # A new version is written only when an attribute changed (or, for the entities, the same attributes hold again
    # from a later start): no two consecutive rows of a parent alike.
    for table, hash_key in [
        ("sat_customer", "customer_hash_key"),
        ("sat_store", "store_hash_key"),
        ("sat_item", "item_hash_key"),
        ("sat_order", "order_hash_key"),
        ("sat_order_item", "order_item_hash_key"),
    ]:
        [(repeated,)] = project.query(
            "select count(*) from (select hash_diff, effective_from,"
            f" lag(hash_diff) over (partition by {hash_key} order by load_date) as previous_hash_diff,"
            f" lag(effective_from) over (partition by {hash_key} order by load_date) as previous_effective_from"
            f" from vault.{table}) as versions"
            " where hash_diff = previous_hash_diff and effective_from <= previous_effective_from"
        )
        assert repeated == 0, f"{table}: a version repeats the previous one"


def test_hubs_and_links_hold_the_same_keys_however_the_files_arrive(
    vault_history: VaultHistory, sample_warehouse: DbtProject
) -> None:
    for table in VAULT_TABLES:
        if table.startswith(("hub_", "lnk_")):
            columns = [
                column
                for (column,) in sample_warehouse.query(
                    "select column_name from information_schema.columns"
                    f" where table_schema = 'vault' and table_name = '{table}'"
                    " and column_name not in ('load_date', 'record_source')"
                )
            ]
            statement = f"select {', '.join(columns)} from vault.{table}"
            assert _rows(vault_history.project, statement) == _rows(sample_warehouse, statement), table


def test_a_hub_key_is_first_seen_with_its_first_satellite_row(vault_history: VaultHistory) -> None:
    for hub, satellite, hash_key in [
        ("hub_customer", "sat_customer", "customer_hash_key"),
        ("hub_store", "sat_store", "store_hash_key"),
        ("hub_item", "sat_item", "item_hash_key"),
        ("hub_order", "sat_order", "order_hash_key"),
    ]:
        [(keys, first_seen_together)] = vault_history.project.query(
            f"select count(*), count(*) filter (where hub.load_date = first_rows.load_date)"
            f" from vault.{hub} as hub inner join (select {hash_key}, min(load_date) as load_date"
            f" from vault.{satellite} group by {hash_key}) as first_rows using ({hash_key})"
        )
        assert keys == first_seen_together > 0, hub


@pytest.mark.parametrize("entity", sorted(HISTORY))
def test_the_satellite_history_is_the_snapshot_history(vault_history: VaultHistory, entity: str) -> None:
    satellite_statement, snapshot_statement = HISTORY[entity]
    satellite = _rows(vault_history.project, satellite_statement)
    snapshot = _rows(vault_history.project, snapshot_statement)
    ended_versions = sum(count for row, count in snapshot.items() if row[-1] is not None)
    assert ended_versions > 0, f"the sample's later files should change some {entity}"
    assert satellite == snapshot, (
        f"{entity}: only in the satellite {list((satellite - snapshot).items())[:3]},"
        f" only in the snapshot {list((snapshot - satellite).items())[:3]}"
    )


# --------------------------------------------------------------------------- corrections that remove lines


def _order_with_lines(submission: int, submitted_at: str, lines: list[tuple[str, int]]) -> dict[str, str]:
    """A submission of order ORD-100 with the given (sku, quantity) lines."""
    row = order_row(submission, submitted_at, "Bankside", "Bath")
    items = [
        {
            "sku": sku,
            "name": f"Item {sku}",
            "brand": "Hearth",
            "category": "Kitchen",
            "unit_price": "10.00",
            "quantity": quantity,
        }
        for sku, quantity in lines
    ]
    return {**row, "order_id": "ORD-100", "order_items": json.dumps(items)}


@pytest.fixture(scope="module")
def corrected_warehouse(test_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> VaultHistory:
    """Three exports of order ORD-100, a build after each: two lines; a correction with line 1 on another sku and
    line 2 dropped; a second correction back to the original lines."""
    work_dir = tmp_path_factory.mktemp("corrected_warehouse")
    test_server.ensure_database("corrected_warehouse")
    settings = ConnectionSettings(host="127.0.0.1", port=test_server.port, database="corrected_warehouse")
    project = DbtProject(settings, work_dir / "dbt")
    versions = [
        [("SKU-1", 1), ("SKU-2", 2)],
        [("SKU-3", 1)],
        [("SKU-1", 1), ("SKU-2", 2)],
    ]
    after_each_file = []
    for number, lines in enumerate(versions, start=1):
        export = write_export(
            work_dir / f"export_{number}.csv", [_order_with_lines(number, f"2024-03-0{number}T10:00:00Z", lines)]
        )
        project.load([export])
        project.build = project.run("build") if number == len(versions) else project.build_without_tests()
        assert project.build.returncode == 0, f"dbt build after {export.name} failed:\n{project.build.tail()}"
        after_each_file.append(_vault_contents(project))
        _assert_current_state_is_the_3nf(project)
    return VaultHistory(project, after_each_file, after_each_file[-1], after_each_file[-1])


def test_a_correction_records_the_lines_it_removed_and_a_later_one_revives_them(
    corrected_warehouse: VaultHistory,
) -> None:
    line_history = corrected_warehouse.project.query(
        """
        select items.sku, links.line_number, sat.quantity, sat.is_deleted, cast(sat.effective_from as text)
        from vault.sat_order_item as sat
        inner join vault.lnk_order_item as links on sat.order_item_hash_key = links.order_item_hash_key
        inner join vault.hub_item as items on links.item_hash_key = items.item_hash_key
        order by sat.load_date, items.sku
        """
    )
    assert line_history == [
        ("SKU-1", 1, 1, False, "2024-03-01 10:00:00"),
        ("SKU-2", 2, 2, False, "2024-03-01 10:00:00"),
        ("SKU-1", 1, None, True, "2024-03-02 10:00:00"),
        ("SKU-2", 2, None, True, "2024-03-02 10:00:00"),
        ("SKU-3", 1, 1, False, "2024-03-02 10:00:00"),
        ("SKU-1", 1, 1, False, "2024-03-03 10:00:00"),
        ("SKU-2", 2, 2, False, "2024-03-03 10:00:00"),
        ("SKU-3", 1, None, True, "2024-03-03 10:00:00"),
    ]
    steps = corrected_warehouse.after_each_file
    for earlier, later in pairwise(steps):
        for table in VAULT_TABLES:
            assert not earlier[table] - later[table], f"{table}: a row changed or disappeared"


# --------------------------------------------------------------------------- one rule for business keys


def _keyed_order(submission: int, order_id: str, customer_id: str, store_id: str, skus: list[str]) -> dict[str, str]:
    """A submission of ``order_id`` by ``customer_id`` at ``store_id``, one line per sku, keys written as given; a
    key's other attributes depend on the key as staging keeps it (trimmed, case kept)."""
    row = order_row(submission, f"2024-03-{submission:02d}T10:00:00Z", f"Store {store_id.strip()}", "Bath")
    items = [
        {
            "sku": sku,
            "name": f"Item {sku.strip()}",
            "brand": "Hearth",
            "category": "Kitchen",
            "unit_price": "10.00",
            "quantity": 1,
        }
        for sku in skus
    ]
    return {
        **row,
        "order_id": order_id,
        "customer_id": customer_id,
        "customer_email": f"{customer_id.strip()}@example.org",
        "store_id": store_id,
        "order_items": json.dumps(items),
    }


# Two exports whose keys differ in case (two members each) and in surrounding spaces (the same member).
CASE_VARIANT_EXPORTS = [
    [
        _keyed_order(1, "ORD-1", "CUS-1", "ST01", ["85231B", "85231b"]),
        _keyed_order(2, "ord-1", "cus-1", "st01", ["85231B ", " 85231b"]),
        _keyed_order(3, " ORD-2 ", "CUS-1 ", " ST01", ["85231B"]),
    ],
    [_keyed_order(4, "ORD-3", " cus-1", "st01 ", [" 85231b", "85231B  "])],
]

# entity -> (the keys every layer must hold, once each; the statements reading them from each layer)
KEYS_IN_EVERY_LAYER: dict[str, tuple[list[tuple[object, ...]], dict[str, str]]] = {
    "items": (
        [("85231B",), ("85231b",)],
        {
            "3NF": "select sku from intermediate.int_items",
            "star dimension": "select sku from marts.dim_items",
            "star fact": "select distinct items.sku from marts.fct_order_items as fact"
            " inner join marts.dim_items as items on fact.item_key = items.item_key",
            "vault hub": "select sku from vault.hub_item",
            "vault satellite": "select hub.sku from vault.sat_item as sat"
            " inner join vault.hub_item as hub on sat.item_hash_key = hub.item_hash_key",
        },
    ),
    "customers": (
        [("CUS-1",), ("cus-1",)],
        {
            "3NF": "select customer_id from intermediate.int_customers",
            "star dimension": "select customer_id from marts.dim_customers where not is_guest",
            "star fact": "select distinct customers.customer_id from marts.fct_order_items as fact"
            " inner join marts.dim_customers as customers on fact.customer_key = customers.customer_key",
            "vault hub": "select customer_id from vault.hub_customer",
            "vault satellite": "select hub.customer_id from vault.sat_customer as sat"
            " inner join vault.hub_customer as hub on sat.customer_hash_key = hub.customer_hash_key",
        },
    ),
    "stores": (
        [("ST01",), ("st01",)],
        {
            "3NF": "select store_id from intermediate.int_stores",
            "star dimension": "select store_id from marts.dim_stores",
            "star fact": "select distinct stores.store_id from marts.fct_order_items as fact"
            " inner join marts.dim_stores as stores on fact.store_key = stores.store_key",
            "vault hub": "select store_id from vault.hub_store",
            "vault satellite": "select hub.store_id from vault.sat_store as sat"
            " inner join vault.hub_store as hub on sat.store_hash_key = hub.store_hash_key",
        },
    ),
    "orders": (
        [("ORD-1",), ("ord-1",), ("ORD-2",), ("ORD-3",)],
        {
            "3NF": "select order_id from intermediate.int_orders",
            "star fact": "select distinct order_id from marts.fct_order_items",
            "one big table": "select order_id from marts.obt_orders",
            "vault hub": "select order_id from vault.hub_order",
            "vault satellite": "select hub.order_id from vault.sat_order as sat"
            " inner join vault.hub_order as hub on sat.order_hash_key = hub.order_hash_key",
        },
    ),
    "order lines": (
        [
            ("ORD-1", 1, "85231B"),
            ("ORD-1", 2, "85231b"),
            ("ord-1", 1, "85231B"),
            ("ord-1", 2, "85231b"),
            ("ORD-2", 1, "85231B"),
            ("ORD-3", 1, "85231b"),
            ("ORD-3", 2, "85231B"),
        ],
        {
            "3NF": "select order_id, line_number, sku from intermediate.int_order_items",
            "star fact": "select fact.order_id, fact.line_number, items.sku from marts.fct_order_items as fact"
            " inner join marts.dim_items as items on fact.item_key = items.item_key",
            "vault link": "select orders.order_id, links.line_number, items.sku from vault.lnk_order_item as links"
            " inner join vault.hub_order as orders on links.order_hash_key = orders.order_hash_key"
            " inner join vault.hub_item as items on links.item_hash_key = items.item_hash_key",
            "vault satellite": "select orders.order_id, links.line_number, items.sku"
            " from vault.sat_order_item as sat"
            " inner join vault.lnk_order_item as links on sat.order_item_hash_key = links.order_item_hash_key"
            " inner join vault.hub_order as orders on links.order_hash_key = orders.order_hash_key"
            " inner join vault.hub_item as items on links.item_hash_key = items.item_hash_key",
        },
    ),
}


@pytest.fixture(scope="module")
def case_variant_warehouse(test_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The two exports of CASE_VARIANT_EXPORTS, each followed by a build (the last one with every test): the first
    builds the vault from scratch, the second adds to it incrementally. The builds' results are the tests'."""
    work_dir = tmp_path_factory.mktemp("case_variant_warehouse")
    test_server.ensure_database("case_variant_warehouse")
    settings = ConnectionSettings(host="127.0.0.1", port=test_server.port, database="case_variant_warehouse")
    project = DbtProject(settings, work_dir / "dbt")
    for number, rows in enumerate(CASE_VARIANT_EXPORTS, start=1):
        project.load([write_export(work_dir / f"export_{number}.csv", rows)])
        project.build = project.run("build") if number == len(CASE_VARIANT_EXPORTS) else project.build_without_tests()
        if project.build.returncode != 0:
            break
    return project


def test_keys_differing_in_case_are_two_members_and_in_spaces_one(case_variant_warehouse: DbtProject) -> None:
    project = case_variant_warehouse
    assert project.build is not None
    assert project.build.returncode == 0, f"dbt build failed:\n{project.build.tail()}"
    for entity, (expected_keys, statements) in KEYS_IN_EVERY_LAYER.items():
        for layer, statement in statements.items():
            keys = _rows(project, statement)
            assert keys == Counter(expected_keys), f"{entity} in the {layer}: {sorted(keys.items())}"


def test_the_vault_with_case_variant_keys_is_the_3nf_layer(case_variant_warehouse: DbtProject) -> None:
    assert case_variant_warehouse.build is not None and case_variant_warehouse.build.returncode == 0
    _assert_current_state_is_the_3nf(case_variant_warehouse)
