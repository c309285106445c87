"""The world of the registry page tests: the city institute, two counties with staff, registrations,
standards, instruments, authorised items and certificates, and one user for every role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from qiangji.web.accounts.roles import assign_role
from qiangji.web.registry.models import Division, Institution, InstitutionMVItem, MVCatalogueItem
from tests.web.registry import factories as f

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def make_user(name: str, role: str | None, inst: Institution | None = None) -> Any:
    user = get_user_model().objects.create_user(name)
    if role is not None:
        assign_role(user, role, inst)
    return user


def client_as(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def mv_item(no: int, name: str) -> MVCatalogueItem:
    return MVCatalogueItem.objects.create(
        catalogue_version="test", level1_no=no, level1_name=name, level2_no=1, level2_name=name,
        supervision_mode="V", mv_form="periodic", evidence="confirmed",
    )  # fmt: skip


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    area = Division.objects.create(code="331099", name="示例区", kind=Division.Kind.DISTRICT)
    city = f.institution("TZ", name="台州市计量院（示例）", level=Institution.Level.CITY)
    c1 = f.institution("C1", name="甲县计量所（示例）", contact="0576-00000001", address="甲县示例路1号")
    c2 = f.institution("C2", name="乙县计量所（示例）")
    c1.divisions.add(area)
    wang = f.staff(c1, name="王五（示例）", staff_no="A001")
    zhao = f.staff(c1, name="赵六（示例）", staff_no="A002")
    f.staff(c1, name="钱七（示例）", hired_on=dt.date(2010, 1, 1), left_on=TODAY - 400 * DAY)
    f.registration(wang, TODAY - 1000 * DAY, TODAY + 500 * DAY, registration_no="REG-VALID")
    f.registration(zhao, TODAY - 2000 * DAY, TODAY - DAY, registration_no="REG-EXPIRED")
    std = f.standard(
        c1, name="电子天平检定装置（示例）", assessment_issued_on=TODAY - 1000 * DAY,
        assessment_expires_on=TODAY + 30 * DAY, assessment_cert_no="[2024]甲标字第1号",
    )  # fmt: skip
    std.responsible_staff.set([wang, zhao])
    private = f.standard(
        c1, name="内部校准装置（示例）", is_public=False, assessment_cert_no="[2024]甲标字第2号"
    )
    private.assessment_issued_on, private.assessment_expires_on = TODAY - 100 * DAY, TODAY + 900 * DAY
    private.save()
    f.instrument_certificate(std, TODAY - 300 * DAY, TODAY + 60 * DAY)
    f.instrument_certificate(private, TODAY - 800 * DAY, TODAY - 10 * DAY)
    InstitutionMVItem.objects.create(
        institution=c1, item=mv_item(1, "电子计价秤"), authorised_from=TODAY - 99 * DAY
    )
    InstitutionMVItem.objects.create(
        institution=c1, item=mv_item(2, "出租车计价器"), authorised_from=TODAY - 900 * DAY,
        authorised_to=TODAY - 300 * DAY,
    )  # fmt: skip
    f.staff(c2, name="孙八（示例）")
    users = {
        "admin": make_user("office", "admin", city),
        "reviewer": make_user("inspector", "reviewer", city),
        "reporter": make_user("county1", "reporter", c1),
        "other_reporter": make_user("county2", "reporter", c2),
        "leadership": make_user("director", "leadership"),
    }
    return {"city": city, "c1": c1, "c2": c2, "wang": wang, "zhao": zhao, "std": std, "users": users}
