"""Random draws of the generator.

Only ``random()`` of the Mersenne Twister is used, so the sequence of values does not depend on how a Python
version implements choice/randint/shuffle.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from typing import Any, TypeVar

MASK64 = (1 << 64) - 1
T = TypeVar("T")


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
        self.state = state & MASK64
        self.bits = 0
        self.left = 0

    def random(self) -> float:
        """The next value in ``[0, 1)``, in steps of 1/65536."""
        if not self.left:
            self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
            self.bits, self.left = mix64(self.state), 4
        self.left -= 1
        value = self.bits & 0xFFFF
        self.bits >>= 16
        return value / 65536.0


def mix64(value: int) -> int:
    """SplitMix64 finaliser: a well-spread 64-bit hash of an integer."""
    value = (value + 0x9E3779B97F4A7C15) & MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & MASK64
    return value ^ (value >> 31)
