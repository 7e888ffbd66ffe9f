"""Helpers for the access-control, erasure, fault and bad-input tests.

- ``member_login``: a throwaway login user, member of one of the warehouse's roles (they are NOLOGIN group
  roles); the test server trusts loopback connections, so the user needs no password.
- ``copy_database`` / ``drop_database``: a copy of a built warehouse (PostgreSQL copies its files: fast).
- ``find_text``: which relations of a database hold a piece of text, anywhere in any column.
- ``table_signatures``: a fingerprint of every table's content, to compare states across builds.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

import psycopg2
from dbt_project import DbtResult
from psycopg2 import sql

from orders_warehouse.server import LocalServer
from orders_warehouse.settings import ConnectionSettings

WAREHOUSE_ROLES = ("analyst", "data_scientist", "loader")
SYSTEM_SCHEMA_FILTER = "nspname not like 'pg\\_%%' and nspname != 'information_schema'"
# Columns a build rewrites without changing what a row says (when it was processed, dbt's bookkeeping).
OK_STATUSES = frozenset({"success", "pass", "warn", "no-op"})
BOOKKEEPING_COLUMNS = ("processed_at", "dbt_updated_at", "dbt_scd_id", "dbt_valid_from", "dbt_valid_to")


def failed_nodes(result: DbtResult) -> dict[str, str]:
    """The nodes of a dbt invocation that did not succeed (exposures report no-op, warnings are allowed)."""
    return {node: status for node, status in result.statuses().items() if status not in OK_STATUSES}


def connect(settings: ConnectionSettings, *, autocommit: bool = True) -> psycopg2.extensions.connection:
    connection = psycopg2.connect(settings.dsn())
    connection.autocommit = autocommit
    return connection


def fetch(settings: ConnectionSettings, statement: str | sql.Composable, params: Sequence[object] = ()) -> list[tuple]:
    """Run one statement (autocommit) and return its rows."""
    connection = connect(settings)
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


# --------------------------------------------------------------------------- logins and databases


@contextmanager
def member_login(server: LocalServer, settings: ConnectionSettings, role: str) -> Iterator[ConnectionSettings]:
    """Settings of a new login user who is a member of ``role``; the user is dropped afterwards."""
    user = f"test_{role}_{uuid.uuid4().hex[:8]}"
    _admin(server, sql.SQL("create role {} login in role {}").format(sql.Identifier(user), sql.Identifier(role)))
    try:
        yield replace(settings, user=user, password="")
    finally:
        _admin(server, "select pg_terminate_backend(pid) from pg_stat_activity where usename = %s", (user,))
        _admin(server, sql.SQL("drop role if exists {}").format(sql.Identifier(user)))


def copy_database(server: LocalServer, template: str, name: str) -> ConnectionSettings:
    """A new database ``name`` holding a copy of ``template`` (which must have no open connection)."""
    statement = sql.SQL("create database {} template {}").format(sql.Identifier(name), sql.Identifier(template))
    for _ in range(50):
        try:
            _admin(server, statement)
            break
        except psycopg2.errors.ObjectInUse:  # a connection to the template is closing
            time.sleep(0.2)
    else:
        raise RuntimeError(f"cannot copy {template}: it stays in use")
    return ConnectionSettings(host="127.0.0.1", port=server.port, database=name)


def drop_database(server: LocalServer, name: str) -> None:
    _admin(server, sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def _admin(server: LocalServer, statement: str | sql.Composable, params: Sequence[object] = ()) -> None:
    connection = server.connect()
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
    finally:
        connection.close()


# --------------------------------------------------------------------------- what the database holds


def relations(settings: ConnectionSettings, kinds: str = "rpv") -> list[tuple[str, str]]:
    """(schema, name) of every table (r, p) and view (v) outside the system schemas, sorted."""
    return fetch(
        settings,
        f"""
        select namespaces.nspname, classes.relname
        from pg_catalog.pg_class as classes
        inner join pg_catalog.pg_namespace as namespaces on classes.relnamespace = namespaces.oid
        where classes.relkind = any(%s) and not classes.relispartition and {SYSTEM_SCHEMA_FILTER}
        order by 1, 2
        """,
        (list(kinds),),
    )


def find_text(
    settings: ConnectionSettings, patterns: Iterable[str], schemas: Sequence[str] | None = None
) -> dict[str, set[str]]:
    """For each LIKE pattern (matched case-insensitively against whole rows, every column as text), the
    relations (``schema.name``) holding a row that matches it; patterns found nowhere are left out."""
    lowered = sorted({pattern.lower() for pattern in patterns})
    found: dict[str, set[str]] = {}
    for schema, name in relations(settings):
        if schemas is not None and schema not in schemas:
            continue
        statement = sql.SQL(
            "select pattern from unnest(%s::text[]) as patterns (pattern)"
            " where exists (select from {} as row_values where lower(cast(row_values as text)) like pattern)"
        ).format(sql.Identifier(schema, name))
        for (pattern,) in fetch(settings, statement, (lowered,)):
            found.setdefault(pattern, set()).add(f"{schema}.{name}")
    return found


def text_values(settings: ConnectionSettings, schemas: Sequence[str]) -> set[str]:
    """Every distinct value, lower-cased, of every text or JSON column of the tables and views of ``schemas``."""
    columns = fetch(
        settings,
        "select table_schema, table_name, column_name from information_schema.columns"
        " where table_schema = any(%s) and data_type in ('text', 'character varying', 'json', 'jsonb')",
        (list(schemas),),
    )
    values: set[str] = set()
    for schema, name, column in columns:
        statement = sql.SQL("select distinct lower(cast({} as text)) from {} where {} is not null").format(
            sql.Identifier(column), sql.Identifier(schema, name), sql.Identifier(column)
        )
        values.update(value for (value,) in fetch(settings, statement))
    return values


def contains(text: str) -> str:
    """A LIKE pattern matching any text that contains ``text`` (wildcards in it escaped)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def table_signatures(
    settings: ConnectionSettings, schemas: Sequence[str], ignore: Sequence[str] = BOOKKEEPING_COLUMNS
) -> dict[str, tuple[int, str]]:
    """``schema.table`` -> (row count, MD5 of the sorted rows) for every table of ``schemas``, leaving out the
    columns in ``ignore`` and dbt's temporary and backup tables."""
    signatures = {}
    for schema, name in relations(settings, kinds="rp"):
        if schema in schemas and not name.endswith(("__dbt_tmp", "__dbt_backup")):
            signatures[f"{schema}.{name}"] = _signature(settings, schema, name, ignore)
    return signatures


def _signature(settings: ConnectionSettings, schema: str, name: str, ignore: Sequence[str]) -> tuple[int, str]:
    columns = [
        column
        for (column,) in fetch(
            settings,
            "select column_name from information_schema.columns where table_schema = %s and table_name = %s"
            " order by ordinal_position",
            (schema, name),
        )
        if column not in ignore
    ]
    statement = sql.SQL(
        "select count(*), md5(coalesce(string_agg(row_text, '|' order by row_text), ''))"
        " from (select cast(row({}) as text) as row_text from {}) as rows_as_text"
    ).format(sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(schema, name))
    [(count, digest)] = fetch(settings, statement)
    return count, digest
