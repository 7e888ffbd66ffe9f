"""The store and customer versions (SCD type 2) on the sample built in one go, on PostgreSQL.

Every fact line joins exactly one store version, and one customer version (the guest member row, which shows
nothing, for a guest line), that holds at the line's submitted_at and shows the attributes its order's winning
submission carried, as staging has them. A member's versions never overlap, and the "as it was" query of the
README loses no line.
"""

from __future__ import annotations

from conftest import query
from dbt_project import DbtProject

GUEST_VERSION_KEY = "92fd475bc0821b474d4c2da142257152"  # the surrogate key of (NULL, NULL)

# The README's example: net revenue by the store's name when the order was placed (and its name now).
AS_IT_WAS = """
    select
        store_versions.store_name as store_name_then,
        stores.store_name as store_name_now,
        sum(fact.net_amount) as net_revenue
    from marts.fct_order_items as fact
    inner join marts.dim_store_versions as store_versions
        on fact.store_version_key = store_versions.store_version_key
    inner join marts.dim_stores as stores
        on fact.store_key = stores.store_key
    where fact.is_revenue
    group by store_versions.store_name, stores.store_name
    order by store_name_now, store_name_then
"""


def test_every_line_joins_the_store_version_its_winning_submission_showed(sample_warehouse: DbtProject) -> None:
    [(lines, matching, renamed)] = query(
        sample_warehouse.settings,
        """
        select
            count(*),
            count(*) filter (where (
                select count(*) from marts.dim_store_versions as versions
                where
                    versions.store_version_key = fact.store_version_key
                    and versions.store_key = fact.store_key
                    and versions.valid_from <= fact.submitted_at
                    and (versions.valid_to > fact.submitted_at or versions.valid_to is null)
                    and versions.store_name = orders.store_name
                    and versions.city is not distinct from orders.store_city
                    and versions.postal_code is not distinct from orders.store_postal_code
                    and versions.country_code is not distinct from orders.store_country_code
                    and versions.timezone = orders.store_timezone
            ) = 1),
            count(*) filter (where stores.store_name != orders.store_name)
        from marts.fct_order_items as fact
        inner join staging.stg_orders_export__orders as orders on fact.order_id = orders.order_id
        inner join marts.dim_stores as stores on fact.store_key = stores.store_key
        """,
    )
    assert lines > 5000
    assert matching == lines
    assert renamed > 0, "the sample has lines placed before a store's rename"


def test_every_line_joins_the_customer_version_its_winning_submission_showed(sample_warehouse: DbtProject) -> None:
    [(lines, guest_lines, matching, moved)] = query(
        sample_warehouse.settings,
        """
        select
            count(*),
            count(*) filter (where orders.customer_id is null),
            count(*) filter (where (
                select count(*) from marts.dim_customer_versions as versions
                where
                    versions.customer_version_key = fact.customer_version_key
                    and versions.customer_key = fact.customer_key
                    and versions.valid_from <= fact.submitted_at
                    and (versions.valid_to > fact.submitted_at or versions.valid_to is null)
                    and versions.is_guest = (orders.customer_id is null)
                    and versions.customer_id is not distinct from orders.customer_id
                    and (orders.customer_id is null or (
                        versions.email_hash is not distinct from governance.pii_hash(orders.customer_email)
                        and versions.city is not distinct from orders.customer_city
                        and versions.postal_code is not distinct from orders.customer_postal_code
                        and versions.country_code is not distinct from orders.customer_country_code
                    ))
            ) = 1),
            count(*) filter (where not customers.is_guest and customers.city is distinct from orders.customer_city)
        from marts.fct_order_items as fact
        inner join staging.stg_orders_export__orders as orders on fact.order_id = orders.order_id
        inner join marts.dim_customers as customers on fact.customer_key = customers.customer_key
        """,
    )
    assert guest_lines > 0
    assert matching == lines
    assert moved > 0, "the sample has lines placed before a customer moved"
    [(guest_keys,)] = query(
        sample_warehouse.settings,
        "select count(distinct customer_version_key) from marts.fct_order_items"
        " where customer_key = (select customer_key from marts.dim_customers where is_guest)"
        f" and customer_version_key = '{GUEST_VERSION_KEY}'",
    )
    assert guest_keys == 1


def test_a_members_versions_never_overlap_and_one_is_current(sample_warehouse: DbtProject) -> None:
    for dimension, member in (("dim_store_versions", "store_id"), ("dim_customer_versions", "customer_id")):
        [(overlapping, members, current, members_with_history)] = query(
            sample_warehouse.settings,
            f"""
            select
                (select count(*) from marts.{dimension} as earlier
                 inner join marts.{dimension} as later
                    on earlier.{member} = later.{member}
                    and earlier.valid_from < later.valid_from
                    and (earlier.valid_to > later.valid_from or earlier.valid_to is null)),
                count(distinct {member}),
                count(*) filter (where is_current and {member} is not null),
                (select count(*) from (
                    select {member} from marts.{dimension} group by {member} having count(*) > 1
                ) as histories)
            from marts.{dimension}
            """,
        )
        assert overlapping == 0, dimension
        assert current == members, dimension
        assert members_with_history > 0, dimension


def test_the_readmes_as_it_was_query_loses_no_line(sample_warehouse: DbtProject) -> None:
    rows = query(sample_warehouse.settings, AS_IT_WAS)
    [(net_revenue,)] = query(
        sample_warehouse.settings, "select sum(net_amount) from marts.fct_order_items where is_revenue"
    )
    assert sum(row[2] for row in rows) == net_revenue
    assert any(then != now for then, now, _ in rows), "the renamed store shows both names"
