"""Exam-window progress and the least-squares trend of a criterion, with hand-checked values."""

from __future__ import annotations

import pytest

from qiangji.core.errors import InputError
from qiangji.core.steering import exam_progress, trend_to_threshold

L1 = ("law", "data", "case")
L2 = ("law", "practice")


def test_it_qualifies_level_1_when_three_subjects_fall_in_three_consecutive_years() -> None:
    p = exam_progress(L1, 3, [("law", 2022, False), ("data", 2023, False), ("case", 2024, False)], 2024)
    assert p.qualified_year == 2024 and p.remaining == ()


def test_it_does_not_qualify_level_1_over_four_years() -> None:
    # law 2021 lapses once the window 2022–2024 closes: case 2024 completes nothing.
    p = exam_progress(L1, 3, [("law", 2021, False), ("data", 2023, False), ("case", 2024, False)], 2024)
    assert p.qualified_year is None
    # As of 2024 the next exam is 2025: passes from 2023 on can still count (window 2023–2025).
    assert p.kept == ("case", "data") and p.remaining == ("law",) and p.finish_by == 2025


def test_it_qualifies_level_2_in_two_years_not_three() -> None:
    assert (
        exam_progress(L2, 2, [("law", 2024, False), ("practice", 2025, False)], 2025).qualified_year == 2025
    )
    late = exam_progress(L2, 2, [("law", 2023, False), ("practice", 2025, False)], 2025)
    assert late.qualified_year is None and late.kept == ("practice",) and late.finish_by == 2026


def test_an_exemption_never_expires() -> None:
    p = exam_progress(L1, 3, [("law", 2015, True), ("data", 2024, False), ("case", 2025, False)], 2025)
    assert p.qualified_year == 2025


def test_a_future_pass_is_not_known_yet() -> None:
    p = exam_progress(L2, 2, [("law", 2025, False), ("practice", 2026, False)], 2025)
    assert p.qualified_year is None and p.remaining == ("practice",) and p.finish_by == 2026


def test_it_names_an_unknown_subject() -> None:
    with pytest.raises(InputError, match="passes must name subjects"):
        exam_progress(L2, 2, [("case", 2025, False)], 2025)


def test_the_trend_reaches_the_threshold_where_the_line_crosses_it() -> None:
    # values 20, 25, 35 at t = 0, 1, 2: slope = Σ(t−1)(v−26.67)/Σ(t−1)² = (−1·−6.67 + 1·8.33)/2 = 7.5,
    # intercept = 26.67 − 7.5 = 19.17; 40 is reached at (40 − 19.1667)/7.5 = 2.7778 years.
    trend = trend_to_threshold([(0.0, 20.0), (1.0, 25.0), (2.0, 35.0)], 40.0)
    assert trend.slope == pytest.approx(7.5)
    assert trend.intercept == pytest.approx(19.1666667)
    assert trend.reaches_at == pytest.approx(2.7777778)


def test_no_trend_from_one_point_and_none_away_from_the_threshold() -> None:
    assert trend_to_threshold([(0.0, 20.0)], 40.0).slope is None
    assert trend_to_threshold([(0.0, 20.0), (1.0, 18.0)], 40.0).reaches_at is None
    down = trend_to_threshold([(0.0, 3.0), (1.0, 1.0)], 0.0, higher_is_better=False)
    assert down.reaches_at == pytest.approx(1.5)
