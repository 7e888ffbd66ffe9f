"""Entity states (stg_orders_export__stores, stg_orders_export__items): an incremental run extends a store's or
an item's latest state from its latest line when the new lines only continue it, and sequences the entity's
lines again when a change reaches back (a superseded anchor line, a back-dated order); either way the state
equals the one a full build computes.

One store (ST01) and one item (SKU-1), their attributes changing across seven small exports, each followed by an
incremental `dbt run` of the staging models; after each, the incremental state is compared with the full build's
query run over the same data. A probe shows the continued path is taken: an order before the latest run, changed
behind dbt's back, is read by a full sequencing and not by a continued one.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg2
import pytest
from dbt_project import DbtProject
from test_snapshots import order_row, write_export

from orders_warehouse.server import LocalServer
from orders_warehouse.settings import ConnectionSettings

MODELS = ("stg_orders_export__stores", "stg_orders_export__items")
# What the incremental and the full computation must agree on: every column but the run's stamp.
STATE_COLUMNS = {
    "stg_orders_export__stores": "store_name, attributes_since, latest_order_id, latest_submission_id,"
    " version_start_order_id, version_start_submission_id, previous_version_end_order_id,"
    " previous_version_end_submission_id, attributes_hash, source_file_name",
    "stg_orders_export__items": "item_name, attributes_since, latest_order_id, latest_submission_id,"
    " latest_line_number, version_start_order_id, version_start_submission_id, version_start_line_number,"
    " previous_version_end_order_id, previous_version_end_submission_id, previous_version_end_line_number,"
    " attributes_hash, source_file_name",
}


def row(order: int, day: str, name: str, submission: int | None = None, item_names: tuple[str, ...] = ()) -> dict:
    """Order ORD-<order> (submission SUB-<submission>, the order's number by default) on 2024-03-<day> at 10:00
    UTC, store ST01 called ``name``, one line of SKU-1 called "Mug <name>" (or one line per ``item_names``)."""
    exported = order_row(submission or order, f"2024-03-{day}T10:00:00Z", name, "Bath")
    lines = [
        {"sku": "SKU-1", "name": item, "brand": "Hearth", "category": "Kitchen", "unit_price": "10.00", "quantity": 1}
        for item in (item_names or (f"Mug {name}",))
    ]
    return {**exported, "order_id": f"ORD-{order:03d}", "order_items": json.dumps(lines)}


# Each export, and the state it leaves: (store_name, attributes_since, version_start_order_id,
# previous_version_end_order_id) of ST01; SKU-1 follows the same runs (its name is "Mug <store name>").
SCENARIO = [
    (
        "first build",
        [row(1, "01", "Old"), row(2, "05", "Old"), row(3, "10", "New")],
        ("New", "2024-03-10 10:00:00", "ORD-003", "ORD-002"),
    ),
    (
        "an order after the latest, same attributes (continued)",
        [row(4, "15", "New")],
        ("New", "2024-03-10 10:00:00", "ORD-003", "ORD-002"),
    ),
    (
        "an order inside the latest run, same attributes (continued)",
        [row(8, "12", "New")],
        ("New", "2024-03-10 10:00:00", "ORD-003", "ORD-002"),
    ),
    (
        "an order after the latest, new attributes (continued)",
        [row(5, "20", "Other", item_names=("Mug Weird", "Mug Other"))],
        ("Other", "2024-03-20 10:00:00", "ORD-005", "ORD-004"),
    ),
    (
        "the version start resubmitted later, with the earlier attributes (sequenced again)",
        [row(5, "25", "New", submission=105)],
        ("New", "2024-03-10 10:00:00", "ORD-003", "ORD-002"),
    ),
    (
        "an order back-dated before the latest run (sequenced again)",
        [row(6, "02", "New")],
        ("New", "2024-03-10 10:00:00", "ORD-003", "ORD-002"),
    ),
    (
        "the previous version's last order resubmitted at the end (sequenced again)",
        [row(2, "30", "Old", submission=102)],
        ("Old", "2024-03-30 10:00:00", "ORD-002", "ORD-005"),
    ),
]


@pytest.fixture(scope="module")
def states_project(test_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    test_server.ensure_database("entity_states")
    settings = ConnectionSettings(host="127.0.0.1", port=test_server.port, database="entity_states")
    return DbtProject(settings, tmp_path_factory.mktemp("entity_states"))


def _execute(settings: ConnectionSettings, statement: str) -> list[tuple]:
    connection = psycopg2.connect(settings.dsn())
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def _full_build_queries(project: DbtProject) -> dict[str, str]:
    """Each model's full-build query (what a first build or --full-refresh runs), compiled once."""
    compiled = project.run("compile", "--full-refresh", "--select", *MODELS)
    assert compiled.returncode == 0, compiled.tail()
    folder = project.work_dir / "target" / "compiled" / "orders_warehouse" / "models" / "staging" / "orders_export"
    return {model: (folder / f"{model}.sql").read_text() for model in MODELS}


def _states_differ(project: DbtProject, full_queries: dict[str, str]) -> dict[str, list[tuple]]:
    """The rows on which the incremental tables and the full-build queries differ (both ways), per model."""
    differences = {}
    for model, full_query in full_queries.items():
        columns = STATE_COLUMNS[model]
        rows = _execute(
            project.settings,
            f"""
            with full_build as ({full_query}),
            incremental as (select * from staging.{model})
            (select 'full build only', {columns} from full_build except select 'full build only', {columns}
             from incremental)
            union all
            (select 'incremental only', {columns} from incremental except select 'incremental only', {columns}
             from full_build)
            """,
        )
        if rows:
            differences[model] = rows
    return differences


def _store_state(project: DbtProject) -> tuple:
    [state] = _execute(
        project.settings,
        "select store_name, cast(attributes_since as text), version_start_order_id, previous_version_end_order_id"
        " from staging.stg_orders_export__stores where store_id = 'ST01'",
    )
    return state


def test_incremental_states_equal_the_full_build_at_every_step(states_project: DbtProject, tmp_path: Path) -> None:
    full_queries: dict[str, str] = {}
    for step, (description, rows, expected_store_state) in enumerate(SCENARIO, start=1):
        states_project.load([write_export(tmp_path / f"export_{step}.csv", rows)])
        probe = step == 2
        if probe:
            # A probe the continued path cannot see: the previous version's last order (before the latest run)
            # now shows the latest attributes. Sequencing ST01 again would start its run there (03-05).
            _execute(
                states_project.settings,
                "update staging.base_orders_export__submissions_triaged set store_name = 'New'"
                " where order_id = 'ORD-002'",
            )
        result = states_project.run(
            "build",
            "--select",
            *[f"+{model}" for model in MODELS],
            "--resource-type",
            "seed",
            "--resource-type",
            "model",
        )
        assert result.returncode == 0, f"step {step} ({description}):\n{result.tail()}"
        full_queries = full_queries or _full_build_queries(states_project)
        if probe:
            assert _store_state(states_project) == expected_store_state, "the continued path read every order"
            _execute(
                states_project.settings,
                "update staging.base_orders_export__submissions_triaged set store_name = 'Old'"
                " where order_id = 'ORD-002'",
            )
        assert _store_state(states_project) == expected_store_state, f"step {step}: {description}"
        assert not _states_differ(states_project, full_queries), f"step {step}: {description}"
        [(item_name,)] = _execute(
            states_project.settings, "select item_name from staging.stg_orders_export__items where sku = 'SKU-1'"
        )
        assert item_name == f"Mug {expected_store_state[0]}", f"step {step}: {description}"
