"""The reconciliation tests (tests/reconciliation/) on an incremental `dbt build` check what that build touched,
and still fail on a break there; a first build, `dbt test`, --full-refresh and `full_data_tests` check everything.

The sample's earlier files are built and its last file loaded; then an incremental `dbt build` runs with a break
made in the warehouse right before each reconciliation test starts, and undone right after it finishes
(``DbtProject.run_with_breaks``), so that only that test sees it:
- in the orders (months, days) the build touched, every narrowed test fails, and nothing else does;
- in orders (months, days) it did not touch, every narrowed test passes over it, while the whole check (dbt test,
  --full-refresh, full_data_tests) fails on the same break.
The same incremental build on DuckDB runs the narrowed tests too (the SQL is the same on every engine).
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dbt_project import DbtProject, DbtResult, sample_exports
from warehouse_access import copy_database, drop_database

from orders_warehouse.server import LocalServer
from orders_warehouse.settings import ConnectionSettings

FACT = "marts.fct_order_items"
# While a test of the build runs, the latest stamp of the fact is this build's own.
THIS_BUILD = f"(select max(processed_at) from {FACT})"
PRICED = "intermediate.int_order_items_priced"
# What only the narrowed form of the tests holds: their CTE touched_orders, touched_months or touched_days.
NARROWED_FORM = re.compile(r"^\s*touched_(orders|months|days) as \($", re.MULTILINE)
# The narrowed tests and the break each gets (its break statements, its repair statements) for an order, a month or
# a day that the build touched (True) or did not touch (False).
Break = tuple[list[str], list[str]]


def _shift(table: str, column: str, delta: str, row: str) -> Break:
    """Add ``delta`` to ``column`` of the rows ``row`` selects, then take it off again."""
    return (
        [f"update {table} set {column} = {column} + {delta} where {row}"],
        [f"update {table} set {column} = {column} - {delta} where {row}"],
    )


def _stamped(touched: bool) -> str:
    """The fact's lines that this build wrote (touched), or that an earlier one did."""
    return f"processed_at {'=' if touched else '<'} {THIS_BUILD}"


def _fact_line(touched: bool) -> str:
    """One revenue line of the fact, of an order the build touched or of one it did not."""
    return f"order_item_key = (select min(order_item_key) from {FACT} where is_revenue and {_stamped(touched)})"


def _fact_line_in_untouched(period: str) -> str:
    """One revenue line of the fact in a month (day) in which the build wrote no line of the fact nor of the
    priced lines the summaries are computed from."""
    touched_periods = (
        f"select date_trunc('{period}', order_date) from {FACT} where processed_at = {THIS_BUILD}"
        f" union select date_trunc('{period}', order_date) from {PRICED}"
        f" where processed_at = (select max(processed_at) from {PRICED})"
    )
    return (
        f"order_item_key = (select min(order_item_key) from {FACT}"
        f" where is_revenue and date_trunc('{period}', order_date) not in ({touched_periods}))"
    )


def _fact_order_removed(touched: bool) -> Break:
    """Every fact line of one order deleted: an order that staging has and the fact does not."""
    order = f"(select min(order_id) from {FACT} where {_stamped(touched)})"
    return (
        [
            f"create table public.removed_fact_lines as select * from {FACT} where order_id = {order}",
            f"delete from {FACT} where order_id in (select order_id from public.removed_fact_lines)",
        ],
        [f"insert into {FACT} select * from public.removed_fact_lines", "drop table public.removed_fact_lines"],
    )


def _vault_order_moved(touched: bool) -> Break:
    """The vault's order date of one revenue order moved 400 days back (another month)."""
    order_id = f"(select min(order_id) from {FACT} where is_revenue and {_stamped(touched)})"
    return _shift("vault.sat_order", "order_date", "-400", f"order_hash_key = md5({order_id})")


BREAKS = {
    "assert_fact_reconciles_with_staging": _fact_order_removed,
    "assert_obt_reconciles_with_star_schema": lambda touched: _shift(FACT, "quantity", "1", _fact_line(touched)),
    "assert_vault_revenue_reconciles_with_star_schema": _vault_order_moved,
    "assert_monthly_summary_reconciles_with_star_schema": lambda touched: _shift(
        FACT, "net_amount", "1", _fact_line(True) if touched else _fact_line_in_untouched("month")
    ),
    "assert_summary_reconciles_with_fact": lambda touched: _shift(
        FACT, "net_amount", "1", _fact_line(True) if touched else _fact_line_in_untouched("day")
    ),
}
NARROWED_TESTS = sorted(BREAKS)


def _test_id(name: str) -> str:
    return f"test.orders_warehouse.{name}"


def _breaks(touched: bool) -> dict[str, Break]:
    return {_test_id(name): make(touched) for name, make in BREAKS.items()}


def _narrowed(result: DbtResult, name: str) -> bool:
    """Whether the data test ``name`` ran in its narrowed form in that dbt invocation."""
    [node] = [node for node in result.results if node["unique_id"] == _test_id(name)]
    return NARROWED_FORM.search(node["compiled_code"] or "") is not None


@pytest.fixture(scope="module")
def before_last_export(test_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The name of a database holding the sample's earlier files built (models only) and its last file loaded."""
    name = f"narrowed_template_{uuid.uuid4().hex[:8]}"
    test_server.ensure_database(name)
    project = DbtProject(
        ConnectionSettings(host="127.0.0.1", port=test_server.port, database=name), tmp_path_factory.mktemp(name)
    )
    *earlier, last = sample_exports()
    project.load(earlier)
    built = project.build_without_tests()
    assert built.returncode == 0, f"dbt build of the earlier files failed:\n{built.tail()}"
    project.load([last])
    yield name
    drop_database(test_server, name)


def _incremental_build_with_breaks(
    server: LocalServer, template: str, work_dir: Path, touched: bool
) -> Iterator[DbtProject]:
    name = f"narrowed_{'touched' if touched else 'untouched'}_{uuid.uuid4().hex[:8]}"
    project = DbtProject(copy_database(server, template, name), work_dir)
    project.build = project.run_with_breaks(_breaks(touched), "build")
    assert project.build.returncode != 2, f"a break could not be made:\n{project.build.tail()}"
    yield project
    drop_database(server, name)


@pytest.fixture(scope="module")
def build_broken_where_touched(
    test_server: LocalServer, before_last_export: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DbtProject]:
    """The incremental `dbt build` of the last file, each reconciliation test run on a break in what it touched."""
    yield from _incremental_build_with_breaks(
        test_server, before_last_export, tmp_path_factory.mktemp("touched"), touched=True
    )


@pytest.fixture(scope="module")
def build_broken_elsewhere(
    test_server: LocalServer, before_last_export: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DbtProject]:
    """The same build, each reconciliation test run on a break in what the build did not touch."""
    yield from _incremental_build_with_breaks(
        test_server, before_last_export, tmp_path_factory.mktemp("untouched"), touched=False
    )


def test_a_narrowed_test_fails_on_a_break_in_what_the_build_touched(build_broken_where_touched: DbtProject) -> None:
    build = build_broken_where_touched.build
    assert build is not None
    statuses = build.statuses()
    for name in NARROWED_TESTS:
        assert _narrowed(build, name), f"{name} checked everything"
        assert statuses[_test_id(name)] == "fail", f"{name} passed over a break in an order the build touched"
    others = {node: status for node, status in statuses.items() if node not in _breaks(True)}
    assert set(others.values()) <= {"success", "pass", "warn", "no-op"}, build.tail()


def test_a_narrowed_test_passes_over_what_the_build_did_not_touch(build_broken_elsewhere: DbtProject) -> None:
    build = build_broken_elsewhere.build
    assert build is not None
    assert build.returncode == 0, build.tail()
    for name in NARROWED_TESTS:
        assert _narrowed(build, name), f"{name} checked everything"
        assert build.statuses()[_test_id(name)] == "pass"


@pytest.mark.parametrize(
    "command",
    [["test"], ["build", "--full-refresh"], ["build", "--vars", "{full_data_tests: true}"]],
    ids=["dbt test", "full refresh", "full_data_tests"],
)
def test_the_whole_check_finds_what_the_narrowed_tests_passed_over(
    build_broken_elsewhere: DbtProject, command: list[str]
) -> None:
    # Only the tests are selected: --full-refresh rebuilds nothing here, it only asks for the whole check.
    selection = ["--select", *NARROWED_TESTS]
    result = build_broken_elsewhere.run_with_breaks(_breaks(False), *command, *selection)
    assert result.returncode == 1, result.tail()
    for name in NARROWED_TESTS:
        assert not _narrowed(result, name), f"{name} was narrowed"
        assert result.statuses()[_test_id(name)] == "fail", f"{name} passed over a break"


def test_a_first_build_checks_everything(sample_warehouse: DbtProject) -> None:
    build = sample_warehouse.build
    assert build is not None
    for name in NARROWED_TESTS:
        assert not _narrowed(build, name), f"{name} was narrowed on a first build"
        assert build.statuses()[_test_id(name)] == "pass"


def test_the_narrowed_tests_run_on_duckdb(duckdb_sample_warehouse: DbtProject, tmp_path: Path) -> None:
    """On a copy of the DuckDB build, every row of the orders of the sample's last file is marked as written by the
    next invocation (a stamp in the future), as an incremental build would have stamped them: the tests, run by a
    `dbt build`, are narrowed to those orders and pass, and fail once a line of one of them is broken. (The
    stamps are set by hand so that this test needs no incremental build of its own; test_incremental_builds.py
    builds DuckDB incrementally.)"""
    assert duckdb_sample_warehouse.duckdb_path is not None
    project = DbtProject(ConnectionSettings(), tmp_path, duckdb_path=tmp_path / "warehouse.duckdb")
    assert project.duckdb_path is not None
    shutil.copy(duckdb_sample_warehouse.duckdb_path, project.duckdb_path)
    last_file_orders = (
        "select order_id from staging.base_orders_export__submissions_triaged"
        f" where source_file_name = '{sample_exports()[-1].name}'"
    )
    tables = ["staging.base_orders_export__submissions_triaged", PRICED, FACT]
    _duckdb_execute(
        project,
        [f"update {table} set processed_at = '2999-01-01' where order_id in ({last_file_orders})" for table in tables],
    )
    intact = project.run("build", "--select", *NARROWED_TESTS)
    assert intact.returncode == 0, intact.tail()
    for name in NARROWED_TESTS:
        assert _narrowed(intact, name), f"{name} checked everything"
    _duckdb_execute(project, _shift(FACT, "net_amount", "1", _fact_line(True))[0])
    broken = project.run("build", "--select", *NARROWED_TESTS)
    for name in NARROWED_TESTS:
        assert _narrowed(broken, name), f"{name} checked everything"
        assert broken.statuses()[_test_id(name)] == "fail", f"{name} passed over a break (DuckDB)"


def _duckdb_execute(project: DbtProject, statements: list[str]) -> None:
    connection = duckdb.connect(str(project.duckdb_path))
    try:
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()
