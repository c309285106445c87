"""A period's lifecycle and publication through the API: the same services as the pages and the command line.

Who may do which step (:func:`qiangji.web.api.access.may`, which asks the one table of
:data:`qiangji.web.accounts.policy.STEP_ROLES` that the pages and the Django admin ask too):

=============================================  ==========================================================
``GET /periods``, ``GET /periods/{code}``       any signed-in role (a reporter sees its own institution)
``POST /periods`` (open or re-date)             programme admin
``POST /periods/{code}/extensions``             programme admin, city reviewer
``POST /periods/{code}/lock``                   programme admin, city reviewer
``POST /periods/{code}/compute|notice|final``   programme admin
``GET /periods/{code}/objections``              city roles and leadership (all); a reporter its own
``POST /periods/{code}/objections``             a county reporter for its own institution; the programme
                                                admin records one received otherwise
``POST /objections/{id}/answer``                programme admin
=============================================  ==========================================================

A step out of order is refused with 409 and the service's own sentence (``{"error": ...}``), as a reported
value's workflow step is. ``compute`` runs in the request, so its Monte-Carlo runs are bounded
(:data:`MAX_API_RUNS`); longer runs belong to the pages' background job or ``qiangji publish run``.
``final`` publishes as of the server's date: the API has no clock to set.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema
from pydantic import Field

from qiangji.web.api import access
from qiangji.web.api.errors import ERRORS, Conflict
from qiangji.web.api.schemas import (
    DECIMAL,
    INDICATOR_CODE,
    INSTITUTION_CODE,
    PERIOD_CODE,
    TEXT,
    PeriodOut,
    PublicationOut,
    Strict,
)
from qiangji.web.assessment import lifecycle
from qiangji.web.assessment.inputs import ranked_institutions
from qiangji.web.assessment.models import FrameworkVersion, Period, ReportedValue
from qiangji.web.publication import service
from qiangji.web.publication.models import Objection, Publication
from qiangji.web.publication.workflow import WorkflowError
from qiangji.web.registry.models import Institution

router = Router(tags=["periods"])
MAX_API_RUNS = 2000
LONG_TEXT = r"^[^\x00]*\S[^\x00]*$"  # not blank, no NUL


class PeriodIn(Strict):
    code: str = Field(..., pattern=PERIOD_CODE)
    deadline: dt.date
    opens: dt.date | None = None
    framework: str | None = Field(None, max_length=30, pattern=r"^[\w.\-]{1,30}$")


class ExtensionIn(Strict):
    institution: str = Field(..., pattern=INSTITUTION_CODE)
    until: dt.date
    reason: str = Field(..., min_length=1, max_length=2000, pattern=LONG_TEXT)


class ExtensionOut(Schema):
    institution: str
    until: dt.date
    reason: str


class InstitutionProgress(Schema):
    institution: str
    counts: dict[str, int] = Field(description="values of the period by status")
    reported: bool = Field(description="at least one value submitted (a draft alone is not reported)")


class PeriodDetail(PeriodOut):
    publication: PublicationOut | None
    extensions: list[ExtensionOut]
    institutions: list[InstitutionProgress]


class LockOut(Schema):
    period: PeriodOut
    locked: int
    not_submitted: list[str] = Field(description="draft values never submitted: they do not count")


class ComputeIn(Strict):
    runs: int = Field(1000, ge=1, le=MAX_API_RUNS)
    seed: int = Field(20250101, ge=0, le=2**63 - 1)


class NoticeIn(Strict):
    start: dt.date | None = None


class ObjectionIn(Strict):
    text: str = Field(..., min_length=1, max_length=5000, pattern=LONG_TEXT)
    submitted_by: str | None = Field(None, max_length=200, pattern=TEXT)
    institution: str | None = Field(None, pattern=INSTITUTION_CODE)


class CorrectionIn(Strict):
    institution: str = Field(..., pattern=INSTITUTION_CODE)
    indicator: str = Field(..., pattern=INDICATOR_CODE)
    value: str = Field(..., pattern=DECIMAL)


class AnswerIn(Strict):
    outcome: Literal["upheld", "rejected"]
    reply: str = Field(..., min_length=1, max_length=5000, pattern=LONG_TEXT)
    corrections: list[CorrectionIn] = Field(default_factory=list, max_length=200)


class ObjectionOut(Schema):
    id: int
    period: str
    institution: str | None
    submitted_by: str
    received_on: dt.date
    text: str
    outcome: str
    reply: str
    corrected_run: int | None


def period_out(period: Period, today: dt.date | None = None) -> dict[str, Any]:
    version = period.framework_version
    return {
        "code": period.code,
        "label": period.label,
        "kind": period.kind,
        "start": period.start,
        "end": period.end,
        "stage": period.stage(today),
        "stage_label": period.stage_label(today),
        "opens_on": period.opens_on,
        "deadline": period.deadline,
        "framework_version": version.version if version is not None else None,
        "locked_at": period.locked_at,
    }


def _periods() -> Any:
    return Period.objects.select_related("framework_version", "publication")


def _period(code: str) -> Period:
    period = _periods().filter(code=code).first()
    if period is None:
        raise Http404(_("考核期次 %(code)s 不存在。") % {"code": code})
    return period


def _refused(exc: Exception) -> Conflict:
    return Conflict(str(exc))


def _publication_out(pub: Publication | None) -> dict[str, Any] | None:
    if pub is None:
        return None
    from qiangji.web.api.publications import publication_out

    return publication_out(pub)


@router.get("/periods", response={200: list[PeriodOut], **ERRORS})
def periods(request: HttpRequest) -> list[dict[str, Any]]:
    """Every period with its stage (未开放 … 已发布), reporting window and framework version."""
    today = timezone.localdate()
    return [period_out(p, today) for p in _periods().order_by("end", "-kind")[:500]]


@router.get("/periods/{code}", response={200: PeriodDetail, **ERRORS})
def period_detail(request: HttpRequest, code: str = Path(..., pattern=PERIOD_CODE)) -> dict[str, Any]:
    """A period's stage, publication, extensions and each visible institution's values by status."""
    period = _period(code)
    visible = set(access.visible_institutions(request.user).values_list("pk", flat=True))
    counts: dict[int, dict[str, int]] = {}
    for inst_id, status in period.reports.filter(institution__in=visible).values_list(
        "institution", "status"
    ):
        row = counts.setdefault(inst_id, {})
        row[status] = row.get(status, 0) + 1
    reported = [str(s) for s in ReportedValue.Status.values if s != ReportedValue.Status.DRAFT]
    institutions = [
        {
            "institution": inst.code,
            "counts": counts.get(inst.pk, {}),
            "reported": any(counts.get(inst.pk, {}).get(s, 0) for s in reported),
        }
        for inst in ranked_institutions(period)
        if inst.pk in visible
    ]
    extensions = period.extensions.filter(institution__in=visible).select_related("institution")
    pub = getattr(period, "publication", None)
    if pub is not None and not access.sees_unpublished(request.user) and pub.status == "draft":
        pub = None
    return {
        **period_out(period),
        "publication": _publication_out(pub),
        "extensions": [
            {"institution": e.institution.code, "until": e.until, "reason": e.reason} for e in extensions
        ],
        "institutions": institutions,
    }


@router.post("/periods", response={200: PeriodOut, **ERRORS})
def open_period(request: HttpRequest, payload: PeriodIn) -> dict[str, Any]:
    """Open a period for reporting (or re-date its window before it is locked); admin only."""
    access.require(access.may(request.user, "open_period"), _("只有项目管理员可以开放考核期次。"))
    if payload.framework and not FrameworkVersion.objects.filter(version=payload.framework).exists():
        raise Http404(_("指标体系版本 %(version)s 不存在。") % {"version": payload.framework})
    try:
        period = lifecycle.open_period(
            payload.code,
            deadline=payload.deadline,
            opens=payload.opens,
            framework=payload.framework,
            user=request.user,
        )
    except lifecycle.LifecycleError as exc:
        raise _refused(exc) from None
    return period_out(_period(period.code))


@router.post("/periods/{code}/extensions", response={200: ExtensionOut, **ERRORS})
def extend(
    request: HttpRequest, payload: ExtensionIn, code: str = Path(..., pattern=PERIOD_CODE)
) -> dict[str, Any]:
    """Reopen reporting for one institution until a date, with a reason (the city)."""
    access.require(access.may(request.user, "extend"), _("只有市级审核人员可以重新开放填报。"))
    period = _period(code)
    inst = Institution.objects.filter(code=payload.institution).first()
    if inst is None:
        raise Http404(_("机构 %(code)s 不存在。") % {"code": payload.institution})
    try:
        granted = lifecycle.extend(
            period, inst, until=payload.until, reason=payload.reason, user=request.user
        )
    except lifecycle.LifecycleError as exc:
        raise _refused(exc) from None
    return {"institution": inst.code, "until": granted.until, "reason": granted.reason}


@router.post("/periods/{code}/lock", response={200: LockOut, **ERRORS})
def lock(request: HttpRequest, code: str = Path(..., pattern=PERIOD_CODE)) -> dict[str, Any]:
    """Lock the period after its deadline; refused (409, naming them) while any value awaits a decision."""
    access.require(access.may(request.user, "lock"), _("只有市级审核人员可以锁定考核期次。"))
    period = _period(code)
    try:
        result = lifecycle.lock(period, request.user)
    except lifecycle.LifecycleError as exc:
        raise _refused(exc) from None
    return {
        "period": period_out(_period(code)),
        "locked": result.locked,
        "not_submitted": result.not_submitted,
    }


def _admin_step(request: HttpRequest, code: str, step: Any, **kwargs: Any) -> dict[str, Any]:
    access.require(access.may(request.user, "publish"), _("只有项目管理员可以发布。"))
    period = _period(code)
    try:
        step(period, user=request.user, **kwargs)
    except WorkflowError as exc:
        raise _refused(exc) from None
    return period_out(_period(code))


@router.post("/periods/{code}/compute", response={200: PeriodOut, **ERRORS})
def compute(
    request: HttpRequest, payload: ComputeIn, code: str = Path(..., pattern=PERIOD_CODE)
) -> dict[str, Any]:
    """Compute the index of a locked period into its draft ranking (again while it is a draft), in the
    request: at most 2000 Monte-Carlo runs."""
    return _admin_step(request, code, service.compute, runs=payload.runs, seed=payload.seed)


@router.post("/periods/{code}/notice", response={200: PeriodOut, **ERRORS})
def notice(
    request: HttpRequest, payload: NoticeIn, code: str = Path(..., pattern=PERIOD_CODE)
) -> dict[str, Any]:
    """Start the public notice (公示) of the draft; objections until the notice's last working day."""
    return _admin_step(request, code, service.start_notice, start=payload.start)


@router.post("/periods/{code}/final", response={200: PeriodOut, **ERRORS})
def final(request: HttpRequest, code: str = Path(..., pattern=PERIOD_CODE)) -> dict[str, Any]:
    """Publish the ranking as final, after the objection period with every objection answered."""
    return _admin_step(request, code, service.finalise)


def objection_out(obj: Objection) -> dict[str, Any]:
    return {
        "id": obj.pk,
        "period": obj.publication.period.code,
        "institution": obj.institution.code if obj.institution else None,
        "submitted_by": obj.submitted_by,
        "received_on": obj.received_on,
        "text": obj.text,
        "outcome": obj.outcome,
        "reply": obj.reply,
        "corrected_run": obj.corrected_run_id,
    }


@router.get("/periods/{code}/objections", response={200: list[ObjectionOut], **ERRORS})
def objections(request: HttpRequest, code: str = Path(..., pattern=PERIOD_CODE)) -> list[dict[str, Any]]:
    """The objections to the period's ranking (a reporter: its own institution's)."""
    period = _period(code)
    qs = Objection.objects.filter(publication__period=period).select_related(
        "publication__period", "institution"
    )
    if not access.sees_unpublished(request.user):
        qs = qs.filter(institution__in=access.visible_institutions(request.user))
    return [objection_out(o) for o in qs.order_by("received_on", "pk")[:500]]


@router.post("/periods/{code}/objections", response={200: ObjectionOut, **ERRORS})
def lodge(
    request: HttpRequest, payload: ObjectionIn, code: str = Path(..., pattern=PERIOD_CODE)
) -> dict[str, Any]:
    """Lodge an objection while the ranking is in notice: a county reporter for its own institution, or the
    programme admin recording one received by other means."""
    period, user = _period(code), request.user
    inst = _objecting_institution(user, payload.institution)
    name = user.get_full_name() or user.get_username()
    submitted_by = (payload.submitted_by or "").strip() or (f"{name}（{inst.code}）" if inst else name)
    try:
        obj = service.lodge_objection(
            period, text=payload.text, submitted_by=submitted_by, institution=inst, user=user
        )
    except WorkflowError as exc:
        raise _refused(exc) from None
    return objection_out(obj)


def _objecting_institution(user: Any, code: str | None) -> Institution | None:
    if access.is_programme_admin(user):
        if code is None:
            return None
        inst = Institution.objects.filter(code=code).first()
        if inst is None:
            raise Http404(_("机构 %(code)s 不存在。") % {"code": code})
        return inst
    own = access.own_institution(user) if access.is_county_reporter(user) else None
    if own is None:
        raise PermissionDenied(_("只有县级填报人员或项目管理员可以提出异议。"))
    access.require(code in (None, own.code), _("填报人员只能为本机构提出异议。"))
    return own


@router.post("/objections/{int:pk}/answer", response={200: ObjectionOut, **ERRORS})
def answer(request: HttpRequest, payload: AnswerIn, pk: int = Path(..., ge=1, le=2**62)) -> dict[str, Any]:
    """Answer an objection (admin); an upheld one names its corrections and gives a corrected run and a new
    notice period."""
    access.require(access.may(request.user, "publish"), _("只有项目管理员可以答复异议。"))
    obj = Objection.objects.select_related("publication__period").filter(pk=pk).first()
    if obj is None:
        raise Http404(_("异议 %(pk)s 不存在。") % {"pk": pk})
    corrections = {(c.institution, c.indicator): float(c.value) for c in payload.corrections}
    try:
        answered = service.answer_objection(
            obj, outcome=payload.outcome, reply=payload.reply, user=request.user, corrections=corrections
        )
    except WorkflowError as exc:
        raise _refused(exc) from None
    return objection_out(answered)
