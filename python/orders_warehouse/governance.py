"""The key of the personal-data hash (``dim_customers.email_hash``): read from the environment, kept in the warehouse.

The key is read from ``WAREHOUSE_PII_HASH_KEY`` and stored in ``governance.pii_hash_key``, a table in a schema no
role but the build user may use; the hash function (``governance.pii_hash``, created by dbt's on-run-start hook)
reads it there. The key is sent to PostgreSQL as a query parameter and is never written to a file: dbt's compiled
SQL, ``run_results.json`` and logs only ever name the function. Without the variable, the hash uses a public
development key, with a warning.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import psycopg2

from orders_warehouse.settings import ConnectionSettings, one_row

HASH_KEY_VARIABLE = "WAREHOUSE_PII_HASH_KEY"
MIN_KEY_LENGTH = 16

# The same table as macros/governance/access_control.sql creates (whichever runs first creates it).
_DDL = """
create schema if not exists governance;
revoke all on schema governance from public;
create table if not exists governance.pii_hash_key (
    singleton boolean primary key default true check (singleton),
    hash_key text not null,
    is_development_key boolean not null,
    set_at timestamptz not null default now()
);
"""
_UPSERT = """
insert into governance.pii_hash_key (hash_key, is_development_key) values (%s, false)
on conflict (singleton) do update
set hash_key = excluded.hash_key, is_development_key = false, set_at = now()
where pii_hash_key.hash_key is distinct from excluded.hash_key
returning set_at
"""


class HashKeyError(Exception):
    """The key in the environment cannot be used."""


@dataclass(frozen=True)
class HashKeyOutcome:
    """What ``set_hash_key`` did, and whether people should be warned."""

    message: str
    is_warning: bool = False


def set_hash_key(settings: ConnectionSettings, environ: Mapping[str, str] | None = None) -> HashKeyOutcome:
    """Store the key from ``WAREHOUSE_PII_HASH_KEY``; without it, keep the stored key (and warn if it is public)."""
    key = (os.environ if environ is None else environ).get(HASH_KEY_VARIABLE, "")
    if key and len(key) < MIN_KEY_LENGTH:
        raise HashKeyError(f"{HASH_KEY_VARIABLE} is too short: use at least {MIN_KEY_LENGTH} random characters")
    connection = psycopg2.connect(settings.dsn())
    try:
        with connection, connection.cursor() as cursor:
            if key:
                return _store(cursor, key)
            return _keep(cursor)
    finally:
        connection.close()


def _store(cursor: psycopg2.extensions.cursor, key: str) -> HashKeyOutcome:
    cursor.execute(_DDL)
    cursor.execute(_UPSERT, (key,))
    if cursor.fetchone() is None:
        return HashKeyOutcome(f"personal-data hash key unchanged ({HASH_KEY_VARIABLE})")
    return HashKeyOutcome(f"personal-data hash key stored from {HASH_KEY_VARIABLE}; e-mail hashes follow it next build")


def _keep(cursor: psycopg2.extensions.cursor) -> HashKeyOutcome:
    cursor.execute("select to_regclass('governance.pii_hash_key') is not null")
    exists = one_row(cursor)[0]
    if exists:
        cursor.execute("select is_development_key from governance.pii_hash_key")
        row = cursor.fetchone()
        if row is not None and not row[0]:
            return HashKeyOutcome(f"{HASH_KEY_VARIABLE} not set: keeping the stored personal-data hash key")
    return HashKeyOutcome(
        f"{HASH_KEY_VARIABLE} is not set: e-mail hashes use the public development key. Set it to a secret "
        f"of {MIN_KEY_LENGTH} or more random characters anywhere but a development machine.",
        is_warning=True,
    )
