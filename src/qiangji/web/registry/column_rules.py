"""The certificate's row rules (:mod:`qiangji.web.registry.validators`) re-expressed over whole columns.

A bulk import of a million certificates cannot build a model instance per row to call ``clean()``; these
functions take one array per field and return only the rows that break a rule, with the same messages in
the same order as :func:`~qiangji.web.registry.validators.verification_certificate_errors` and
:func:`~qiangji.web.registry.validators.verification_certificate_warnings` (``tests/web/excel/
test_column_rules.py`` proves both equal on the demo's certificates and on boundary cases). ``cols`` is any
object with ``cols[attname]`` (a numpy object array, ``None`` for an empty value), ``cols.n`` and
``cols.related(field, attname)`` (an attribute of the row a foreign key points to).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.utils.translation import gettext_lazy as _

from qiangji.web.registry.models import VerificationCertificate

Kind, Conclusion = VerificationCertificate.Kind, VerificationCertificate.Conclusion
SIGNATORIES = ("verifier", "checker", "approver")
Array = np.ndarray[Any, Any]


def _set(values: Array) -> Array:
    """Python truth of each value (``None``, ``""`` and ``0`` are false), as ``if value`` reads it."""
    return values.astype(bool)


def _ordinals(values: Array) -> Array:
    return np.fromiter((v.toordinal() if v else 0 for v in values), dtype=np.int64, count=len(values))


def _equal(values: Array, wanted: Any) -> Array:
    return np.asarray(values == str(wanted), dtype=bool)


def _none(values: Array) -> Array:
    return np.asarray(values == None, dtype=bool)  # noqa: E711 - elementwise, not identity


def certificate_errors(cols: Any) -> dict[int, dict[str, Any]]:
    """{row: {field: message}} for the rows ``VerificationCertificate.clean()`` refuses."""
    kind, conclusion = cols["kind"], cols["conclusion"]
    until, verified = cols["valid_until"], cols["verified_on"]
    has_until = _set(until)
    dates = has_until & _set(verified)
    order = np.zeros(cols.n, dtype=bool)
    order[dates] = _ordinals(until[dates]) <= _ordinals(verified[dates])
    cert, notice = _equal(kind, Kind.CERTIFICATE), _equal(kind, Kind.NOTICE)
    wrong_conclusion = (cert & _equal(conclusion, Conclusion.FAIL)) | (
        notice & _equal(conclusion, Conclusion.PASS)
    )
    no_until, stray_until = cert & ~has_until, notice & has_until
    strangers = {name: _strangers(cols, name) for name in SIGNATORIES}
    bad = order | wrong_conclusion | no_until | stray_until
    for mask in strangers.values():
        bad |= mask
    out: dict[int, dict[str, Any]] = {}
    for i in np.flatnonzero(bad).tolist():
        errors: dict[str, Any] = {}
        if order[i]:
            errors["valid_until"] = _("有效期至必须晚于检定日期。")
        if wrong_conclusion[i]:
            errors["conclusion"] = (
                _("结论为不合格时应出具检定结果通知书，而不是检定证书。")
                if cert[i]
                else _("检定结果通知书的结论不能是合格。")
            )
        if no_until[i]:
            errors.setdefault("valid_until", _("检定证书必须填写有效期至。"))
        if stray_until[i]:
            errors.setdefault("valid_until", _("检定结果通知书不填写有效期至。"))
        for name in SIGNATORIES:
            if strangers[name][i]:
                errors[name] = _("签字人员必须属于出具证书的机构。")
        out[i] = errors
    return out


def _strangers(cols: Any, name: str) -> Array:
    """A signatory set, the certificate's institution set, and the person of another institution."""
    person, own = cols[f"{name}_id"], cols["institution_id"]
    theirs = cols.related(name, "institution_id")
    both = _set(person) & _set(own)
    out = np.zeros(cols.n, dtype=bool)
    out[both] = theirs[both] != own[both]
    return out


def certificate_warnings(cols: Any) -> dict[int, list[tuple[str, Any]]]:
    """{row: [(field, message)]} as ``verification_certificate_warnings`` lists them."""
    verifier, checker, approver = cols["verifier_id"], cols["checker_id"], cols["approver_id"]
    same_checker = _set(verifier) & (verifier == checker)
    approving = _set(approver)
    same_approver = approving & ((approver == verifier) | (approver == checker))
    no_env = _none(cols["temperature_c"]) | _none(cols["humidity_pct"])
    no_record = _equal(cols["kind"], Kind.CERTIFICATE) & ~_set(cols["record_no"])
    out: dict[int, list[tuple[str, Any]]] = {}
    for i in np.flatnonzero(same_checker | same_approver | no_env | no_record).tolist():
        warnings: list[tuple[str, Any]] = []
        if same_checker[i]:
            warnings.append(("checker", _("检定员与核验员不能是同一人。")))
        if same_approver[i]:
            warnings.append(("approver", _("批准人不能同时是检定员或核验员。")))
        if no_env[i]:
            warnings.append(("temperature_c", _("未记录环境条件（温度、相对湿度）。")))
        if no_record[i]:
            warnings.append(("record_no", _("未填写原始记录编号。")))
        out[i] = warnings
    return out
