"""The semantic layer (models/marts/semantic): MetricFlow's ``mf`` against the built sample.

``mf`` reads ``<project>/target/semantic_manifest.json``: it runs in the shadow project of the ``sample_docs``
fixture, whose target/ holds the sample's artifacts and whose profile points at the sample's database.
Every number ``mf`` returns is compared with SQL written by hand over the marts.
"""

from __future__ import annotations

import csv
import subprocess
from decimal import Decimal
from pathlib import Path

from conftest import query
from dbt_project import BIN_DIR, DbtProject

ALL_METRICS = [
    "net_revenue",
    "gross_revenue",
    "orders",
    "items_sold",
    "average_order_value",
    "active_customers",
    "cancellation_rate",
    "net_revenue_per_customer",
]


def mf(project: DbtProject, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN_DIR / "mf"), *args],
        cwd=project.work_dir,
        env={**project.environment(), "DBT_PROJECT_DIR": str(project.work_dir)},
        capture_output=True,
        text=True,
        check=False,
    )


def mf_query(project: DbtProject, out: Path, *args: str) -> list[dict[str, str]]:
    """Run ``mf query <args>``, its result table written as CSV, and return its rows."""
    completed = mf(project, "query", *args, "--csv", str(out))
    assert completed.returncode == 0 and out.exists(), f"mf query {args} failed:\n{completed.stdout}{completed.stderr}"
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def close(actual: str | float, expected: Decimal | int | float) -> bool:
    """mf returns floats; the marts hold exact numerics."""
    return abs(float(actual) - float(expected)) <= 1e-9 * max(1.0, abs(float(expected)))


def test_semantic_layer_configs_validate_against_the_warehouse(sample_docs: DbtProject) -> None:
    validated = mf(sample_docs, "validate-configs")
    output = validated.stdout + validated.stderr
    assert validated.returncode == 0, output
    assert "Breaking issues" not in output, output
    assert "Successfully validated metrics against data warehouse" in output, output


def test_net_revenue_by_month_and_category_matches_the_star_schema(sample_docs: DbtProject, tmp_path: Path) -> None:
    rows = mf_query(
        sample_docs,
        tmp_path / "result.csv",
        "--metrics",
        "net_revenue",
        "--group-by",
        "metric_time__month,item__category",
    )
    from_mf = {(row["metric_time__month"][:10], row["item__category"]): row["net_revenue"] for row in rows}
    expected = {
        (month.isoformat(), category or ""): net_revenue
        for month, category, net_revenue in query(
            sample_docs.settings,
            """
            select dates.month_start_date, items.category, sum(fact.net_amount)
            from marts.fct_order_items as fact
            inner join marts.dim_date as dates on fact.order_date = dates.date_day
            inner join marts.dim_items as items on fact.item_key = items.item_key
            where fact.is_revenue
            group by 1, 2
            """,
        )
    }
    assert len(expected) > 100
    assert from_mf.keys() == expected.keys()
    different = {key: (from_mf[key], value) for key, value in expected.items() if not close(from_mf[key], value)}
    assert not different, f"net revenue differs (mf, marts): {different}"


def test_every_metric_matches_the_marts_in_total(sample_docs: DbtProject, tmp_path: Path) -> None:
    [totals] = mf_query(sample_docs, tmp_path / "result.csv", "--metrics", ",".join(ALL_METRICS))
    [row] = query(
        sample_docs.settings,
        """
        select
            sum(fact.net_amount) filter (where fact.is_revenue),
            sum(fact.gross_amount) filter (where fact.is_revenue),
            count(distinct fact.order_id) filter (where fact.is_revenue),
            sum(fact.quantity) filter (where fact.is_revenue),
            count(distinct fact.customer_key) filter (where fact.is_revenue and not customers.is_guest),
            count(distinct fact.order_id) filter (where fact.order_status = 'cancelled'),
            count(distinct fact.order_id),
            sum(fact.net_amount) filter (where fact.is_revenue and not customers.is_guest)
        from marts.fct_order_items as fact
        inner join marts.dim_customers as customers on fact.customer_key = customers.customer_key
        """,
    )
    net, gross, orders, units, customers, cancelled, all_orders, known_customers_net = row
    expected = {
        "net_revenue": net,
        "gross_revenue": gross,
        "orders": orders,
        "items_sold": units,
        "average_order_value": net / orders,
        "active_customers": customers,
        "cancellation_rate": Decimal(cancelled) / all_orders,
        "net_revenue_per_customer": known_customers_net / customers,
    }
    different = {name: (totals[name], value) for name, value in expected.items() if not close(totals[name], value)}
    assert not different, f"metrics that differ (mf, marts): {different}"
    assert 0 < float(totals["cancellation_rate"]) < 1

    # The reporting mart BI reads agrees with the semantic layer too.
    [(summary_net, summary_gross, summary_units)] = query(
        sample_docs.settings, "select sum(net_revenue), sum(gross_revenue), sum(quantity) from marts.rpt_daily_revenue"
    )
    assert close(totals["net_revenue"], summary_net)
    assert close(totals["gross_revenue"], summary_gross)
    assert close(totals["items_sold"], summary_units)


def test_saved_query_of_monthly_customer_kpis_matches_the_marts(sample_docs: DbtProject, tmp_path: Path) -> None:
    rows = mf_query(sample_docs, tmp_path / "result.csv", "--saved-query", "monthly_customer_kpis")
    from_mf = {row["metric_time__month"][:10]: row for row in rows}
    expected = {
        month.isoformat(): (customers, cancelled / all_orders)
        for month, customers, cancelled, all_orders in query(
            sample_docs.settings,
            """
            select
                date_trunc('month', fact.order_date)::date,
                count(distinct fact.customer_key) filter (where fact.is_revenue and not customers.is_guest),
                count(distinct fact.order_id) filter (where fact.order_status = 'cancelled')::numeric,
                count(distinct fact.order_id)
            from marts.fct_order_items as fact
            inner join marts.dim_customers as customers on fact.customer_key = customers.customer_key
            group by 1
            """,
        )
    }
    assert len(expected) >= 12 and from_mf.keys() == expected.keys()
    for month, (customers, cancellation_rate) in expected.items():
        assert close(from_mf[month]["active_customers"], customers), month
        assert close(from_mf[month]["cancellation_rate"], cancellation_rate), month


def test_revenue_by_the_store_and_customer_as_they_were_matches_the_version_keys(
    sample_docs: DbtProject, tmp_path: Path
) -> None:
    """The SCD type 2 dimensions: MetricFlow's validity-window join gives every line the version its key names,
    and loses none (the renamed store's lines split between its names)."""
    rows = mf_query(
        sample_docs,
        tmp_path / "result.csv",
        "--metrics",
        "net_revenue",
        "--group-by",
        "store_version__store_name,customer_version__country_code,customer_version__is_guest",
    )
    from_mf = {
        (
            row["store_version__store_name"],
            row["customer_version__country_code"],
            row["customer_version__is_guest"],
        ): row["net_revenue"]
        for row in rows
    }
    expected = {
        (store_name, country_code or "", str(is_guest)): net_revenue
        for store_name, country_code, is_guest, net_revenue in query(
            sample_docs.settings,
            """
            select store_versions.store_name, customer_versions.country_code, customer_versions.is_guest,
                sum(fact.net_amount)
            from marts.fct_order_items as fact
            inner join marts.dim_store_versions as store_versions
                on fact.store_version_key = store_versions.store_version_key
            inner join marts.dim_customer_versions as customer_versions
                on fact.customer_version_key = customer_versions.customer_version_key
            where fact.is_revenue
            group by 1, 2, 3
            """,
        )
    }
    assert "Berlin Mitte Flagship" in {store_name for store_name, _, _ in expected}
    assert from_mf.keys() == expected.keys()
    different = {key: (from_mf[key], value) for key, value in expected.items() if not close(from_mf[key], value)}
    assert not different, f"net revenue differs (mf, marts): {different}"
