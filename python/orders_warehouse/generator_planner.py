"""Planning: orders in time order, each with all its submissions and their outcomes decided up front."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from decimal import Decimal

from orders_warehouse.generator_customers import Customer, CustomerBase
from orders_warehouse.generator_draws import Rng
from orders_warehouse.generator_reference import (
    ASCII_FOLD,
    CITIES,
    CLOSE,
    CORRECTION_OF_MALFORMED_RATE,
    CORRECTION_RATE,
    CUSTOMER_COUNTRIES,
    CUSTOMER_COUNTRY_CUM,
    DATE_ONLY_CORRECTION_RATE,
    DAY_SECONDS,
    DOUBLE_SUBMIT_RATE,
    FIRST_NAMES,
    FULFILLED_STATUSES,
    GUEST_RATE,
    HOME_STORE_RATE,
    ITEMS,
    LAST_NAMES,
    LINE_COUNT_CUM,
    MALFORMED_CORRECTION_RATE,
    MALFORMED_ORDER_RATE,
    N_DAYS,
    ONE_TO_FIVE,
    OPEN,
    QUANTITY_CUM,
    QUARANTINE_REASONS,
    SAME_FORM_DOUBLE_SUBMIT_RATE,
    STATUS_CUM,
    STATUSES,
    STORE_CUM,
    STORES,
    SUBMITTED_AT_CUM,
    SUBMITTED_AT_FORMS,
    TAX_EXEMPT_RATE,
    UNKNOWN_STATUS_RATE,
    UNKNOWN_STATUSES,
    Store,
    file_boundaries,
    local_epoch,
    order_position,
    utc_midnight,
)


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


class Planner:
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
        email = f"{first}.{last}".lower().translate(ASCII_FOLD) + "@guest.example.com"
        country = rng.weighted(CUSTOMER_COUNTRIES, CUSTOMER_COUNTRY_CUM)
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
        return [Line(item, self.unit_price(item[4]), rng.weighted(ONE_TO_FIVE, QUANTITY_CUM)) for item in items]

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
        status = rng.weighted(STATUSES, STATUS_CUM)
        if status not in FULFILLED_STATUSES:
            return status, None
        return status, rng.between(3600, 14 * DAY_SECONDS) * 1000 + rng.between(0, 999)

    def snapshot(self) -> Snapshot:
        """The snapshot of a new order."""
        count = self.rng.weighted(ONE_TO_FIVE, LINE_COUNT_CUM)
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
        form = form or self.rng.weighted(SUBMITTED_AT_FORMS, SUBMITTED_AT_CUM)
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
        form = self.rng.weighted(SUBMITTED_AT_FORMS, SUBMITTED_AT_CUM)
        if self.rng.random() < SAME_FORM_DOUBLE_SUBMIT_RATE:
            form = original.form
        elif form == "date" and original.form != "date":
            form = self.rng.weighted(SUBMITTED_AT_FORMS[:-1], SUBMITTED_AT_CUM[:-1])
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
            return min(min_day + rng.between(0, 3), N_DAYS - 1), rng.between(OPEN, CLOSE - 1)
        if rng.random() < 0.3 and seconds < CLOSE - 2 * 3600:
            return day, rng.between(seconds + 3600, CLOSE - 1)
        later = day + rng.between(1, 28)
        return (later, rng.between(OPEN, CLOSE - 1)) if later < N_DAYS else None

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
        store = rng.weighted(STORES, STORE_CUM)
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
        seconds = rng.between(OPEN, CLOSE - 1)
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
