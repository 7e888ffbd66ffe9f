"""The export loader against a real PostgreSQL: what lands in raw.orders_export, and what is refused; and the
DuckDB loader, which must land the same rows in a DuckDB file."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Literal

import duckdb
import pytest
from conftest import query

from orders_warehouse import duckdb_loader, loader
from orders_warehouse.loader import (
    COPY_CHUNK_BYTES,
    EXPORT_COLUMNS,
    ExportRefused,
    LoadOutcome,
    LoadResult,
    Refusal,
    load_files,
)
from orders_warehouse.settings import ConnectionSettings

ITEMS = json.dumps(
    [
        {
            "sku": "SKU-1",
            "name": "Mug",
            "brand": "Acme",
            "category": "Kitchen",
            "unit_price": 9.5,
            "quantity": 2,
        }
    ]
)


def export_row(number: int, **overrides: str) -> dict[str, str]:
    """One contract-shaped export row; ``overrides`` replace fields."""
    row = {
        "submission_id": f"S{number:05d}",
        "order_id": f"O{number:05d}",
        "submitted_at": "2024-03-05T14:03:11Z",
        "order_status": "shipped",
        "customer_id": f"C{number}",
        "customer_name": "Ada Lovelace",
        "customer_email": "ada@example.com",
        "customer_city": "London",
        "customer_postal_code": "NW1 6XE",
        "customer_country": "GB",
        "store_id": "ST1",
        "store_name": "Downtown",
        "store_city": "New York",
        "store_postal_code": "10001",
        "store_country": "US",
        "store_timezone": "America/New_York",
        "currency": "USD",
        "prices_include_tax": "true",
        "tax_rate": "0.0725",
        "fulfillment_time": "86400",
        "order_items": ITEMS,
    }
    row.update(overrides)
    return row


Quoting = Literal[0, 1, 2, 3]  # csv.QUOTE_MINIMAL, QUOTE_ALL, QUOTE_NONNUMERIC, QUOTE_NONE


def all_loaded(outcomes: list[LoadOutcome]) -> list[LoadResult]:
    """The outcomes of a batch that loads every file (a refusal fails the test)."""
    results = [outcome for outcome in outcomes if isinstance(outcome, LoadResult)]
    assert len(results) == len(outcomes), outcomes
    return results


def write_export(
    path: Path, rows: list[dict[str, str]], columns: list[str] | None = None, quoting: Quoting = csv.QUOTE_MINIMAL
) -> Path:
    """Write rows as a CSV export with the given header (the contract's columns by default)."""
    columns = columns or list(EXPORT_COLUMNS)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(
            stream, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n", quoting=quoting
        )
        writer.writeheader()
        writer.writerows(rows)
    return path


def raw_rows(settings: ConnectionSettings, columns: str = "*") -> list[tuple]:
    return query(settings, f"select {columns} from raw.orders_export order by _row_id")


def count(settings: ConnectionSettings, table: str = "raw.orders_export") -> int:
    return query(settings, f"select count(*) from {table}")[0][0]


def test_loads_every_row_unchanged(fresh_database: ConnectionSettings, tmp_path: Path) -> None:
    rows = [export_row(1), export_row(2, customer_name="  LOVELACE,  ada ", order_status=" Shipped ")]
    path = write_export(tmp_path / "orders_export_001.csv", rows)

    [result] = all_loaded(load_files([path], fresh_database))

    assert not result.skipped
    assert result.rows == 2
    assert result.describe() == "loaded 2 rows from orders_export_001.csv"
    loaded = raw_rows(fresh_database, ", ".join(EXPORT_COLUMNS))
    assert loaded == [tuple(row[c] for c in EXPORT_COLUMNS) for row in rows]
    assert query(fresh_database, "select distinct _file_name from raw.orders_export") == [("orders_export_001.csv",)]
    assert query(fresh_database, "select file_name, row_count from raw.export_files") == [("orders_export_001.csv", 2)]


def test_raw_table_columns_follow_the_contract(fresh_database: ConnectionSettings, tmp_path: Path) -> None:
    load_files([write_export(tmp_path / "a.csv", [])], fresh_database)

    columns = query(
        fresh_database,
        "select column_name from information_schema.columns"
        " where table_schema = 'raw' and table_name = 'orders_export' order by ordinal_position",
    )
    assert [c for (c,) in columns] == ["_row_id", *EXPORT_COLUMNS, "_file_name", "_loaded_at"]


def test_loading_the_same_file_twice_skips_it(fresh_database: ConnectionSettings, tmp_path: Path) -> None:
    path = write_export(tmp_path / "orders_export_001.csv", [export_row(1), export_row(2)])
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(path.read_bytes())

    first, second, third = all_loaded(load_files([path, path, copy], fresh_database))

    assert not first.skipped and first.rows == 2
    assert second.skipped and third.skipped
    assert second.describe().startswith("skipped orders_export_001.csv: already loaded (same content) on ")
    assert "as orders_export_001.csv" in third.describe()
    assert count(fresh_database) == 2
    assert count(fresh_database, "raw.export_files") == 1
    [again] = all_loaded(load_files([path], fresh_database))
    assert again.skipped and count(fresh_database) == 2


def test_columns_in_another_order_land_in_the_right_columns(fresh_database: ConnectionSettings, tmp_path: Path) -> None:
    columns = list(reversed(EXPORT_COLUMNS))
    row = export_row(7)
    load_files([write_export(tmp_path / "reordered.csv", [row], columns)], fresh_database)

    assert raw_rows(fresh_database, ", ".join(EXPORT_COLUMNS)) == [tuple(row[c] for c in EXPORT_COLUMNS)]


def test_header_names_are_trimmed_and_lowercased(fresh_database: ConnectionSettings, tmp_path: Path) -> None:
    path = tmp_path / "shouting.csv"
    body = io.StringIO()
    csv.writer(body).writerow(export_row(1).values())
    header = ",".join(f" {c.upper()} " for c in EXPORT_COLUMNS)
    path.write_bytes(("\ufeff" + header + "\r\n" + body.getvalue()).encode())

    [result] = all_loaded(load_files([path], fresh_database))

    assert result.rows == 1
    assert raw_rows(fresh_database, "submission_id, order_items") == [("S00001", ITEMS)]


def test_file_without_prices_include_tax_loads_nulls(fresh_database: ConnectionSettings, tmp_path: Path) -> None:
    columns = [c for c in EXPORT_COLUMNS if c != "prices_include_tax"]
    load_files([write_export(tmp_path / "old.csv", [export_row(1), export_row(2)], columns)], fresh_database)

    assert raw_rows(fresh_database, "order_id, prices_include_tax") == [("O00001", None), ("O00002", None)]


def test_header_missing_a_required_column_is_refused(fresh_database: ConnectionSettings, tmp_path: Path) -> None:
    good = write_export(tmp_path / "good.csv", [export_row(1)])
    load_files([good], fresh_database)
    columns = [c for c in EXPORT_COLUMNS if c not in ("order_id", "currency")]
    bad = write_export(tmp_path / "no_order_id.csv", [export_row(2)], columns)

    [refused] = load_files([bad], fresh_database)

    assert refused == Refusal("no_order_id.csv", "the header lacks required columns: order_id, currency")
    assert count(fresh_database) == 1
    assert query(fresh_database, "select file_name from raw.export_files") == [("good.csv",)]


def test_a_refused_header_does_not_stop_the_batch(fresh_database: ConnectionSettings, tmp_path: Path) -> None:
    good = write_export(tmp_path / "good.csv", [export_row(1)])
    duplicated = write_export(tmp_path / "twice.csv", [export_row(2)], [*EXPORT_COLUMNS, "order_id"])
    after = write_export(tmp_path / "after.csv", [export_row(3)])

    first, refused, last = load_files([good, duplicated, after], fresh_database)

    assert refused == Refusal("twice.csv", "duplicated columns in the header: order_id")
    assert isinstance(first, LoadResult) and isinstance(last, LoadResult)
    assert refused.describe() == "refused twice.csv: duplicated columns in the header: order_id"
    assert (first.rows, last.rows) == (1, 1)
    assert raw_rows(fresh_database, "submission_id, _file_name") == [("S00001", "good.csv"), ("S00003", "after.csv")]


def test_unknown_extra_column_is_ignored_with_a_warning(
    fresh_database: ConnectionSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    columns = ["coupon_code", *EXPORT_COLUMNS[:5], "Loyalty_Tier", *EXPORT_COLUMNS[5:]]
    rows = [export_row(1, coupon_code="SAVE10", Loyalty_Tier="gold"), export_row(2)]
    path = write_export(tmp_path / "extra.csv", rows, columns)
    path.write_text(path.read_text().replace("Loyalty_Tier", "loyalty_tier", 1))

    [result] = all_loaded(load_files([path], fresh_database))

    assert result.rows == 2
    assert result.ignored_columns == ("coupon_code", "loyalty_tier")
    assert "coupon_code" in capsys.readouterr().err
    loaded = raw_rows(fresh_database, ", ".join(EXPORT_COLUMNS))
    assert loaded == [tuple(row[c] for c in EXPORT_COLUMNS) for row in rows]
    assert query(fresh_database, "select distinct _file_name from raw.orders_export") == [("extra.csv",)]


def test_invalid_utf8_is_refused_and_nothing_loads(fresh_database: ConnectionSettings, tmp_path: Path) -> None:
    path = write_export(tmp_path / "latin1.csv", [export_row(1), export_row(2)])
    path.write_bytes(path.read_bytes() + "O'Br\xe9\n".encode("latin-1"))
    path.write_bytes(path.read_bytes().replace(b"Ada Lovelace", "Ad\xe9 Lovelace".encode("latin-1")))

    [refused] = load_files([path], fresh_database)

    assert isinstance(refused, Refusal) and refused.file_name == "latin1.csv" and "UTF8" in refused.reason
    assert count(fresh_database) == 0
    assert count(fresh_database, "raw.export_files") == 0


def test_malformed_csv_is_refused(fresh_database: ConnectionSettings, tmp_path: Path) -> None:
    path = write_export(tmp_path / "ragged.csv", [export_row(1)])
    path.write_bytes(path.read_bytes() + b"only,three,fields\r\n")

    [refused] = load_files([path], fresh_database)

    assert isinstance(refused, Refusal)
    assert refused.file_name == "ragged.csv" and refused.reason.startswith("PostgreSQL refused it: missing data")
    assert count(fresh_database) == 0


@pytest.mark.parametrize("quoting", [csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
def test_quotes_commas_and_newlines_round_trip(
    fresh_database: ConnectionSettings, tmp_path: Path, quoting: Quoting
) -> None:
    tricky = {
        "customer_name": 'Smith, "Jo"\r\nsecond line\nthird',
        "customer_city": "  ",
        "order_items": '[{"sku": "A,B", "name": "say \\"hi\\"", "unit_price": "1.50", "quantity": "1"}]',
    }
    rows = [export_row(1, **tricky), export_row(2)]
    [result] = all_loaded(load_files([write_export(tmp_path / "tricky.csv", rows, quoting=quoting)], fresh_database))

    assert result.rows == 2
    assert raw_rows(fresh_database, ", ".join(EXPORT_COLUMNS)) == [tuple(r[c] for c in EXPORT_COLUMNS) for r in rows]


@pytest.mark.parametrize("quoting", [csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
def test_empty_fields_load_as_null(fresh_database: ConnectionSettings, tmp_path: Path, quoting: Quoting) -> None:
    row = export_row(1, customer_id="", customer_email="", tax_rate="", store_city=" ")
    load_files([write_export(tmp_path / "guest.csv", [row], quoting=quoting)], fresh_database)

    loaded = raw_rows(fresh_database, "customer_id, customer_email, tax_rate, store_city")
    assert loaded == [(None, None, None, " ")]


def test_header_only_file_loads_zero_rows(fresh_database: ConnectionSettings, tmp_path: Path) -> None:
    [result] = all_loaded(load_files([write_export(tmp_path / "empty.csv", [])], fresh_database))

    assert result.rows == 0 and not result.skipped
    assert result.describe() == "loaded 0 rows from empty.csv"
    assert query(fresh_database, "select file_name, row_count from raw.export_files") == [("empty.csv", 0)]


def test_zero_byte_file_is_refused(fresh_database: ConnectionSettings, tmp_path: Path) -> None:
    path = tmp_path / "nothing.csv"
    path.write_bytes(b"")

    assert load_files([path], fresh_database) == [Refusal("nothing.csv", "it has no header row")]


def test_each_file_is_recorded_with_its_own_sha256(fresh_database: ConnectionSettings, tmp_path: Path) -> None:
    """The hashes come from a background thread: each file must get its own, and skipping must still follow them."""
    first = write_export(tmp_path / "a.csv", [export_row(1)])
    same_size = write_export(tmp_path / "b.csv", [export_row(2)])  # as long as a.csv, other content
    assert first.stat().st_size == same_size.stat().st_size and first.read_bytes() != same_size.read_bytes()
    copy = tmp_path / "a_again.csv"
    copy.write_bytes(first.read_bytes())
    last = write_export(tmp_path / "c.csv", [export_row(3), export_row(4)])

    results = all_loaded(load_files([first, same_size, copy, last], fresh_database))

    digests = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in (first, same_size, copy, last)}
    assert [(r.file_name, r.skipped, r.rows, r.file_sha256) for r in results] == [
        ("a.csv", False, 1, digests["a.csv"]),
        ("b.csv", False, 1, digests["b.csv"]),
        ("a_again.csv", True, 1, digests["a.csv"]),
        ("c.csv", False, 2, digests["c.csv"]),
    ]
    assert results[2].previous_name == "a.csv"
    recorded = query(fresh_database, "select file_name, file_sha256 from raw.export_files order by file_name")
    assert recorded == [(name, digests[name]) for name in ("a.csv", "b.csv", "c.csv")]
    assert raw_rows(fresh_database, "submission_id, _file_name") == [
        ("S00001", "a.csv"),
        ("S00002", "b.csv"),
        ("S00003", "c.csv"),
        ("S00004", "c.csv"),
    ]
    [again] = all_loaded(load_files([same_size], fresh_database))
    assert again.skipped and count(fresh_database) == 4


def test_rows_spanning_copy_chunks_load_unchanged_and_in_order(
    fresh_database: ConnectionSettings, tmp_path: Path
) -> None:
    """A file of several COPY chunks, with quoted newlines and quotes cut at the chunk boundaries somewhere."""
    rows = [
        export_row(
            number, customer_name=f'Name "{number}"\r\n' + "x" * (number % 97), customer_city=",\n" * (1 + number % 5)
        )
        for number in range(1, 1501)
    ]
    first = write_export(tmp_path / "first.csv", rows[:1000])
    second = write_export(tmp_path / "second.csv", rows[1000:])
    assert first.stat().st_size > 3 * COPY_CHUNK_BYTES

    assert [result.rows for result in all_loaded(load_files([first, second], fresh_database))] == [1000, 500]

    loaded = raw_rows(fresh_database, ", ".join(EXPORT_COLUMNS))
    assert loaded == [tuple(row[c] for c in EXPORT_COLUMNS) for row in rows]


def test_a_file_refused_mid_copy_loads_nothing_and_the_batch_goes_on(
    fresh_database: ConnectionSettings, tmp_path: Path
) -> None:
    good = write_export(tmp_path / "good.csv", [export_row(1)])
    ragged = write_export(tmp_path / "ragged.csv", [export_row(2)])
    ragged.write_bytes(ragged.read_bytes() + b"only,three,fields\r\n")
    after = write_export(tmp_path / "after.csv", [export_row(3)])

    outcomes = load_files([good, ragged, after], fresh_database)

    assert [type(outcome) for outcome in outcomes] == [LoadResult, Refusal, LoadResult]
    assert query(fresh_database, "select file_name from raw.export_files order by 1") == [("after.csv",), ("good.csv",)]
    assert raw_rows(fresh_database, "submission_id") == [("S00001",), ("S00003",)]


def test_a_file_that_cannot_be_hashed_is_refused_at_its_turn(
    fresh_database: ConnectionSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashing happens while earlier files load: a file unreadable by then is refused at its turn, the rest load."""
    paths = [write_export(tmp_path / f"{name}.csv", [export_row(number)]) for number, name in enumerate("abc", 1)]
    hash_file = loader.file_sha256

    def vanished_b(path: Path) -> str:
        if path.name == "b.csv":
            raise ExportRefused(str(path), "cannot be read: No such file or directory")
        return hash_file(path)

    monkeypatch.setattr(loader, "file_sha256", vanished_b)

    first, refused, last = load_files(paths, fresh_database)

    assert refused == Refusal(str(paths[1]), "cannot be read: No such file or directory")
    assert (first.file_name, last.file_name) == ("a.csv", "c.csv")
    assert raw_rows(fresh_database, "submission_id") == [("S00001",), ("S00003",)]


def load_command(
    settings: ConnectionSettings, *files: Path, target: str = "dev", **variables: str
) -> subprocess.CompletedProcess[str]:
    """Run ``orders-warehouse load --target <target> FILE...`` (what ``make build`` runs) against ``settings``."""
    environment = {
        **os.environ,
        "WAREHOUSE_HOST": settings.host,
        "WAREHOUSE_PORT": str(settings.port),
        "WAREHOUSE_USER": settings.user,
        "WAREHOUSE_DB": settings.database,
        **variables,
    }
    command = [sys.executable, "-m", "orders_warehouse.cli", "load", "--target", target, *map(str, files)]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120, check=False)


def test_a_batch_loads_every_good_file_and_refuses_each_bad_one(
    fresh_database: ConnectionSettings, tmp_path: Path
) -> None:
    first = write_export(tmp_path / "good.csv", [export_row(number) for number in range(1, 4)])
    columns = [c for c in EXPORT_COLUMNS if c != "order_id"]
    wrong_header = write_export(tmp_path / "wrong_header.csv", [export_row(10)], columns)
    second = write_export(tmp_path / "also_good.csv", [export_row(number) for number in range(20, 22)])
    first_again = tmp_path / "good_again.csv"
    first_again.write_bytes(first.read_bytes())

    load = load_command(fresh_database, first, wrong_header, second, first_again)

    assert load.returncode != 0, load.stdout
    loaded = query(fresh_database, "select _file_name, count(*) from raw.orders_export group by 1 order by 1")
    assert loaded == [("also_good.csv", 2), ("good.csv", 3)]
    recorded = query(fresh_database, "select file_name, row_count from raw.export_files order by 1")
    assert recorded == [("also_good.csv", 2), ("good.csv", 3)]
    reason = "the header lacks required columns: order_id"
    assert f"refused wrong_header.csv: {reason}" in load.stderr
    assert load.stdout.splitlines()[-1] == (
        f"loaded 2 files (5 rows), skipped 1 already loaded, refused 1: wrong_header.csv ({reason})"
    )

    # The file fixed, the same batch again: the good files are skipped, the fixed one loads, and the load succeeds.
    write_export(wrong_header, [export_row(10)])
    again = load_command(fresh_database, first, wrong_header, second, first_again)

    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == "loaded 1 file (1 row), skipped 3 already loaded"
    assert count(fresh_database) == 6


# --------------------------------------------------------------------------- the DuckDB loader (no server)


def duckdb_raw_rows(path: Path, columns: str) -> list[tuple]:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        return connection.execute(f"select {columns} from raw.orders_export order by _row_id").fetchall()
    finally:
        connection.close()


@pytest.mark.parametrize("quoting", [csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
def test_duckdb_loader_lands_what_the_postgresql_loader_lands(
    fresh_database: ConnectionSettings, tmp_path: Path, quoting: Quoting
) -> None:
    tricky = {
        "customer_name": 'Smith, "Jo"\r\nsecond line\nthird',
        "customer_city": "  ",
        "customer_id": "",
        "order_items": '[{"sku": "A,B", "name": "say \\"hi\\"", "unit_price": "1.50", "quantity": "1"}]',
    }
    rows = [export_row(number) for number in range(1, 40)] + [export_row(40, **tricky), export_row(41)]
    columns = ["coupon_code", *reversed([c for c in EXPORT_COLUMNS if c != "prices_include_tax"])]
    first = write_export(tmp_path / "first.csv", rows[:20], quoting=quoting)
    second = write_export(tmp_path / "second.csv", rows[20:], columns, quoting=quoting)
    warehouse_file = tmp_path / "warehouse.duckdb"

    loaded = all_loaded(duckdb_loader.load_files([first, second], warehouse_file))
    again = all_loaded(duckdb_loader.load_files([second], warehouse_file))
    load_files([first, second], fresh_database)

    assert [(result.rows, result.skipped) for result in loaded + again] == [(20, False), (21, False), (21, True)]
    assert loaded[1].ignored_columns == ("coupon_code",)
    every_column = ", ".join(["_row_id", *EXPORT_COLUMNS, "_file_name"])
    assert duckdb_raw_rows(warehouse_file, every_column) == raw_rows(fresh_database, every_column)
    assert duckdb_raw_rows(warehouse_file, "customer_id, customer_city")[39] == (None, "  ")


def test_duckdb_loader_refuses_malformed_csv_and_keeps_nothing_of_it(tmp_path: Path) -> None:
    path = write_export(tmp_path / "ragged.csv", [export_row(1)])
    path.write_bytes(path.read_bytes() + b"only,three,fields\r\n")
    warehouse_file = tmp_path / "warehouse.duckdb"

    [refused] = duckdb_loader.load_files([path], warehouse_file)

    assert isinstance(refused, Refusal)
    assert refused.file_name == "ragged.csv" and refused.reason.startswith("DuckDB refused it")
    assert duckdb_raw_rows(warehouse_file, "_row_id") == []


def test_a_duckdb_batch_loads_every_good_file_and_refuses_each_bad_one(tmp_path: Path) -> None:
    first = write_export(tmp_path / "good.csv", [export_row(number) for number in range(1, 4)])
    ragged = write_export(tmp_path / "ragged.csv", [export_row(10)])
    ragged.write_bytes(ragged.read_bytes() + b"only,three,fields\r\n")
    wrong_header = write_export(tmp_path / "wrong_header.csv", [export_row(11)], list(EXPORT_COLUMNS[1:]))
    second = write_export(tmp_path / "also_good.csv", [export_row(number) for number in range(20, 22)])
    warehouse_file = tmp_path / "warehouse.duckdb"

    load = load_command(
        ConnectionSettings(),
        *(first, ragged, wrong_header, second),
        target="duckdb",
        WAREHOUSE_DUCKDB_PATH=str(warehouse_file),
    )

    assert load.returncode != 0, load.stdout
    assert "refused ragged.csv: DuckDB refused it" in load.stderr
    assert "refused wrong_header.csv: the header lacks required columns: submission_id" in load.stderr
    summary = load.stdout.splitlines()[-1]
    assert summary == (
        "loaded 2 files (5 rows), refused 2: ragged.csv (DuckDB refused it: Invalid Input Error: CSV Error on Line: 3);"
        " wrong_header.csv (the header lacks required columns: submission_id)"
    )
    loaded = [file_name for (file_name,) in duckdb_raw_rows(warehouse_file, "_file_name")]
    assert loaded == ["good.csv"] * 3 + ["also_good.csv"] * 2
