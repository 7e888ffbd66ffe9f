"""Incremental builds: loading the sample file by file, with a `dbt build` after each, gives exactly the
warehouse a single full build of all three files gives, and each build processes only what its file touched, on
PostgreSQL and on DuckDB.

The sample's later files hold resubmissions and corrections of orders from earlier files, so this also proves
that a late correction replaces the original's lines everywhere (no orphaned lines, no double counting), and that
an incremental build rewrites rows it wrote before (delete+insert of existing keys: on DuckDB, a unique index
read back from the file once refused that as a duplicate key).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import query
from dbt_project import DbtProject, sample_exports
from warehouse_access import copy_database, drop_database

from orders_warehouse.server import LocalServer
from orders_warehouse.settings import ConnectionSettings

# Columns that record when or from where a row was processed, not what it says.
AUDIT_COLUMNS = ("processed_at", "loaded_at", "source_file_name")
COMPARED_SCHEMAS = ("staging", "intermediate", "marts", "ml")


def _build_file_by_file(project: DbtProject) -> DbtProject:
    """Load the sample into ``project`` one file at a time, with a `dbt build` after each (tests on the last)."""
    exports = sample_exports()
    for export in exports:
        project.load([export])
        is_last = export == exports[-1]
        project.build = project.run("build") if is_last else project.build_without_tests()
        assert project.build.returncode == 0, (
            f"dbt build ({project.target}) after {export.name} failed:\n{project.build.tail()}"
        )
    return project


@pytest.fixture(scope="module")
def incremental_warehouse(test_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The sample loaded one file at a time, with an incremental `dbt build` after each."""
    test_server.ensure_database("incremental_warehouse")
    settings = ConnectionSettings(host="127.0.0.1", port=test_server.port, database="incremental_warehouse")
    return _build_file_by_file(DbtProject(settings, tmp_path_factory.mktemp("incremental_warehouse")))


@pytest.fixture(scope="module")
def duckdb_incremental_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """The same file-by-file builds on the duckdb target, in a DuckDB file of its own."""
    work_dir = tmp_path_factory.mktemp("duckdb_incremental_warehouse")
    return _build_file_by_file(DbtProject(ConnectionSettings(), work_dir, duckdb_path=work_dir / "warehouse.duckdb"))


@pytest.fixture(params=["postgres", "duckdb"])
def full_and_incremental(request: pytest.FixtureRequest) -> tuple[DbtProject, DbtProject]:
    """The full build of the sample and its file-by-file build, on one engine."""
    if request.param == "duckdb":
        return request.getfixturevalue("duckdb_sample_warehouse"), request.getfixturevalue(
            "duckdb_incremental_warehouse"
        )
    return request.getfixturevalue("sample_warehouse"), request.getfixturevalue("incremental_warehouse")


def _tables(project: DbtProject) -> list[str]:
    schemas = ", ".join(f"'{schema}'" for schema in COMPARED_SCHEMAS)
    rows = project.query(
        "select table_schema || '.' || table_name from information_schema.tables"
        f" where table_schema in ({schemas}) and table_type = 'BASE TABLE' order by 1"
    )
    return [name for (name,) in rows]


def _contents(project: DbtProject, table: str) -> list[str]:
    schema, name = table.split(".")
    columns = [
        column
        for (column,) in project.query(
            "select column_name from information_schema.columns"
            f" where table_schema = '{schema}' and table_name = '{name}' order by ordinal_position"
        )
        if column not in AUDIT_COLUMNS
    ]
    return sorted(repr(row) for row in project.query(f"select {', '.join(columns)} from {table}"))


def test_incremental_builds_equal_a_full_build(full_and_incremental: tuple[DbtProject, DbtProject]) -> None:
    full_build, incremental_build = full_and_incremental
    tables = _tables(full_build)
    assert {
        "marts.fct_order_items",
        "marts.dim_store_versions",
        "marts.dim_customer_versions",
        "intermediate.int_store_versions",
        "intermediate.int_customer_versions",
    } <= set(tables)
    assert _tables(incremental_build) == tables
    for table in tables:
        full = _contents(full_build, table)
        incremental = _contents(incremental_build, table)
        assert incremental == full, f"{table} differs: {len(incremental)} rows vs {len(full)} in the full build"


def test_each_incremental_build_processes_only_what_its_file_touched(
    full_and_incremental: tuple[DbtProject, DbtProject],
) -> None:
    _, incremental_build = full_and_incremental
    last_file = sample_exports()[-1].name
    [(file_rows, stamped_submissions, all_submissions)] = incremental_build.query(
        f"""
        select
            (select count(*) from raw.orders_export where _file_name = '{last_file}'),
            count(*) filter (where base_orders_export__submissions.processed_at = latest.processed_at),
            count(*)
        from staging.base_orders_export__submissions
        cross join (
            select max(processed_at) as processed_at from staging.base_orders_export__submissions
        ) as latest
        """
    )
    assert stamped_submissions == file_rows < all_submissions
    # the orders the last file resubmits have submissions in earlier files: the last build judged them again,
    # replacing rows an earlier build wrote (their keys deleted and inserted again)
    [(rejudged_submissions,)] = incremental_build.query(
        f"""
        select count(*) from staging.base_orders_export__submissions_triaged
        where source_file_name <> '{last_file}'
            and processed_at = (select max(processed_at) from staging.base_orders_export__submissions_triaged)
        """
    )
    assert rejudged_submissions > 0
    [(stamped_lines, all_lines, touched_lines)] = incremental_build.query(
        f"""
        select
            count(*) filter (where processed_at = (select max(processed_at) from marts.fct_order_items)),
            count(*),
            count(*) filter (where order_id in (
                select order_id from staging.base_orders_export__submissions where source_file_name = '{last_file}'
            ))
        from marts.fct_order_items
        """
    )
    assert stamped_lines == touched_lines < all_lines / 2


def test_the_churn_histories_recompute_the_customer_months_the_last_file_touched(
    incremental_warehouse: DbtProject,
) -> None:
    """The last build restamped exactly the customer-months its new order versions reach: for every customer on
    a version of an order it rewrote, the as-of dates from the earliest known_from_date of the order's newly
    loaded versions on (not the customer's earlier months), and every customer's row of an as-of date the table
    did not have yet (the sample's last file reaches a new month); the feature table followed."""
    [(stamped, wrong, kept_earlier, new_dates, stamped_features, all_features)] = query(
        incremental_warehouse.settings,
        """
        with latest as (
            select max(processed_at) as processed_at from intermediate.int_customer_order_histories_aggregated
        ),
        previous as (
            select max(processed_at) as processed_at from intermediate.int_customer_order_histories_aggregated
            where processed_at < (select processed_at from latest)
        ),
        changed_versions as (
            select versions.* from intermediate.int_order_version_items_priced as versions
            where versions.processed_at = (select processed_at from latest)
        ),
        changed_orders as (
            select
                order_id,
                coalesce(
                    min(known_from_date) filter (
                        where loaded_at at time zone 'UTC' > (select processed_at from previous)
                    ),
                    min(known_from_date)
                ) as from_date
            from changed_versions group by order_id
        ),
        changed_customers as (
            select versions.customer_id, min(changed_orders.from_date) as from_date
            from changed_versions as versions
            inner join changed_orders on versions.order_id = changed_orders.order_id
            where versions.customer_id is not null
            group by versions.customer_id
        ),
        new_dates as (
            select as_of_date from intermediate.int_customer_order_histories_aggregated
            group by as_of_date
            having max(processed_at) = (select processed_at from latest)
                and min(processed_at) = (select processed_at from latest)
        ),
        histories as (
            select
                histories.processed_at = (select processed_at from latest) as is_stamped,
                histories.as_of_date >= changed_customers.from_date
                    or histories.as_of_date in (select as_of_date from new_dates) as is_expected,
                changed_customers.customer_id is not null
                    and histories.as_of_date < changed_customers.from_date as is_earlier_month_of_changed
            from intermediate.int_customer_order_histories_aggregated as histories
            left join changed_customers on histories.customer_id = changed_customers.customer_id
        )
        select
            count(*) filter (where is_stamped),
            count(*) filter (where is_stamped is distinct from coalesce(is_expected, false)),
            count(*) filter (where is_earlier_month_of_changed and not is_stamped),
            (select count(*) from new_dates),
            (select count(*) from ml.customer_churn_features
             where processed_at = (select processed_at from latest)),
            (select count(*) from ml.customer_churn_features)
        from histories
        """,
    )
    assert stamped > 0 and new_dates > 0
    assert wrong == 0
    assert kept_earlier > 0, "the changed customers' earlier months were recomputed too"
    assert stamped <= stamped_features <= all_features


def test_marts_keep_their_foreign_keys_through_incremental_builds(incremental_warehouse: DbtProject) -> None:
    [(foreign_keys,)] = query(
        incremental_warehouse.settings,
        "select count(*) from pg_constraint where conrelid = 'marts.fct_order_items'::regclass and contype = 'f'",
    )
    assert foreign_keys == 6


def test_data_tests_of_an_incremental_build_check_new_rows_against_old_ones(incremental_warehouse: DbtProject) -> None:
    """On an incremental `dbt build` a uniqueness test checks every row sharing a key with the rows the build
    stamped: a duplicate of an old line passes while both rows are old (the build did not write them), fails
    once one of them is new, and `dbt test` checks every row whatever their stamps."""
    settings = incremental_warehouse.settings
    table = "staging.base_orders_export__submission_lines"
    test = "unique_combination_of_columns_base_orders_export__submission_lines_raw_row_id__line_number"
    line = f"raw_row_id = (select min(raw_row_id) from {table}) and line_number = 1"
    one_of_the_pair = f"ctid = (select max(ctid) from {table} where {line})"
    query(settings, f"insert into {table} select * from {table} where {line}")
    try:
        query(settings, f"update {table} set processed_at = '1900-01-01' where {line}")
        assert incremental_warehouse.run("build", "--select", test).returncode == 0
        assert incremental_warehouse.run("test", "--select", test).returncode != 0
        query(settings, f"update {table} set processed_at = '2999-01-01' where {one_of_the_pair}")
        assert incremental_warehouse.run("build", "--select", test).returncode != 0
    finally:
        query(settings, f"delete from {table} where {one_of_the_pair}")
    assert incremental_warehouse.run("test", "--select", test).returncode == 0


def test_data_tests_on_a_filtering_view_check_the_rows_the_build_stamped(incremental_warehouse: DbtProject) -> None:
    """A staging view that only filters and joins tables (stg_orders_export__order_items) has its data tests
    narrowed like a table's: a missing sku on a line whose submission the build did not stamp passes `dbt build`
    and fails `dbt test`; once its submission is stamped by the build, `dbt build` fails too."""
    settings = incremental_warehouse.settings
    lines, triage = "staging.base_orders_export__submission_lines", "staging.base_orders_export__submissions_triaged"
    test = "not_null_stg_orders_export__order_items_sku"
    submission = f"raw_row_id = (select min(raw_row_id) from {triage} where submission_outcome = 'winning')"
    line = f"{submission} and line_number = 1"
    sku, stamp = query(
        settings, f"select sku, (select processed_at from {triage} where {submission}) from {lines} where {line}"
    )[0]
    try:
        query(settings, f"update {lines} set sku = null where {line}")
        query(settings, f"update {triage} set processed_at = '1900-01-01' where {submission}")
        assert incremental_warehouse.run("build", "--select", test).returncode == 0
        assert incremental_warehouse.run("test", "--select", test).returncode != 0
        query(settings, f"update {triage} set processed_at = '2999-01-01' where {submission}")
        assert incremental_warehouse.run("build", "--select", test).returncode != 0
    finally:
        query(settings, f"update {lines} set sku = %s where {line}", (sku,))
        query(settings, f"update {triage} set processed_at = %s where {submission}", (stamp,))
    assert incremental_warehouse.run("test", "--select", test).returncode == 0


# --------------------------------------------------------------------------- a late file re-cuts a history

LATE_ORDER_ID = "ORD-LATE-000001"
EXPORT_COLUMNS = (
    "submission_id", "order_id", "submitted_at", "order_status", "customer_id", "customer_name", "customer_email",
    "customer_city", "customer_postal_code", "customer_country", "store_id", "store_name", "store_city",
    "store_postal_code", "store_country", "store_timezone", "currency", "prices_include_tax", "tax_rate",
    "fulfillment_time", "order_items",
)  # fmt: skip


def _write_late_file(project: DbtProject, folder: Path) -> Path:
    """An export file delivered late: one new order, submitted halfway between a customer's second and third
    submissions (a day or more apart), copying one of the customer's rows but with a new store name and a new
    customer city. It splits a version of the store and one of the customer in three."""
    [row] = project.query(
        f"""
        with customer_submissions as (
            select
                customer_id,
                submission_id,
                submitted_at,
                lead(submitted_at) over (partition by customer_id order by submitted_at) as next_submitted_at,
                row_number() over (partition by customer_id order by submitted_at) as submission_number
            from staging.stg_orders_export__order_submissions
            where customer_id is not null
        )
        select
            {", ".join(f"raw_rows.{column}" for column in EXPORT_COLUMNS)},
            to_char(
                (halfway.submitted_at + (halfway.next_submitted_at - halfway.submitted_at) / 2) at time zone 'UTC',
                'YYYY-MM-DD"T"HH24:MI:SS"Z"'
            )
        from customer_submissions as halfway
        inner join raw.orders_export as raw_rows on btrim(raw_rows.submission_id) = halfway.submission_id
        where halfway.submission_number = 2 and halfway.next_submitted_at > halfway.submitted_at + interval '1 day'
        order by halfway.customer_id
        limit 1
        """
    )
    late = dict(zip(EXPORT_COLUMNS, row[:-1], strict=True))
    late |= {
        "submission_id": "SUB-LATE-000001",
        "order_id": LATE_ORDER_ID,
        "submitted_at": row[-1],
        "store_name": f"{late['store_name'].strip()} Pop-up",
        "customer_city": "Lateville",
    }
    path = folder / "orders_export_late.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerow(late)
    return path


@pytest.fixture(scope="module")
def late_file_builds(
    incremental_warehouse: DbtProject, test_server: LocalServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DbtProject, DbtProject]]:
    """The late file built incrementally on a copy of the file-by-file warehouse, and the sample with the late
    file built in one go."""
    late_file = _write_late_file(incremental_warehouse, tmp_path_factory.mktemp("late_file"))
    incremental = DbtProject(
        copy_database(test_server, "incremental_warehouse", "late_file_incremental"),
        tmp_path_factory.mktemp("late_file_incremental"),
    )
    incremental.load([late_file])
    incremental.build = incremental.run("build")
    assert incremental.build.returncode == 0, incremental.build.tail()
    test_server.ensure_database("late_file_full")
    full = DbtProject(
        ConnectionSettings(host="127.0.0.1", port=test_server.port, database="late_file_full"),
        tmp_path_factory.mktemp("late_file_full"),
    )
    full.load([*sample_exports(), late_file])
    full.build = full.run("build")
    assert full.build.returncode == 0, full.build.tail()
    yield full, incremental
    drop_database(test_server, "late_file_incremental")
    drop_database(test_server, "late_file_full")


def test_a_late_file_in_the_middle_of_a_history_builds_the_full_builds_warehouse(
    late_file_builds: tuple[DbtProject, DbtProject],
) -> None:
    full_build, incremental_build = late_file_builds
    [(split_stores, split_customers)] = full_build.query(
        f"""
        select
            (select count(*) from marts.dim_store_versions where store_id = orders.store_id),
            (select count(*) from marts.dim_customer_versions where customer_id = orders.customer_id)
        from staging.stg_orders_export__orders as orders where order_id = '{LATE_ORDER_ID}'
        """
    )
    assert split_stores >= 3 and split_customers >= 3
    tables = _tables(full_build)
    assert _tables(incremental_build) == tables
    for table in tables:
        full = _contents(full_build, table)
        incremental = _contents(incremental_build, table)
        assert incremental == full, f"{table} differs: {len(incremental)} rows vs {len(full)} in the full build"


def test_a_late_file_rewrites_exactly_the_lines_whose_version_changed(
    incremental_warehouse: DbtProject, late_file_builds: tuple[DbtProject, DbtProject]
) -> None:
    _, incremental_build = late_file_builds
    keys = (
        "select order_item_key, store_version_key, customer_version_key,"
        " processed_at = (select max(processed_at) from marts.fct_order_items)"
        " from marts.fct_order_items"
    )
    before = {key: versions for key, *versions, _ in incremental_warehouse.query(keys)}
    after = incremental_build.query(keys)
    rekeyed = {key for key, *versions, _ in after if key in before and before[key] != versions}
    rewritten = {key for key, *_, is_stamped in after if is_stamped and key in before}
    assert rekeyed, "the late file changed the version of later lines of the store and the customer"
    assert rewritten == rekeyed
