"""Steering the programme: exam-window progress of a registered-metrologist candidate and the
least-squares trend of a criterion toward its threshold. Pure: standard library and numpy only.

The exam rule (国市监计量〔2019〕197号, docs/domain.md §2.5): every subject of a level must be passed within
a window of consecutive exam years (level 1: three subjects in three years; level 2: two in two). A pass
older than the window is lost; an exemption (免试) never expires.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from qiangji.core.errors import InputError

__all__ = ["ExamProgress", "Trend", "exam_progress", "trend_to_threshold"]


@dataclass(frozen=True)
class ExamProgress:
    """Where a candidate stands after the exams of ``as_of_year``.

    ``qualified_year``: the first exam year in which every subject was passed within one window (None if
    not yet). ``kept``: subjects passed that can still count (within a window that a later exam can
    complete) or exempted. ``remaining``: subjects still to pass. ``finish_by``: the last exam year in which
    the remaining subjects can be passed before a kept pass expires (None: no pass to lose).
    """

    qualified_year: int | None
    kept: tuple[str, ...]
    remaining: tuple[str, ...]
    finish_by: int | None


def _check(subjects: Collection[str], window: int, passes: Sequence[tuple[str, int, bool]]) -> None:
    if window < 1:
        raise InputError(f"window must be at least 1, got {window}")
    if not subjects:
        raise InputError("subjects must not be empty")
    unknown = sorted({s for s, _y, _e in passes} - set(subjects))
    if unknown:
        raise InputError(f"passes must name subjects among {sorted(subjects)}, got {unknown}")


def exam_progress(
    subjects: Collection[str], window: int, passes: Sequence[tuple[str, int, bool]], as_of_year: int
) -> ExamProgress:
    """Progress of one candidate at one level; ``passes`` are ``(subject, exam year, exempt)``.

    >>> exam_progress(["law", "data", "case"], 3, [("law", 2023, False), ("data", 2024, False)], 2024)
    ExamProgress(qualified_year=None, kept=('data', 'law'), remaining=('case',), finish_by=2025)
    """
    _check(subjects, window, passes)
    known = [p for p in passes if p[1] <= as_of_year]
    qualified = _qualified_year(set(subjects), window, known)
    if qualified is not None:
        return ExamProgress(qualified, tuple(sorted(subjects)), (), None)
    oldest_useful = as_of_year + 2 - window  # the next exam (as_of_year + 1) closes a window starting here
    kept_years: dict[str, int] = {}
    exempt = {s for s, _y, e in known if e}
    for subject, year, is_exempt in known:
        if not is_exempt and year >= oldest_useful:
            kept_years[subject] = max(year, kept_years.get(subject, year))
    kept = exempt | set(kept_years)
    finish_by = min(kept_years.values()) + window - 1 if kept_years else None
    return ExamProgress(None, tuple(sorted(kept)), tuple(sorted(set(subjects) - kept)), finish_by)


def _qualified_year(subjects: set[str], window: int, passes: Sequence[tuple[str, int, bool]]) -> int | None:
    """The first year ``end`` by which every subject is exempted or passed in ``(end − window, end]``."""
    for end in sorted({y for _s, y, _e in passes}):
        held = {s for s, y, e in passes if y <= end and (e or end - window < y)}
        if subjects <= held:
            return end
    return None


@dataclass(frozen=True)
class Trend:
    """Least-squares line of a criterion's values against time (years since the first point).

    ``reaches_at``: the time (years since the first point) at which the line reaches the threshold, when it
    moves toward it; None when it does not (flat or moving away) or when there are fewer than two points
    (``slope`` is then None too: no trend yet).
    """

    slope: float | None
    intercept: float | None
    reaches_at: float | None


def trend_to_threshold(
    points: Sequence[tuple[float, float]], threshold: float, *, higher_is_better: bool = True
) -> Trend:
    """Fit ``value = intercept + slope · t`` to ``(t, value)`` points and solve for the threshold.

    >>> trend_to_threshold([(0.0, 20.0), (1.0, 30.0)], 40.0)
    Trend(slope=10.0, intercept=20.0, reaches_at=2.0)
    """
    if len({t for t, _v in points}) < 2:
        return Trend(None, None, None)
    t = np.array([p[0] for p in points], dtype=float)
    v = np.array([p[1] for p in points], dtype=float)
    dt_ = t - t.mean()  # closed-form least squares: exact on points already on a line
    slope = float(np.dot(dt_, v - v.mean()) / np.dot(dt_, dt_))
    intercept = float(v.mean() - slope * t.mean())
    toward = slope > 0 if higher_is_better else slope < 0
    if not toward:
        return Trend(slope, intercept, None)
    return Trend(slope, intercept, (threshold - intercept) / slope)
