"""The per-laboratory result columns are declared once (core ``RESULT_COLUMNS``) and everything follows it:
the model, the admin, the round page, the Excel and PDF reports, the API schema and route, the command
line; the reference-method names come from the core's ``REFERENCE_METHODS`` and ``METHOD_LABELS``."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from django.db import models
from django.test import Client

from qiangji.commands.comparison import OPTION_FLAGS
from qiangji.core.comparison import METHOD_LABELS, OPTION_NAMES, REFERENCE_METHODS, RESULT_COLUMNS
from qiangji.web.comparisons.admin import LabResultInline
from qiangji.web.comparisons.columns import TABLE_COLUMNS, result_columns_model
from qiangji.web.comparisons.evaluate import evaluate_round
from qiangji.web.comparisons.forms import EvaluateForm
from qiangji.web.comparisons.labels import METHOD_ZH
from qiangji.web.comparisons.models import ComparisonRound, Evaluation, LabResult
from qiangji.web.comparisons.models.rounds import REFERENCE_OPTION_KEYS
from qiangji.web.comparisons.reports.excel import report_workbook
from tests.web.api.conftest import caller

DECLARED = [c.name for c in RESULT_COLUMNS]


def _evaluated(world: dict[str, Any], sigma_pt: float | None = None) -> ComparisonRound:
    world["points"][0].sigma_pt = sigma_pt
    world["points"][0].save()
    rnd = world["round"]
    rnd.status = ComparisonRound.Status.CLOSED
    rnd.save()
    evaluate_round(rnd, method="weighted_mean", options={})
    return rnd


def test_the_model_fields_are_the_declaration() -> None:
    fields = [f for f in LabResult._meta.get_fields() if f.name in DECLARED]
    assert [f.name for f in LabResult._meta.concrete_fields if f.name in DECLARED] == DECLARED
    assert {f.name for f in LabResult._meta.concrete_fields} == {
        "id",
        "evaluation",
        "participant",
        "submission",
        *DECLARED,
    }
    for col, field in zip(RESULT_COLUMNS, sorted(fields, key=lambda f: DECLARED.index(f.name)), strict=True):
        assert str(field.verbose_name) == col.label
        if col.kind in {"code", "verdict"}:
            assert isinstance(field, models.CharField) and field.max_length == col.max_length
        else:
            assert isinstance(field, models.FloatField) and field.null == col.nullable


def test_a_declared_column_becomes_a_model_field() -> None:
    """What adding a score does to the model (README, "where to add a comparison score")."""
    from dataclasses import replace

    import qiangji.web.comparisons.columns as columns

    extra = replace(RESULT_COLUMNS[6], name="en_ts", label="En（含传递标准）")
    original = columns.RESULT_COLUMNS
    columns.RESULT_COLUMNS = (*original, extra)  # type: ignore[misc]
    try:
        model = result_columns_model("qiangji.web.comparisons.models.evaluation")
    finally:
        columns.RESULT_COLUMNS = original  # type: ignore[misc]
    field = model._meta.get_field("en_ts")
    assert (
        isinstance(field, models.FloatField) and field.null and str(field.verbose_name) == "En（含传递标准）"
    )


def test_the_admin_shows_every_column(filled: dict[str, Any]) -> None:
    shown = [c.name for c in TABLE_COLUMNS]
    assert LabResultInline.readonly_fields == ["participant", *shown]
    assert set(shown) | set(LabResultInline.exclude) >= set(DECLARED)


def test_the_round_page_the_workbook_and_the_api_follow_the_declaration(filled: dict[str, Any]) -> None:
    rnd = _evaluated(filled, sigma_pt=0.5)
    c = Client()
    c.force_login(filled["pilot_user"])
    html = c.get(f"/comparisons/{rnd.code}/").content.decode()
    first = html.split('<table class="table results">')[1].split("</table>")[0]
    assert "<th>En</th><th>ζ</th><th>z</th>" in first and '<td class="z">' in first
    assert "(z′)" in first  # u(x_pt) = 0.189 > 0.3 × 0.5 → z′, shown with the score
    wb = openpyxl.load_workbook(io.BytesIO(report_workbook(rnd)))
    headers = [cell.value for cell in wb["结果"][1]]
    assert headers[3:] == [col.header for col in TABLE_COLUMNS]
    status, api = caller(filled["pilot_user"]).get(f"/comparisons/rounds/{rnd.code}/results")
    schema = c.get("/api/v1/openapi.json").json()["components"]["schemas"]["ResultOut"]
    assert list(schema["properties"]) == ["lab_code", "point", *DECLARED]
    assert status == 200 and list(api[0]) == ["lab_code", "point", *DECLARED]
    l3 = next(r for r in api if r["lab_code"] == "L3" and r["point"] == "200 g")
    assert l3["z_kind"] == "z'" and l3["form"] == "correlated" and l3["U_d"] is not None
    stored = Evaluation.objects.get(point__order=1).results.get(participant__lab_code="L3")
    assert stored.z_kind == "z'" and stored.zeta is not None
    filled["points"][0].sigma_pt = None
    filled["points"][0].save()
    evaluate_round(rnd, method="pilot", options={})  # the pilot's value has no σ_pt: no z column
    html = c.get(f"/comparisons/{rnd.code}/").content.decode()
    assert "<th>ζ</th><th>结论</th>" in html and "<th>z</th>" not in html


def test_the_method_names_have_one_source() -> None:
    assert [code for code, _ in ComparisonRound.METHOD_CHOICES] == list(REFERENCE_METHODS)
    assert [str(label) for _, label in ComparisonRound.METHOD_CHOICES] == list(METHOD_LABELS.values())
    assert [code for code, _ in EvaluateForm().fields["method"].choices] == list(REFERENCE_METHODS)
    assert dict(METHOD_LABELS) == METHOD_ZH
    assert list(
        LabResult._meta.get_field("evaluation").related_model._meta.get_field("method").choices
    ) == list(ComparisonRound.METHOD_CHOICES)


def test_the_options_have_one_source() -> None:
    assert REFERENCE_OPTION_KEYS == set(OPTION_NAMES) == set(OPTION_FLAGS)
