"""Every role against every sensitive page, admin page, export and download: allowed or refused.

One row per URL: the roles that may open it; every other role must be refused (a redirect to the login
page, 403 or 404). ``secret`` is text that exactly the roles in ``sees`` (default: the allowed ones) find
in the answer: a list page open to every county shows each county only its own rows. Add new pages and
API endpoints to :data:`MATRIX`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from .conftest import ROLES, client_as

ALL = frozenset(ROLES)
STAFF = frozenset({"admin", "reviewer", "reporter", "other_reporter", "leadership"})
READ_ALL = frozenset({"admin", "reviewer", "leadership"})
CITY = frozenset({"admin", "reviewer"})
AUDITORS = frozenset({"admin", "leadership"})
ADMIN = frozenset({"admin"})


@pytest.fixture
def world(world: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    """Adds a reporting period with one reported value and one evidence file per county."""
    from django.core.files.base import ContentFile

    from qiangji.web.assessment.models import Evidence, ReportedValue
    from tests.web.assessment.helpers import open_now

    settings.MEDIA_ROOT = tmp_path
    period = open_now("2024Q1")
    for key, secret in (("c1", b"evidence-of-county-1"), ("c2", b"evidence-of-county-2")):
        report = ReportedValue.objects.create(
            period=period,
            institution=world[key],
            indicator="D1.3",
            value=5,
            updated_by=world["users"]["admin"],
        )
        world[f"evidence_{key}"] = Evidence.objects.create(
            report=report, file=ContentFile(secret, name="proof.pdf"), original_name="proof.pdf",
            sha256="0" * 64, size=len(secret), uploaded_by=world["users"]["admin"],
        )  # fmt: skip
    _programme(world)
    _batches(world)
    _rounds(world)
    return world


def _rounds(world: dict[str, Any]) -> None:
    """Comparison rounds piloted by the city institute (the reviewer's), with the city, C1 and C2 taking
    part: one in draft, one open with results of all three at point 1 only (C2's is 0.123456), one closed,
    one evaluated (its report not yet issued). The same four piloted by county 1, with C1 and C2 only
    (C2's result 0.654321): the city reviewer neither pilots them nor takes part, and reads them all."""
    from qiangji.web.comparisons.evaluate import evaluate_round
    from qiangji.web.comparisons.models import ComparisonRound

    city_labs = ((world["city"], 0.0), (world["c1"], 0.4), (world["c2"], 0.123456))
    county_labs = ((world["c1"], 0.1), (world["c2"], 0.654321))
    for prefix, pilot, labs in (("CMP", world["city"], city_labs), ("CMP-C1", world["c1"], county_labs)):
        for code, status in (("DRAFT", "draft"), ("OPEN", "open"), ("CLOSED", "closed"), ("EVAL", "closed")):
            _round(f"{prefix}-{code}", status, pilot, labs)
        evaluate_round(ComparisonRound.objects.get(code=f"{prefix}-EVAL"), method="pilot", options={})


def _round(code: str, status: str, pilot: Any, labs: tuple[tuple[Any, float], ...]) -> None:
    import datetime as dt

    from django.utils import timezone

    from qiangji.web.comparisons.models import ComparisonRound, MeasurementPoint, Participant, Submission

    rnd = ComparisonRound.objects.create(
        code=code,
        name=f"{code}（示例）",
        year=2024,
        quantity="质量",
        unit="mg",
        pilot=pilot,
        transfer_standard="砝码（示例）",
        deadline=timezone.now() + dt.timedelta(days=10),
        status=status,
    )
    points = [
        MeasurementPoint.objects.create(round=rnd, order=i, label=f"{i}00 g", nominal=i * 100.0)
        for i in (1, 2)
    ]
    filled = points[:1] if code.endswith("-OPEN") else points  # the open round's point 2 takes the submit row
    for i, (inst, x) in enumerate(labs):
        part = Participant.objects.create(round=rnd, institution=inst, lab_code=f"L{i}")
        for point in filled:
            Submission.objects.create(
                participant=part, point=point, x=x, U=0.5 + i / 10, k=2, measured_on=dt.date(2024, 3, 1)
            )


def _batches(world: dict[str, Any]) -> None:
    """One kept import batch uploaded by the county-1 reporter, one by the programme admin."""
    from django.core.files.base import ContentFile

    from qiangji.web.excel.models import ImportBatch

    for key, user in (("batch_c1", "reporter"), ("batch_city", "admin")):
        batch = ImportBatch(
            original_name="upload.xlsx", sha256="1" * 64, size=4, source="web", actor=user,
            uploaded_by=world["users"][user], status="failed", error_count=1,
            problems=[{"sheet": "填报", "row": 3, "column": "A", "header": "机构代码", "value": "C2",
                       "rule": "只能填报本机构", "level": "error"}],
        )  # fmt: skip
        batch.file.save("upload.xlsx", ContentFile(b"data"), save=False)
        batch.save()
        world[key] = batch


def _programme(world: dict[str, Any]) -> None:
    """A training year with one need per county and a held session attended by one person of each."""
    import datetime as dt

    from qiangji.web.programme.models import (
        Attendance,
        TrainingNeed,
        TrainingSession,
        TrainingTopic,
        TrainingYear,
    )

    TrainingYear.objects.create(year=2025, needs_deadline=dt.date(2025, 1, 31))
    topic = TrainingTopic.objects.create(code="T-X", name="衡器检定（示例）")
    for key in ("c1", "c2"):
        TrainingNeed.objects.create(institution=world[key], year=2025, topic=topic, headcount=3,
                                    submitted_on=dt.date(2025, 1, 5))  # fmt: skip
    world["session"] = TrainingSession.objects.create(
        year=2025, quarter=2, topic=topic, title="衡器检定培训（示例）", mode="offline",
        held_on=dt.date(2025, 5, 1), hours=8, capacity=30,
    )  # fmt: skip
    for key in ("s1", "s2"):
        Attendance.objects.create(
            session=world["session"], staff=world[key], signed_up_on=dt.date(2025, 4, 1)
        )


@dataclass(frozen=True)
class Row:
    name: str
    url: Any  # str, or a function of the world giving one
    allowed: frozenset[str]
    secret: str = ""
    method: str = "get"
    data: Any = None
    sees: frozenset[str] | None = None


MATRIX = [
    Row("leaderboard", "/", ALL),
    Row("institution directory (public)", "/institutions/", ALL),
    # The Django admin is the city's staff's (test_admin_matrix walks every admin page); a reporter's rows
    # stay its own there too (see the rows below), and leadership reads the audit trail on /audit/.
    Row("admin index", reverse("admin:index"), CITY),
    Row("admin: staff list", reverse("admin:registry_staff_changelist"), CITY, "张三"),
    Row("admin: own staff", lambda w: reverse("admin:registry_staff_change", args=[w["s1"].pk]), CITY,
        "张三"),
    Row("admin: other county's staff", lambda w: reverse("admin:registry_staff_change", args=[w["s2"].pk]),
        CITY, "李四"),
    Row("admin: add staff", reverse("admin:registry_staff_add"), CITY),
    Row("admin: institution list", reverse("admin:registry_institution_changelist"), CITY, "示例县计量所1"),
    Row("admin: users", reverse("admin:auth_user_changelist"), frozenset({"admin"}), "county2"),
    Row("admin: roles", reverse("admin:accounts_profile_changelist"), frozenset({"admin"}), "county2"),
    Row("admin: audit trail", reverse("admin:accounts_auditevent_changelist"), ADMIN),
    Row("admin: audit export csv", reverse("admin:accounts_auditevent_csv"), ADMIN, "李四"),
    Row("admin: audit export xlsx", reverse("admin:accounts_auditevent_xlsx"), ADMIN),
    Row("audit trail page", reverse("accounts:audit"), AUDITORS, "张三"),
    Row("audit trail page csv", reverse("accounts:audit_csv"), AUDITORS, "李四"),
    Row("audit trail page xlsx", reverse("accounts:audit_xlsx"), AUDITORS),
    Row("admin: publications (drafts too)", reverse("admin:publication_publication_changelist"), CITY),
    Row("admin: index runs", reverse("admin:publication_indexrun_changelist"), CITY),
    Row("admin: reported values", reverse("admin:assessment_reportedvalue_changelist"), CITY, "计量所2"),
    Row("admin: comparison rounds", reverse("admin:comparisons_comparisonround_changelist"), CITY),
    Row("admin: import batches (city's and county 1's)", reverse("admin:excel_importbatch_changelist"),
        CITY),
    Row("assessment reporting template (scoped)", "/assessment/2024Q1/template.xlsx", STAFF),
    Row("assessment upload page", "/assessment/2024Q1/upload/", CITY | {"reporter", "other_reporter"}),
    Row("comparisons", reverse("comparisons:list"), STAFF, "CMP-OPEN", sees=STAFF),
    Row("comparisons: draft listed", reverse("comparisons:list"), STAFF, "CMP-DRAFT", sees=READ_ALL),
    # Comparison rounds (piloted by the reviewer's institute; C1 and C2 take part): before closing each
    # participant sees only its own results; the city side and leadership read everything, in every state.
    Row("round: draft", "/comparisons/CMP-DRAFT/", READ_ALL),
    Row("round: open, C2's result", "/comparisons/CMP-OPEN/", STAFF, "0.123456",
        sees=READ_ALL | {"other_reporter"}),
    Row("round: open, results workbook", "/comparisons/CMP-OPEN/results.xlsx", STAFF),
    Row("round: closed, C2's result", "/comparisons/CMP-CLOSED/", STAFF, "0.123456"),
    Row("round: evaluated, results shown", "/comparisons/CMP-EVAL/", STAFF, "report.pdf", sees=READ_ALL),
    Row("round: evaluated, report xlsx", "/comparisons/CMP-EVAL/report.xlsx", READ_ALL),
    Row("round: evaluated, report pdf", "/comparisons/CMP-EVAL/report.pdf", READ_ALL),
    Row("round: evaluated, chart", "/comparisons/CMP-EVAL/chart-1.svg", READ_ALL),
    Row("round: submit a result (participants)", "/comparisons/CMP-OPEN/submit/", STAFF - {"leadership"},
        method="post", data={"p2-x": "0.2", "p2-U": "0.5", "p2-k": "2", "p2-measured_on": "2024-03-02"}),
    Row("round: close (pilot)", "/comparisons/CMP-OPEN/close/", CITY, method="post"),
    Row("round: evaluate (pilot)", "/comparisons/CMP-CLOSED/evaluate/", CITY, method="post",
        data={"method": "pilot"}),
    # Rounds piloted by county 1 (C1 and C2 take part, the city does not): a city reviewer reads them in
    # every state like leadership; the pilot's actions stay with the programme admin (not the reviewer's).
    Row("comparisons: county-piloted draft listed", reverse("comparisons:list"), STAFF, "CMP-C1-DRAFT",
        sees=READ_ALL),
    Row("county-piloted round: draft", "/comparisons/CMP-C1-DRAFT/", READ_ALL),
    Row("county-piloted round: open, C2's result", "/comparisons/CMP-C1-OPEN/", STAFF, "0.654321",
        sees=READ_ALL | {"other_reporter"}),
    Row("county-piloted round: draft, results workbook", "/comparisons/CMP-C1-DRAFT/results.xlsx", READ_ALL),
    Row("county-piloted round: closed, C2's result", "/comparisons/CMP-C1-CLOSED/", STAFF, "0.654321"),
    Row("county-piloted round: evaluated, results shown", "/comparisons/CMP-C1-EVAL/", STAFF, "report.pdf",
        sees=READ_ALL),
    Row("county-piloted round: evaluated, report xlsx", "/comparisons/CMP-C1-EVAL/report.xlsx", READ_ALL),
    Row("county-piloted round: evaluated, report pdf", "/comparisons/CMP-C1-EVAL/report.pdf", READ_ALL),
    Row("county-piloted round: evaluated, chart", "/comparisons/CMP-C1-EVAL/chart-1.svg", READ_ALL),
    Row("county-piloted round: open (pilot)", "/comparisons/CMP-C1-DRAFT/open/", ADMIN, method="post"),
    Row("county-piloted round: close (pilot)", "/comparisons/CMP-C1-OPEN/close/", ADMIN, method="post"),
    Row("county-piloted round: evaluate (pilot)", "/comparisons/CMP-C1-CLOSED/evaluate/", ADMIN,
        method="post", data={"method": "pilot"}),
    Row("county-piloted round: issue the report (pilot)", "/comparisons/CMP-C1-EVAL/report/", ADMIN,
        method="post"),
    Row("competitions", reverse("comparisons:competitions"), STAFF),
    Row("assessment periods", "/assessment/", STAFF),
    Row("assessment overview (all institutions)", "/assessment/2024Q1/", READ_ALL, "示例县计量所2"),
    Row("own reporting form", "/assessment/2024Q1/report/C1/", STAFF - {"other_reporter"}, "示例县计量所1"),
    Row("other reporting form", "/assessment/2024Q1/report/C2/", STAFF - {"reporter"}, "示例县计量所2"),
    Row("other county's cell", "/assessment/2024Q1/cell/C2/D1.3/", STAFF - {"reporter"}),
    Row("review queue", "/assessment/2024Q1/review/", CITY),
    Row("supervision visits", "/assessment/2024Q1/visits/", READ_ALL),
    Row("evidence download C1", lambda w: f"/assessment/evidence/{w['evidence_c1'].pk}/",
        STAFF - {"other_reporter"}),
    Row("evidence download C2", lambda w: f"/assessment/evidence/{w['evidence_c2'].pk}/",
        STAFF - {"reporter"}),
    Row("report for another county", "/assessment/2024Q1/report/C2/", CITY | {"other_reporter"},
        method="post", data={"D4.3-value": "1", "action": "save"}),
    Row("create a period", "/assessment/", ADMIN, method="post", data={"code": "2024Q2"}),
    Row("admin: change other county's staff",
        lambda w: reverse("admin:registry_staff_change", args=[w["s2"].pk]),
        CITY, method="post", data={"name": "改名（示例）"}),
    Row("admin: delete other county's staff",
        lambda w: reverse("admin:registry_staff_delete", args=[w["s2"].pk]),
        CITY, method="post", data={"post": "yes"}),
    Row("programme dashboard", "/programme/", READ_ALL),
    Row("programme: own institution page", "/programme/institutions/C1/", STAFF - {"other_reporter"},
        "示例县计量所1"),
    Row("programme: other institution page", "/programme/institutions/C2/", STAFF - {"reporter"},
        "示例县计量所2"),
    Row("programme: training needs", "/programme/training/2025/needs/", STAFF, "示例县计量所2",
        sees=READ_ALL | {"other_reporter"}),
    Row("programme: training plan", "/programme/training/2025/plan/", READ_ALL),
    Row("programme: propose the plan", "/programme/training/2025/plan/", CITY, method="post",
        data={"action": "propose"}),
    Row("programme: sessions", "/programme/training/2025/sessions/", STAFF),
    Row("programme: session attendance", lambda w: f"/programme/training/sessions/{w['session'].pk}/", STAFF,
        "李四", sees=READ_ALL | {"other_reporter"}),
]  # fmt: skip


def _without_header(content: bytes) -> bytes:
    """The page without the site's header, which names the signed-in user (also on the 403 page)."""
    start, end = content.find(b"<header>"), content.find(b"</header>")
    return content[:start] + content[end:] if 0 <= start < end else content


def _refused(response: Any, row: Row) -> bool:
    if response.status_code in (403, 404):
        return True
    if response.status_code != 302:
        return False
    target = response["Location"]
    if row.url == reverse("admin:index") and target == "/":
        return True  # a signed-in reporter or leader is sent from the admin to the site's home page
    return "login" in target or target.rstrip("/").endswith("/admin") or target.endswith("/admin/")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", MATRIX, ids=[r.name for r in MATRIX])
def test_it_allows_or_refuses(world: dict[str, Any], row: Row, role: str) -> None:
    url = row.url(world) if callable(row.url) else row.url
    c = client_as(world["users"][role])
    response = getattr(c, row.method)(url, row.data or {})
    body = b"" if getattr(response, "streaming", False) else _without_header(response.content)
    if role in row.allowed:
        ok = response.status_code == 200 or (row.method == "post" and response.status_code == 302)
        assert ok and not _refused(response, row), (role, response.status_code)
    else:
        assert _refused(response, row), (role, response.status_code, response.get("Location"))
    if row.secret and row.method == "get":
        sees = row.allowed if row.sees is None else row.sees
        assert (row.secret.encode() in body) == (role in sees), (role, row.secret)


def test_it_keeps_the_other_countys_row_after_refused_writes(world: dict[str, Any]) -> None:
    s2, c = world["s2"], client_as(world["users"]["reporter"])
    c.post(reverse("admin:registry_staff_change", args=[s2.pk]), {"name": "改名（示例）"})
    c.post(reverse("admin:registry_staff_delete", args=[s2.pk]), {"post": "yes"})
    leader = client_as(world["users"]["leadership"])
    leader.post(reverse("admin:registry_staff_delete", args=[s2.pk]), {"post": "yes"})
    c.post("/assessment/2024Q1/report/C2/", {"indicator": "D1.3", "value": "7", "action": "save"})
    s2.refresh_from_db()
    assert s2.name == "李四（示例）"
    from qiangji.web.assessment.models import ReportedValue

    assert ReportedValue.objects.get(institution=world["c2"]).value == 5


def test_it_refuses_a_reporter_adding_staff_in_the_admin(world: dict[str, Any]) -> None:
    c = client_as(world["users"]["reporter"])
    assert c.get(reverse("admin:registry_staff_add")).status_code == 403
    for inst in ("c1", "c2"):
        data = {"institution": world[inst].pk, "name": f"混入{inst}（示例）", "hired_on": "2024-01-01"}
        assert c.post(reverse("admin:registry_staff_add"), data).status_code == 403
    from qiangji.web.registry.models import Staff

    assert not Staff.objects.filter(name__startswith="混入").exists()


@pytest.fixture
def api_world(world: dict[str, Any]) -> dict[str, Any]:
    """Adds an API token per role and a draft publication (2024Q2); the comparison rounds come from
    :func:`_rounds`."""
    from qiangji.web.api.locking import version_of
    from qiangji.web.api.models import ApiToken
    from qiangji.web.assessment.frameworks import ensure_default_framework
    from qiangji.web.assessment.models import FrameworkVersion, Period, ReportedValue
    from qiangji.web.publication import workflow
    from qiangji.web.publication.runs import create_run
    from qiangji.web.registry.models import Institution
    from tests.web.publication.conftest import COUNTIES
    from tests.web.publication.frames import random_inputs

    fv = ensure_default_framework(FrameworkVersion)[0]
    for code, name in COUNTIES.items():
        Institution.objects.create(code=code, name=name, level=Institution.Level.COUNTY)
    period = Period.for_code("2024Q2")
    workflow.create_draft(period, create_run(period, fv, random_inputs(COUNTIES, seed=3), seed=7, runs=50))
    world["tokens"] = {
        role: ApiToken.issue(user, "matrix")[1] for role, user in world["users"].items() if user is not None
    }
    world["c2_version"] = version_of(ReportedValue.objects.get(institution=world["c2"]))
    return world


API_MATRIX = [
    Row("api: institutions", "/api/v1/institutions", ALL - {"anonymous"}, "示例县计量所2",
        sees=READ_ALL | {"other_reporter"}),
    Row("api: another county's institution", "/api/v1/institutions/C2", READ_ALL | {"other_reporter"}),
    Row("api: another county's staff", "/api/v1/institutions/C2/staff", READ_ALL | {"other_reporter"},
        "李四"),
    Row("api: PUT another county's report", "/api/v1/reports/2024Q1/C2/D1.3", CITY | {"other_reporter"},
        method="put", data=lambda w: {"value": "7", "version": w["c2_version"]}),
    Row("api: publications (drafts listed)", "/api/v1/publications", ALL, "2024Q2", sees=READ_ALL),
    Row("api: draft publication", "/api/v1/publications/2024Q2", READ_ALL),
    Row("api: comparison results before closing", "/api/v1/comparisons/rounds/CMP-OPEN/results", READ_ALL),
    Row("api: comparison results evaluated, no report", "/api/v1/comparisons/rounds/CMP-EVAL/results",
        READ_ALL, "L2", sees=READ_ALL),
    Row("api: draft round", "/api/v1/comparisons/rounds/CMP-DRAFT", READ_ALL),
    Row("api: county-piloted draft round", "/api/v1/comparisons/rounds/CMP-C1-DRAFT", READ_ALL),
    Row("api: county-piloted submissions before closing",
        "/api/v1/comparisons/rounds/CMP-C1-OPEN/submissions",
        READ_ALL | {"reporter", "other_reporter"}, "0.654321", sees=READ_ALL | {"other_reporter"}),
    Row("api: submissions before closing", "/api/v1/comparisons/rounds/CMP-OPEN/submissions",
        READ_ALL | {"reporter", "other_reporter"}, "0.123456", sees=READ_ALL | {"other_reporter"}),
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", API_MATRIX, ids=[r.name for r in API_MATRIX])
def test_the_api_allows_or_refuses(api_world: dict[str, Any], row: Row, role: str) -> None:
    import json

    from django.test import Client

    from qiangji.web.assessment.models import ReportedValue

    token = api_world["tokens"].get(role)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = row.data(api_world) if callable(row.data) else row.data
    response = getattr(Client(), row.method)(
        row.url, json.dumps(data) if data else None, content_type="application/json", headers=headers
    )
    body = json.loads(response.content)
    if role in row.allowed:
        assert response.status_code == 200, (role, response.status_code, body)
    else:
        assert response.status_code in (401, 403, 404) and set(body) == {"error"}, (
            role,
            response.status_code,
        )
    if row.secret:
        sees = row.allowed if row.sees is None else row.sees
        assert (row.secret in json.dumps(body, ensure_ascii=False)) == (role in sees), (role, row.secret)
    if row.method == "put" and role not in row.allowed:
        assert ReportedValue.objects.get(institution=api_world["c2"]).value == 5
