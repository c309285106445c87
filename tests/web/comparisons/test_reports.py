"""The report files, opened for real: numbers and names in the workbook and in the PDF text."""

from __future__ import annotations

import io
import math
from typing import Any

import openpyxl
from pypdf import PdfReader

from qiangji.web.comparisons.evaluate import evaluate_round
from qiangji.web.comparisons.models import ComparisonRound
from qiangji.web.comparisons.reports.excel import report_workbook
from qiangji.web.comparisons.reports.pdf import report_pdf


def _evaluated(world: dict[str, Any], method: str) -> ComparisonRound:
    rnd = world["round"]
    rnd.status = ComparisonRound.Status.CLOSED
    rnd.save()
    evaluate_round(rnd, method=method, options={})
    return rnd


def test_the_workbook_holds_results_and_trail(filled: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(report_workbook(_evaluated(filled, "algorithm_a"))))
    assert wb.sheetnames == ["比对信息", "参考值", "结果", "结论", "计算过程"]
    assert wb["比对信息"]["B1"].value == "台州市计量技术研究院（示例）"
    rows = list(wb["结果"].iter_rows(min_row=2, values_only=True))
    assert {(r[0], r[1]) for r in rows} >= {("200 g", "L3"), ("100 g", "P")}
    trail = [r for r in wb["计算过程"].iter_rows(values_only=True)]
    assert any(r[0] == "算法A 迭代" for r in trail)


def test_the_workbook_shows_the_chi_squared_test(filled: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(report_workbook(_evaluated(filled, "weighted_mean"))))
    trail: dict[str, Any] = {}
    for r in wb["计算过程"].iter_rows(values_only=True):  # the first point (200 g) comes first
        if r and r[0]:
            trail.setdefault(r[0], r[1])
    assert math.isclose(trail["χ² 检验：χ²"], 33.6, rel_tol=1e-12)  # hand computation, see test_evaluate
    assert trail["χ² 检验：一致性"] is False
    header, *rows = list(wb["结果"].iter_rows(values_only=True))
    l3 = dict(zip(header, next(r for r in rows if r[0] == "200 g" and r[1] == "L3"), strict=True))
    assert math.isclose(l3["En"], 2.6 / (2 * math.sqrt(0.25 - 1 / 28)), rel_tol=1e-12)
    assert l3["结论"] == "不满意"


def test_the_pdf_names_the_unit_labs_and_en(filled: dict[str, Any]) -> None:
    pdf = report_pdf(_evaluated(filled, "pilot"))
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "台州市计量技术研究院（示例）" in text
    assert "示例县计量所3（示例）" in text and "不满意" in text
    assert "2.68" in text  # En of L3 at 200 g, to two decimals like every score
    assert f"共 {len(reader.pages)} 页" in text
