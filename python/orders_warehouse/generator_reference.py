"""The generated world: the calendar of the range, stores, people, catalogue items and how often each wart appears."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from itertools import accumulate
from zoneinfo import ZoneInfo

from orders_warehouse.loader import EXPORT_COLUMNS

START_DATE = date(2021, 6, 1)
END_DATE = date(2024, 6, 30)
N_DAYS = (END_DATE - START_DATE).days + 1
MILLISECONDS_FROM = date(2023, 1, 1)  # fulfillment_time is in milliseconds from this local date on
_START_ORDINAL = START_DATE.toordinal()
MS_FROM_DAY = (MILLISECONDS_FROM - START_DATE).days
DAY_SECONDS = 86_400
OPEN, CLOSE = 8 * 3600, 22 * 3600  # local wall-clock window of submissions: no DST gap or overlap

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
STATUS_CUM = tuple(accumulate((22, 14, 5, 26, 18, 3, 7, 5)))
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
STORE_CUM = tuple(accumulate(store.weight for store in STORES))
ZONES = {store.store_id: ZoneInfo(store.timezone) for store in STORES}

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
CUSTOMER_COUNTRIES = ("US", "GB", "DE", "JP", "AU")
LOCAL_STORES = {
    country: (
        tuple(store for store in STORES if store.country == country),
        tuple(accumulate(store.weight for store in STORES if store.country == country)),
    )
    for country in CUSTOMER_COUNTRIES
}
CUSTOMER_COUNTRY_CUM = tuple(accumulate((75, 7, 7, 5, 6)))

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
EMAIL_DOMAINS = ("example.com", "example.org", "mail.example.net")
ASCII_FOLD = str.maketrans({"ü": "ue", "ö": "oe", "ë": "e", "'": "", " ": ""})

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
ENCODED_ITEMS = {
    item[0]: tuple(tuple(json.dumps(text, ensure_ascii=escaped) for text in item[:4]) for escaped in (False, True))
    for item in ITEMS
}
FIXED_OFFSETS = tuple(
    timezone(timedelta(minutes=minutes)) for minutes in (-600, -480, -300, -210, 0, 60, 120, 330, 345, 540, 600, 780)
)
BAD_SUBMITTED_AT = ("yesterday", "2023-13-45 10:00:00", "05/03/2021", "2022-02-30", "not a date")
BAD_TIMEZONES = ("Mars/Olympus_Mons", "Europe/Atlantis", "America/Gotham")
BAD_CURRENCIES = ("EUR", "gbp", "Jpy")

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
LOG_NO_STRAY_SPACE = math.log(1.0 - STRAY_SPACE_RATE)
EMPTY_TIMEZONE_RATE = 0.05  # per row
MOVING_CUSTOMER_RATE = 0.05
HOME_STORE_RATE = 0.8  # share of a customer's orders taken by their home store
TAX_EXEMPT_RATE = 0.05
SUBMITTED_AT_FORMS = ("utc", "offset", "naive", "date")
SUBMITTED_AT_CUM = tuple(accumulate((30, 25, 30, 15)))
ONE_TO_FIVE = (1, 2, 3, 4, 5)
LINE_COUNT_CUM = tuple(accumulate((25, 25, 20, 15, 15)))  # 2.7 lines per order on average
QUANTITY_CUM = tuple(accumulate((50, 25, 12, 8, 5)))

# The calendar: day indexes count from START_DATE.


def day_date(day: int) -> date:
    """The calendar date of day index ``day``."""
    return date.fromordinal(_START_ORDINAL + day)


def local_epoch(store: Store, day: int, seconds: int) -> int:
    """Epoch second of the store-local wall time ``seconds`` after midnight on day ``day``."""
    wall = datetime.combine(day_date(day), time(seconds // 3600, seconds // 60 % 60, seconds % 60))
    return int(wall.replace(tzinfo=ZONES[store.store_id]).timestamp())


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
