"""Erase one customer's personal data from every layer of the warehouse (a data-protection request).

What is personal is said once, in the YAML (``tags: [pii]`` or ``meta: {contains_pii: true}``); dbt records those
columns at the end of every invocation in ``governance.personal_columns`` (macros/governance/personal_columns.sql).
The erasure sets them to NULL on every row of the customer (``customer_id`` equal to the given id, trimmed as the
export may pad it) in every table of every schema that holds them: the raw export, staging, quarantine,
intermediate, marts, ml and snapshots. A table the YAML does not describe column by column (a snapshot, say) is
covered by name: in a table with a ``customer_id`` column, any column named like a registered personal column is
erased too. A table with personal columns but no ``customer_id`` cannot be erased row by row: the erasure refuses
and changes nothing.

Everything else stays: the customer id, the orders, their lines, amounts, dates and statuses, the customer's
country, so every reconciliation still holds. Raw is erased too, so neither an incremental build nor a full rebuild
can bring the data back. It all happens in one transaction; then VACUUM drops the old row versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import psycopg2
from psycopg2 import sql

from orders_warehouse.settings import ConnectionSettings, one_row

CUSTOMER_ID_COLUMN = "customer_id"
LOCK_TIMEOUT = "30s"

_PERSONAL_TABLES = r"""
with base_table_columns as (
    select namespaces.nspname as table_schema, classes.relname as table_name, attributes.attname as column_name
    from pg_catalog.pg_attribute as attributes
    inner join pg_catalog.pg_class as classes on attributes.attrelid = classes.oid
    inner join pg_catalog.pg_namespace as namespaces on classes.relnamespace = namespaces.oid
    where classes.relkind in ('r', 'p') and not classes.relispartition
        and attributes.attnum > 0 and not attributes.attisdropped
        and namespaces.nspname not like 'pg\_%%' and namespaces.nspname != 'information_schema'
),
registered as (
    select table_schema, table_name, column_name from governance.personal_columns
),
keyed_tables as (
    select distinct table_schema, table_name from base_table_columns where column_name = %(key)s
),
personal as (
    select base_table_columns.*
    from base_table_columns
    inner join registered using (table_schema, table_name, column_name)
    union
    select base_table_columns.*
    from base_table_columns
    inner join keyed_tables using (table_schema, table_name)
    where base_table_columns.column_name in (select registered.column_name from registered)
)
select
    personal.table_schema,
    personal.table_name,
    array_agg(personal.column_name order by personal.column_name),
    keyed_tables.table_name is not null
from personal
left join keyed_tables using (table_schema, table_name)
group by personal.table_schema, personal.table_name, keyed_tables.table_name
order by personal.table_schema, personal.table_name
"""


class ErasureError(Exception):
    """The erasure could not run; nothing was changed."""


@dataclass(frozen=True)
class PersonalTable:
    """A table holding personal columns, and whether its rows say whose they are."""

    schema: str
    name: str
    columns: tuple[str, ...]
    has_customer_id: bool

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class ErasedTable:
    """How many of the customer's rows a table had, and which columns were cleared on them."""

    table: PersonalTable
    rows: int

    def describe(self) -> str:
        noun = "row" if self.rows == 1 else "rows"
        return f"  {self.table.qualified_name}: {self.rows} {noun} ({', '.join(self.table.columns)})"


@dataclass(frozen=True)
class ErasureReport:
    """What ``erase_customer`` did."""

    customer_id: str
    tables: tuple[ErasedTable, ...]

    @property
    def rows(self) -> int:
        return sum(erased.rows for erased in self.tables)

    def describe(self) -> str:
        touched = [erased for erased in self.tables if erased.rows]
        if not touched:
            return f"no rows of customer {self.customer_id} in the warehouse: nothing erased (check the id)"
        head = (
            f"erased the personal data of customer {self.customer_id}: {self.rows} rows in {len(touched)} tables"
            " (ids, orders and amounts kept)"
        )
        return "\n".join([head, *(erased.describe() for erased in touched)])


def erase_customer(settings: ConnectionSettings, customer_id: str) -> ErasureReport:
    """Erase the customer's personal data from every table, in one transaction, then vacuum those tables."""
    customer_id = customer_id.strip()
    if not customer_id:
        raise ErasureError("no customer id given")
    connection = psycopg2.connect(settings.dsn())
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
            _refuse_during_a_build(cursor)
            tables = personal_tables(cursor)
            report = ErasureReport(customer_id, tuple(_erase(cursor, table, customer_id) for table in tables))
        _vacuum(connection, [erased.table for erased in report.tables if erased.rows])
        return report
    finally:
        connection.close()


def personal_tables(cursor: psycopg2.extensions.cursor) -> list[PersonalTable]:
    """Every table holding personal columns; refuses when one of them has no customer_id to erase by."""
    cursor.execute("select to_regclass('governance.personal_columns') is not null")
    if not one_row(cursor)[0]:
        raise ErasureError("the warehouse has no register of personal columns yet: run a dbt build first")
    cursor.execute(_PERSONAL_TABLES, {"key": CUSTOMER_ID_COLUMN})
    tables = [PersonalTable(schema, name, tuple(columns), keyed) for schema, name, columns, keyed in cursor.fetchall()]
    unkeyed = [table.qualified_name for table in tables if not table.has_customer_id]
    if unkeyed:
        raise ErasureError(
            f"tables with personal columns but no {CUSTOMER_ID_COLUMN} column, which cannot be erased by customer:"
            f" {', '.join(unkeyed)}; nothing was erased"
        )
    return tables


def _refuse_during_a_build(cursor: psycopg2.extensions.cursor) -> None:
    """A build running now could write back what it read before the erasure: refuse until it ends."""
    cursor.execute(
        "select count(*) from pg_catalog.pg_stat_activity"
        " where datname = current_database() and application_name = 'dbt' and pid != pg_backend_pid()"
    )
    if one_row(cursor)[0]:
        raise ErasureError("a dbt build is connected to this database: erase the customer when it has finished")


def _erase(cursor: psycopg2.extensions.cursor, table: PersonalTable, customer_id: str) -> ErasedTable:
    statement = sql.SQL("update {table} set {assignments} where btrim(cast({key} as text)) = %s").format(
        table=sql.Identifier(table.schema, table.name),
        assignments=sql.SQL(", ").join(sql.SQL("{} = null").format(sql.Identifier(c)) for c in table.columns),
        key=sql.Identifier(CUSTOMER_ID_COLUMN),
    )
    try:
        cursor.execute(statement, (customer_id,))
    except psycopg2.Error as error:
        message = error.diag.message_primary or str(error).strip()
        raise ErasureError(f"cannot erase in {table.qualified_name}: {message}; nothing was erased") from error
    return ErasedTable(table, cursor.rowcount)


def _vacuum(connection: psycopg2.extensions.connection, tables: Sequence[PersonalTable]) -> None:
    """Remove the erased values' old row versions (VACUUM cannot run inside the transaction)."""
    connection.autocommit = True
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(sql.SQL("vacuum {}").format(sql.Identifier(table.schema, table.name)))
