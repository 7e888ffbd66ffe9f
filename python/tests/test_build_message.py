"""What ``make build`` prints at its end: every schema the build leaves, and example queries that run as printed,
each as the user the message says can run it."""

from __future__ import annotations

import os
import re
import subprocess

import psycopg2
import pytest
from dbt_project import PROJECT_ROOT, DbtProject
from warehouse_access import fetch, member_login

from orders_warehouse.server import LocalServer

# Schemas no build creates: PostgreSQL's and DuckDB's own (each test checks that the build left them empty).
NOT_THE_BUILDS = ("public", "main", "information_schema", "pg_catalog")


def closing_message(target: str, **variables: str) -> str:
    """Run the Makefile's WAREHOUSE_INFO for ``target``, the last step of ``make build``, and return its output."""
    command = ["make", "-s", "--no-print-directory", "--eval", "closing-message: ; $(WAREHOUSE_INFO)"]
    command += ["closing-message", f"TARGET={target}"]
    environment = {**os.environ, **variables}
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def named_schemas(message: str) -> list[str]:
    match = re.search(r"Schemas: ([a-z_]+(?:, [a-z_]+)*)\.", message)
    assert match, message
    return match.group(1).split(", ")


def example_queries(message: str) -> dict[str, list[str]]:
    """The message's SQL statements (indented, from ``select`` to ``;``), by the unindented line introducing them."""
    queries: dict[str, list[str]] = {}
    header = ""
    statement: list[str] = []
    for line in message.splitlines():
        if not line.startswith("  "):
            header = line
        elif statement or line.lstrip().startswith("select "):
            statement.append(line.strip())
            if line.endswith(";"):
                queries.setdefault(header, []).append(" ".join(statement))
                statement = []
    assert not statement, f"an unfinished statement: {statement}"
    return queries


def postgres_message(project: DbtProject) -> str:
    settings = project.settings
    return closing_message(
        "dev",
        WAREHOUSE_HOST=settings.host,
        WAREHOUSE_PORT=str(settings.port),
        WAREHOUSE_USER=settings.user,
        WAREHOUSE_DB=settings.database,
    )


def test_the_message_names_every_schema_the_build_leaves(sample_warehouse: DbtProject) -> None:
    message = postgres_message(sample_warehouse)

    schemas = fetch(
        sample_warehouse.settings,
        "select schema_name from information_schema.schemata"
        " where schema_name not like 'pg\\_%%' and schema_name <> all(%s)",
        (list(NOT_THE_BUILDS),),
    )
    assert sorted(named_schemas(message)) == sorted(schema for (schema,) in schemas)
    assert fetch(
        sample_warehouse.settings, "select count(*) from pg_class where relnamespace = 'public'::regnamespace"
    ) == [(0,)]
    assert len(message.splitlines()) <= 10, message


def test_its_example_queries_run_as_the_users_it_names(sample_warehouse: DbtProject, test_server: LocalServer) -> None:
    settings = sample_warehouse.settings
    queries = example_queries(postgres_message(sample_warehouse))
    [(analysts, analyst_queries), (builders, build_user_queries)] = queries.items()

    assert "analyst" in analysts and len(analyst_queries) == 2, queries
    with member_login(test_server, settings, "analyst") as analyst:
        for statement in analyst_queries:
            assert fetch(analyst, statement), statement
        for statement in build_user_queries:
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                fetch(analyst, statement)
    assert builders.startswith(f"As {settings.user} (the build user)"), builders
    for statement in build_user_queries:
        assert fetch(settings, statement), statement


def test_the_duckdb_message_names_every_schema_the_build_leaves(duckdb_sample_warehouse: DbtProject) -> None:
    project = duckdb_sample_warehouse
    assert project.duckdb_path is not None
    message = closing_message("duckdb", WAREHOUSE_DUCKDB_PATH=str(project.duckdb_path))

    assert str(project.duckdb_path) in message
    in_the_file = "from information_schema.{} where {} = current_database()"
    schemas = project.query(f"select schema_name {in_the_file.format('schemata', 'catalog_name')}")
    tables = project.query(f"select table_schema {in_the_file.format('tables', 'table_catalog')}")
    assert sorted(named_schemas(message)) == sorted(schema for (schema,) in schemas if schema not in NOT_THE_BUILDS)
    assert not [schema for (schema,) in tables if schema in NOT_THE_BUILDS]
