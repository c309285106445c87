"""Shared pieces of the demo generator: the seed, keyed random streams, the calendar and trajectories.

Every topic module draws from its own stream ``stream(topic, key)`` so that adding a module (or a draw in
one module) never shifts the numbers of another: the data set stays the same where nothing changed.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator, Sequence
from typing import TypeVar

import numpy as np

from qiangji.web.registry.dates import add_months, add_years, quarter_bounds

__all__ = ["add_months", "add_years", "quarter_bounds"]  # re-exported calendar helpers, plus the names below

SEED = 20230101
START = dt.date(2023, 1, 1)  # first day of the programme
END = dt.date(2025, 12, 31)  # last day of the programme (and of the demo data before 2026)
YEARS = (2023, 2024, 2025)
# The demo's 2026 periods (2026Q1 in review, 2026Q2 open) need registry data too: the time-bound records go
# on to the end of 2026Q2 on streams of their own (:mod:`qiangji.demo.generate.extension`), so that every
# record up to END stays as it was.
HORIZON = dt.date(2026, 6, 30)
EXTENSION = ((2026, 1), (2026, 2))
DEMO = "（示例）"

T = TypeVar("T")


def stream(seed: int, topic: str, key: str = "") -> np.random.Generator:
    """A generator keyed by (seed, topic, key); stable across runs and independent of other topics."""
    return np.random.default_rng([seed, zlib.crc32(topic.encode()), zlib.crc32(key.encode())])


def quarters() -> Iterator[tuple[int, int]]:
    """(year, quarter) from 2023Q1 to 2025Q4."""
    for year in YEARS:
        for quarter in (1, 2, 3, 4):
            yield year, quarter


def progress(day: dt.date) -> float:
    """Share of the programme elapsed on ``day``: 0 on its first day, 1 on its last (clamped)."""
    span = (END - START).days
    return min(1.0, max(0.0, (day - START).days / span))


def beyond(day: dt.date) -> float:
    """:func:`progress` not clamped: a trajectory goes on after the programme's last day (above 1)."""
    return (day - START).days / (END - START).days


def trend(trajectory: str, day: dt.date, amplitude: float = 0.3, *, clamp: bool = True) -> float:
    """Multiplier of a quantity on ``day``: improving rises to ``1 + a``, declining falls to ``1 - a`` (on
    the programme's last day; further after it with ``clamp=False``)."""
    slope = {"improving": 1.0, "flat": 0.0, "declining": -1.0}[trajectory]
    return 1.0 + slope * amplitude * (progress(day) if clamp else beyond(day))


def day_between(rng: np.random.Generator, first: dt.date, last: dt.date) -> dt.date:
    """A uniformly drawn day in ``[first, last]`` (both inclusive)."""
    if last < first:
        raise ValueError(f"last must not precede first, got {first} > {last}")
    return first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def choice(rng: np.random.Generator, items: Sequence[T]) -> T:
    """One element of a non-empty sequence."""
    return items[int(rng.integers(0, len(items)))]


def year_end(day: dt.date, years: int) -> dt.date:
    """Last valid day of a validity period of ``years`` years starting on ``day`` (both ends inclusive)."""
    return add_years(day, years) - dt.timedelta(days=1)


def months_end(day: dt.date, months: int) -> dt.date:
    """Last valid day of a validity period of ``months`` months starting on ``day``."""
    return add_months(day, months) - dt.timedelta(days=1)
