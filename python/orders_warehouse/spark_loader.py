"""Load raw export files into the Spark warehouse: the same ``raw`` tables the PostgreSQL loader writes.

``raw.orders_export`` (the export's columns as text, plus ``_row_id`` in load order, ``_file_name`` and
``_loaded_at``) and ``raw.export_files`` (one row per loaded file), parquet tables reached through the Spark
Thrift server, with the PostgreSQL loader's rules: the header is checked first (``loader.inspect_file``), a
file already loaded (same SHA-256) is skipped, columns may come in any order, unknown columns are ignored
with a warning, an empty field is NULL, and ``_row_id`` follows the rows' order in the file.

Spark has no transactions: the rows of a file go first to a loading table, in batches, and then into
``raw.orders_export`` with one ``insert ... select`` (one job: all the file's rows or none), followed by the
file's row in ``raw.export_files``. A crash between those two statements leaves the rows without their file
record; rebuild the warehouse folder from the exports then (``make clean TARGET=spark``).
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pyhive import hive

from orders_warehouse.loader import EXPORT_COLUMNS, ExportRefused, LoadOutcome, LoadResult, inspect_file, load_each
from orders_warehouse.spark_server import DEFAULT_PORT, LISTEN_HOST, PORT_VARIABLE

BATCH_ROWS = 250
LOADING_TABLE = "raw.orders_export__loading"

_DDL = (
    "create database if not exists raw",
    "create table if not exists raw.orders_export ("
    "_row_id bigint, "
    + ", ".join(f"{column} string" for column in EXPORT_COLUMNS)
    + ", _file_name string, _loaded_at timestamp) using parquet",
    "create table if not exists raw.export_files ("
    "file_name string, file_sha256 string, row_count bigint, loaded_at timestamp) using parquet",
)


def spark_port() -> int:
    """The Thrift server's port: ``$WAREHOUSE_SPARK_PORT``, else 10015 (as profiles.yml)."""
    return int(os.environ.get(PORT_VARIABLE, DEFAULT_PORT))


def connect(port: int | None = None) -> hive.Connection:
    """A connection to the local Spark Thrift server (no authentication: it listens on loopback only)."""
    return hive.connect(host=LISTEN_HOST, port=port or spark_port(), username="orders_warehouse", auth="NONE")


def load_files(paths: Sequence[Path], port: int | None = None) -> list[LoadOutcome]:
    """Load export files in order into the Spark warehouse on ``port``; a refused file loads nothing and the
    batch goes on (as the PostgreSQL loader)."""
    connection = connect(port)
    try:
        cursor = connection.cursor()
        for statement in _DDL:
            cursor.execute(statement)

        def load_one(export: Path) -> LoadResult:
            checked = inspect_file(export)
            return _load_file(cursor, checked.path, checked.sha256, checked.header)

        return load_each(map(Path, paths), load_one)
    finally:
        connection.close()


def _load_file(cursor: hive.Cursor, path: Path, sha256: str, header: tuple[str, ...]) -> LoadResult:
    cursor.execute(
        f"select file_name, row_count, loaded_at from raw.export_files where file_sha256 = {_literal(sha256)}"
    )
    previous = cursor.fetchone()
    if previous is not None:
        loaded_at = datetime.fromisoformat(str(previous[2])).replace(tzinfo=UTC)
        return LoadResult(path.name, sha256, int(previous[1]), True, loaded_at, previous_name=previous[0])
    unknown = tuple(column for column in header if column not in EXPORT_COLUMNS)
    if unknown:
        print(f"warning: {path.name}: ignoring unknown columns: {', '.join(unknown)}", file=sys.stderr)
    loaded_at = datetime.now(UTC)
    try:
        rows = _stage_rows(cursor, path, header, loaded_at)
    except ExportRefused:
        cursor.execute(f"drop table if exists {LOADING_TABLE}")  # the refused file's rows, staged so far
        raise
    cursor.execute(f"insert into raw.orders_export select * from {LOADING_TABLE}")
    cursor.execute(
        "insert into raw.export_files values ("
        f"{_literal(path.name)}, {_literal(sha256)}, {rows}, {_timestamp(loaded_at)})"
    )
    cursor.execute(f"drop table if exists {LOADING_TABLE}")
    return LoadResult(path.name, sha256, rows, False, loaded_at, ignored_columns=unknown)


def _stage_rows(cursor: hive.Cursor, path: Path, header: tuple[str, ...], loaded_at: datetime) -> int:
    """Write the file's rows, with their ``_row_id``, to the loading table; return how many there are."""
    cursor.execute(f"drop table if exists {LOADING_TABLE}")
    cursor.execute(f"create table {LOADING_TABLE} using parquet as select * from raw.orders_export where false")
    cursor.execute("select coalesce(max(_row_id), 0) from raw.orders_export")
    next_row_id = int(cursor.fetchone()[0]) + 1
    rows = 0
    batch: list[str] = []
    for values in _records(path, header):
        record = [str(next_row_id + rows), *map(_literal, values), _literal(path.name), _timestamp(loaded_at)]
        batch.append(f"({', '.join(record)})")
        rows += 1
        if len(batch) == BATCH_ROWS:
            _insert_batch(cursor, batch)
            batch = []
    if batch:
        _insert_batch(cursor, batch)
    return rows


def _insert_batch(cursor: hive.Cursor, batch: list[str]) -> None:
    cursor.execute(f"insert into {LOADING_TABLE} values {', '.join(batch)}")


def _records(path: Path, header: tuple[str, ...]) -> Iterator[list[str | None]]:
    """Every data row as the export's columns in EXPORT_COLUMNS order (None: empty or absent)."""
    positions = {column: header.index(column) for column in EXPORT_COLUMNS if column in header}
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream, strict=True)
            next(reader, None)
            for line, row in enumerate(reader, start=2):
                if len(row) != len(header):
                    raise ExportRefused(path.name, f"record {line} has {len(row)} fields, the header {len(header)}")
                yield [_field(row, positions.get(column)) for column in EXPORT_COLUMNS]
    except (UnicodeDecodeError, csv.Error) as error:
        raise ExportRefused(path.name, f"not valid UTF-8 CSV ({error})") from error


def _field(row: list[str], position: int | None) -> str | None:
    if position is None or row[position] == "":
        return None
    return row[position]


def _literal(value: str | None) -> str:
    """A Spark SQL string literal (backslash escapes), or NULL."""
    if value is None:
        return "null"
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return f"'{escaped}'"


def _timestamp(moment: datetime) -> str:
    """A timestamp literal in UTC (the server's session time zone)."""
    return f"timestamp'{moment.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S.%f')}'"
