"""Deterministic generator of raw order export files that exercise the whole source contract.

``generate_exports`` writes ``orders_export_001.csv`` ... ``orders_export_NNN.csv`` plus
``expected_outcomes.csv``, the oracle the warehouse is tested against: one row per submission with
its expected outcome (``winning``, ``superseded`` or ``quarantined``), the quarantine reason and, for
winning submissions, the values the warehouse must derive (order date, status, amounts, ...).

How it works: orders are created in (roughly) submission-time order. Each order plans all of its
submissions up front (the original, an optional identical double submit, an optional later
correction), so its outcomes are known at once. Submissions wait in a small heap until no later
order can precede them, then get their submission id, are rendered with the contract's warts
(random case, stray spaces, four ``submitted_at`` forms, ...) and are streamed to the files.
Memory therefore stays flat however many orders are asked for: customers are not kept in a pool
but derived on demand from their index with a hash.
"""

from __future__ import annotations

import csv
import heapq
import json
import math
import random
import sys
from bisect import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Context, Decimal
from itertools import accumulate
from pathlib import Path
from typing import IO, Any, TypeVar
from zoneinfo import ZoneInfo

from orders_warehouse.loader import EXPORT_COLUMNS

T = TypeVar("T")

# ---------------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------------

START_DATE = date(2021, 6, 1)
END_DATE = date(2024, 6, 30)
N_DAYS = (END_DATE - START_DATE).days + 1
MILLISECONDS_FROM = date(2023, 1, 1)  # fulfillment_time is in milliseconds from this local date on
_START_ORDINAL = START_DATE.toordinal()
_MS_FROM_DAY = (MILLISECONDS_FROM - START_DATE).days
_DAY_SECONDS = 86_400
_OPEN, _CLOSE = 8 * 3600, 22 * 3600  # local wall-clock window of submissions: no DST gap or overlap

# The export's columns, in the contract's order: the loader's list, written once.
COLUMNS: tuple[str, ...] = EXPORT_COLUMNS
LEGACY_MISSING_COLUMN = "prices_include_tax"  # absent from the first file (older export format)

ORACLE_COLUMNS: tuple[str, ...] = (
    "submission_id",
    "order_id",
    "expected_outcome",
    "quarantine_reason",
    "order_date",
    "order_status",
    "customer_id",
    "line_count",
    "quantity",
    "net_amount",
    "gross_amount",
    "fulfillment_seconds",
)

QUARANTINE_REASONS: tuple[str, ...] = (
    "malformed_order_items_json",
    "empty_order_items",
    "line_without_sku",
    "non_positive_quantity",
    "non_integer_quantity",
    "negative_unit_price",
    "non_numeric_unit_price",
    "unparseable_submitted_at",
    "unknown_store_timezone",
    "unsupported_currency",
)

STATUSES: tuple[str, ...] = (
    "placed",
    "in process",
    "on hold",
    "shipped",
    "resolved",
    "disputed",
    "cancelled",
    "returned",
)
_STATUS_CUM = tuple(accumulate((22, 14, 5, 26, 18, 3, 7, 5)))
UNKNOWN_STATUSES: tuple[str, ...] = ("lost in transit", "awaiting pickup", "backordered")
FULFILLED_STATUSES = frozenset({"shipped", "resolved", "returned", "disputed"})

COUNTRIES: dict[str, tuple[str, str]] = {
    "US": ("USA", "United States"),
    "GB": ("GBR", "United Kingdom"),
    "DE": ("DEU", "Germany"),
    "JP": ("JPN", "Japan"),
    "AU": ("AUS", "Australia"),
}


@dataclass(frozen=True)
class Store:
    """A store; it may be renamed or move to another city (same zone) on a given day."""

    store_id: str
    name: str
    city: str
    postal_code: str
    country: str
    timezone: str
    tax_rate: str
    excludes_tax: bool
    weight: int
    new_name: str | None = None
    renamed_on: date | None = None
    new_city: tuple[str, str] | None = None
    moved_on: date | None = None

    def name_on(self, day: date) -> str:
        """The store's name on ``day``."""
        renamed = self.new_name is not None and self.renamed_on is not None and day >= self.renamed_on
        return self.new_name if renamed and self.new_name else self.name

    def address_on(self, day: date) -> tuple[str, str]:
        """The store's (city, postal code) on ``day``."""
        if self.new_city is not None and self.moved_on is not None and day >= self.moved_on:
            return self.new_city
        return self.city, self.postal_code


# fmt: off
STORES: tuple[Store, ...] = (
    Store("ST01", "Hudson Yards, Manhattan", "New York", "10001", "US", "America/New_York", "0.08", True, 18),
    Store("ST02", "Chicago Loop", "Chicago", "60601", "US", "America/Chicago", "0.1025", True, 14),
    Store("ST03", "Denver Union Station", "Denver", "80202", "US", "America/Denver", "0.0881", True, 10),
    Store(
        "ST04", "LA Arts District", "Los Angeles", "90013", "US", "America/Los_Angeles", "0.095", True, 16,
        new_city=("Santa Monica", "90401"), moved_on=date(2022, 9, 1),
    ),
    Store("ST05", "London Bankside", "London", "SE1 9DT", "GB", "Europe/London", "0.20", False, 12),
    Store(
        "ST06", "Berlin Mitte", "Berlin", "10117", "DE", "Europe/Berlin", "0.19", False, 10,
        new_name="Berlin Mitte Flagship", renamed_on=date(2023, 3, 15),
    ),
    Store("ST07", "Tokyo Ginza", "Tokyo", "104-0061", "JP", "Asia/Tokyo", "0.10", False, 10),
    Store("ST08", "Sydney Harbour", "Sydney", "2000", "AU", "Australia/Sydney", "0.10", False, 10),
)
# fmt: on
_STORE_CUM = tuple(accumulate(store.weight for store in STORES))
_ZONES = {store.store_id: ZoneInfo(store.timezone) for store in STORES}

CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "US": (
        ("New York", "10001"), ("Boston", "02108"), ("Chicago", "60601"), ("Denver", "80202"),
        ("Los Angeles", "90012"), ("Seattle", "98101"), ("Austin", "78701"), ("Newark", "07102"),
        ("Miami", "33101"), ("Portland", "97201"),
    ),
    "GB": (("London", "SW1A 1AA"), ("Manchester", "M1 1AE"), ("Edinburgh", "EH1 1YZ")),
    "DE": (("Berlin", "10115"), ("München", "80331"), ("Köln", "50667")),
    "JP": (("Tokyo", "100-0001"), ("Osaka", "530-0001"), ("Kyoto", "600-8001")),
    "AU": (("Sydney", "2000"), ("Melbourne", "3000"), ("Brisbane", "4000")),
}  # fmt: skip
_CUSTOMER_COUNTRIES = ("US", "GB", "DE", "JP", "AU")
_LOCAL_STORES = {
    country: (
        tuple(store for store in STORES if store.country == country),
        tuple(accumulate(store.weight for store in STORES if store.country == country)),
    )
    for country in _CUSTOMER_COUNTRIES
}
_CUSTOMER_COUNTRY_CUM = tuple(accumulate((75, 7, 7, 5, 6)))

FIRST_NAMES: tuple[str, ...] = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Susan", "Olivia", "Noah", "Emma", "Liam", "Sophie", "Lukas", "Hannah",
    "Jürgen", "Yuki", "Haruto", "Sakura", "Chloe", "Jack", "Isla", "Oliver", "Amelia", "Zoë", "Ethan",
)  # fmt: skip
TWO_WORD_FIRST_NAMES: tuple[str, ...] = ("Mary Ann", "Anna Maria", "John Paul", "Sarah Jane")
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson", "Taylor",
    "Clark", "Lewis", "Walker", "Hall", "Young", "O'Brien", "Müller", "Schmidt", "Schneider", "Fischer",
    "Weber", "Tanaka", "Suzuki", "Sato", "Watanabe", "Evans", "Thompson", "Wright", "Nguyen", "Kelly",
)  # fmt: skip
_EMAIL_DOMAINS = ("example.com", "example.org", "mail.example.net")
_ASCII_FOLD = str.maketrans({"ü": "ue", "ö": "oe", "ë": "e", "'": "", " ": ""})

# (sku, name, brand, category, unit price)
ITEMS: tuple[tuple[str, str, str, str, str], ...] = (
    ("SKU-1001", "The Pragmatic Gardener", "Leafline Press", "Books", "24.99"),
    ("SKU-1002", "Night Sky Atlas", "Leafline Press", "Books", "39.50"),
    ("SKU-1003", "Cooking for Two", "Hearth & Co", "Books", "18.00"),
    ("SKU-1004", "Mystery at Pier 9", "Inkwell", "Books", "12.99"),
    ("SKU-1005", "Crème Brûlée Handbook", "Hearth & Co", "Books", "21.75"),
    ("SKU-1006", "Learn Python the Calm Way", "Inkwell", "Books", "44.00"),
    ("SKU-1007", "Children's Picture Dictionary", "Leafline Press", "Books", "15.49"),
    ("SKU-1008", "Wireless Earbuds", "Sonora", "Electronics", "79.99"),
    ("SKU-1009", "USB-C Charger 65W", "Voltix", "Electronics", "34.90"),
    ("SKU-1010", "Smart Bulb (2-pack)", "Voltix", "Electronics", "29.99"),
    ("SKU-1011", "E-Reader Cover", "Sonora", "Electronics", "19.95"),
    ("SKU-1012", "Bluetooth Speaker", "Sonora", "Electronics", "119.00"),
    ("SKU-1013", "Noise Cancelling Headphones", "Sonora", "Electronics", "249.00"),
    ("SKU-1014", "Portable SSD 1TB", "Voltix", "Electronics", "109.99"),
    ("SKU-1015", "Cast Iron Skillet", "Hearth & Co", "Home & Kitchen", "45.00"),
    ("SKU-1016", "Pour-Over Coffee Set", "Brewhaus", "Home & Kitchen", "58.25"),
    ("SKU-1017", 'Poster "Starry Night", framed', "Gallery Nine", "Home & Kitchen", "65.00"),
    ("SKU-1018", "Linen Tea Towels, set of 3", "Hearth & Co", "Home & Kitchen", "16.50"),
    ("SKU-1019", "Chef's Knife 8in", "Brewhaus", "Home & Kitchen", "89.00"),
    ("SKU-1020", "Ceramic Mug", "Gallery Nine", "Home & Kitchen", "9.99"),
    ("SKU-1021", "Scented Candle", "Gallery Nine", "Home & Kitchen", "14.00"),
    ("SKU-1022", "Wooden Train Set", "Tinker Toys Co", "Toys", "54.99"),
    ("SKU-1023", "Puzzle 1000 pieces", "Tinker Toys Co", "Toys", "22.00"),
    ("SKU-1024", "Plush Octopus", "Snugglers", "Toys", "17.25"),
    ("SKU-1025", "Building Blocks Tub", "Tinker Toys Co", "Toys", "39.99"),
    ("SKU-1026", "Kite", "Snugglers", "Toys", "12.00"),
    ("SKU-1027", "Board Game: Harbour Lights", "Tinker Toys Co", "Toys", "47.50"),
    ("SKU-1028", "Merino Beanie", "Northwear", "Apparel", "28.00"),
    ("SKU-1029", "Rain Jacket", "Northwear", "Apparel", "129.00"),
    ("SKU-1030", "Cotton T-Shirt", "Basics Lab", "Apparel", "15.00"),
    ("SKU-1031", "Wool Socks (3 pairs)", "Northwear", "Apparel", "19.99"),
    ("SKU-1032", "Canvas Tote", "Basics Lab", "Apparel", "11.50"),
    ("SKU-1033", "Running Shorts", "Basics Lab", "Apparel", "32.00"),
    ("SKU-1034", "Single-Origin Coffee 250g", "Brewhaus", "Grocery", "13.75"),
    ("SKU-1035", "Dark Chocolate 70%", "Cocoa & Co", "Grocery", "4.25"),
    ("SKU-1036", "Green Tea Sampler", "Leaf & Kettle", "Grocery", "21.00"),
    ("SKU-1037", "Maple Syrup 500ml", "Cocoa & Co", "Grocery", "16.80"),
    ("SKU-1038", "Olive Oil 750ml", "Leaf & Kettle", "Grocery", "18.40"),
    ("SKU-1039", "Sea Salt Flakes", "Leaf & Kettle", "Grocery", "6.50"),
    ("SKU-1040", "Gift Card Sleeve", "Gallery Nine", "Grocery", "1.99"),
)

# JSON-encoded (sku, name, brand, category) per sku: [0] with raw UTF-8, [1] with \u escapes
_ENCODED_ITEMS = {
    item[0]: tuple(tuple(json.dumps(text, ensure_ascii=escaped) for text in item[:4]) for escaped in (False, True))
    for item in ITEMS
}
_FIXED_OFFSETS = tuple(
    timezone(timedelta(minutes=minutes)) for minutes in (-600, -480, -300, -210, 0, 60, 120, 330, 345, 540, 600, 780)
)
_BAD_SUBMITTED_AT = ("yesterday", "2023-13-45 10:00:00", "05/03/2021", "2022-02-30", "not a date")
_BAD_TIMEZONES = ("Mars/Olympus_Mons", "Europe/Atlantis", "America/Gotham")
_BAD_CURRENCIES = ("EUR", "gbp", "Jpy")

# Rates (per order unless stated otherwise)
GUEST_RATE = 0.08
DOUBLE_SUBMIT_RATE = 0.04
SAME_FORM_DOUBLE_SUBMIT_RATE = 0.7  # a double submit is mostly written like its original
CORRECTION_RATE = 0.03
CORRECTION_OF_MALFORMED_RATE = 0.30
MALFORMED_ORDER_RATE = 0.015
MALFORMED_CORRECTION_RATE = 0.10
DATE_ONLY_CORRECTION_RATE = 0.25  # corrections keyed in by staff whose tool records the date only
UNKNOWN_STATUS_RATE = 0.003
STRAY_SPACE_RATE = 0.05  # per field
_LOG_NO_STRAY_SPACE = math.log(1.0 - STRAY_SPACE_RATE)
EMPTY_TIMEZONE_RATE = 0.05  # per row
MOVING_CUSTOMER_RATE = 0.05
HOME_STORE_RATE = 0.8  # share of a customer's orders taken by their home store
TAX_EXEMPT_RATE = 0.05
_SUBMITTED_AT_FORMS = ("utc", "offset", "naive", "date")
_SUBMITTED_AT_CUM = tuple(accumulate((30, 25, 30, 15)))
_ONE_TO_FIVE = (1, 2, 3, 4, 5)
_LINE_COUNT_CUM = tuple(accumulate((25, 25, 20, 15, 15)))  # 2.7 lines per order on average
_QUANTITY_CUM = tuple(accumulate((50, 25, 12, 8, 5)))
_MASK64 = (1 << 64) - 1
_MONEY = Decimal("0.000001")
_DECIMAL = Context(prec=40)

# ---------------------------------------------------------------------------------------------------
# Planned orders and submissions
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer as of their first order; ``move_day`` is when they move to ``new_address``."""

    customer_id: str
    first_name: str
    last_name: str
    email: str
    country: str
    address: tuple[str, str]
    home_store: Store | None = None  # where the customer usually orders (None for guests)
    move_day: int | None = None
    new_address: tuple[str, str] = ("", "")

    def address_on(self, day: int) -> tuple[str, str]:
        """The customer's (city, postal code) on day ``day`` of the range."""
        if self.move_day is not None and day >= self.move_day:
            return self.new_address
        return self.address


@dataclass(frozen=True, slots=True)
class Line:
    """One order line: a catalogue item with the unit price charged and a quantity."""

    item: tuple[str, str, str, str, str]
    unit_price: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one submission says about its order: status, lines and fulfillment time."""

    status: str
    lines: tuple[Line, ...]
    fulfillment_ms: int | None  # whole seconds are written before 2023, milliseconds from then on


@dataclass(slots=True)
class Order:
    """The fixed facts of an order, shared by all its submissions."""

    order_id: str
    store: Store
    customer: Customer | None  # None: guest checkout
    guest_identity: Customer | None
    prices_include_tax: bool
    tax_rate: Decimal


@dataclass(slots=True)
class Submission:
    """One export row to be: when it happens (``event``), what it records and its planned outcome."""

    order: Order
    snapshot: Snapshot
    event: int  # true epoch second of the submission (ordering of the stream)
    day: int  # store-local day index (0 = START_DATE)
    form: str  # how submitted_at is written: utc, offset, naive, date
    recorded: int  # the instant submitted_at denotes (local midnight for the date-only form)
    seq: int
    defect: str | None = None
    copy_of: Submission | None = None  # identical double submit of this submission
    keep_render: bool = False
    outcome: str = ""
    rendered: dict[str, str] | None = None
    file_index: int = -1

    def sort_key(self) -> tuple[int, int, int]:
        """Winner order: latest recorded instant, ties to the later (larger-id) submission."""
        return (self.recorded, self.event, self.seq)


@dataclass
class GenerationSummary:
    """What ``generate_exports`` wrote."""

    out_dir: Path
    orders: int
    files: list[Path]
    rows_per_file: list[int]
    outcomes: dict[str, int] = field(default_factory=dict)
    quarantine_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Export rows written over all files."""
        return sum(self.rows_per_file)

    def describe(self) -> str:
        """A human-readable report of the generation."""
        lines = [f"wrote {self.rows} rows for {self.orders} orders into {len(self.files)} files"]
        lines.append(f"  folder: {self.out_dir}")
        per_file = zip(self.files, self.rows_per_file, strict=True)
        lines += [f"  {path.name}: {rows} rows" for path, rows in per_file]
        lines.append("  expected outcomes: " + _format_counts(self.outcomes))
        lines.append("  quarantine reasons: " + _format_counts(self.quarantine_reasons))
        return "\n".join(lines)


def _format_counts(counts: dict[str, int]) -> str:
    """``a=1, b=2`` in key order, or ``none``."""
    return ", ".join(f"{key}={counts[key]}" for key in sorted(counts)) or "none"


# ---------------------------------------------------------------------------------------------------
# Time helpers
# ---------------------------------------------------------------------------------------------------


def day_date(day: int) -> date:
    """The calendar date of day index ``day``."""
    return date.fromordinal(_START_ORDINAL + day)


def local_epoch(store: Store, day: int, seconds: int) -> int:
    """Epoch second of the store-local wall time ``seconds`` after midnight on day ``day``."""
    wall = datetime.combine(day_date(day), time(seconds // 3600, seconds // 60 % 60, seconds % 60))
    return int(wall.replace(tzinfo=_ZONES[store.store_id]).timestamp())


def utc_midnight(day: int) -> int:
    """Epoch second of UTC midnight starting day ``day`` (clamped to the range's first day)."""
    return int(datetime.combine(day_date(max(day, 0)), time(), tzinfo=UTC).timestamp())


def order_position(index: int, orders: int) -> float:
    """Fractional day of order ``index``: order volume grows linearly (doubles) over the range."""
    share = (index + 0.5) / max(orders, 1)
    return (-1.0 + math.sqrt(1.0 + 3.0 * share)) * N_DAYS


def file_boundaries(files: int) -> list[int]:
    """Day index where each file after the first starts (by share of orders, not of days)."""
    return [int((-1.0 + math.sqrt(1.0 + 3.0 * k / files)) * N_DAYS) for k in range(1, files)]


# ---------------------------------------------------------------------------------------------------
# Random draws: only ``random()`` of the Mersenne Twister is used, so the sequence of values does not
# depend on how a Python version implements choice/randint/shuffle.
# ---------------------------------------------------------------------------------------------------


class Draws:
    """Small, version-independent helpers built on ``random()`` alone."""

    def random(self) -> float:
        """The next value in ``[0, 1)``."""
        raise NotImplementedError

    def below(self, n: int) -> int:
        """An integer in ``[0, n)``."""
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        """An integer in ``[low, high]``."""
        return low + int(self.random() * (high - low + 1))

    def pick(self, options: Sequence[T]) -> T:
        """One of ``options``, uniformly."""
        return options[int(self.random() * len(options))]

    def weighted(self, options: Sequence[T], cumulative: Sequence[float]) -> T:
        """One of ``options``, with cumulative weights ``cumulative``."""
        return options[bisect(cumulative, self.random() * cumulative[-1])]

    def mix(self, values: list[Any]) -> None:
        """Shuffle ``values`` in place (Fisher-Yates)."""
        for i in range(len(values) - 1, 0, -1):
            j = int(self.random() * (i + 1))
            values[i], values[j] = values[j], values[i]


class Rng(random.Random, Draws):
    """The generator's random source: a seeded Mersenne Twister with the ``Draws`` helpers."""


class HashDraws(Draws):
    """Coarse (16-bit) draws from a SplitMix64 sequence: cheap to start, for values derived from an index."""

    def __init__(self, state: int) -> None:
        """Start the sequence at ``state``."""
        self.state = state & _MASK64
        self.bits = 0
        self.left = 0

    def random(self) -> float:
        """The next value in ``[0, 1)``, in steps of 1/65536."""
        if not self.left:
            self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK64
            self.bits, self.left = _mix64(self.state), 4
        self.left -= 1
        value = self.bits & 0xFFFF
        self.bits >>= 16
        return value / 65536.0


# ---------------------------------------------------------------------------------------------------
# Customers: derived from their index, so no pool is held in memory
# ---------------------------------------------------------------------------------------------------


def _mix64(value: int) -> int:
    """SplitMix64 finaliser: a well-spread 64-bit hash of an integer."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


@dataclass(frozen=True, slots=True)
class ActivityProfile:
    """When and how often a customer orders: active from ``start``; churners fade out until ``end``."""

    start: int
    end: int
    weight: float
    churner: bool

    def intensity(self, day: int) -> float:
        """Relative order rate on ``day`` (0 outside the active window, declining for churners)."""
        if day < self.start or day > self.end:
            return 0.0
        if not self.churner:
            return self.weight
        return self.weight * (0.15 + 0.85 * (self.end - day) / max(self.end - self.start, 1))


MAX_INTENSITY = 3.0
EXISTING_CUSTOMER_SHARE = 0.35  # customers already active on the first day; the rest sign up over time
CHURNER_SHARE = 0.45  # customers whose activity fades out and stops within 30 to 730 days


class CustomerBase:
    """``size`` customers, numbered in sign-up order; everything about one is a hash of its index."""

    def __init__(self, seed: int, size: int) -> None:
        """A customer base of ``size`` customers for ``seed``."""
        self.key = _mix64(seed & _MASK64)
        self.size = max(1, size)
        self.existing = max(1, int(self.size * EXISTING_CUSTOMER_SHARE))
        self.span = N_DAYS - 14  # the last sign-ups still have two weeks to order

    def start_day(self, index: int) -> int:
        """The day customer ``index`` signs up."""
        if index < self.existing:
            return 0
        return (index - self.existing) * self.span // max(self.size - self.existing, 1)

    def signed_up_by(self, day: int) -> int:
        """How many customers have signed up by ``day`` (they are the indexes below it)."""
        late = -(-(day + 1) * max(self.size - self.existing, 1) // self.span)
        return min(self.size, self.existing + late)

    def profile(self, index: int) -> ActivityProfile:
        """The activity profile of customer ``index`` (customer 0 is always active, at the top rate)."""
        if index == 0:
            return ActivityProfile(0, N_DAYS, MAX_INTENSITY, False)
        bits = _mix64(self.key ^ index)
        u_rate = (bits & 0xFFFF) / 65536.0
        u_churn, u_life = (bits >> 16 & 0xFFFF) / 65536.0, (bits >> 32 & 0xFFFF) / 65536.0
        start = self.start_day(index)
        weight = 0.25 + (MAX_INTENSITY - 0.25) * u_rate * u_rate
        churner = u_churn < CHURNER_SHARE
        end = start + 30 + int(u_life * 700) if churner else N_DAYS
        return ActivityProfile(start, end, weight, churner)

    def pick(self, day: int, rng: Rng) -> Customer:
        """A customer active on ``day``, drawn in proportion to their order rate (thinning)."""
        signed_up = self.signed_up_by(day)
        for _ in range(1000):
            index = rng.below(signed_up)
            if rng.random() * MAX_INTENSITY < self.profile(index).intensity(day):
                return self.details(index)
        return self.details(0)

    def details(self, index: int) -> Customer:
        """The identity and address of customer ``index``."""
        draw = HashDraws(self.key ^ index ^ 0x5DEECE66D)
        first = draw.pick(TWO_WORD_FIRST_NAMES) if draw.random() < 0.08 else draw.pick(FIRST_NAMES)
        last = draw.pick(LAST_NAMES)
        country = draw.weighted(_CUSTOMER_COUNTRIES, _CUSTOMER_COUNTRY_CUM)
        local_part = f"{first}.{last}".lower().translate(_ASCII_FOLD)
        email = f"{local_part}{draw.between(1, 99)}@{draw.pick(_EMAIL_DOMAINS)}"
        address = draw.pick(CITIES[country])
        home = draw.weighted(*_LOCAL_STORES[country])
        customer = Customer(f"CUS-{index + 1:06d}", first, last, email, country, address, home)
        if draw.random() < MOVING_CUSTOMER_RATE:
            others = [city for city in CITIES[country] if city != address]
            move_day = draw.between(min(self.start_day(index) + 30, N_DAYS - 1), N_DAYS - 1)
            customer = replace(customer, move_day=move_day, new_address=draw.pick(others))
        return customer


# ---------------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------------


class _Generator:
    """Plans orders in time order and hands out their submissions once no earlier one can follow."""

    def __init__(self, orders: int, files: int, seed: int) -> None:
        """A planner for ``orders`` orders spread over ``files`` files."""
        self.rng = Rng(seed)
        self.orders = orders
        self.customers = CustomerBase(seed, orders // 4)
        self.boundaries = file_boundaries(files)
        self.boundary_epochs = [utc_midnight(day) for day in self.boundaries]
        self.next_forced = 0  # next file boundary still owed a cross-file resubmission
        self.seq = 0
        self.malformed_cycle: list[str] = []
        self.heap: list[tuple[int, int, Submission]] = []

    # -- choosing -----------------------------------------------------------------------------------

    def guest_identity(self) -> Customer | None:
        """Half of the guests still type a name and e-mail address."""
        if self.rng.random() < 0.5:
            return None
        rng = self.rng
        first, last = rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES)
        email = f"{first}.{last}".lower().translate(_ASCII_FOLD) + "@guest.example.com"
        country = rng.weighted(_CUSTOMER_COUNTRIES, _CUSTOMER_COUNTRY_CUM)
        address = rng.pick(CITIES[country]) if rng.random() < 0.3 else ("", "")
        return Customer("", first, last, email, country if address[0] else "", address)

    def next_defect(self) -> str:
        """The next quarantine reason, cycling through all of them in shuffled rounds."""
        if not self.malformed_cycle:
            self.malformed_cycle = list(QUARANTINE_REASONS)
            self.rng.mix(self.malformed_cycle)
        return self.malformed_cycle.pop()

    def new_lines(self, count: int, exclude: frozenset[str] = frozenset()) -> list[Line]:
        """``count`` lines of distinct catalogue items not in ``exclude``."""
        rng = self.rng
        items: list[tuple[str, str, str, str, str]] = []
        while len(items) < count:
            item = rng.pick(ITEMS)
            if item[0] not in exclude and item not in items:
                items.append(item)
        return [Line(item, self.unit_price(item[4]), rng.weighted(_ONE_TO_FIVE, _QUANTITY_CUM)) for item in items]

    def unit_price(self, list_price: str) -> str:
        """The list price, sometimes discounted and rarely free."""
        roll = self.rng.random()
        if roll < 0.005:
            return "0.00"
        if roll < 0.06:
            discount = Decimal(self.rng.pick(("0.9", "0.8", "0.75", "0.7")))
            return str((Decimal(list_price) * discount).quantize(Decimal("0.01")))
        return list_price

    def status_and_fulfillment(self) -> tuple[str, int | None]:
        """A random status and, for shipped-like statuses, a fulfillment time in milliseconds."""
        rng = self.rng
        if rng.random() < UNKNOWN_STATUS_RATE:
            return rng.pick(UNKNOWN_STATUSES), None
        status = rng.weighted(STATUSES, _STATUS_CUM)
        if status not in FULFILLED_STATUSES:
            return status, None
        return status, rng.between(3600, 14 * _DAY_SECONDS) * 1000 + rng.between(0, 999)

    def snapshot(self) -> Snapshot:
        """The snapshot of a new order."""
        count = self.rng.weighted(_ONE_TO_FIVE, _LINE_COUNT_CUM)
        status, fulfillment = self.status_and_fulfillment()
        return Snapshot(status, tuple(self.new_lines(count)), fulfillment)

    def corrected(self, before: Snapshot) -> Snapshot:
        """A changed snapshot: another status, other lines or quantities, or both."""
        change = self.rng.pick(("status", "lines", "both"))
        status, fulfillment = before.status, before.fulfillment_ms
        lines = before.lines
        if change != "lines":
            while status == before.status:
                status, fulfillment = self.status_and_fulfillment()
        if change != "status":
            lines = self.changed_lines(before.lines)
        return Snapshot(status, lines, fulfillment)

    def changed_lines(self, lines: tuple[Line, ...]) -> tuple[Line, ...]:
        """``lines`` with one quantity changed, one line dropped or one line added."""
        rng, changed = self.rng, list(lines)
        roll = rng.random()
        if roll < 0.3 and len(changed) > 1:
            del changed[rng.below(len(changed))]
        elif roll < 0.6 and len(changed) < 5:
            changed += self.new_lines(1, frozenset(line.item[0] for line in lines))
        else:
            position = rng.below(len(changed))
            line = changed[position]
            quantity = rng.pick([q for q in (1, 2, 3, 4, 5) if q != line.quantity])
            changed[position] = Line(line.item, line.unit_price, quantity)
        return tuple(changed)

    # -- planning -----------------------------------------------------------------------------------

    def submission(
        self, order: Order, snapshot: Snapshot, day: int, seconds: int, form: str | None = None
    ) -> Submission:
        """A submission at store-local ``seconds`` after midnight of ``day``, in ``form`` or a random one."""
        event = local_epoch(order.store, day, seconds)
        form = form or self.rng.weighted(_SUBMITTED_AT_FORMS, _SUBMITTED_AT_CUM)
        recorded = local_epoch(order.store, day, 0) if form == "date" else event
        self.seq += 1
        return Submission(order, snapshot, event, day, form, recorded, self.seq)

    def double_submit(self, original: Submission) -> Submission:
        """An identical resubmission 1 to 20 seconds later, its submitted_at never before the original's.

        Mostly written in the original's form. Only a date-only original may be followed by a
        date-only copy: the same instant, a tie that the larger submission id breaks.
        """
        delay = self.rng.between(1, 20)
        event = original.event + delay
        form = self.rng.weighted(_SUBMITTED_AT_FORMS, _SUBMITTED_AT_CUM)
        if self.rng.random() < SAME_FORM_DOUBLE_SUBMIT_RATE:
            form = original.form
        elif form == "date" and original.form != "date":
            form = self.rng.weighted(_SUBMITTED_AT_FORMS[:-1], _SUBMITTED_AT_CUM[:-1])
        recorded = local_epoch(original.order.store, original.day, 0) if form == "date" else event
        self.seq += 1
        original.keep_render = True
        return Submission(
            original.order, original.snapshot, event, original.day, form, recorded, self.seq, copy_of=original
        )

    def correction_time(self, day: int, seconds: int, min_day: int | None) -> tuple[int, int] | None:
        """When a correction comes: hours to weeks later (from ``min_day`` on when given)."""
        rng = self.rng
        if min_day is not None:
            return min(min_day + rng.between(0, 3), N_DAYS - 1), rng.between(_OPEN, _CLOSE - 1)
        if rng.random() < 0.3 and seconds < _CLOSE - 2 * 3600:
            return day, rng.between(seconds + 3600, _CLOSE - 1)
        later = day + rng.between(1, 28)
        return (later, rng.between(_OPEN, _CLOSE - 1)) if later < N_DAYS else None

    def forced_crossing(self, day: int, event: int) -> int | None:
        """The day a correction must reach to land in the next file, if this order owes one."""
        while self.next_forced < len(self.boundaries) and self.boundaries[self.next_forced] < day:
            self.next_forced += 1
        if self.next_forced >= len(self.boundaries):
            return None
        boundary = self.boundaries[self.next_forced]
        if day < boundary - 30 or event >= self.boundary_epochs[self.next_forced] or boundary + 1 >= N_DAYS:
            return None
        self.next_forced += 1
        return boundary + 1

    def new_order(self, index: int, day: int) -> Order:
        """The fixed facts of order ``index`` placed on ``day``."""
        rng = self.rng
        guest = rng.random() < GUEST_RATE
        customer = None if guest else self.customers.pick(day, rng)
        identity = self.guest_identity() if guest else None
        store = rng.weighted(STORES, _STORE_CUM)
        if customer is not None and customer.home_store is not None and rng.random() < HOME_STORE_RATE:
            store = customer.home_store
        tax_rate = Decimal(0) if rng.random() < TAX_EXEMPT_RATE else Decimal(store.tax_rate)
        return Order(f"ORD-{index + 1:08d}", store, customer, identity, True, tax_rate)

    def plan_order(self, index: int) -> float:
        """Plan order ``index`` and all its submissions; returns the order's fractional day."""
        rng = self.rng
        position = order_position(index, self.orders)
        day = min(max(math.floor(position + (3.0 * rng.random() - 1.5)), 0), N_DAYS - 1)
        order = self.new_order(index, day)
        seconds = rng.between(_OPEN, _CLOSE - 1)
        original = self.submission(order, self.snapshot(), day, seconds)
        in_first_file = not self.boundary_epochs or original.event < self.boundary_epochs[0]
        order.prices_include_tax = in_first_file or not order.store.excludes_tax
        malformed = math.floor((index + 1) * MALFORMED_ORDER_RATE) > math.floor(index * MALFORMED_ORDER_RATE)
        original.defect = self.next_defect() if malformed else None
        planned = [original]
        if not malformed and rng.random() < DOUBLE_SUBMIT_RATE:
            planned.append(self.double_submit(original))
        planned += self.corrections(original, seconds)
        settle_outcomes(planned)
        for submission in planned:
            heapq.heappush(self.heap, (submission.event, submission.seq, submission))
        return position

    def corrections(self, original: Submission, seconds: int) -> list[Submission]:
        """Zero or one later corrected resubmission of ``original``'s order."""
        forced_day = self.forced_crossing(original.day, original.event)
        rate = CORRECTION_OF_MALFORMED_RATE if original.defect else CORRECTION_RATE
        if forced_day is None and self.rng.random() >= rate:
            return []
        when = self.correction_time(original.day, seconds, forced_day)
        if when is None:
            return []
        form = "date" if self.rng.random() < DATE_ONLY_CORRECTION_RATE else None
        correction = self.submission(original.order, self.corrected(original.snapshot), *when, form)
        if forced_day is None and self.rng.random() < MALFORMED_CORRECTION_RATE:
            correction.defect = self.next_defect()
        return [correction]

    def release(self, before: int | None) -> list[Submission]:
        """Pop the waiting submissions whose event precedes ``before`` (all when None), in order."""
        ready = []
        while self.heap and (before is None or self.heap[0][0] < before):
            ready.append(heapq.heappop(self.heap)[2])
        return ready


def settle_outcomes(submissions: list[Submission]) -> None:
    """Quarantine first, de-duplication second: the latest interpretable submission wins."""
    valid = [submission for submission in submissions if submission.defect is None]
    winner = max(valid, key=Submission.sort_key) if valid else None
    for submission in submissions:
        if submission.defect is not None:
            submission.outcome = "quarantined"
        else:
            submission.outcome = "winning" if submission is winner else "superseded"


# ---------------------------------------------------------------------------------------------------
# Rendering: semantic values to export text, with the contract's warts
# ---------------------------------------------------------------------------------------------------

_LINE_DEFECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "non_positive_quantity": ("quantity", ("0", "-1", '"0"', '"-1"')),
    "non_integer_quantity": ("quantity", ("2.5", "1.5", '"2.5"', '"two"')),
    "negative_unit_price": ("unit_price", ("-3.50", '"-3.50"', "-12.99")),
    "non_numeric_unit_price": ("unit_price", ('"abc"', '"12,50"', '"n/a"')),
}


def random_case(text: str, rng: Rng) -> str:
    """``text`` as written, upper-cased, lower-cased or title-cased."""
    roll = rng.random()
    if roll < 0.55:
        return text
    if roll < 0.7:
        return text.upper()
    if roll < 0.85:
        return text.lower()
    return text.title()


def pad(text: str, rng: Rng) -> str:
    """``text`` with one to three stray spaces before and/or after it."""
    before, after = " " * rng.between(0, 2), " " * rng.between(0, 2)
    return before + text + (after or " ")


def render_submitted_at(submission: Submission, rng: Rng) -> str:
    """``submitted_at`` in the submission's form: UTC, with an offset, naive local, or a local date."""
    if submission.form == "date":
        return day_date(submission.day).isoformat()
    if submission.form == "utc":
        return datetime.fromtimestamp(submission.recorded, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    zone = _ZONES[submission.order.store.store_id]
    if submission.form == "naive":
        return datetime.fromtimestamp(submission.recorded, zone).strftime("%Y-%m-%d %H:%M:%S")
    offset_zone = zone if rng.random() < 0.5 else rng.pick(_FIXED_OFFSETS)
    return datetime.fromtimestamp(submission.recorded, offset_zone).isoformat(timespec="seconds")


def render_status(status: str, rng: Rng) -> str:
    """The status in random case (``In Process``, ``ON HOLD``), sometimes with stray spaces."""
    roll = rng.random()
    if roll < 0.5:
        text = status
    elif roll < 0.7:
        text = status.title()
    else:
        text = status.upper() if roll < 0.85 else status.capitalize()
    return pad(text, rng) if rng.random() < 0.05 else text


def render_name(first: str, last: str, rng: Rng) -> str:
    """``First Last`` or ``Last, First`` in random case, sometimes with repeated spaces."""
    style = rng.random()
    if style < 0.15:
        first, last = first.upper(), last.upper()
    elif style < 0.3:
        first, last = first.lower(), last.lower()
    elif style < 0.45:
        first, last = first.lower(), last.upper()
    gap = " " if rng.random() < 0.85 else " " * rng.between(2, 3)
    first = gap.join(first.split(" "))
    if rng.random() < 0.4:
        return f"{last},{rng.pick(('', ' ', ' ', '  '))}{first}"
    return f"{first}{gap}{last}"


def render_email(email: str, rng: Rng) -> str:
    """The e-mail address in random case, sometimes with surrounding spaces, ~3% left empty."""
    roll = rng.random()
    if roll < 0.03:
        return ""
    if roll < 0.13:
        email = email.upper()
    elif roll < 0.3:
        email = ".".join(part.capitalize() for part in email.split("."))
    return f" {email} " if rng.random() < 0.1 else email


def render_country(code: str, rng: Rng) -> str:
    """A country as its alpha-2 code, alpha-3 code or English name, in random case."""
    alpha3, name = COUNTRIES[code]
    return random_case(rng.pick((code, alpha3, name)), rng)


def render_customer(order: Order, day: int, rng: Rng) -> dict[str, str]:
    """The customer columns of a row (guests have no id and may have no name or address)."""
    person = order.customer or order.guest_identity
    if person is None:
        return dict.fromkeys(("customer_id", "customer_name", "customer_email", "customer_city",
                              "customer_postal_code", "customer_country"), "")  # fmt: skip
    city, postal_code = person.address_on(day)
    if rng.random() < 0.02:
        city, postal_code = "", ""
    return {
        "customer_id": person.customer_id,
        "customer_name": render_name(person.first_name, person.last_name, rng),
        "customer_email": render_email(person.email, rng),
        "customer_city": city,
        "customer_postal_code": postal_code,
        "customer_country": render_country(person.country, rng) if person.country else "",
    }


def render_store(store: Store, day: int, timezone_seen: bool, rng: Rng) -> dict[str, str]:
    """The store columns of a row; the zone is left empty on some rows once the store has named it."""
    on = day_date(day)
    city, postal_code = store.address_on(on)
    empty_zone = timezone_seen and rng.random() < EMPTY_TIMEZONE_RATE
    return {
        "store_id": store.store_id,
        "store_name": store.name_on(on),
        "store_city": city,
        "store_postal_code": postal_code,
        "store_country": render_country(store.country, rng),
        "store_timezone": "" if empty_zone else store.timezone,
    }


def render_bool(value: bool, rng: Rng) -> str:
    """``true/false``, ``yes/no`` or ``1/0`` in random case."""
    word = rng.pick(("true", "yes", "1") if value else ("false", "no", "0"))
    return random_case(word, rng)


def render_tax_rate(rate: Decimal, rng: Rng) -> str:
    """A fraction (``0.0725``) or a percentage (``7.25%``); a zero rate is mostly left empty."""
    if rate == 0:
        return rng.pick(("", "", "", "", "0", "0%"))
    if rng.random() < 0.5:
        return str(rate)
    return format((rate * 100).normalize(), "f") + "%"


def render_money(order: Order, file_index: int, rng: Rng) -> dict[str, str]:
    """Currency, prices_include_tax (absent from the first file) and tax rate."""
    include_tax = ""
    if file_index > 0 and not (order.prices_include_tax and rng.random() < 0.05):
        include_tax = render_bool(order.prices_include_tax, rng)
    return {
        "currency": rng.pick(("USD", "USD", "usd", "Usd")),
        "prices_include_tax": include_tax,
        "tax_rate": render_tax_rate(order.tax_rate, rng),
    }


def render_fulfillment(snapshot: Snapshot, day: int) -> str:
    """Whole seconds before 2023-01-01 (store-local), integer milliseconds from then on."""
    if snapshot.fulfillment_ms is None:
        return ""
    return str(snapshot.fulfillment_ms // 1000 if day < _MS_FROM_DAY else snapshot.fulfillment_ms)


def render_price(price: str, rng: Rng) -> str:
    """A JSON unit price: a number (``12.50`` or ``12.5``) or a numeric string (``"12.50"``)."""
    roll = rng.random()
    if roll < 0.45:
        return price
    if roll < 0.6:
        return format(Decimal(price).normalize(), "f")
    return f'"{price}"'


def render_quantity(quantity: int, rng: Rng) -> str:
    """A JSON quantity: mostly a number, often a numeric string, rarely ``2.0``."""
    roll = rng.random()
    if roll < 0.7:
        return str(quantity)
    return f'"{quantity}"' if roll < 0.98 else f"{quantity}.0"


def render_line(line: Line, rng: Rng) -> dict[str, str]:
    """One line object as JSON-encoded values by key, in the contract's key order."""
    sku, name, brand, category = _ENCODED_ITEMS[line.item[0]][rng.random() < 0.7]
    return {
        "sku": sku,
        "name": name,
        "brand": brand,
        "category": category,
        "unit_price": render_price(line.unit_price, rng),
        "quantity": render_quantity(line.quantity, rng),
    }


_LINE_KEYS = ("sku", "name", "brand", "category", "unit_price", "quantity")
_SPACED_LINE = "{{" + ", ".join(f'"{key}": {{}}' for key in _LINE_KEYS) + "}}"
_COMPACT_LINE = "{{" + ",".join(f'"{key}":{{}}' for key in _LINE_KEYS) + "}}"


def json_array(objects: list[dict[str, str]], rng: Rng) -> str:
    """Serialise line objects compactly, spaced, or pretty-printed over several lines."""
    roll = rng.random()
    if roll < 0.03:
        inner = ",\n".join(
            "  {\n" + ",\n".join(f'    "{key}": {value}' for key, value in obj.items()) + "\n  }" for obj in objects
        )
        return "[\n" + inner + "\n]"
    item_sep, key_sep = (", ", ": ") if roll < 0.6 else (",", ":")
    template = _SPACED_LINE if roll < 0.6 else _COMPACT_LINE
    parts = []
    for obj in objects:
        if rng.random() >= 0.1 and len(obj) == len(_LINE_KEYS):
            parts.append(template.format(*obj.values()))  # all keys, in the contract's order
            continue
        keys = list(obj)
        rng.mix(keys)
        parts.append("{" + item_sep.join(f'"{key}"{key_sep}{obj[key]}' for key in keys) + "}")
    return "[" + item_sep.join(parts) + "]"


def break_line(obj: dict[str, str], defect: str, rng: Rng) -> None:
    """Give one line object exactly the line-level defect ``defect``."""
    if defect == "line_without_sku":
        if rng.random() < 0.5:
            del obj["sku"]
        else:
            obj["sku"] = '""'
        return
    key, choices = _LINE_DEFECTS[defect]
    obj[key] = rng.pick(choices)


def malformed_json(text: str, objects: list[dict[str, str]], rng: Rng) -> str:
    """Not a JSON array: truncated text, a lone object, or plain words."""
    roll = rng.random()
    if roll < 0.5:
        return text[: rng.between(2, min(len(text) - 1, 40))]
    if roll < 0.8:
        return json_array(objects[:1], rng)[1:-1]
    sku, quantity = json.loads(objects[0]["sku"]), objects[0]["quantity"].strip('"')
    return f"{sku} x{quantity}"


def render_items(lines: tuple[Line, ...], defect: str | None, rng: Rng) -> str:
    """The order_items JSON text, carrying ``defect`` when it is an items defect."""
    if defect == "empty_order_items":
        return rng.pick(("[]", "[ ]"))
    objects = [render_line(line, rng) for line in lines]
    if defect == "line_without_sku" or defect in _LINE_DEFECTS:
        break_line(objects[rng.below(len(objects))], defect, rng)
    text = json_array(objects, rng)
    return malformed_json(text, objects, rng) if defect == "malformed_order_items_json" else text


def apply_row_defect(row: dict[str, str], defect: str | None, rng: Rng) -> None:
    """Give the row exactly the row-level defect ``defect`` (items defects are rendered already)."""
    if defect == "unparseable_submitted_at":
        row["submitted_at"] = rng.pick(_BAD_SUBMITTED_AT)
    elif defect == "unknown_store_timezone":
        row["store_timezone"] = rng.pick(_BAD_TIMEZONES)
    elif defect == "unsupported_currency":
        row["currency"] = rng.pick(_BAD_CURRENCIES)


def add_stray_spaces(row: dict[str, str], rng: Rng) -> None:
    """Pad ~5% of the fields with stray leading/trailing spaces (an empty field becomes spaces)."""
    position = -1
    while True:
        position += 1 + int(math.log(1.0 - rng.random()) / _LOG_NO_STRAY_SPACE)  # geometric skip
        if position >= len(COLUMNS):
            return
        row[COLUMNS[position]] = pad(row[COLUMNS[position]], rng)


def render_row(
    submission: Submission, submission_id: str, file_index: int, timezone_seen: bool, rng: Rng
) -> dict[str, str]:
    """The export row of ``submission``, by column name."""
    if submission.copy_of is not None:
        return render_copy(submission, submission_id, file_index, rng)
    order, snapshot, day = submission.order, submission.snapshot, submission.day
    row = {
        "submission_id": submission_id,
        "order_id": order.order_id,
        "submitted_at": render_submitted_at(submission, rng),
        "order_status": render_status(snapshot.status, rng),
        **render_customer(order, day, rng),
        **render_store(order.store, day, timezone_seen, rng),
        **render_money(order, file_index, rng),
        "fulfillment_time": render_fulfillment(snapshot, day),
        "order_items": render_items(snapshot.lines, submission.defect, rng),
    }
    apply_row_defect(row, submission.defect, rng)
    add_stray_spaces(row, rng)
    return row


def render_copy(submission: Submission, submission_id: str, file_index: int, rng: Rng) -> dict[str, str]:
    """A double submit: the original row with a new id and submitted_at (and the newer file format)."""
    original = submission.copy_of
    assert original is not None and original.rendered is not None
    row = dict(original.rendered)
    row["submission_id"] = submission_id
    row["submitted_at"] = render_submitted_at(submission, rng)
    if file_index > 0 and original.file_index == 0:
        row["prices_include_tax"] = render_bool(True, rng)
    for key in ("submission_id", "submitted_at"):
        if rng.random() < STRAY_SPACE_RATE:
            row[key] = pad(row[key], rng)
    return row


# ---------------------------------------------------------------------------------------------------
# The oracle
# ---------------------------------------------------------------------------------------------------


def normalized_status(status: str) -> str:
    """The warehouse's status: lower case with underscores, ``unknown`` when not in the contract."""
    return status.replace(" ", "_") if status in STATUSES else "unknown"


def amounts(lines: tuple[Line, ...], prices_include_tax: bool, tax_rate: Decimal) -> tuple[Decimal, Decimal]:
    """Net and gross amount of the lines, exact (precision 40), rounded half-even to 6 places."""
    ctx, one_plus_tax = _DECIMAL, _DECIMAL.add(Decimal(1), tax_rate)
    net = gross = Decimal(0)
    for line in lines:
        price, quantity = Decimal(line.unit_price), Decimal(line.quantity)
        if prices_include_tax:
            line_net = ctx.multiply(quantity, ctx.divide(price, one_plus_tax))
            line_gross = ctx.multiply(quantity, price)
        else:
            line_net = ctx.multiply(quantity, price)
            line_gross = ctx.multiply(line_net, one_plus_tax)
        net, gross = ctx.add(net, line_net), ctx.add(gross, line_gross)
    return (
        net.quantize(_MONEY, rounding=ROUND_HALF_EVEN, context=ctx),
        gross.quantize(_MONEY, rounding=ROUND_HALF_EVEN, context=ctx),
    )


def fulfillment_seconds(snapshot: Snapshot, day: int) -> str:
    """The fulfillment time in seconds, as the warehouse must derive it from the written value."""
    if snapshot.fulfillment_ms is None:
        return ""
    if day < _MS_FROM_DAY:
        return str(snapshot.fulfillment_ms // 1000)
    return format((Decimal(snapshot.fulfillment_ms) / 1000).normalize(), "f")


def oracle_row(submission: Submission, submission_id: str) -> list[str]:
    """The expected outcome of ``submission`` (values only for the winning one)."""
    order, snapshot = submission.order, submission.snapshot
    head = [submission_id, order.order_id, submission.outcome, submission.defect or ""]
    if submission.outcome != "winning":
        return head + [""] * 8
    net, gross = amounts(snapshot.lines, order.prices_include_tax, order.tax_rate)
    return [
        *head,
        day_date(submission.day).isoformat(),
        normalized_status(snapshot.status),
        order.customer.customer_id if order.customer else "",
        str(len(snapshot.lines)),
        str(sum(line.quantity for line in snapshot.lines)),
        format(net, "f"),
        format(gross, "f"),
        fulfillment_seconds(snapshot, submission.day),
    ]


# ---------------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------------


class _Output:
    """Streams rendered submissions into the export files (switching at file boundaries) and the oracle."""

    def __init__(self, out_dir: Path, files: int, boundary_epochs: list[int], rng: Rng) -> None:
        """Open the oracle; export files are opened as the stream reaches them."""
        self.paths = [out_dir / f"orders_export_{k + 1:03d}.csv" for k in range(files)]
        self.boundary_epochs = boundary_epochs
        self.rng = rng
        self.index = -1
        self.handle: IO[str] | None = None
        self.writer: Any = None
        self.columns: list[str] = []
        self.submissions = 0
        self.rows_per_file = [0] * files
        self.outcomes: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.timezones_seen: set[str] = set()  # membership only: store ids that named their zone
        self.oracle_handle = (out_dir / "expected_outcomes.csv").open(
            "w", newline="", encoding="utf-8", buffering=1 << 20
        )
        self.oracle = csv.writer(self.oracle_handle)
        self.oracle.writerow(ORACLE_COLUMNS)

    def open_next(self) -> None:
        """Close the current export file and start the next one, with its own column order."""
        if self.handle is not None:
            self.handle.close()
        self.index += 1
        columns = [name for name in COLUMNS if self.index > 0 or name != LEGACY_MISSING_COLUMN]
        self.rng.mix(columns)
        while columns == self.columns or columns == list(COLUMNS):
            self.rng.mix(columns)
        self.columns = columns
        self.handle = self.paths[self.index].open("w", newline="", encoding="utf-8", buffering=1 << 20)
        self.writer = csv.writer(self.handle)
        self.writer.writerow(columns)

    def emit(self, submission: Submission) -> None:
        """Write ``submission`` to the file its time belongs to, and its oracle row."""
        while self.index < 0 or (
            self.index + 1 < len(self.paths) and submission.event >= self.boundary_epochs[self.index]
        ):
            self.open_next()
        self.submissions += 1
        submission_id = f"SUB-{self.submissions:09d}"
        store = submission.order.store
        seen = store.store_id in self.timezones_seen
        row = render_row(submission, submission_id, self.index, seen, self.rng)
        if row["store_timezone"].strip() == store.timezone:
            self.timezones_seen.add(store.store_id)
        self.writer.writerow([row[name] for name in self.columns])
        self.oracle.writerow(oracle_row(submission, submission_id))
        self.rows_per_file[self.index] += 1
        self.outcomes[submission.outcome] += 1
        if submission.defect:
            self.reasons[submission.defect] += 1
        submission.file_index = self.index
        if submission.keep_render:
            submission.rendered = row

    def close(self) -> None:
        """Create the remaining (header-only) files and close everything."""
        while self.index + 1 < len(self.paths):
            self.open_next()
        if self.handle is not None:
            self.handle.close()
        self.oracle_handle.close()


def _remove_stale_exports(out_dir: Path, files: int) -> None:
    """Delete export files of an earlier, larger generation in ``out_dir`` (numbered beyond ``files``)."""
    for path in sorted(out_dir.glob("orders_export_*.csv")):
        number = path.stem.removeprefix("orders_export_")
        if number.isdigit() and int(number) > files:
            path.unlink()


def _report_progress(done: int, orders: int, rows: int) -> None:
    """One progress line on stderr."""
    print(f"generated {done}/{orders} orders ({100 * done // orders}%), {rows} rows written", file=sys.stderr)


def generate_exports(out_dir: Path, orders: int, files: int, seed: int, progress: bool = False) -> GenerationSummary:
    """Write ``files`` export files holding ``orders`` orders, and ``expected_outcomes.csv``.

    The same arguments always produce byte-identical files. Memory stays flat in ``orders``.
    """
    if orders < 0 or files < 1:
        raise ValueError("orders must be >= 0 and files >= 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_exports(out_dir, files)
    planner = _Generator(orders, files, seed)
    output = _Output(out_dir, files, planner.boundary_epochs, planner.rng)
    step = max(1, orders // 20)
    try:
        for index in range(orders):
            position = planner.plan_order(index)
            for submission in planner.release(utc_midnight(int(position) - 3)):
                output.emit(submission)
            if progress and orders >= 20_000 and (index + 1) % step == 0:
                _report_progress(index + 1, orders, output.submissions)
        for submission in planner.release(None):
            output.emit(submission)
    finally:
        output.close()
    return GenerationSummary(
        out_dir, orders, output.paths, output.rows_per_file, dict(output.outcomes), dict(output.reasons)
    )
