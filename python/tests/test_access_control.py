"""Who reads what: the three roles, logged in for real, against every table and view of the built sample.

- ``analyst`` reads the marts, and nothing else;
- ``data_scientist`` reads ml and the marts without personal columns (every mart but dim_customers);
- ``loader`` appends to raw.orders_export and keeps raw.export_files, and reads nothing else.
A denied read is an error (``permission denied``), which the tests expect. The marts and the feature table
hold no e-mail address or name in clear text; ``dim_customers.email_hash`` is an HMAC-SHA256 with the key kept
in the warehouse, which never reaches dbt's artifacts.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import re
import secrets
import subprocess
from pathlib import Path

import psycopg2
import pytest
from dbt_project import BIN_DIR, PROJECT_ROOT, DbtProject
from warehouse_access import WAREHOUSE_ROLES, connect, contains, fetch, find_text, member_login, relations, text_values

from orders_warehouse import governance, loader
from orders_warehouse.server import LocalServer
from orders_warehouse.settings import ConnectionSettings

MARTS = {"dim_customers", "dim_date", "dim_items", "dim_stores", "fct_order_items", "rpt_daily_revenue"}
PERSONAL_MARTS = {"dim_customers"}
EMAIL_PATTERN = r"[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+"


def expected_readable(role: str, schema: str, name: str, personal: set[tuple[str, str]]) -> bool:
    """The access policy, written independently of the grants that implement it; ``personal`` are the tables
    with columns the YAML tags as personal."""
    if role == "analyst":
        return schema == "marts"
    if role == "data_scientist":
        return schema == "ml" or (schema == "marts" and (schema, name) not in personal)
    return (schema, name) == ("raw", "export_files")


def can_read(connection: psycopg2.extensions.connection, schema: str, name: str) -> bool:
    """Read one row; False when PostgreSQL refuses (the error every denied read must raise)."""
    statement = psycopg2.sql.SQL("select * from {} limit 1").format(psycopg2.sql.Identifier(schema, name))
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
            cursor.fetchall()
        return True
    except psycopg2.errors.InsufficientPrivilege:
        return False


def test_roles_are_group_roles_the_build_creates(sample_warehouse: DbtProject) -> None:
    rows = fetch(
        sample_warehouse.settings,
        "select rolname, rolcanlogin, rolsuper, rolcreaterole from pg_roles where rolname = any(%s) order by 1",
        (list(WAREHOUSE_ROLES),),
    )
    assert rows == [(role, False, False, False) for role in sorted(WAREHOUSE_ROLES)]


@pytest.mark.parametrize("role", WAREHOUSE_ROLES)
def test_each_role_reads_exactly_what_the_policy_allows(
    sample_warehouse: DbtProject, test_server: LocalServer, role: str
) -> None:
    every_relation = relations(sample_warehouse.settings)
    schemas = {schema for schema, _ in every_relation}
    assert {"raw", "staging", "intermediate", "vault", "marts", "ml", "snapshots", "governance"} <= schemas
    with member_login(test_server, sample_warehouse.settings, role) as login:
        connection = connect(login)
        try:
            actual = {(schema, name): can_read(connection, schema, name) for schema, name in every_relation}
        finally:
            connection.close()
    personal = set(fetch(sample_warehouse.settings, "select table_schema, table_name from governance.personal_columns"))
    assert ("marts", "dim_customers") in personal
    expected = {relation: expected_readable(role, *relation, personal) for relation in every_relation}
    wrong = {relation: allowed for relation, allowed in actual.items() if allowed != expected[relation]}
    assert not wrong, f"{role} can read (True) or cannot read (False), against the policy: {wrong}"
    readable = {name for (schema, name), allowed in actual.items() if allowed and schema == "marts"}
    if role == "analyst":
        assert readable >= MARTS
    elif role == "data_scientist":
        assert readable >= MARTS - PERSONAL_MARTS and not readable & PERSONAL_MARTS
    else:
        assert not readable


def test_no_role_can_compute_the_personal_data_hash(sample_warehouse: DbtProject, test_server: LocalServer) -> None:
    """Hashing a guessed e-mail would undo the hash: only the build user may call the function or see the key."""
    for role in WAREHOUSE_ROLES:
        with member_login(test_server, sample_warehouse.settings, role) as login:
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                fetch(login, "select governance.pii_hash('someone@example.com')")
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                fetch(login, "select hash_key from governance.pii_hash_key")


def test_loader_appends_exports_and_can_do_nothing_else(
    sample_copy: DbtProject, test_server: LocalServer, tmp_path: Path
) -> None:
    export = tmp_path / "orders_export_loader_role.csv"
    with export.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(loader.EXPORT_COLUMNS))
        writer.writeheader()
        writer.writerow({**dict.fromkeys(loader.EXPORT_COLUMNS, ""), "submission_id": "ROLE-1", "order_id": "R-1"})
    [(before,)] = fetch(sample_copy.settings, "select count(*) from raw.orders_export")
    with member_login(test_server, sample_copy.settings, "loader") as login:
        [result] = loader.load_files([export], login)
        assert isinstance(result, loader.LoadResult) and result.rows == 1 and not result.skipped
        [again] = loader.load_files([export], login)
        assert isinstance(again, loader.LoadResult) and again.skipped
        for statement in (
            "select count(*) from raw.orders_export",
            "delete from raw.orders_export",
            "create table raw.anything (id integer)",
            "select count(*) from staging.stg_orders_export__orders",
            "insert into marts.dim_items (item_key) values ('x')",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                fetch(login, statement)
    [(after,)] = fetch(sample_copy.settings, "select count(*) from raw.orders_export")
    assert after == before + 1


def test_what_analysts_and_data_scientists_read_holds_no_email_or_name(sample_warehouse: DbtProject) -> None:
    settings = sample_warehouse.settings
    names = fetch(settings, "select distinct lower(first_name), lower(last_name) from intermediate.int_customers")
    full_names = [f"{first} {last}" for first, last in names if first and last]
    full_names += [f"{last}, {first}" for first, last in names if first and last]
    assert len(full_names) > 200
    values = text_values(settings, ["marts", "ml"])
    assert len(values) > 100
    assert not [value for value in values if re.search(EMAIL_PATTERN, value)]
    assert not [(value, name) for value in values for name in full_names if name in value]


def test_email_hash_is_an_hmac_of_the_email_with_the_stored_key(sample_warehouse: DbtProject) -> None:
    settings = sample_warehouse.settings
    [(key,)] = fetch(settings, "select hash_key from governance.pii_hash_key")
    rows = fetch(
        settings,
        "select customers.email, dims.email_hash from marts.dim_customers as dims"
        " inner join intermediate.int_customers as customers on dims.customer_id = customers.customer_id",
    )
    assert rows and all(email_hash is not None for email, email_hash in rows if email)
    for email, email_hash in rows:
        expected = hmac.new(key.encode(), email.encode(), hashlib.sha256).hexdigest() if email else None
        assert email_hash == expected
    assert len({email_hash for _, email_hash in rows}) == len({email for email, _ in rows})


def test_hash_key_comes_from_the_environment_and_never_reaches_dbt_artifacts(sample_copy: DbtProject) -> None:
    key = secrets.token_urlsafe(32)
    outcome = governance.set_hash_key(sample_copy.settings, {governance.HASH_KEY_VARIABLE: key})
    assert not outcome.is_warning
    rebuilt = subprocess.run(
        [str(BIN_DIR / "dbt"), "run", "--select", "dim_customers", "--full-refresh"],
        cwd=PROJECT_ROOT,
        env={**sample_copy.environment(), governance.HASH_KEY_VARIABLE: key},
        capture_output=True,
        text=True,
        check=False,
    )
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:]
    [(email, email_hash)] = fetch(
        sample_copy.settings,
        "select customers.email, dims.email_hash from marts.dim_customers as dims"
        " inner join intermediate.int_customers as customers on dims.customer_id = customers.customer_id"
        " where customers.email is not null limit 1",
    )
    assert email_hash == hmac.new(key.encode(), email.encode(), hashlib.sha256).hexdigest()
    leaks = [path for path in sample_copy.work_dir.rglob("*") if path.is_file() and key.encode() in path.read_bytes()]
    assert not leaks, f"the key was written to {leaks}"
    assert find_text(sample_copy.settings, [contains(key)]) == {contains(key).lower(): {"governance.pii_hash_key"}}


def test_hash_key_outside_the_environment_warns_and_a_short_key_is_refused(
    fresh_database: ConnectionSettings,
) -> None:
    assert governance.set_hash_key(fresh_database, {}).is_warning
    with pytest.raises(governance.HashKeyError, match="too short"):
        governance.set_hash_key(fresh_database, {governance.HASH_KEY_VARIABLE: "short"})
    assert not governance.set_hash_key(fresh_database, {governance.HASH_KEY_VARIABLE: "k" * 32}).is_warning
    outcome = governance.set_hash_key(fresh_database, {})
    assert not outcome.is_warning and "keeping the stored" in outcome.message


def test_personal_columns_are_registered_for_every_layer(sample_warehouse: DbtProject) -> None:
    registered = set(
        fetch(
            sample_warehouse.settings, "select table_schema, table_name, column_name from governance.personal_columns"
        )
    )
    expected = {
        ("raw", "orders_export", "customer_email"),
        ("raw", "orders_export", "customer_name"),
        ("staging", "base_orders_export__submissions", "customer_email"),
        ("staging", "stg_orders_export__orders", "customer_last_name"),
        ("intermediate", "int_customers", "email"),
        ("marts", "dim_customers", "email_hash"),
        ("snapshots", "snp_customers", "email"),
        ("vault", "sat_customer", "email"),
        ("vault", "sat_customer", "hash_diff"),
        ("marts", "obt_orders", "customer_city"),
    }
    assert expected <= registered
    assert not {row for row in registered if row[0] == "ml"}
