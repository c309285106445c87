import io
import re
import subprocess

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

pytestmark = pytest.mark.django_db


def pdftotext(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_it_exports_the_ranking_to_excel(client, published) -> None:
    q2 = published[1]
    response = client.get("/rankings/2025Q2/ranking.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="ranking-2025Q2.xlsx"'
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["排行榜", "原始数据", "指标贡献", "说明"]
    ws = wb["排行榜"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "F2:K2" in merged and "A2:A3" in merged  # 维度得分 over six columns; 排名 over two rows
    assert ws["F2"].value == "维度得分" and ws["F3"].value.startswith("D1 ")
    for i, row in enumerate(q2.content["rows"], start=4):
        assert (ws.cell(i, 1).value, ws.cell(i, 3).value, ws.cell(i, 4).value) == (
            row["rank"],
            row["unit"],
            row["name"],
        )
        # Excel keeps 15 significant digits
        assert ws.cell(i, 5).value == pytest.approx(row["score"], rel=1e-14)
        dims = [ws.cell(i, 6 + k).value for k in range(6)]
        assert dims == pytest.approx(list(row["dimensions"].values()), rel=1e-14)
    raw = wb["原始数据"]
    assert raw["C2"].value.startswith("D1 ") and raw["C3"].value.startswith("D1.1 ")
    unit = raw["A4"].value
    assert raw["C4"].value == pytest.approx(q2.content["raw"][unit]["D1.1"], rel=1e-14)
    about = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True)}
    assert about["框架版本"] == "2025.1"
    assert about["发布内容 SHA-256"] == q2.content_sha256


def test_it_prints_a_bulletin_with_every_institution_and_rank(client, published) -> None:
    q2 = published[1]
    response = client.get("/rankings/2025Q2/bulletin.pdf")
    data = response.content
    text = pdftotext(data)
    flat = re.sub(r"\s+", "", text)
    assert "关于2025年第2季度计量技术机构能力建设指数排名情况的通报" in flat
    lines = text.splitlines()
    for row in q2.content["rows"]:
        # the table's line (the 总体情况 paragraph also names every institution, by tier)
        line = next(ln for ln in lines if row["name"] in ln and ln.split()[0].isdigit())
        assert line.split()[0] == str(row["rank"])
        assert f"{row['score']:.2f}" in line
    assert "台州市计量技术研究院（示例）" in flat and re.search(r"第1页/共\d+页", flat)
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    fonts = {str(f) for page in reader.pages for f in (page["/Resources"].get("/Font") or {}).values()}
    embedded = [
        f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        for page in reader.pages
        for f in (page["/Resources"].get("/Font") or {}).values()
        if "/DescendantFonts" in f.get_object()
    ]
    assert fonts and any("/FontFile2" in d or "/FontFile3" in d for d in embedded)
    assert any("CJK" in str(d["/FontName"]) for d in embedded)


def test_it_prints_a_one_page_profile(client, published) -> None:
    row = published[1].content["rows"][0]
    data = client.get(f"/rankings/2025Q2/{row['unit']}/profile.pdf").content
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = pdftotext(data)
    assert row["name"] in text and "优势" in text and "短板" in text
