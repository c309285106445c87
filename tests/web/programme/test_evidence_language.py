"""The A级 readiness evidence texts in the request's language (issue 18 point 5): the counts and codes
filled into translated sentences; the Chinese as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from qiangji.web.programme import evidence
from qiangji.web.registry.models import Institution, MeasurementStandard, Staff

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 12, 31)


def _texts(inst: Institution, lang: str) -> list[str]:
    with translation.override(lang):
        return [
            fn([inst], [DAY])[(inst.pk, DAY)].text
            for fn in (
                evidence.disciplines,
                evidence.rm_coverage,
                evidence.staffed,
                evidence.comparison_satisfaction,
            )
        ]


def test_the_evidence_texts_follow_the_language() -> None:
    inst = Institution.objects.create(code="WL", name="温岭所（示例）", level=Institution.Level.COUNTY)
    MeasurementStandard.objects.create(
        institution=inst, name="标准", jjf1022_code="15113100", is_public=True,
        assessment_cert_no="[2023]WL-1", assessment_issued_on=dt.date(2023, 1, 1),
        assessment_expires_on=dt.date(2027, 12, 31),
    )  # fmt: skip
    Staff.objects.create(institution=inst, name="甲", is_verification=True, hired_on=dt.date(2020, 1, 1))
    assert _texts(inst, "en") == [
        "Discipline codes 15",
        "0/1 people",
        "No authorised items",
        "No comparison result in the last three years",
    ]
    assert _texts(inst, "zh-hans") == ["专业代码 15", "0/1 人", "无授权项目", "近三年无比对结果"]
