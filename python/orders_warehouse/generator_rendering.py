"""Rendering: a submission's semantic values to export text, with the contract's warts."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from decimal import Decimal

from orders_warehouse.generator_draws import Rng
from orders_warehouse.generator_planner import Line, Order, Snapshot, Submission
from orders_warehouse.generator_reference import (
    BAD_CURRENCIES,
    BAD_SUBMITTED_AT,
    BAD_TIMEZONES,
    COLUMNS,
    COUNTRIES,
    EMPTY_TIMEZONE_RATE,
    ENCODED_ITEMS,
    FIXED_OFFSETS,
    LOG_NO_STRAY_SPACE,
    MS_FROM_DAY,
    STRAY_SPACE_RATE,
    ZONES,
    Store,
    day_date,
)

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
    zone = ZONES[submission.order.store.store_id]
    if submission.form == "naive":
        return datetime.fromtimestamp(submission.recorded, zone).strftime("%Y-%m-%d %H:%M:%S")
    offset_zone = zone if rng.random() < 0.5 else rng.pick(FIXED_OFFSETS)
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
    return str(snapshot.fulfillment_ms // 1000 if day < MS_FROM_DAY else snapshot.fulfillment_ms)


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
    sku, name, brand, category = ENCODED_ITEMS[line.item[0]][rng.random() < 0.7]
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
        row["submitted_at"] = rng.pick(BAD_SUBMITTED_AT)
    elif defect == "unknown_store_timezone":
        row["store_timezone"] = rng.pick(BAD_TIMEZONES)
    elif defect == "unsupported_currency":
        row["currency"] = rng.pick(BAD_CURRENCIES)


def add_stray_spaces(row: dict[str, str], rng: Rng) -> None:
    """Pad ~5% of the fields with stray leading/trailing spaces (an empty field becomes spaces)."""
    position = -1
    while True:
        position += 1 + int(math.log(1.0 - rng.random()) / LOG_NO_STRAY_SPACE)  # geometric skip
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
