"""Load raw export files into a local DuckDB file: the same ``raw`` tables the PostgreSQL loader writes.

``raw.orders_export`` (the export's columns as text, plus ``_row_id`` in load order, ``_file_name`` and
``_loaded_at``) and ``raw.export_files`` (one row per loaded file), with the same guarantees: the header is
checked first (``loader.inspect_file``), each file loads in one transaction, a file already loaded (same
SHA-256) is skipped, columns may come in any order, unknown columns are ignored with a warning, and an empty
field, quoted or not, is NULL. DuckDB's CSV reader streams the file, every column as text; the connection
runs one thread, so that ``_row_id`` follows the rows' order in the file, as PostgreSQL's ``COPY`` does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orders_warehouse.loader import EXPORT_COLUMNS, ExportRefused, LoadOutcome, LoadResult, inspect_file, load_each
from orders_warehouse.settings import one_row

DEFAULT_PATH = Path(".warehouse") / "warehouse.duckdb"

_DDL = f"""
create schema if not exists raw;
create sequence if not exists raw.orders_export_row_id;
create table if not exists raw.orders_export (
    _row_id bigint primary key default nextval('raw.orders_export_row_id'),
    {", ".join(f"{column} varchar" for column in EXPORT_COLUMNS)},
    _file_name varchar not null,
    _loaded_at timestamptz not null
);
create table if not exists raw.export_files (
    file_name varchar not null,
    file_sha256 varchar primary key,
    row_count bigint not null,
    loaded_at timestamptz not null
);
"""


def duckdb_path() -> Path:
    """The warehouse file: ``$WAREHOUSE_DUCKDB_PATH``, else ``.warehouse/warehouse.duckdb`` (as profiles.yml)."""
    return Path(os.environ.get("WAREHOUSE_DUCKDB_PATH", str(DEFAULT_PATH)))


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (or create) the warehouse file; never download a DuckDB extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), config={"autoinstall_known_extensions": False})


def load_files(paths: Sequence[Path], path: Path | None = None) -> list[LoadOutcome]:
    """Load export files in order into the DuckDB file at ``path``, each in its own transaction; a refused file
    loads nothing and the batch goes on (as the PostgreSQL loader)."""
    connection = connect(path or duckdb_path())
    try:
        connection.execute("set threads = 1")
        connection.execute(_DDL)

        def load_one(export: Path) -> LoadResult:
            checked = inspect_file(export)
            return _load_file(connection, checked.path, checked.sha256, checked.header)

        return load_each(map(Path, paths), load_one)
    finally:
        connection.close()


def _load_file(connection: duckdb.DuckDBPyConnection, path: Path, sha256: str, header: tuple[str, ...]) -> LoadResult:
    previous = connection.execute(
        "select file_name, row_count, loaded_at from raw.export_files where file_sha256 = ?", [sha256]
    ).fetchone()
    if previous is not None:
        return LoadResult(path.name, sha256, previous[1], True, previous[2], previous_name=previous[0])
    unknown = tuple(column for column in header if column not in EXPORT_COLUMNS)
    if unknown:
        print(f"warning: {path.name}: ignoring unknown columns: {', '.join(unknown)}", file=sys.stderr)
    loaded_at = datetime.now(UTC)
    connection.execute("begin transaction")
    try:
        rows = _insert_rows(connection, path, header, loaded_at)
        connection.execute(
            "insert into raw.export_files (file_name, file_sha256, row_count, loaded_at) values (?, ?, ?, ?)",
            [path.name, sha256, rows, loaded_at],
        )
        connection.execute("commit")
    except duckdb.Error as error:
        connection.execute("rollback")
        raise ExportRefused(path.name, f"DuckDB refused it: {error}") from error
    return LoadResult(path.name, sha256, rows, False, loaded_at, ignored_columns=unknown)


def _insert_rows(
    connection: duckdb.DuckDBPyConnection, path: Path, header: tuple[str, ...], loaded_at: datetime
) -> int:
    """Stream the file's rows into raw.orders_export; return how many landed."""
    # The file's own header row is skipped; its columns get the checked (trimmed, lower-cased) names.
    names = [f"c{position}" for position in range(1, len(header) + 1)]
    known = [(column, name) for column, name in zip(header, names, strict=True) if column in EXPORT_COLUMNS]
    columns = ", ".join(column for column, _ in known)
    values = ", ".join(name for _, name in known)
    before = _row_count(connection)
    connection.execute(
        f"insert into raw.orders_export ({columns}, _file_name, _loaded_at) "
        f"select {values}, ?, ? from read_csv(?, header = true, all_varchar = true, "
        "delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = false, "
        "auto_detect = false, columns = ?)",
        [path.name, loaded_at, str(path), {name: "varchar" for name in names}],
    )
    return _row_count(connection) - before


def _row_count(connection: duckdb.DuckDBPyConnection) -> int:
    return int(one_row(connection.execute("select count(*) from raw.orders_export"))[0])
