"""Certificate batches pushed by the institutions' own systems (a county's LIMS, daily).

``POST /api/v1/certificates/batches`` with ``Idempotency-Key: <key>`` and up to
:data:`MAX_BATCH` certificates. The batch goes through the registry import itself
(:func:`qiangji.web.excel.importer.import_records`, a frame built from the JSON): the same validation and
the same messages as a CSV file of the template's columns, all-or-nothing, idempotent by the natural key
(institution + certificate number; a certificate sent again unchanged is left alone, a changed one is
updated and audited with its values before and after). Problems name the certificate by its ``index`` in
the batch (0-based), its ``row`` in the equivalent CSV file (the header is row 1) and its ``field``.

A token acts for its user: a county reporter's token is bound to its institution and may push only that
institution's certificates (one certificate of any other refuses the whole batch, 403, naming it); the
city's reviewers and programme admin may push any institution's; leadership none. An accepted batch is
kept under its key: the same key with the same body is answered the same again without a second write;
with another body it is refused (409). Every attempt, accepted or refused, is kept as import evidence with
its body's SHA-256 (:class:`~qiangji.web.excel.models.ImportBatch`, source "api").
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema
from pydantic import StringConstraints

from qiangji.web.accounts import policy
from qiangji.web.api.errors import ERRORS, Conflict
from qiangji.web.api.models import CertificatePush
from qiangji.web.api.schemas import TEXT, Strict
from qiangji.web.excel import cells as c
from qiangji.web.excel.evidence import keep_batch
from qiangji.web.excel.importer import ImportResult, Problem, import_records
from qiangji.web.registry.models import Institution, VerificationCertificate

router = Router(tags=["certificates"])
MAX_BATCH = 10_000
TABLE = "verification_certificate"
KEY = r"^[A-Za-z0-9_.:\-]{1,100}$"
#: JSON field → the import template's column (the spec's path).
FIELDS = {
    "institution": "institution.code", "cert_no": "cert_no", "kind": "kind", "record_no": "record_no",
    "verified_on": "verified_on", "valid_until": "valid_until", "client": "client",
    "instrument_name": "instrument_name", "instrument_model": "instrument_model",
    "instrument_serial": "instrument_serial", "manufacturer": "manufacturer",
    "mv_item_level1": "mv_item.level1_no", "mv_item_level2": "mv_item.level2_no",
    "regulation": "regulation.code", "standards": "standards.assessment_cert_no",
    "verifier": "verifier.staff_no", "checker": "checker.staff_no", "approver": "approver.staff_no",
    "temperature_c": "temperature_c", "humidity_pct": "humidity_pct", "conclusion": "conclusion",
    "place": "place",
}  # fmt: skip
BY_PATH = {path: name for name, path in FIELDS.items()}
Text = str | None
#: A number may come as JSON number or as text ("20.5"); text without NUL, which no PostgreSQL text holds.
Number = Annotated[str, StringConstraints(pattern=TEXT, max_length=60)] | int | float | None
StandardNo = Annotated[str, StringConstraints(pattern=TEXT, max_length=200)]


class CertificateIn(Strict):
    """One certificate; values as in the import template (dates ``YYYY-MM-DD``, a choice by its value or
    label, ``standards`` the assessment certificate numbers of the standards used)."""

    institution: Text = Field(None, pattern=TEXT, max_length=60)
    cert_no: Text = Field(None, pattern=TEXT, max_length=200)
    kind: Text = Field(None, pattern=TEXT, max_length=60)
    record_no: Text = Field(None, pattern=TEXT, max_length=200)
    verified_on: Text = Field(None, pattern=TEXT, max_length=40)
    valid_until: Text = Field(None, pattern=TEXT, max_length=40)
    client: Text = Field(None, pattern=TEXT, max_length=400)
    instrument_name: Text = Field(None, pattern=TEXT, max_length=400)
    instrument_model: Text = Field(None, pattern=TEXT, max_length=200)
    instrument_serial: Text = Field(None, pattern=TEXT, max_length=200)
    manufacturer: Text = Field(None, pattern=TEXT, max_length=400)
    mv_item_level1: Number = None
    mv_item_level2: Number = None
    regulation: Text = Field(None, pattern=TEXT, max_length=100)
    standards: list[StandardNo] | None = Field(None, max_length=50)
    verifier: Text = Field(None, pattern=TEXT, max_length=60)
    checker: Text = Field(None, pattern=TEXT, max_length=60)
    approver: Text = Field(None, pattern=TEXT, max_length=60)
    temperature_c: Number = None
    humidity_pct: Number = None
    conclusion: Text = Field(None, pattern=TEXT, max_length=60)
    place: Text = Field(None, pattern=TEXT, max_length=400)


class BatchIn(Strict):
    certificates: list[CertificateIn] = Field(..., min_length=1, max_length=MAX_BATCH)


class ProblemOut(Schema):
    index: int | None
    row: int | None
    field: str
    value: str
    rule: str


class BatchOut(Schema):
    key: str
    batch: int
    created: int
    updated: int
    unchanged: int
    warnings: list[ProblemOut]


class BatchRefused(Schema):
    error: str
    problems: list[ProblemOut] = []


def _problem(p: Problem) -> dict[str, Any]:
    return {
        "index": p.row - 2 if p.row is not None and p.row >= 2 else None,
        "row": p.row,
        "field": BY_PATH.get(p.header, p.header),
        "value": p.value,
        "rule": p.rule,
    }


def _refused(message: str, problems: list[dict[str, Any]], status: int) -> JsonResponse:
    body = {"error": message, "problems": problems}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _record(item: CertificateIn) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name, path in FIELDS.items():
        value = getattr(item, name)
        record[path] = "、".join(value) if isinstance(value, list) else value
    return record


def _foreign(user: Any, items: list[CertificateIn]) -> list[dict[str, Any]]:
    """Certificates of an institution the token's user may not write (a reporter: any but its own)."""
    codes = {c.as_code(i.institution) for i in items if i.institution and not c.is_blank(i.institution)}
    known = {inst.code: inst for inst in Institution.objects.filter(code__in=codes)}
    allowed = {
        code
        for code, inst in known.items()
        if policy.can_edit(user, VerificationCertificate(institution_id=inst.pk))
    }
    if policy.is_city(user):
        allowed |= codes - known.keys()  # an unknown code is the import's to report ("未找到机构")
    out = []
    for index, item in enumerate(items):
        code = c.as_code(item.institution) if item.institution and not c.is_blank(item.institution) else ""
        if code and code not in allowed:
            rule = _("令牌所属用户不能推送机构 %(code)s 的证书：整批未导入") % {"code": code}
            out.append(
                {"index": index, "row": index + 2, "field": "institution", "value": code, "rule": rule}
            )
    return out


@router.post(
    "/certificates/batches",
    response={**ERRORS, 200: BatchOut, 403: BatchRefused, 422: BatchRefused},
    summary="Push a batch of verification certificates (≤ 10,000; header Idempotency-Key)",
)
def push(
    request: HttpRequest,
    payload: BatchIn,
    key: str = Header(..., alias="Idempotency-Key", pattern=KEY, description="the batch's own key (LIMS id)"),
) -> Any:
    user = request.user
    if not policy.can_edit_model(user, VerificationCertificate):
        return _refused(_("您不能推送检定证书。"), [], 403)
    body = [item.model_dump() for item in payload.certificates]
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    replay = _replay(user, key, digest)
    if replay is not None:
        return replay
    foreign = _foreign(user, payload.certificates)
    if foreign:
        first = foreign[0]
        text = _("第 %(index)s 条（index）字段 %(field)s：%(rule)s") % first
        _keep(request, key, digest, body, None, foreign)
        return _refused(text, foreign, 403)
    try:
        with transaction.atomic():
            result = import_records(TABLE, [_record(i) for i in payload.certificates], sheet="api")
            batch = _keep(request, key, digest, body, result, [])
            if not result.ok:
                return _refused(_summary(result), [_problem(p) for p in result.errors[:1000]], 422)
            answer = _answer(key, batch.pk, result)
            CertificatePush.objects.create(
                user=user, key=key, body_sha256=digest, response=answer, batch=batch
            )
    except IntegrityError:  # the same key committed meanwhile by a concurrent request
        replay = _replay(user, key, digest)
        if replay is None:
            raise
        return replay
    return answer


def _replay(user: Any, key: str, digest: str) -> Any:
    done = CertificatePush.objects.filter(user=user, key=key).first()
    if done is None:
        return None
    if done.body_sha256 != digest:
        raise Conflict(_("幂等键 %(key)s 已用于另一批内容不同的证书。") % {"key": key})
    return done.response


def _answer(key: str, batch: int, result: ImportResult) -> dict[str, Any]:
    return {
        "key": key,
        "batch": batch,
        "created": result.created.get(TABLE, 0),
        "updated": result.updated.get(TABLE, 0),
        "unchanged": result.unchanged.get(TABLE, 0),
        "warnings": [_problem(p) for p in result.warnings[:1000]],
    }


def _summary(result: ImportResult) -> str:
    first = _problem(result.errors[0])
    return _("共 %(n)s 处错误，整批未导入；第一处：第 %(index)s 条（index）字段 %(field)s：%(rule)s") % {
        "n": len(result.errors),
        **first,
    }


def _keep(
    request: HttpRequest,
    key: str,
    digest: str,
    body: list[dict[str, Any]],
    result: ImportResult | None,
    problems: list[dict[str, Any]],
) -> Any:
    """The attempt as import evidence: the body as received (canonical JSON), who, counts, problems."""
    data = json.dumps({"idempotency_key": key, "certificates": body}, ensure_ascii=False).encode()
    reported = result.reported() if result is not None else [p | {"level": "error"} for p in problems]
    return keep_batch(
        data, name=f"api-{key}.json", table=TABLE, source="api", user=request.user, problems=reported,
        sheets=["api"], counts=result.counts() if result is not None else {},
        totals=(len(result.errors), len(result.warnings)) if result is not None else None,
    )  # fmt: skip
