"""Every query in analyses/, compiled by dbt and run on the built sample as the role it is for (its
``config.meta.role`` in analyses/_analyses.yml), returns exactly the rows an independent query on the fact
returns: distinct orders, net and gross revenue rounded to the cent as round_money rounds.
"""

from __future__ import annotations

import json
import re

import pytest
from dbt_project import PROJECT_ROOT, DbtProject
from warehouse_access import fetch, member_login

from orders_warehouse.server import LocalServer

# The role that is no reading role: the user dbt builds as (staging and the vault are granted to no one else).
BUILDER = "builder"
READING_ROLES = {"analyst", "data_scientist"}

# The revenue lines of customers in the US, each with its category (dim_items) and its month.
US_LINES = """
    from marts.fct_order_items as fact
    inner join marts.dim_items as items on fact.item_key = items.item_key
    inner join marts.dim_customers as customers on fact.customer_key = customers.customer_key
    where fact.is_revenue and customers.country_code = 'US'
"""
MONTH = "cast(date_trunc('month', fact.order_date) as date)"
CATEGORY = "coalesce(items.category, 'unknown')"
MONTHLY_US_NET_REVENUE = f"select {MONTH}, round(sum(fact.net_amount), 2) {US_LINES} group by 1 order by 1"

# What each analysis must return, computed from the fact (the quarantine report has its own test).
EXPECTED = {
    "total_sales_per_category_for_one_country": f"""
        select {CATEGORY}, round(sum(fact.net_amount), 2), sum(fact.quantity) {US_LINES}
        group by 1 order by 2 desc
    """,
    "net_revenue_by_category_and_month_for_one_country": f"""
        select {MONTH}, {CATEGORY}, round(sum(fact.net_amount), 2) {US_LINES}
        group by 1, 2 order by 1, 2
    """,
    "revenue_by_store_and_fiscal_quarter": """
        select stores.store_name, dates.fiscal_year, dates.fiscal_quarter, count(distinct fact.order_id),
            round(sum(fact.net_amount), 2), round(sum(fact.gross_amount), 2)
        from marts.fct_order_items as fact
        inner join marts.dim_stores as stores on fact.store_key = stores.store_key
        inner join marts.dim_date as dates on fact.order_date = dates.date_day
        where fact.is_revenue
        group by 1, 2, 3 order by 1, 2, 3
    """,
    "monthly_net_revenue_for_one_country_from_the_star": MONTHLY_US_NET_REVENUE,
    "monthly_net_revenue_for_one_country_from_the_vault": MONTHLY_US_NET_REVENUE,
    "monthly_net_revenue_for_one_country_from_the_obt": MONTHLY_US_NET_REVENUE,
}


@pytest.fixture(scope="module")
def analyses(sample_warehouse: DbtProject) -> dict[str, tuple[str, str]]:
    """Each analysis: its role and its compiled SQL, from ``dbt compile --select path:analyses``."""
    compiled = sample_warehouse.run("compile", "--select", "path:analyses")
    assert compiled.returncode == 0, compiled.tail()
    manifest = json.loads((sample_warehouse.work_dir / "target" / "manifest.json").read_text())
    return {
        node["name"]: (node["config"]["meta"].get("role"), node["compiled_code"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "analysis"
    }


def run_as_role(server: LocalServer, project: DbtProject, role: str, statement: str) -> list[tuple]:
    if role == BUILDER:
        return fetch(project.settings, statement)
    with member_login(server, project.settings, role) as login:
        return fetch(login, statement)


def test_every_analysis_names_a_role_and_has_an_independent_check(analyses: dict[str, tuple[str, str]]) -> None:
    assert {role for role, _ in analyses.values()} <= READING_ROLES | {BUILDER}, analyses
    assert set(analyses) == set(EXPECTED) | {"quarantine_report"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_analysis_equals_the_fact(
    name: str, analyses: dict[str, tuple[str, str]], sample_warehouse: DbtProject, test_server: LocalServer
) -> None:
    role, compiled = analyses[name]
    rows = run_as_role(test_server, sample_warehouse, role, compiled)
    expected = fetch(sample_warehouse.settings, EXPECTED[name])
    assert rows, f"{name} returns no row on the sample"
    assert [tuple(row) for row in rows] == [tuple(row) for row in expected]


def test_quarantine_report_accounts_for_every_row_staging_did_not_keep(
    analyses: dict[str, tuple[str, str]], sample_warehouse: DbtProject, test_server: LocalServer
) -> None:
    role, compiled = analyses["quarantine_report"]
    rows = run_as_role(test_server, sample_warehouse, role, compiled)
    ((raw_rows,),) = fetch(sample_warehouse.settings, "select count(*) from raw.orders_export")
    ((kept_rows,),) = fetch(
        sample_warehouse.settings, "select count(*) from staging.stg_orders_export__order_submissions"
    )
    assert sum(row_count for _, _, row_count in rows) == raw_rows - kept_rows > 0


def readme_examples() -> list[str]:
    """The SQL examples of the README and docs/, each a query on the built warehouse."""
    documents = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    return [block for path in documents for block in re.findall(r"```sql\n(.*?)```", path.read_text(), re.S)]


@pytest.mark.parametrize("example", readme_examples())
def test_documented_example_runs_and_a_per_line_one_loses_no_line(example: str, sample_warehouse: DbtProject) -> None:
    """Every documented query runs on the sample; one that lists the fact's lines (no group by) lists them all,
    and one that counts them (`count(*) as lines`) counts them all."""
    rows = fetch(sample_warehouse.settings, example)
    assert rows
    ((lines,),) = fetch(sample_warehouse.settings, "select count(*) from marts.fct_order_items")
    if "marts.fct_order_items" in example and "group by" not in example:
        assert len(rows) == lines
    if "count(*) as lines" in example:
        assert sum(row[-1] for row in rows) == lines
