"""A participant sees only its own lab code's institution (pages and report files); the pilot and the city
see the mapping. A round evaluated against a consensus value shows z-scores with σ_pt."""

from __future__ import annotations

import io
import math
import re
from typing import Any

import openpyxl
from django.test import Client
from pypdf import PdfReader

from qiangji.web.comparisons.evaluate import evaluate_round
from qiangji.web.comparisons.models import ComparisonRound, LabResult

URL = "/comparisons/CMP-2025-01/"


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _reported(world: dict[str, Any], method: str) -> ComparisonRound:
    rnd = world["round"]
    rnd.status = ComparisonRound.Status.CLOSED
    rnd.save()
    evaluate_round(rnd, method=method, options={})
    rnd.status = ComparisonRound.Status.REPORTED
    rnd.save()
    return rnd


def _others(world: dict[str, Any], mine: int) -> list[str]:
    return [inst.name for k, inst in enumerate(world["labs"]) if k != mine]


def test_it_hides_the_other_labs_names_from_a_participant(filled: dict[str, Any]) -> None:
    _reported(filled, "pilot")
    c = client_for(filled["users"][0])  # L1
    page = c.get(URL).content.decode()
    assert filled["labs"][0].name in page and "L1" in page and "本单位" in page
    assert not any(name in page for name in _others(filled, 0))
    pdf = c.get(URL + "report.pdf").content
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert filled["labs"][0].name in text and "L2" in text
    assert not any(name in text for name in _others(filled, 0))
    wb = openpyxl.load_workbook(io.BytesIO(c.get(URL + "report.xlsx").content))
    cells = {str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None}
    assert filled["labs"][0].name in cells
    assert not any(name in cells for name in _others(filled, 0))


def test_it_shows_the_mapping_to_the_pilot(filled: dict[str, Any]) -> None:
    _reported(filled, "pilot")
    page = client_for(filled["pilot_user"]).get(URL).content.decode()
    assert all(inst.name in page for inst in filled["labs"])


def test_it_shows_z_with_sigma_pt_for_a_consensus_value(filled: dict[str, Any]) -> None:
    rnd = _reported(filled, "algorithm_a")
    ev = rnd.evaluations.get(point__order=1)
    assert ev.trail["sigma_pt_source"] == "robust_sd" and ev.trail["sigma_pt"] > 0
    labs = LabResult.objects.filter(evaluation=ev)
    assert all(r.z is not None for r in labs)
    page = client_for(filled["pilot_user"]).get(URL).content.decode()
    assert "σ<sub>pt</sub>" in page and "<th>z</th>" in page
    assert "稳健标准差" in page


def test_it_uses_the_given_sigma_pt_and_none_for_a_pilot_value(filled: dict[str, Any]) -> None:
    p1 = filled["points"][0]
    p1.sigma_pt = 2.0
    p1.save()
    rnd = _reported(filled, "mean")
    ev = rnd.evaluations.get(point__order=1)
    assert (ev.trail["sigma_pt"], ev.trail["sigma_pt_source"]) == (2.0, "given")
    l3 = LabResult.objects.get(evaluation=ev, participant__lab_code="L3")
    # ISO 13528:2022 9.4 / 9.5: z with u(x_pt) ≤ 0.3σ_pt, else z′ = (x − x_pt)/sqrt(σ_pt² + u²(x_pt))
    sigma = 2.0 if ev.u <= 0.6 else math.sqrt(4.0 + ev.u**2)
    assert l3.z_kind == ("z" if ev.u <= 0.6 else "z'")
    assert math.isclose(l3.z, (3.0 - ev.value) / sigma, rel_tol=1e-12)
    rnd.status = ComparisonRound.Status.CLOSED
    rnd.save()
    p1.sigma_pt = None
    p1.save()
    evaluate_round(rnd, method="pilot", options={})
    ev = rnd.evaluations.get(point__order=1)
    assert ev.trail["sigma_pt"] is None
    assert "<th>z</th>" not in client_for(filled["pilot_user"]).get(URL).content.decode()
