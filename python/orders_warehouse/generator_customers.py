"""Customers: derived from their index with a hash, so no pool is held in memory."""

from __future__ import annotations

from dataclasses import dataclass, replace

from orders_warehouse.generator_draws import MASK64, HashDraws, Rng, mix64
from orders_warehouse.generator_reference import (
    ASCII_FOLD,
    CITIES,
    CUSTOMER_COUNTRIES,
    CUSTOMER_COUNTRY_CUM,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    LOCAL_STORES,
    MOVING_CUSTOMER_RATE,
    N_DAYS,
    TWO_WORD_FIRST_NAMES,
    Store,
)


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
        self.key = mix64(seed & MASK64)
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
        bits = mix64(self.key ^ index)
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
        country = draw.weighted(CUSTOMER_COUNTRIES, CUSTOMER_COUNTRY_CUM)
        local_part = f"{first}.{last}".lower().translate(ASCII_FOLD)
        email = f"{local_part}{draw.between(1, 99)}@{draw.pick(EMAIL_DOMAINS)}"
        address = draw.pick(CITIES[country])
        home = draw.weighted(*LOCAL_STORES[country])
        customer = Customer(f"CUS-{index + 1:06d}", first, last, email, country, address, home)
        if draw.random() < MOVING_CUSTOMER_RATE:
            others = [city for city in CITIES[country] if city != address]
            move_day = draw.between(min(self.start_day(index) + 30, N_DAYS - 1), N_DAYS - 1)
            customer = replace(customer, move_day=move_day, new_address=draw.pick(others))
        return customer
