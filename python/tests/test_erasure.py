"""Erasure of a customer (a data-protection request), on a copy of the built sample.

The test picks a customer with several orders whose e-mail address and name appear on no other customer's rows,
and whose city and postal code are no store's, so that any trace of them is theirs. It runs the documented
command, ``orders-warehouse erase-customer``, then searches every row of every table and view of every schema:
the e-mail and the name are nowhere, and the customer's own rows (wherever a table has a customer_id) no longer
hold their city or postal code. The order amounts are unchanged, and so they stay after an incremental
``dbt build`` (every test and reconciliation green) and after a full rebuild from raw.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from decimal import Decimal

import psycopg2
import pytest
from dbt_project import BIN_DIR, DbtProject
from warehouse_access import connect, contains, failed_nodes, fetch, find_text, relations

from orders_warehouse.erasure import ErasureError, erase_customer
from orders_warehouse.settings import ConnectionSettings

TOTALS = "select count(*), sum(net_amount), sum(gross_amount), sum(tax_amount) from marts.fct_order_items"
CUSTOMER_ORDERS = """
    select fact.order_id, sum(fact.net_amount), sum(fact.gross_amount)
    from marts.fct_order_items as fact
    inner join marts.dim_customers as customers on fact.customer_key = customers.customer_key
    where customers.customer_id = %s
    group by fact.order_id
    order by fact.order_id
"""
# Customers whose e-mail and name only they use, living in no store's city or postal code, by number of rows.
CANDIDATES = """
    with customer_rows as (
        select
            btrim(customer_id) as customer_id,
            lower(btrim(customer_email)) as email,
            lower(btrim(customer_city)) as city,
            lower(btrim(customer_postal_code)) as postal_code,
            lower(regexp_replace(btrim(customer_name), '\\s+', ' ', 'g')) as full_name
        from raw.orders_export
        where nullif(btrim(customer_id), '') is not null
    ),
    shared as (
        select email as value from customer_rows group by email having count(distinct customer_id) > 1
        union all
        select lower(btrim(customer_email)) from raw.orders_export where nullif(btrim(customer_id), '') is null
        union all
        select lower(btrim(store_city)) from raw.orders_export
        union all
        select lower(btrim(store_postal_code)) from raw.orders_export
    )
    select customer_id, min(email), min(city), min(postal_code), array_agg(distinct full_name), count(*)
    from customer_rows
    group by customer_id
    having count(distinct email) = 1 and count(distinct city) = 1 and count(distinct postal_code) = 1
        and count(*) >= 3 and min(email) like '%%@%%'
        and not exists (select from shared where shared.value in (min(email), min(city), min(postal_code)))
    order by count(*) desc, customer_id
"""


@dataclass(frozen=True)
class Customer:
    """The erased customer and what identified them before."""

    customer_id: str
    email: str
    city: str
    postal_code: str
    name_words: tuple[str, str]

    def identifying_patterns(self) -> list[str]:
        """LIKE patterns for the e-mail and for the name, in either order ("Ada Lovelace", "LOVELACE, Ada")."""
        first, last = (contains(word)[1:-1] for word in self.name_words)
        return [contains(self.email), f"%{first}%{last}%", f"%{last}%{first}%"]


@dataclass(frozen=True)
class Erased:
    """The copy of the sample after the erasure, with what it looked like before."""

    project: DbtProject
    customer: Customer
    totals_before: tuple
    orders_before: list[tuple]
    command: subprocess.CompletedProcess[str]


def pick_customer(settings: ConnectionSettings) -> Customer:
    """The first candidate whose two name words identify only them in the raw export."""
    for customer_id, email, city, postal_code, full_names, _ in fetch(settings, CANDIDATES):
        words = full_names[0].replace(",", " ").split()
        if len(words) != 2:
            continue
        customer = Customer(customer_id, email, city, postal_code, (words[0], words[1]))
        owners = fetch(
            settings,
            "select distinct btrim(customer_id) from raw.orders_export"
            " where lower(customer_name) like %s or lower(customer_name) like %s",
            tuple(customer.identifying_patterns()[1:]),
        )
        if owners == [(customer_id,)]:
            return customer
    raise AssertionError("the sample has no customer whose e-mail and name are theirs alone")


@pytest.fixture(scope="module")
def erased(sample_copy: DbtProject) -> Erased:
    settings = sample_copy.settings
    customer = pick_customer(settings)
    totals = fetch(settings, TOTALS)[0]
    orders = fetch(settings, CUSTOMER_ORDERS, (customer.customer_id,))
    assert len(orders) >= 2
    assert set(find_text(settings, customer.identifying_patterns())) == set(customer.identifying_patterns())
    command = subprocess.run(
        [str(BIN_DIR / "orders-warehouse"), "erase-customer", customer.customer_id],
        env=sample_copy.environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    return Erased(sample_copy, customer, totals, orders, command)


def assert_no_trace(erased: Erased) -> None:
    settings, customer = erased.project.settings, erased.customer
    found = find_text(settings, customer.identifying_patterns())
    assert not found, f"traces of {customer.customer_id} remain: {found}"
    for schema, name in relations(settings):
        columns = {
            column
            for (column,) in fetch(
                settings,
                "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
                (schema, name),
            )
        }
        if "customer_id" not in columns:
            continue
        statement = psycopg2.sql.SQL(
            "select count(*) from {} as row_values where btrim(customer_id) = %s"
            " and (lower(cast(row_values as text)) like %s or lower(cast(row_values as text)) like %s)"
        ).format(psycopg2.sql.Identifier(schema, name))
        params = (customer.customer_id, contains(customer.city), contains(customer.postal_code))
        assert fetch(settings, statement, params) == [(0,)], f"{schema}.{name} keeps the customer's address"


def test_erase_customer_command_reports_every_layer(erased: Erased) -> None:
    assert erased.command.returncode == 0, erased.command.stderr
    report = erased.command.stdout
    for table in (
        "raw.orders_export",
        "staging.base_orders_export__submissions",
        "staging.stg_orders_export__order_submissions",
        "intermediate.int_customers",
        "intermediate.int_customer_versions",
        "marts.dim_customers",
        "marts.dim_customer_versions",
        "snapshots.snp_customers",
    ):
        assert table in report


def test_the_customers_versions_keep_no_e_mail_hash(erased: Erased) -> None:
    """The masked columns of dim_customer_versions are erased too: the e-mail's hash identifies a person."""
    [(versions, hashed)] = fetch(
        erased.project.settings,
        "select count(*), count(email_hash) from marts.dim_customer_versions where customer_id = %s",
        (erased.customer.customer_id,),
    )
    assert versions >= 1 and hashed == 0


def test_no_trace_of_the_customer_remains_anywhere(erased: Erased) -> None:
    assert_no_trace(erased)


def test_orders_and_amounts_are_kept(erased: Erased) -> None:
    settings = erased.project.settings
    assert fetch(settings, TOTALS)[0] == erased.totals_before
    assert fetch(settings, CUSTOMER_ORDERS, (erased.customer.customer_id,)) == erased.orders_before
    [(country,)] = fetch(
        settings, "select country_code from marts.dim_customers where customer_id = %s", (erased.customer.customer_id,)
    )
    assert country is not None


def test_an_incremental_build_keeps_it_erased_and_green(erased: Erased) -> None:
    build = erased.project.run("build")
    assert build.returncode == 0, build.tail()
    assert not failed_nodes(build)
    assert_no_trace(erased)
    assert fetch(erased.project.settings, TOTALS)[0] == erased.totals_before


def test_a_full_rebuild_from_raw_keeps_it_erased_and_green(erased: Erased) -> None:
    build = erased.project.run("build", "--full-refresh")
    assert build.returncode == 0, build.tail()
    assert_no_trace(erased)
    [(count, net, gross, _)] = fetch(erased.project.settings, TOTALS)
    assert count == erased.totals_before[0]
    assert abs(net - erased.totals_before[1]) + abs(gross - erased.totals_before[2]) < Decimal("0.000001")


def test_an_unknown_customer_id_erases_nothing(erased: Erased) -> None:
    report = erase_customer(erased.project.settings, "NO-SUCH-CUSTOMER")
    assert report.rows == 0 and "nothing erased" in report.describe()


def test_erasure_refuses_while_a_build_is_connected(erased: Erased) -> None:
    settings = erased.project.settings
    build_connection = psycopg2.connect(settings.dsn(), application_name="dbt")
    try:
        with pytest.raises(ErasureError, match="dbt build"):
            erase_customer(settings, erased.customer.customer_id)
    finally:
        build_connection.close()


def test_erasure_refuses_personal_columns_it_cannot_attribute(erased: Erased) -> None:
    """A personal column in a table without customer_id: refuse, and change nothing."""
    settings = erased.project.settings
    other = fetch(settings, "select customer_id, email from intermediate.int_customers where email is not null limit 1")
    connection = connect(settings)
    try:
        with connection.cursor() as cursor:
            cursor.execute("create table public.mailing_list as select email from intermediate.int_customers")
            cursor.execute(
                "insert into governance.personal_columns values ('public', 'mailing_list', 'email', 'model')"
            )
        with pytest.raises(ErasureError, match=r"public\.mailing_list"):
            erase_customer(settings, other[0][0])
        assert fetch(
            settings, "select email from intermediate.int_customers where customer_id = %s", (other[0][0],)
        ) == [(other[0][1],)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("delete from governance.personal_columns where table_name = 'mailing_list'")
            cursor.execute("drop table public.mailing_list")
        connection.close()
