"""Tests of the sample-export generator (no database needed).

Besides the structural checks, ``reference_outcomes`` re-reads the generated export files the way
the source contract says a warehouse must, independently of the generator's internals, and the
oracle (``expected_outcomes.csv``) must agree with it row for row.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from orders_warehouse.generator import (
    COLUMNS,
    LEGACY_MISSING_COLUMN,
    ORACLE_COLUMNS,
    QUARANTINE_REASONS,
    generate_exports,
)
from orders_warehouse.generator_customers import CustomerBase

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO / "data" / "sample"


class GenerationArgs(TypedDict):
    orders: int
    files: int
    seed: int


SAMPLE_ARGS: GenerationArgs = {"orders": 2000, "files": 3, "seed": 42}
SAMPLE_COMMAND = "orders-warehouse generate --orders 2000 --files 3 --seed 42 --out data/sample"

Row = dict[str, str]

ABSOLUTE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STATUSES = {"placed", "in_process", "on_hold", "shipped", "resolved", "disputed", "cancelled", "returned"}
COUNTRY_SPELLINGS = {
    "alpha-2": {"US", "GB", "DE", "JP", "AU"},
    "alpha-3": {"USA", "GBR", "DEU", "JPN", "AUS"},
    "name": {"UNITED STATES", "UNITED KINGDOM", "GERMANY", "JAPAN", "AUSTRALIA"},
}
PRECISION = Context(prec=40)


# ---------------------------------------------------------------------------------------------------
# Fixtures and readers
# ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh generation with the sample's documented arguments."""
    out_dir = tmp_path_factory.mktemp("generated")
    generate_exports(out_dir=out_dir, **SAMPLE_ARGS)
    return out_dir


def export_paths(folder: Path) -> list[Path]:
    """The export files of ``folder`` in delivery order."""
    return sorted(folder.glob("orders_export_*.csv"))


def read_csv(path: Path) -> tuple[list[str], list[Row]]:
    """Header and rows of a CSV file, read strictly."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, strict=True)
        header = next(reader)
        rows = [dict(zip(header, values, strict=True)) for values in reader]
    return header, rows


@pytest.fixture(scope="module")
def export_rows(generated: Path) -> list[Row]:
    """Every export row of the generation, trimmed, with its file number under ``_file``."""
    rows = []
    for number, path in enumerate(export_paths(generated), start=1):
        for row in read_csv(path)[1]:
            trimmed = {key: value.strip() for key, value in row.items()}
            rows.append({**trimmed, "_file": str(number)})
    return rows


@pytest.fixture(scope="module")
def raw_export_rows(generated: Path) -> list[Row]:
    """Every export row as written (untrimmed)."""
    return [row for path in export_paths(generated) for row in read_csv(path)[1]]


@pytest.fixture(scope="module")
def oracle(generated: Path) -> list[Row]:
    """The rows of expected_outcomes.csv."""
    header, rows = read_csv(generated / "expected_outcomes.csv")
    assert tuple(header) == ORACLE_COLUMNS
    return rows


# ---------------------------------------------------------------------------------------------------
# Determinism, the committed sample, file format
# ---------------------------------------------------------------------------------------------------


def differing_files(left: Path, right: Path) -> list[str]:
    """Names of the CSV files that are not byte-identical in both folders (or missing from one)."""
    names = sorted({path.name for folder in (left, right) for path in folder.glob("*.csv")})
    return [
        name
        for name in names
        if not (left / name).exists()
        or not (right / name).exists()
        or (left / name).read_bytes() != (right / name).read_bytes()
    ]


def test_same_arguments_give_identical_bytes(generated: Path, tmp_path: Path) -> None:
    """Same arguments, byte-identical files."""
    generate_exports(out_dir=tmp_path, **SAMPLE_ARGS)
    assert differing_files(tmp_path, generated) == []


def test_another_seed_gives_other_data(generated: Path, tmp_path: Path) -> None:
    """The seed matters."""
    generate_exports(out_dir=tmp_path, orders=2000, files=3, seed=43)
    assert differing_files(tmp_path, generated) != []


def test_committed_sample_equals_a_fresh_generation(generated: Path) -> None:
    """data/sample is what its documented command generates today."""
    stale = differing_files(SAMPLE_DIR, generated)
    assert stale == [], f"data/sample is stale ({stale}): regenerate it with `{SAMPLE_COMMAND}`"


def test_sample_readme_documents_the_command() -> None:
    """The sample's README names the command that regenerates it."""
    assert SAMPLE_COMMAND in (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")


def test_files_are_csv_with_the_full_header(generated: Path) -> None:
    """Every file is strict CSV with every column (but the legacy one in file 1), reshuffled."""
    paths = export_paths(generated)
    assert [path.name for path in paths] == [f"orders_export_{k:03d}.csv" for k in (1, 2, 3)]
    orders = []
    for number, path in enumerate(paths, start=1):
        header, rows = read_csv(path)
        expected = set(COLUMNS) - ({LEGACY_MISSING_COLUMN} if number == 1 else set())
        assert len(header) == len(expected) and set(header) == expected
        assert rows
        orders.append(header)
    assert orders[0] != [name for name in COLUMNS if name != LEGACY_MISSING_COLUMN]
    assert orders[1] != orders[2], "columns come in a different order in each file"


def test_first_file_lacks_prices_include_tax(generated: Path) -> None:
    """The first file is in the older format; later files have the column."""
    first, *later = export_paths(generated)
    assert LEGACY_MISSING_COLUMN not in read_csv(first)[0]
    assert all(LEGACY_MISSING_COLUMN in read_csv(path)[0] for path in later)


def test_files_are_chronological_chunks(export_rows: list[Row], oracle: list[Row]) -> None:
    """Rows are in submission order across files, as is the oracle."""
    ids = [row["submission_id"] for row in export_rows]
    assert ids == sorted(ids) == [row["submission_id"] for row in oracle]
    assert all(re.fullmatch(r"SUB-\d{9}", value) for value in ids)


# ---------------------------------------------------------------------------------------------------
# The oracle's bookkeeping
# ---------------------------------------------------------------------------------------------------


def test_oracle_has_one_row_per_submission(export_rows: list[Row], oracle: list[Row]) -> None:
    """Unique submissions, each with exactly one oracle row."""
    submission_ids = [row["submission_id"] for row in export_rows]
    assert len(submission_ids) == len(set(submission_ids)), "submission ids are unique across files"
    assert [row["submission_id"] for row in oracle] == submission_ids
    assert [row["order_id"] for row in oracle] == [row["order_id"] for row in export_rows]


def test_outcome_counts_add_up(oracle: list[Row]) -> None:
    """Outcomes partition the rows; reasons are given exactly for quarantined rows."""
    outcomes = Counter(row["expected_outcome"] for row in oracle)
    assert set(outcomes) == {"winning", "superseded", "quarantined"}
    assert sum(outcomes.values()) == len(oracle)
    reasons = Counter(row["quarantine_reason"] for row in oracle if row["quarantine_reason"])
    assert sum(reasons.values()) == outcomes["quarantined"]
    assert all(bool(row["quarantine_reason"]) == (row["expected_outcome"] == "quarantined") for row in oracle)


def test_every_order_with_a_winner_has_exactly_one(oracle: list[Row]) -> None:
    """One winner per order unless all its submissions are quarantined."""
    winners = Counter(row["order_id"] for row in oracle if row["expected_outcome"] == "winning")
    assert set(winners.values()) == {1}
    superseded = {row["order_id"] for row in oracle if row["expected_outcome"] == "superseded"}
    assert superseded <= set(winners), "a superseded submission implies a winner of its order"
    assert len(winners) == len({row["order_id"] for row in oracle}) - orders_without_winner(oracle)


def orders_without_winner(oracle: list[Row]) -> int:
    """Orders whose every submission is quarantined."""
    by_order: defaultdict[str, set[str]] = defaultdict(set)
    for row in oracle:
        by_order[row["order_id"]].add(row["expected_outcome"])
    return sum(1 for outcomes in by_order.values() if outcomes == {"quarantined"})


def test_every_quarantine_reason_appears_at_least_twice(oracle: list[Row]) -> None:
    """Every quarantine reason of the contract appears at least twice."""
    reasons = Counter(row["quarantine_reason"] for row in oracle if row["quarantine_reason"])
    assert set(reasons) == set(QUARANTINE_REASONS)
    assert min(reasons.values()) >= 2


def test_summary_matches_the_files(tmp_path: Path) -> None:
    """The returned summary counts what was written."""
    summary = generate_exports(out_dir=tmp_path, orders=300, files=2, seed=5)
    oracle_rows = read_csv(tmp_path / "expected_outcomes.csv")[1]
    assert summary.rows == len(oracle_rows) == sum(len(read_csv(p)[1]) for p in summary.files)
    assert summary.outcomes == dict(Counter(row["expected_outcome"] for row in oracle_rows))
    assert "300 orders" in summary.describe()


def test_edge_sizes(tmp_path: Path) -> None:
    """No orders, more files than orders, and invalid arguments."""
    summary = generate_exports(out_dir=tmp_path / "none", orders=0, files=2, seed=1)
    assert summary.rows == 0 and all(len(read_csv(path)[1]) == 0 for path in summary.files)
    summary = generate_exports(out_dir=tmp_path / "tiny", orders=3, files=5, seed=1)
    assert len(summary.files) == 5 and summary.outcomes.get("winning", 0) >= 1
    with pytest.raises(ValueError):
        generate_exports(out_dir=tmp_path / "bad", orders=10, files=0, seed=1)


def test_stale_files_of_a_larger_generation_are_removed(tmp_path: Path) -> None:
    """Regenerating with fewer files leaves no stale export behind."""
    generate_exports(out_dir=tmp_path, orders=50, files=4, seed=1)
    generate_exports(out_dir=tmp_path, orders=50, files=2, seed=1)
    assert [path.name for path in export_paths(tmp_path)] == [
        "orders_export_001.csv",
        "orders_export_002.csv",
    ]


# ---------------------------------------------------------------------------------------------------
# An independent reading of the export, following the source contract
# ---------------------------------------------------------------------------------------------------


def is_zone(name: str) -> bool:
    """Whether ``name`` is a known IANA time zone."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def store_zones(rows: list[Row]) -> dict[str, ZoneInfo]:
    """Each store's zone, taken from its rows that name a known one (they must all agree)."""
    named: defaultdict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["store_timezone"] and is_zone(row["store_timezone"]):
            named[row["store_id"]].add(row["store_timezone"])
    assert all(len(zones) == 1 for zones in named.values()), named
    return {store: ZoneInfo(zones.pop()) for store, zones in named.items()}


def parse_instant(text: str, zone: ZoneInfo) -> datetime | None:
    """The instant ``submitted_at`` denotes, or None when it cannot be read."""
    try:
        if ABSOLUTE.match(text):
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        if NAIVE.match(text):
            return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
        if DATE_ONLY.match(text):
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=zone)
    except ValueError:
        return None
    return None


def parse_number(value: Any) -> Decimal | None:
    """A JSON number or numeric string as a Decimal, else None."""
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def line_problems(line: Any) -> list[str]:
    """Every contract violation of one order line."""
    if not isinstance(line, dict):
        return ["malformed_order_items_json"]
    problems = []
    if not isinstance(line.get("sku"), str) or not line["sku"].strip():
        problems.append("line_without_sku")
    quantity = parse_number(line.get("quantity"))
    if quantity is None or quantity != quantity.to_integral_value():
        problems.append("non_integer_quantity")
    elif quantity <= 0:
        problems.append("non_positive_quantity")
    price = parse_number(line.get("unit_price"))
    if price is None:
        problems.append("non_numeric_unit_price")
    elif price < 0:
        problems.append("negative_unit_price")
    return problems


def parse_items(text: str) -> tuple[list[str], list[Any]]:
    """Violations of the order_items text, and its lines."""
    try:
        items = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except ValueError:
        return ["malformed_order_items_json"], []
    if not isinstance(items, list):
        return ["malformed_order_items_json"], []
    if not items:
        return ["empty_order_items"], []
    return [problem for line in items for problem in line_problems(line)], items


def row_problems(row: Row, zone: ZoneInfo) -> tuple[list[str], datetime | None, list[Any]]:
    """Every contract violation of a (trimmed) row, its instant and its lines."""
    problems = []
    if row["currency"].upper() != "USD":
        problems.append("unsupported_currency")
    if row["store_timezone"] and not is_zone(row["store_timezone"]):
        problems.append("unknown_store_timezone")
    instant = parse_instant(row["submitted_at"], zone)
    if instant is None:
        problems.append("unparseable_submitted_at")
    item_problems, items = parse_items(row["order_items"])
    return problems + item_problems, instant, items


def tax_rate(text: str) -> Decimal:
    """A fraction or a percentage; empty means 0."""
    if not text:
        return Decimal(0)
    return Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)


def money(lines: list[Any], includes_tax: bool, rate: Decimal) -> tuple[str, str]:
    """Net and gross amount, exact, rounded half-even to 6 places."""
    net = gross = Decimal(0)
    for line in lines:
        price, quantity = parse_number(line["unit_price"]), parse_number(line["quantity"])
        assert price is not None and quantity is not None
        if includes_tax:
            net = PRECISION.add(net, PRECISION.multiply(quantity, PRECISION.divide(price, 1 + rate)))
            gross = PRECISION.add(gross, PRECISION.multiply(quantity, price))
        else:
            net = PRECISION.add(net, PRECISION.multiply(quantity, price))
            gross = PRECISION.add(gross, PRECISION.multiply(PRECISION.multiply(quantity, price), 1 + rate))
    six = Decimal("0.000001")
    return (
        format(net.quantize(six, rounding=ROUND_HALF_EVEN), "f"),
        format(gross.quantize(six, rounding=ROUND_HALF_EVEN), "f"),
    )


def winner_values(row: Row, instant: datetime, zone: ZoneInfo, lines: list[Any]) -> dict[str, str]:
    """The values the warehouse derives from a winning submission."""
    order_date = instant.astimezone(zone).date()
    status = re.sub(r"[\s_-]+", "_", row["order_status"].lower())
    include_text = row.get("prices_include_tax", "").lower()
    assert include_text in {"", "true", "yes", "1", "false", "no", "0"}
    net, gross = money(lines, include_text in {"", "true", "yes", "1"}, tax_rate(row["tax_rate"]))
    fulfillment = ""
    if row["fulfillment_time"]:
        value = Decimal(row["fulfillment_time"])
        value = value if order_date < date(2023, 1, 1) else value / 1000
        fulfillment = format(value.normalize(), "f")
    return {
        "order_date": order_date.isoformat(),
        "order_status": status if status in STATUSES else "unknown",
        "customer_id": row["customer_id"],
        "line_count": str(len(lines)),
        "quantity": str(sum(int(parse_number(line["quantity"]) or 0) for line in lines)),
        "net_amount": net,
        "gross_amount": gross,
        "fulfillment_seconds": fulfillment,
    }


def reference_outcomes(rows: list[Row]) -> list[Row]:
    """The expected outcome of every row, derived from the export text alone."""
    zones = store_zones(rows)
    read = []
    for row in rows:
        problems, instant, lines = row_problems(row, zones[row["store_id"]])
        assert len(problems) <= 1, f"{row['submission_id']} has more than one defect: {problems}"
        read.append((row, problems, instant, lines))
    winners: dict[str, tuple[datetime, int]] = {}
    for row, problems, instant, _ in read:
        if not problems and instant is not None:
            key = (instant, int(row["submission_id"].removeprefix("SUB-")))
            winners[row["order_id"]] = max(winners.get(row["order_id"], key), key)
    return [reference_row(row, problems, instant, lines, winners, zones) for row, problems, instant, lines in read]


def reference_row(
    row: Row,
    problems: list[str],
    instant: datetime | None,
    lines: list[Any],
    winners: dict[str, tuple[datetime, int]],
    zones: dict[str, ZoneInfo],
) -> Row:
    """One expected oracle row."""
    expected = dict.fromkeys(ORACLE_COLUMNS, "")
    expected.update(submission_id=row["submission_id"], order_id=row["order_id"])
    if problems:
        expected.update(expected_outcome="quarantined", quarantine_reason=problems[0])
        return expected
    assert instant is not None
    if winners[row["order_id"]] != (instant, int(row["submission_id"].removeprefix("SUB-"))):
        expected["expected_outcome"] = "superseded"
        return expected
    expected["expected_outcome"] = "winning"
    expected.update(winner_values(row, instant, zones[row["store_id"]], lines))
    return expected


def test_oracle_agrees_with_an_independent_reading(export_rows: list[Row], oracle: list[Row]) -> None:
    """The oracle matches a reading of the export that follows the contract."""
    expected = reference_outcomes(export_rows)
    mismatches = [(want, got) for want, got in zip(expected, oracle, strict=True) if want != got]
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:2]}"


def test_oracle_agrees_on_a_larger_generation_with_more_files(tmp_path: Path) -> None:
    """The same, on more orders spread over more files."""
    generate_exports(out_dir=tmp_path, orders=6000, files=7, seed=2024)
    rows = []
    for path in export_paths(tmp_path):
        rows += [{key: value.strip() for key, value in row.items()} for row in read_csv(path)[1]]
    oracle_rows = read_csv(tmp_path / "expected_outcomes.csv")[1]
    expected = reference_outcomes(rows)
    assert sum(want != got for want, got in zip(expected, oracle_rows, strict=True)) == 0


# ---------------------------------------------------------------------------------------------------
# Every case of the contract is exercised
# ---------------------------------------------------------------------------------------------------


def test_all_four_submitted_at_forms_appear(export_rows: list[Row]) -> None:
    """UTC, offset, naive local and date-only submitted_at all appear."""
    texts = [row["submitted_at"] for row in export_rows]
    assert sum(text.endswith("Z") and bool(ABSOLUTE.match(text)) for text in texts) > 20
    assert sum(bool(ABSOLUTE.match(text)) and not text.endswith("Z") for text in texts) > 20
    assert sum(bool(NAIVE.match(text)) for text in texts) > 20
    assert sum(bool(DATE_ONLY.match(text)) for text in texts) > 20


def test_time_range_crosses_the_millisecond_switch(oracle: list[Row]) -> None:
    """Orders span the range; fulfillment comes in seconds and in milliseconds."""
    winners = [row for row in oracle if row["expected_outcome"] == "winning"]
    dates = sorted(row["order_date"] for row in winners)
    assert dates[0] >= "2021-06-01" and dates[-1] <= "2024-06-30"
    fulfilled = [row for row in winners if row["fulfillment_seconds"]]
    assert any(row["order_date"] < "2023-01-01" for row in fulfilled), "seconds"
    assert any(row["order_date"] >= "2023-01-01" and "." in row["fulfillment_seconds"] for row in fulfilled)


def test_names_countries_and_guests(export_rows: list[Row], raw_export_rows: list[Row]) -> None:
    """Both name formats, all country spellings, guests, e-mail warts."""
    names = [row["customer_name"] for row in export_rows if row["customer_name"]]
    assert any("," in name for name in names) and any("," not in name for name in names)
    assert any("  " in name for name in names), "repeated spaces"
    assert any(name.isupper() for name in names) and any(name.islower() for name in names)
    assert any(re.search(r"(?i)mary ann|anna maria|john paul|sarah jane", re.sub(" +", " ", n)) for n in names)
    spellings = {row[key].upper() for row in export_rows for key in ("customer_country", "store_country")}
    assert all(spellings & kind for kind in COUNTRY_SPELLINGS.values())
    guests = [row for row in export_rows if not row["customer_id"]]
    assert any(row["customer_name"] for row in guests) and any(not row["customer_name"] for row in guests)
    assert any(row["customer_email"] == "" for row in export_rows if row["customer_id"])
    assert any(row["customer_email"] != row["customer_email"].strip() for row in raw_export_rows)


def test_stores_change_and_zones_go_missing(export_rows: list[Row]) -> None:
    """A store is renamed, one moves, names need quoting, zones go missing."""
    names, cities = defaultdict(set), defaultdict(set)
    for row in export_rows:
        names[row["store_id"]].add(row["store_name"])
        cities[row["store_id"]].add(row["store_city"])
    assert any(len(values) > 1 for values in names.values()), "a store is renamed"
    assert any(len(values) > 1 for values in cities.values()), "a store moves"
    assert any("," in name for values in names.values() for name in values)
    assert sum(not row["store_timezone"] for row in export_rows) > 20
    assert len(names) == 8


def test_money_fields_vary(export_rows: list[Row]) -> None:
    """Every spelling of prices_include_tax, both tax-rate forms, currency in any case."""
    later = [row for row in export_rows if row["_file"] != "1"]
    assert {row["prices_include_tax"].lower() for row in later} == {
        "",
        "true",
        "false",
        "yes",
        "no",
        "1",
        "0",
    }
    rates = [row["tax_rate"] for row in export_rows]
    assert any(rate.endswith("%") for rate in rates) and any(rate.startswith("0.") for rate in rates)
    assert any(rate == "" for rate in rates)
    assert {"USD", "usd", "Usd"} <= {row["currency"] for row in export_rows}


def test_order_items_vary(export_rows: list[Row]) -> None:
    """Quoting-hostile names, multi-line JSON, numbers and numeric strings."""
    texts = [row["order_items"] for row in export_rows]
    assert any(r"Poster \"Starry Night\", framed" in text for text in texts), "comma and quote in a name"
    assert any("\n" in text for text in texts), "pretty-printed JSON spans lines"
    lines = [line for text in texts for line in parse_items(text)[1] if isinstance(line, dict)]
    for key in ("unit_price", "quantity"):
        assert any(isinstance(line.get(key), str) for line in lines), f"{key} as a numeric string"
        assert any(isinstance(line.get(key), Decimal) for line in lines), f"{key} as a JSON number"


def test_statuses_vary(export_rows: list[Row], oracle: list[Row]) -> None:
    """Every status in varied case, plus unknown ones."""
    statuses = {row["order_status"] for row in export_rows}
    assert any(status.isupper() for status in statuses) and any(status.istitle() for status in statuses)
    assert "unknown" in {row["order_status"] for row in oracle}
    assert {row["order_status"] for row in oracle if row["order_status"]} - {"unknown"} == STATUSES


def test_stray_spaces(raw_export_rows: list[Row]) -> None:
    """Every column carries stray spaces somewhere; some fields are spaces only."""
    padded = Counter(key for row in raw_export_rows for key, value in row.items() if value != value.strip())
    assert set(padded) == set(COLUMNS)
    assert any(value and not value.strip() for row in raw_export_rows for value in row.values())


def test_double_submits_and_corrections(export_rows: list[Row]) -> None:
    """Identical double submits, corrections, and resubmissions in later files."""
    by_order: defaultdict[str, list[Row]] = defaultdict(list)
    for row in export_rows:
        by_order[row["order_id"]].append(row)
    ignored = {"submission_id", "submitted_at", "prices_include_tax", "_file"}
    doubles = corrections = 0
    for rows in by_order.values():
        first, *others = rows
        for other in others:
            same = all(first.get(key) == other.get(key) for key in COLUMNS if key not in ignored)
            doubles += same
            corrections += not same
    assert doubles >= 40 and corrections >= 30
    files_of = {order: {row["_file"] for row in rows} for order, rows in by_order.items()}
    for later in ("2", "3"):
        assert any(later in files and min(files) < later for files in files_of.values())


def test_customers_churn(oracle: list[Row]) -> None:
    """Some customers stop ordering long before the end, others keep going."""
    last_order: dict[str, str] = {}
    for row in oracle:
        if row["expected_outcome"] == "winning" and row["customer_id"]:
            last_order[row["customer_id"]] = max(last_order.get(row["customer_id"], ""), row["order_date"])
    assert sum(day < "2023-06-30" for day in last_order.values()) > 50, "customers who stopped long ago"
    assert sum(day >= "2024-05-01" for day in last_order.values()) > 50, "customers still ordering"


def test_customer_sign_ups_are_consistent() -> None:
    """signed_up_by agrees with start_day: sign-ups are an index prefix."""
    base = CustomerBase(seed=3, size=997)
    for day in (0, 1, 50, 400, 1000, 1125):
        signed_up = base.signed_up_by(day)
        assert base.start_day(signed_up - 1) <= day
        assert signed_up == base.size or base.start_day(signed_up) > day


def test_ties_and_later_rows_with_earlier_instants_occur(export_rows: list[Row]) -> None:
    """Ties (broken by submission id) and later rows that lose on their earlier instant both occur."""
    zones = store_zones(export_rows)
    valid: defaultdict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for row in export_rows:
        problems, instant, _ = row_problems(row, zones[row["store_id"]])
        if not problems and instant is not None:
            valid[row["order_id"]].append((instant, int(row["submission_id"].removeprefix("SUB-"))))
    ties = sum(len({instant for instant, _ in subs}) < len(subs) for subs in valid.values())
    later_losers = sum(any(number > max(subs)[1] for _, number in subs) for subs in valid.values())
    assert ties >= 1 and later_losers >= 1
