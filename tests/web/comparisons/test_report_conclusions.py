"""The comparison report concludes per laboratory, carries the 编制/审核/批准 block and names every method
and term in Chinese (no internal code such as pilot, independent or reference)."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader

from qiangji.web.comparisons.evaluate import evaluate_round
from qiangji.web.comparisons.models import ComparisonRound
from qiangji.web.comparisons.reports.excel import report_workbook
from qiangji.web.comparisons.reports.pdf import report_pdf

CODES = re.compile(r"\b(pilot|independent|reference|correlated|drift|weighted_mean|algorithm_a)\b")


def _evaluated(world: dict[str, Any], method: str) -> ComparisonRound:
    rnd = world["round"]
    rnd.status = ComparisonRound.Status.CLOSED
    rnd.save()
    evaluate_round(rnd, method=method, options={})
    return rnd


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_it_concludes_per_laboratory_with_the_values_and_the_rule(filled: dict[str, Any]) -> None:
    text = _text(report_pdf(_evaluated(filled, "pilot")))
    assert "三、结论" in text and "|En|≤1满意" in text
    # L3 is off by 3 mg at 200 g (En ≈ 2.68): 不满意 overall, with its En in the conclusion
    assert re.search(r"L3示例县计量所3（示例）200g：En=2\.68.*?不满意", text)
    assert re.search(r"L1示例县计量所1（示例）200g：En=[0-9.\-]+.*?满意", text)


def test_it_ends_with_the_prepared_checked_approved_block(filled: dict[str, Any]) -> None:
    text = _text(report_pdf(_evaluated(filled, "pilot")))
    tail = text[text.index("编制") :]
    assert "审核" in tail and "批准" in tail and "年月日" in tail


@pytest.mark.parametrize("method", ["pilot", "weighted_mean", "algorithm_a"])
def test_it_names_every_method_and_term_in_chinese(filled: dict[str, Any], method: str) -> None:
    rnd = _evaluated(filled, method)
    text = _text(report_pdf(rnd))
    assert not CODES.search(text), CODES.search(text)
    assert {"pilot": "主导实验室参考值", "weighted_mean": "加权平均值", "algorithm_a": "算法A"}[
        method
    ] in text
    wb = openpyxl.load_workbook(io.BytesIO(report_workbook(rnd)))
    cells = [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert not any(CODES.search(c) for c in cells), [c for c in cells if CODES.search(c)]
    conclusions = list(wb["结论"].iter_rows(min_row=2, values_only=True))
    assert ("L3", "示例县计量所3（示例）") in {(r[0], r[1]) for r in conclusions}
