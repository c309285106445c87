"""Periods and framework versions: codes, as-of dates, the shipped default, and the freeze once used."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from qiangji.web.assessment.frameworks import framework_text
from qiangji.web.assessment.models import FrameworkVersion, FrameworkVersionLocked, Period

pytestmark = pytest.mark.django_db
D = dt.date


def test_it_derives_quarter_dates_from_the_code() -> None:
    p = Period.for_code("2024q1")
    assert (p.code, p.kind, p.year, p.quarter) == ("2024Q1", "quarter", 2024, 1)
    assert (p.start, p.end, p.as_of) == (D(2024, 1, 1), D(2024, 3, 31), D(2024, 3, 31))
    assert p.quarters() == [(2024, 1)]


def test_it_derives_year_dates_from_the_code() -> None:
    p = Period.for_code("2024")
    assert (p.kind, p.start, p.as_of) == ("year", D(2024, 1, 1), D(2024, 12, 31))
    assert p.quarters() == [(2024, 1), (2024, 2), (2024, 3), (2024, 4)]


def test_it_rejects_a_bad_period_code() -> None:
    with pytest.raises(ValidationError, match="2024Q3"):
        Period(code="2024Q5").full_clean()


def test_it_ships_the_default_framework_through_the_migration() -> None:
    fv = FrameworkVersion.objects.get(version="2025.1")
    assert fv.code == "TZ-CAP"
    assert fv.source == framework_text()
    assert len(fv.framework().indicators) == 29  # docs/domain.md#indicators: 16 in D1–D5, 13 in C1–C4
    assert len(fv.sha256) == 64


def test_it_loads_the_default_framework_idempotently() -> None:
    call_command("loadframework")
    call_command("loadframework")
    assert FrameworkVersion.objects.filter(version="2025.1").count() == 1


def test_it_creates_a_new_version_from_an_old_one() -> None:
    old = FrameworkVersion.objects.get(version="2025.1")
    new = old.new_version("2026.1", note="权重调整")
    assert new.based_on == old
    assert new.framework().indicators == old.framework().indicators
    assert new.sha256 != old.sha256  # the version number is part of the content


def test_it_changes_an_unused_version_freely() -> None:
    fv = FrameworkVersion.objects.get(version="2025.1").new_version("2025.2")
    fv.source = fv.source.replace("weight: 15", "weight: 14", 1)
    fv.full_clean()
    fv.save()
    assert FrameworkVersion.objects.get(pk=fv.pk).source == fv.source


def test_it_refuses_to_change_or_delete_a_used_version(caplog: pytest.LogCaptureFixture) -> None:
    fv = FrameworkVersion.objects.get(version="2025.1").new_version("2025.2")
    fv.mark_used()
    original = fv.source
    fv.source = original.replace("weight: 15", "weight: 14", 1)
    with pytest.raises(ValidationError, match="不能修改"):
        fv.full_clean()
    with pytest.raises(FrameworkVersionLocked):
        fv.save()
    with pytest.raises(FrameworkVersionLocked):
        fv.delete()
    assert FrameworkVersion.objects.get(pk=fv.pk).source == original
    assert "refused change of used framework version 2025.2" in caplog.text


def test_it_refuses_a_version_number_that_differs_from_the_file() -> None:
    fv = FrameworkVersion(version="9.9", source=framework_text())
    with pytest.raises(ValidationError, match="version"):
        fv.full_clean()


def test_it_reports_errors_of_a_broken_framework_file() -> None:
    fv = FrameworkVersion(version="x", source="code: X\nversion: x\nnodes: [{code: A, weight: -1}]\n")
    with pytest.raises(ValidationError, match="weight"):
        fv.full_clean()


def test_it_gives_the_period_length_in_years() -> None:
    # whole calendar months / 12 (qiangji.core.index.period.year_fraction): a quarter is exactly 1/4
    assert [Period.for_code(c).year_fraction for c in ("2024Q1", "2024Q4", "2024", "2025")] == [
        0.25,
        0.25,
        1.0,
        1.0,
    ]
