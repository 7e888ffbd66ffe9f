"""Load raw export files (see the source contract) into the ``raw`` schema, unchanged and idempotently.

Each file is loaded in one transaction with a single streaming ``COPY``: either all of its rows land in
``raw.orders_export`` and the file is recorded in ``raw.export_files``, or nothing of it stays. A file whose
content (SHA-256) is already recorded is skipped, so loading the same file twice duplicates nothing.
Values are loaded exactly as they appear in the file (stray spaces included); cleaning is dbt's job. An empty
field, quoted (``""``) or not, means "no value" in the contract and loads as NULL.

A file that breaks the contract (its header, bad bytes, malformed CSV, unreadable) is refused whole, with its
reason, and the batch goes on: every good file of a batch is loaded, every bad one refused (``summarize`` puts
the batch in one line). The SHA-256 of the files is computed by a background thread, in load order, while the
files before them load (it is needed only when a file's turn comes), so that reading and hashing the files
overlaps the server's work instead of delaying the first ``COPY``.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import psycopg2
from psycopg2 import sql

from orders_warehouse.settings import ConnectionSettings, one_row

#: The columns of the export, in the contract's order (and the order of ``raw.orders_export``).
EXPORT_COLUMNS: tuple[str, ...] = (
    "submission_id",
    "order_id",
    "submitted_at",
    "order_status",
    "customer_id",
    "customer_name",
    "customer_email",
    "customer_city",
    "customer_postal_code",
    "customer_country",
    "store_id",
    "store_name",
    "store_city",
    "store_postal_code",
    "store_country",
    "store_timezone",
    "currency",
    "prices_include_tax",
    "tax_rate",
    "fulfillment_time",
    "order_items",
)
#: Columns older files lack; a missing optional column loads as NULL.
OPTIONAL_COLUMNS: frozenset[str] = frozenset({"prices_include_tax"})
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c for c in EXPORT_COLUMNS if c not in OPTIONAL_COLUMNS)

FILE_NAME_SETTING = "orders_warehouse.file_name"
#: Bytes sent per COPY data message (psycopg2 reads the file in pieces of this size; its default is 8 KiB).
COPY_CHUNK_BYTES = 64 * 1024

_DDL = f"""
create schema if not exists raw;
comment on schema raw is 'Export files as delivered, loaded unchanged by the orders-warehouse loader.';

create table if not exists raw.orders_export (
    _row_id bigint generated always as identity primary key,
    {", ".join(f"{column} text" for column in EXPORT_COLUMNS)},
    _file_name text not null default current_setting('{FILE_NAME_SETTING}'),
    _loaded_at timestamptz not null default now()
);
comment on table raw.orders_export is
    'One row per export row (order-form submission), every field as text exactly as in the file.';
comment on column raw.orders_export._row_id is 'Surrogate key, in load order.';
comment on column raw.orders_export._file_name is 'Base name of the export file the row came from.';
comment on column raw.orders_export._loaded_at is 'When the file was loaded.';
comment on column raw.orders_export.prices_include_tax is 'NULL for files from before the column existed.';

create table if not exists raw.export_files (
    file_name text not null,
    file_sha256 text primary key,
    row_count bigint not null,
    loaded_at timestamptz not null default now()
);
comment on table raw.export_files is
    'One row per loaded export file; a file whose SHA-256 is listed here is skipped.';
comment on column raw.export_files.file_name is 'Base name of the file when it was loaded.';
comment on column raw.export_files.file_sha256 is 'SHA-256 of the file content (hex).';
comment on column raw.export_files.row_count is 'Number of data rows loaded from the file.';
"""


class ExportRefused(Exception):
    """An export file breaks the contract so badly that none of it can be loaded."""

    def __init__(self, file_name: str, reason: str) -> None:
        super().__init__(f"{file_name}: {reason}")
        self.file_name = file_name
        self.reason = reason


@dataclass(frozen=True)
class LoadResult:
    """What happened to one export file."""

    file_name: str
    file_sha256: str
    rows: int
    skipped: bool
    loaded_at: datetime
    previous_name: str | None = None
    ignored_columns: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for people, e.g. ``loaded 2,345 rows from orders_export_001.csv``."""
        if self.skipped:
            same = "" if self.previous_name == self.file_name else f" as {self.previous_name}"
            when = self.loaded_at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
            return f"skipped {self.file_name}: already loaded (same content){same} on {when}"
        noun = "row" if self.rows == 1 else "rows"
        line = f"loaded {self.rows:,} {noun} from {self.file_name}"
        if self.ignored_columns:
            line += f" (ignored unknown columns: {_names(self.ignored_columns)})"
        return line


@dataclass(frozen=True)
class Refusal:
    """An export file that was refused: nothing of it was loaded."""

    file_name: str
    reason: str

    def describe(self) -> str:
        """One line for people, e.g. ``refused a.csv: the header lacks required columns: order_id``."""
        return f"refused {self.file_name}: {self.reason}"


#: What happened to one file of a batch: loaded, skipped (a LoadResult) or refused.
LoadOutcome = LoadResult | Refusal


_Export = TypeVar("_Export")


def load_each(exports: Iterable[_Export], load_one: Callable[[_Export], LoadResult]) -> list[LoadOutcome]:
    """Run ``load_one`` on every export in order; a file it refuses becomes a Refusal and the batch goes on."""
    outcomes: list[LoadOutcome] = []
    for export in exports:
        try:
            outcomes.append(load_one(export))
        except ExportRefused as refused:
            outcomes.append(Refusal(refused.file_name, refused.reason))
    return outcomes


def summarize(outcomes: Sequence[LoadOutcome]) -> str:
    """The batch in one line: ``loaded 2 files (5 rows), skipped 1 already loaded, refused 1: a.csv (why)``."""
    loaded = [o for o in outcomes if isinstance(o, LoadResult) and not o.skipped]
    skipped = sum(isinstance(o, LoadResult) and o.skipped for o in outcomes)
    refused = [o for o in outcomes if isinstance(o, Refusal)]
    parts = [f"loaded {_count(len(loaded), 'file')} ({_count(sum(o.rows for o in loaded), 'row')})"]
    if skipped:
        parts.append(f"skipped {skipped:,} already loaded")
    if refused:
        # One line: a reason's first line names it (DuckDB's go on with the whole reader configuration).
        reasons = (f"{r.file_name} ({r.reason.strip().splitlines()[0]})" for r in refused)
        parts.append(f"refused {len(refused):,}: " + "; ".join(reasons))
    return ", ".join(parts)


@dataclass(frozen=True)
class _ExportFile:
    """An export file whose header has been checked."""

    path: Path
    sha256: str
    header: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def unknown_columns(self) -> tuple[str, ...]:
        return tuple(column for column in self.header if column not in EXPORT_COLUMNS)


def load_files(paths: Sequence[Path], settings: ConnectionSettings) -> list[LoadOutcome]:
    """Load export files in order, each in its own transaction; one outcome per file, in order.

    A refused file (its header, bad bytes, malformed CSV, unreadable) loads nothing and the next file loads;
    only a problem with the server (it cannot be reached, say) stops the batch, raising psycopg2's error.
    """
    files = [Path(path) for path in paths]
    hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-sha256")
    try:
        # Every file is hashed, even one whose header is then refused: rare, and off the loading thread.
        digests = [hasher.submit(file_sha256, path) for path in files]
        connection = psycopg2.connect(settings.dsn())
        try:
            ensure_raw_tables(connection)
            exports = zip(files, digests, strict=True)
            return load_each(exports, lambda export: _load_file(connection, _checked_file(*export)))
        finally:
            connection.close()
    finally:
        hasher.shutdown(cancel_futures=True)


def _checked_file(path: Path, digest: Future[str]) -> _ExportFile:
    header = read_checked_header(path)
    return _ExportFile(path=path, sha256=digest.result(), header=header)


def ensure_raw_tables(connection: psycopg2.extensions.connection) -> None:
    """Create the raw schema and tables if they do not exist yet."""
    with connection, connection.cursor() as cursor:
        cursor.execute("select to_regclass('raw.orders_export'), to_regclass('raw.export_files')")
        if None in one_row(cursor):
            cursor.execute(_DDL)


def inspect_file(path: Path) -> _ExportFile:
    """Check a file's header against the contract and hash it; raise ExportRefused if it breaks it."""
    header = read_checked_header(path)
    return _ExportFile(path=path, sha256=file_sha256(path), header=header)


def read_checked_header(path: Path) -> tuple[str, ...]:
    """The file's header (trimmed, lowercased names), checked against the contract; ExportRefused if it breaks it."""
    try:
        with path.open("rb") as stream:
            header = _read_header(path.name, stream)
    except OSError as error:
        raise _unreadable(path, error) from error
    _check_header(path.name, header)
    return header


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file's content, in hex."""
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError as error:
        raise _unreadable(path, error) from error


def _unreadable(path: Path, error: OSError) -> ExportRefused:
    return ExportRefused(str(path), f"cannot be read: {error.strerror or error}")


def _decoded_lines(name: str, stream: Iterator[bytes]) -> Iterator[str]:
    for number, raw_line in enumerate(stream, start=1):
        try:
            yield raw_line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            raise ExportRefused(name, f"the header row is not valid UTF-8 ({error.reason})") from error


def _read_header(name: str, stream: Iterator[bytes]) -> tuple[str, ...]:
    """The header's column names, trimmed and lowercased (reads only the header record)."""
    try:
        row = next(csv.reader(_decoded_lines(name, stream), strict=True))
    except StopIteration:
        row = []
    except csv.Error as error:
        raise ExportRefused(name, f"the header row is not valid CSV ({error})") from error
    if not any(cell.strip() for cell in row):
        raise ExportRefused(name, "it has no header row")
    return tuple(cell.strip().lower() for cell in row)


def _check_header(name: str, header: tuple[str, ...]) -> None:
    duplicated = sorted(column for column, count in Counter(header).items() if count > 1)
    if duplicated:
        raise ExportRefused(name, f"duplicated columns in the header: {_names(duplicated)}")
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ExportRefused(name, f"the header lacks required columns: {', '.join(missing)}")


def _load_file(connection: psycopg2.extensions.connection, export: _ExportFile) -> LoadResult:
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "insert into raw.export_files (file_name, file_sha256, row_count) values (%s, %s, 0)"
            " on conflict (file_sha256) do nothing returning loaded_at",
            (export.name, export.sha256),
        )
        inserted = cursor.fetchone()
        if inserted is None:
            return _already_loaded(cursor, export)
        if export.unknown_columns:
            _warn(f"{export.name}: ignoring unknown columns: {_names(export.unknown_columns)}")
        cursor.execute("select set_config(%s, %s, true)", (FILE_NAME_SETTING, export.name))
        rows = _copy_rows(cursor, export)
        cursor.execute("update raw.export_files set row_count = %s where file_sha256 = %s", (rows, export.sha256))
    return LoadResult(
        file_name=export.name,
        file_sha256=export.sha256,
        rows=rows,
        skipped=False,
        loaded_at=inserted[0],
        ignored_columns=export.unknown_columns,
    )


def _already_loaded(cursor: psycopg2.extensions.cursor, export: _ExportFile) -> LoadResult:
    cursor.execute(
        "select file_name, row_count, loaded_at from raw.export_files where file_sha256 = %s",
        (export.sha256,),
    )
    previous_name, rows, loaded_at = one_row(cursor)
    return LoadResult(
        file_name=export.name,
        file_sha256=export.sha256,
        rows=rows,
        skipped=True,
        loaded_at=loaded_at,
        previous_name=previous_name,
    )


def _copy_rows(cursor: psycopg2.extensions.cursor, export: _ExportFile) -> int:
    """COPY the file's rows (streaming); return how many landed in raw.orders_export."""
    try:
        if export.unknown_columns:
            return _copy_through_staging(cursor, export)
        return _copy(cursor, export, sql.Identifier("raw", "orders_export"), export.header)
    except psycopg2.DataError as error:
        raise ExportRefused(export.name, f"PostgreSQL refused it: {_describe_error(error)}") from error


def _copy(
    cursor: psycopg2.extensions.cursor, export: _ExportFile, table: sql.Composable, columns: Sequence[str]
) -> int:
    column_list = sql.SQL(", ").join(map(sql.Identifier, columns))
    statement = sql.SQL(
        "copy {} ({}) from stdin with (format csv, header true, encoding 'UTF8', force_null ({}))"
    ).format(table, column_list, column_list)
    with export.path.open("rb") as stream:
        cursor.copy_expert(statement, stream, size=COPY_CHUNK_BYTES)
    return cursor.rowcount


def _copy_through_staging(cursor: psycopg2.extensions.cursor, export: _ExportFile) -> int:
    """COPY every column of the file into a temporary table, then keep the known columns only."""
    staging_columns = [f"c{position}" for position in range(1, len(export.header) + 1)]
    cursor.execute(
        sql.SQL("create temporary table export_staging ({}) on commit drop").format(
            sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in staging_columns)
        )
    )
    _copy(cursor, export, sql.Identifier("export_staging"), staging_columns)
    pairs = zip(export.header, staging_columns, strict=True)
    known = [(column, staged) for column, staged in pairs if column in EXPORT_COLUMNS]
    cursor.execute(
        sql.SQL("insert into raw.orders_export ({}) select {} from export_staging").format(
            sql.SQL(", ").join(sql.Identifier(column) for column, _ in known),
            sql.SQL(", ").join(sql.Identifier(staged) for _, staged in known),
        )
    )
    return cursor.rowcount


def _describe_error(error: psycopg2.Error) -> str:
    diag = error.diag
    message = diag.message_primary or str(error).strip()
    return f"{message} ({diag.context.strip()})" if diag.context else message


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def _names(columns: Sequence[str]) -> str:
    return ", ".join(column or "(unnamed)" for column in columns)


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)
