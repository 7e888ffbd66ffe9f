"""Run one dbt command in this process, running SQL on the warehouse while it runs: given statements right before
a given node starts and others right after it finishes. A test breaks the data that one data test reads, only
while that data test runs, in the middle of a real ``dbt build`` (``DbtProject.run_with_breaks``).

    python break_during_dbt.py '{"<unique_id>": [[<before>, ...], [<after>, ...]], ...}' <dbt arguments>

The warehouse is the PostgreSQL database of the environment (WAREHOUSE_*), as for dbt. Run dbt with one thread,
so that no other node runs while a break holds. Exits 0 when dbt succeeded, 1 when it did not, and 2 when a
statement failed (dbt's result is then of no use).
"""

from __future__ import annotations

import json
import sys
import traceback

import psycopg2
from dbt.cli.main import dbtRunner
from dbt_common.events.base_types import EventMsg

from orders_warehouse.settings import ConnectionSettings


def main(argv: list[str]) -> int:
    breaks: dict[str, list[list[str]]] = json.loads(argv[0])
    settings = ConnectionSettings.from_env()
    failures: list[str] = []

    def execute(statements: list[str]) -> None:
        connection = psycopg2.connect(settings.dsn())
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        finally:
            connection.close()

    def on_event(event: EventMsg) -> None:
        if event.info.name not in ("NodeStart", "NodeFinished"):
            return
        statements = breaks.get(event.data.node_info.unique_id)
        if statements is None:
            return
        try:
            execute(statements[0] if event.info.name == "NodeStart" else statements[1])
        except Exception:  # reported below: the exit code says the run is of no use
            failures.append(traceback.format_exc())

    result = dbtRunner(callbacks=[on_event]).invoke(argv[1:])
    for failure in failures:
        print(f"break_during_dbt: a statement failed:\n{failure}", file=sys.stderr)
    if failures:
        return 2
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
