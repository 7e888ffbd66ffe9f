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

The parts: ``generator_reference`` (the stores, people, items and rates), ``generator_draws``
(version-independent random draws), ``generator_customers``, ``generator_planner`` (orders and their
submissions), ``generator_rendering`` (the export text); this module writes the files and the oracle.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path
from typing import IO, Any

from orders_warehouse.generator_draws import Rng
from orders_warehouse.generator_planner import Line, Planner, Snapshot, Submission
from orders_warehouse.generator_reference import (
    COLUMNS,
    LEGACY_MISSING_COLUMN,
    MS_FROM_DAY,
    ORACLE_COLUMNS,
    QUARANTINE_REASONS,
    STATUSES,
    day_date,
    utc_midnight,
)
from orders_warehouse.generator_rendering import render_row

# The generator's public face: what it writes, and the contract's names the tests check the files against.
__all__ = [
    "COLUMNS",
    "LEGACY_MISSING_COLUMN",
    "ORACLE_COLUMNS",
    "QUARANTINE_REASONS",
    "GenerationSummary",
    "generate_exports",
]

_MONEY = Decimal("0.000001")
_DECIMAL = Context(prec=40)


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


# The oracle


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
    if day < MS_FROM_DAY:
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


# Output


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
    planner = Planner(orders, files, seed)
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
