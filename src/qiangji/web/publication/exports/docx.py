"""The bulletin as a Word document (python-docx) that the office edits before sending it out.

Same text as the PDF bulletin (`pdf.bulletin_context`), laid out after GB/T 9704-2012 (党政机关公文格式):
A4 with margins 37/35/28/26 mm, the issuing unit's name in red as the masthead (版头), the document
number (文号) under it and a red rule, the title in 小标宋 二号 (22 pt), the body in 仿宋 三号 (16 pt) with
a two-character first-line indent, the ranking as a table, and the issuing unit and date (落款) at the
right. The fonts are named (方正小标宋简体, 仿宋_GB2312, 黑体): Word on an office machine has them; Word
elsewhere substitutes. Charts are left to the PDF: the office edits words, not figures.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from qiangji.web.formatting import cn_date, count, join_names, quantity, score
from qiangji.web.publication.exports.pdf import bulletin_context
from qiangji.web.publication.exports.wording import change_text

RED = RGBColor(0xC0, 0x00, 0x00)
TITLE_FONT, BODY_FONT, HEAD_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体"


def _font(run: Any, name: str, size: float, *, bold: bool = False, colour: RGBColor | None = None) -> None:
    run.font.name, run.font.size, run.font.bold = name, Pt(size), bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)  # CJK font of the run
    if colour is not None:
        run.font.color.rgb = colour


def _para(doc: Any, text: str, *, size: float = 16, font: str = BODY_FONT, indent: bool = True) -> Paragraph:
    p: Paragraph = doc.add_paragraph()
    p.paragraph_format.line_spacing = Pt(28)
    if indent:
        p.paragraph_format.first_line_indent = Pt(2 * size)
    _font(p.add_run(text), font, size)
    return p


def _centre(doc: Any, text: str, size: float, font: str, colour: RGBColor | None = None) -> Paragraph:
    p: Paragraph = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), font, size, colour=colour)
    return p


def _red_rule(p: Paragraph) -> None:
    """A red bottom border under the paragraph (the 版头 separator line)."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "6"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    p._p.get_or_add_pPr().append(border)


def _page(doc: Any) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)


def _ranking_table(doc: Any, ctx: Mapping[str, Any]) -> Table:
    c = ctx["c"]
    heads = ["排名", "机构", "总分", *[d["code"] for d in c["dimensions"]]]
    heads += ["上期名次" if ctx["previous_note"] else "较上期"] if c["previous"] else []
    table: Table = doc.add_table(rows=1, cols=len(heads) + 1)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, [*heads, "方阵"], strict=True):
        _font(cell.paragraphs[0].add_run(text), HEAD_FONT, 10.5)
    for r in ctx["rows"]:
        values = [str(r["rank"]), r["name"], score(r["score"])]
        values += [score(r["dimensions"][d["code"]], 1) for d in c["dimensions"]]
        values += [change_text(r)] if c["previous"] else []
        gate = "".join(
            f"（{g['code']} {g.get('cap') or '合规否决'}）" for g in (r.get("gate") or {}).get("rules", [])
        )
        cells = table.add_row().cells
        for cell, text in zip(cells, [*values, r["tier_name"] + gate], strict=True):
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, 10.5)
    return table


def _body(doc: Any, ctx: Mapping[str, Any]) -> None:
    _opening(doc, ctx)
    _overview(doc, ctx)
    _ranking(doc, ctx)
    _stability(doc, ctx)
    _goals(doc, ctx)
    _method_note(doc, ctx)


def _opening(doc: Any, ctx: Mapping[str, Any]) -> None:
    c = ctx["c"]
    _para(doc, "各县（市、区）计量检定机构：", indent=False)
    _para(
        doc,
        f"根据三年强基行动工作安排，依据《{c['framework']['name']}》（{c['framework']['version']} 版），"
        f"以{ctx['as_of']}为统计基准日，"
        f"对全市 {len(ctx['rows'])} 家县级计量技术机构的能力建设情况进行了评价。"
        "现将排名情况通报如下。",
    )


def _overview(doc: Any, ctx: Mapping[str, Any]) -> None:
    _para(doc, "一、总体情况", font=HEAD_FONT)
    for name, names in ctx["tiers"]:
        if names:
            _para(doc, f"{name}（{len(names)} 家）：{join_names(names)}。")


def _ranking(doc: Any, ctx: Mapping[str, Any]) -> None:
    """The table, the dimensions and tier rule, each gated unit's reasons and the progress leaders."""
    c = ctx["c"]
    _para(doc, "二、排名情况", font=HEAD_FONT)
    _ranking_table(doc, ctx)
    dims = "；".join(f"{d['code']} {d['name']}（{quantity(d['weight'])} 分）" for d in c["dimensions"])
    _para(doc, f"维度：{dims}。{c['tier_rule']}{ctx['previous_note']}", size=12)
    for r in ctx["rows"]:
        if r.get("gate"):
            reasons = "；".join(g["reason"] for g in r["gate"]["rules"])
            _para(
                doc,
                f"合规否决：{r['name']}，{reasons}（按指标计算的总分 {score(r['gate']['ungated'])} 分）。",
            )
    if c.get("progress"):
        _progress(doc, c["progress"])


def _progress(doc: Any, progress: Mapping[str, Any]) -> None:
    top = "、".join(
        f"{p['name']}（{p['change']:+.2f} 分）" for p in progress["rows"][:3] if p["change"] is not None
    )
    _para(
        doc,
        f"进步指数（较 {progress['baseline_label']}，按本期框架的固定目标值计分）：{top}进步最大。",
    )


def _stability(doc: Any, ctx: Mapping[str, Any]) -> None:
    _para(doc, "三、排名稳定性", font=HEAD_FONT)
    _para(
        doc,
        f"权重在 ±25% 范围内随机变动时（{count(ctx['c']['run']['runs'])} 次蒙特卡洛模拟），"
        "各机构排名的 5%–95% 区间见排行榜网站和 PDF 版通报。区间相互重叠的机构，名次差异不大。",
    )


def _goals(doc: Any, ctx: Mapping[str, Any]) -> None:
    _para(doc, "四、三年行动目标", font=HEAD_FONT)
    below = ctx["below_target"]
    met = f"{join_names(below)}尚未达标，应制定措施，限期提升。" if below else "各机构均已达标。"
    _para(doc, f"注册计量师持证比例目标为 {ctx['c']['rm_target_pct']}%。{met}")


def _method_note(doc: Any, ctx: Mapping[str, Any]) -> None:
    c = ctx["c"]
    _para(doc, "五、指数编制说明", font=HEAD_FONT)
    _para(
        doc,
        f"总分由 {len(c['dimensions'])} 个维度的得分按权重加权汇总而成，满分 100 分。各指标的计分方法、权重，"
        f"排名区间和方阵的含义，以及公示程序，见排行榜网站“指数编制说明”页面（{ctx['methodology_path']}；"
        f"PDF 版 {ctx['methodology_pdf']}）。",
    )


def _signature(doc: Any, ctx: Mapping[str, Any]) -> None:
    doc.add_paragraph()
    for text in (ctx["c"]["issuing_unit"], ctx["signed_on"]):
        p = _para(doc, text, indent=False)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(4 * 16)  # 右空四字 (GB/T 9704-2012 7.3.5.1)


def bulletin_docx(content: Mapping[str, Any], content_sha256: str = "") -> bytes:
    """The .docx bytes of a publication's bulletin (module docstring)."""
    ctx = {**bulletin_context(content, content_sha256), "as_of": cn_date(content["period"]["as_of"])}
    doc = Document()
    _page(doc)
    _centre(doc, content["issuing_unit"], 26, TITLE_FONT, RED)
    _red_rule(_centre(doc, content.get("document_number") or "公示稿", 16, BODY_FONT))
    _centre(doc, f"关于{content['period']['label']}计量技术机构能力建设指数排名情况的通报", 22, TITLE_FONT)
    _body(doc, ctx)
    _signature(doc, ctx)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
