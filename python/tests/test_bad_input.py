"""Broken and hostile export files, loaded one after the other into a copy of the built sample.

Every file is generated here (nothing big is committed) and has one documented outcome:

| file | outcome |
|---|---|
| truncated inside a quoted field | refused: unterminated CSV quoted field |
| truncated in the middle of a row | refused: missing data for a column |
| Latin-1 bytes | refused: invalid byte sequence for UTF-8 |
| UTF-16 | refused: the header row is not valid UTF-8 |
| zero bytes | refused: no header row |
| a NUL byte in a field | refused: invalid byte sequence (PostgreSQL text cannot hold NUL) |
| header only | loaded: 0 rows |
| header with an unknown extra column (named like SQL) | loaded; the column ignored with a warning; order kept |
| a 10 MB customer name | loaded; order kept (the contract sets no limit on names) |
| a 10 MB order_id, a 10 MB sku | loaded; quarantined: oversized_value |
| order_items nested 1,000 deep; a sku that is an object 1,000 deep | loaded; quarantined: malformed_order_items_json |
| control characters in names, store name and item name | loaded; order kept, the characters kept as data |
| a raw control character inside a JSON string | loaded; quarantined: malformed_order_items_json |
| SQL (and Jinja) in every field, and in the file name | loaded; quarantined: unsupported_currency |
| SQL in every free-text field of a valid row | loaded; order kept, the text in the marts verbatim |

A refusal names the file and loads nothing of it. After every file the earlier data is intact, and at the end a
``dbt build`` passes every test, with the sample's orders exactly as before.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from dbt_project import DbtProject
from warehouse_access import failed_nodes, fetch

from orders_warehouse.loader import EXPORT_COLUMNS, Refusal, load_files

TEN_MB = 10 * 1024 * 1024
SQL_TEXT = "x'); drop table raw.orders_export; -- \" $$ \\ {{ run_query('drop schema marts cascade') }}"
SAMPLE_ORDERS = (
    "select md5(string_agg(cast(row(order_item_key, customer_key, item_key, store_key, order_id, quantity,"
    " net_amount, gross_amount, tax_amount, order_date) as text), '|' order by order_item_key)), count(*)"
    " from marts.fct_order_items where order_id not like 'BAD-%%'"
)
SAMPLE_OUTCOMES = (
    "select md5(string_agg(concat_ws(',', raw_row_id, submission_outcome, quarantine_reason), '|'"
    " order by raw_row_id)) from staging.base_orders_export__submissions_triaged where raw_row_id <= %s"
)


def row(number: int, **overrides: str) -> dict[str, str]:
    """A valid export row of a store, a customer and an item of their own (the sample's stay untouched)."""
    items = [
        {"sku": "BAD-SKU", "name": "Mug", "brand": "Acme", "category": "Kitchen", "unit_price": 9.5, "quantity": 2}
    ]
    return {
        **dict.fromkeys(EXPORT_COLUMNS, ""),
        "submission_id": f"BAD-S{number:03d}",
        "order_id": f"BAD-O{number:03d}",
        "submitted_at": "2024-03-05T14:03:11Z",
        "order_status": "shipped",
        "customer_id": f"BAD-C{number:03d}",
        "customer_name": "Ada Lovelace",
        "customer_email": "ada@example.com",
        "customer_country": "GB",
        "store_id": "BAD-STORE",
        "store_name": "Corpus Store",
        "store_country": "US",
        "store_timezone": "America/New_York",
        "currency": "USD",
        "tax_rate": "0.0725",
        "order_items": json.dumps(items),
        **overrides,
    }


def csv_text(rows: list[dict[str, str]], columns: list[str] | None = None) -> str:
    columns = columns or list(EXPORT_COLUMNS)
    lines: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            lines.append(text)

    writer = csv.DictWriter(Sink(), fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return "".join(lines)


def nested(depth: int, innermost: str) -> str:
    return '{"a": ' * depth + innermost + "}" * depth


@dataclass(frozen=True)
class BadFile:
    """A broken export, how to write it, and what must happen to it."""

    name: str
    content: Callable[[], bytes]
    refused: str | None = None  # a regular expression the refusal message matches
    rows: int = 0
    outcomes: dict[str, str] = field(default_factory=dict)  # submission_id -> winning / the quarantine reason


def truncated_inside_a_field() -> bytes:
    text = csv_text([row(1), row(2)])
    return text[: text.rindex('"sku"') + 3].encode()


def truncated_mid_row() -> bytes:
    text = csv_text([row(3)])
    return (text + "BAD-S004,BAD-O004,2024-03-05\r\n").encode()


CORPUS = (
    BadFile("truncated_field.csv", truncated_inside_a_field, refused="unterminated CSV quoted field"),
    BadFile("truncated_row.csv", truncated_mid_row, refused="missing data for column"),
    BadFile(
        "latin1.csv",
        lambda: csv_text([row(5, customer_name="Zoë Brontë")]).encode("latin-1"),
        refused='invalid byte sequence for encoding "UTF8"',
    ),
    BadFile("utf16.csv", lambda: csv_text([row(6)]).encode("utf-16"), refused="header row is not valid UTF-8"),
    BadFile("empty.csv", lambda: b"", refused="has no header row"),
    BadFile(
        "nul_byte.csv",
        lambda: csv_text([row(7, customer_name="Ada\x00Lovelace")]).encode(),
        refused=r'invalid byte sequence for encoding "UTF8": 0x00',
    ),
    BadFile("header_only.csv", lambda: csv_text([]).encode()),
    BadFile(
        "unknown_column.csv",
        lambda: csv_text([{**row(8), SQL_TEXT: SQL_TEXT}], [*EXPORT_COLUMNS, SQL_TEXT]).encode(),
        rows=1,
        outcomes={"BAD-S008": "winning"},
    ),
    BadFile(
        "ten_mb_name.csv",
        lambda: csv_text([row(9, customer_name="Ada " + "x" * TEN_MB)]).encode(),
        rows=1,
        outcomes={"BAD-S009": "winning"},
    ),
    BadFile(
        "ten_mb_ids.csv",
        lambda: csv_text(
            [
                row(10, order_id="O" * TEN_MB),
                row(11, order_items=json.dumps([{"sku": "S" * TEN_MB, "unit_price": 1, "quantity": 1}])),
            ]
        ).encode(),
        rows=2,
        outcomes={"BAD-S010": "oversized_value", "BAD-S011": "oversized_value"},
    ),
    BadFile(
        "deep_json.csv",
        lambda: csv_text(
            [
                row(12, order_items="[" * 1000 + "]" * 1000),
                row(13, order_items='[{"sku": ' + nested(1000, '"A"') + ', "unit_price": 1, "quantity": 1}]'),
            ]
        ).encode(),
        rows=2,
        outcomes={"BAD-S012": "malformed_order_items_json", "BAD-S013": "malformed_order_items_json"},
    ),
    BadFile(
        "control_characters.csv",
        lambda: csv_text(
            [
                row(
                    14,
                    customer_name="Ada\x07 \x1b[31mLovelace\x7f",
                    store_name="Corpus\x01Store\u2028",
                    order_items=json.dumps(
                        [
                            {
                                "sku": "BAD-SKU",
                                "name": "Mug\u0001\u001b",
                                "category": "Kitchen",
                                "unit_price": 1,
                                "quantity": 1,
                            }
                        ]
                    ),
                ),
                row(15, order_items='[{"sku": "BAD-SKU", "name": "Mug\x07", "unit_price": 1, "quantity": 1}]'),
            ]
        ).encode(),
        rows=2,
        outcomes={"BAD-S014": "winning", "BAD-S015": "malformed_order_items_json"},
    ),
    BadFile(
        "orders'; drop table raw.export_files; --.csv",
        lambda: csv_text(
            [{**dict.fromkeys(EXPORT_COLUMNS, SQL_TEXT), "submission_id": "BAD-S016 " + SQL_TEXT}]
        ).encode(),
        rows=1,
        outcomes={"BAD-S016 " + SQL_TEXT: "unsupported_currency"},
    ),
    BadFile(
        "sql_in_free_text.csv",
        lambda: csv_text(
            [
                row(
                    17,
                    customer_name=SQL_TEXT,
                    customer_email=SQL_TEXT,
                    customer_city=SQL_TEXT,
                    store_name=SQL_TEXT,
                    order_items=json.dumps(
                        [
                            {
                                "sku": "BAD-SKU-SQL');--",
                                "name": SQL_TEXT,
                                "brand": SQL_TEXT,
                                "category": SQL_TEXT,
                                "unit_price": 1,
                                "quantity": 1,
                            }
                        ]
                    ),
                )
            ]
        ).encode(),
        rows=1,
        outcomes={"BAD-S017": "winning"},
    ),
)


@dataclass
class CorpusRun:
    """The copy of the sample after every bad file, and what happened to each."""

    project: DbtProject
    max_sample_row: int
    outcomes: dict[str, str | int] = field(default_factory=dict)  # file -> refusal message or rows loaded
    raw_counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # file -> (before, after)


@pytest.fixture(scope="module")
def corpus_run(sample_copy: DbtProject, tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    settings = sample_copy.settings
    folder = tmp_path_factory.mktemp("bad_exports")
    [(max_row,)] = fetch(settings, "select max(_row_id) from raw.orders_export")
    run = CorpusRun(sample_copy, max_row)
    for bad in CORPUS:
        path = folder / bad.name
        path.write_bytes(bad.content())
        [(before,)] = fetch(settings, "select count(*) from raw.orders_export")
        [outcome] = load_files([path], settings)
        run.outcomes[bad.name] = outcome.describe() if isinstance(outcome, Refusal) else outcome.rows
        [(after,)] = fetch(settings, "select count(*) from raw.orders_export")
        run.raw_counts[bad.name] = (before, after)
        path.unlink()
    return run


@pytest.mark.parametrize("bad", CORPUS, ids=[bad.name for bad in CORPUS])
def test_each_bad_file_is_loaded_or_refused_as_documented(corpus_run: CorpusRun, bad: BadFile) -> None:
    outcome = corpus_run.outcomes[bad.name]
    before, after = corpus_run.raw_counts[bad.name]
    if bad.refused:
        assert isinstance(outcome, str), f"{bad.name} should have been refused"
        assert outcome.startswith(f"refused {bad.name}: "), outcome
        assert re.search(bad.refused, outcome), outcome
        assert after == before
    else:
        assert outcome == bad.rows
        assert after == before + bad.rows


def test_earlier_data_is_intact_after_the_bad_files(corpus_run: CorpusRun, sample_warehouse: DbtProject) -> None:
    columns = ", ".join(["_row_id", *EXPORT_COLUMNS, "_file_name"])
    statement = f"select md5(string_agg(cast(row({columns}) as text), '|' order by _row_id)) from raw.orders_export"
    statement += " where _row_id <= %s"
    params = (corpus_run.max_sample_row,)
    assert fetch(corpus_run.project.settings, statement, params) == fetch(sample_warehouse.settings, statement, params)


@pytest.fixture(scope="module")
def corpus_build(corpus_run: CorpusRun) -> CorpusRun:
    corpus_run.project.build = corpus_run.project.run("build")
    return corpus_run


def test_the_warehouse_builds_and_passes_every_test_after_the_bad_files(corpus_build: CorpusRun) -> None:
    build = corpus_build.project.build
    assert build is not None and build.returncode == 0, build.tail() if build else ""
    assert not failed_nodes(build)


def test_every_loaded_bad_row_has_its_documented_outcome(corpus_build: CorpusRun) -> None:
    expected = {submission: outcome for bad in CORPUS for submission, outcome in bad.outcomes.items()}
    rows = fetch(
        corpus_build.project.settings,
        "select raw.submission_id, coalesce(triaged.quarantine_reason, triaged.submission_outcome)"
        " from raw.orders_export as raw"
        " inner join staging.base_orders_export__submissions_triaged as triaged on raw._row_id = triaged.raw_row_id"
        " where raw._row_id > %s",
        (corpus_build.max_sample_row,),
    )
    assert dict(rows) == expected


def test_the_sample_orders_are_unchanged(corpus_build: CorpusRun, sample_warehouse: DbtProject) -> None:
    assert fetch(corpus_build.project.settings, SAMPLE_ORDERS) == fetch(sample_warehouse.settings, SAMPLE_ORDERS)
    params = (corpus_build.max_sample_row,)
    assert fetch(corpus_build.project.settings, SAMPLE_OUTCOMES, params) == fetch(
        sample_warehouse.settings, SAMPLE_OUTCOMES, params
    )


def test_export_text_reaches_the_marts_as_data_only(corpus_build: CorpusRun) -> None:
    settings = corpus_build.project.settings
    assert fetch(
        settings, "select item_name, brand, category from marts.dim_items where sku = 'BAD-SKU-SQL'');--'"
    ) == [(SQL_TEXT, SQL_TEXT, SQL_TEXT)]
    [(file_name,)] = fetch(settings, "select file_name from raw.export_files where file_name like 'orders''; drop%%'")
    assert file_name == "orders'; drop table raw.export_files; --.csv"
    assert fetch(settings, "select store_name from marts.dim_stores where store_id = 'BAD-STORE'")
