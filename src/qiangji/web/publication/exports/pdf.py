"""PDF bulletin (通报) and one-page institution profiles: WeasyPrint, A4, Noto CJK fonts embedded.

Charts are matplotlib PNGs (``font.sans-serif = ["Noto Sans CJK SC"]``, ``axes.unicode_minus = False``)
embedded as data URIs; the text stays text, so ``pdftotext`` reads every institution and rank.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from django.template.loader import render_to_string
from matplotlib import rc_context
from matplotlib.figure import Figure
from weasyprint import HTML

from qiangji.web.formatting import cn_date, percent
from qiangji.web.publication.exports.wording import previous_note
from qiangji.web.publication.methodology import absolute, page_path
from qiangji.web.publication.pages import tier_name

RC: Any = {"font.sans-serif": ["Noto Sans CJK SC", "DejaVu Sans"], "axes.unicode_minus": False}
RED = "#9f1d20"


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    with rc_context(RC):
        fig.savefig(buf, format="png", dpi=160, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(size: tuple[float, float]) -> tuple[Figure, Any]:
    """A figure with one axes, created under the CJK font settings (the fonts bind at creation)."""
    with rc_context(RC):
        fig = Figure(figsize=size)
        return fig, fig.subplots()


def score_chart(content: Mapping[str, Any]) -> str:
    rows = content["rows"][::-1]
    fig, ax = _figure((7.2, 0.35 * len(rows) + 1.0))
    left = np.zeros(len(rows))
    for k, dim in enumerate(content["dimensions"]):
        pts = np.array([(r["dimensions"][dim["code"]] or 0.0) * dim["weight"] / 100.0 for r in rows])
        ax.barh(
            [r["name"] for r in rows], pts, left=left, label=f"{dim['code']} {dim['name']}", color=f"C{k}"
        )
        left += pts
    ax.set_xlim(0, 100)
    ax.set_xlabel("总分（各维度贡献分）")
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    return _png(fig)


def interval_chart(content: Mapping[str, Any]) -> str:
    rows = content["rows"][::-1]
    fig, ax = _figure((7.2, 0.3 * len(rows) + 0.9))
    y = np.arange(len(rows))
    lo = [r["rank_p05"] for r in rows]
    hi = [r["rank_p95"] for r in rows]
    ax.hlines(y, lo, hi, color="#fca5a5", linewidth=6)
    ax.plot([r["rank"] for r in rows], y, "|", color=RED, markersize=14, markeredgewidth=2)
    ax.set_yticks(y, [r["name"] for r in rows])
    ax.set_xlim(len(rows) + 0.5, 0.5)
    ax.set_xlabel("排名（竖线：本期排名；色带：5%–95% 区间）")
    return _png(fig)


def _wrap(name: str, width: int = 6) -> str:
    """A dimension name on lines of at most ``width`` characters (a radar label must stay narrow)."""
    return "\n".join(name[i : i + width] for i in range(0, len(name), width))


def radar_chart(content: Mapping[str, Any], unit: str) -> str:
    """The six dimension scores against the median; labels wrapped and placed outside the circle, with
    room left for them (they were clipped at the figure's edge)."""
    dims = content["dimensions"]
    row = next(r for r in content["rows"] if r["unit"] == unit)
    values = [row["dimensions"][d["code"]] or 0.0 for d in dims]
    med = [float(np.median([r["dimensions"][d["code"]] or 0.0 for r in content["rows"]])) for d in dims]
    angles = np.linspace(0, 2 * np.pi, len(dims), endpoint=False)
    with rc_context(RC):
        fig = Figure(figsize=(4.2, 4.0))
        ax: Any = fig.add_axes((0.2, 0.16, 0.6, 0.66), projection="polar")
    ax.plot([*angles, angles[0]], [*med, med[0]], color="#94a3b8", linewidth=1, label="全市中位数")
    ax.plot([*angles, angles[0]], [*values, values[0]], color=RED, label=row["name"])
    ax.fill([*angles, angles[0]], [*values, values[0]], color=RED, alpha=0.2)
    ax.set_xticks(angles, [f"{d['code']} {_wrap(d['name'])}" for d in dims], fontsize=8)
    ax.tick_params(axis="x", pad=14)
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100])
    ax.set_rlabel_position(180 / len(dims))  # between the first two axes, clear of their labels
    ax.tick_params(axis="y", labelsize=7)
    fig.legend(loc="lower center", ncol=2, fontsize=8, frameon=False)
    return _png(fig)


def trend_chart(points: Sequence[Mapping[str, Any]], n: int) -> str:
    """Rank over the published periods, on an axis from 1 (top) to n."""
    n = max([n, *(int(p["rank"]) for p in points)])
    fig, ax = _figure((3.6, 1.7))
    ax.plot([p["period"] for p in points], [p["rank"] for p in points], "o-", color=RED)
    ax.set_ylim(n + 0.5, 0.5)
    ax.set_yticks(range(1, n + 1, 1 if n <= 12 else max(1, n // 10)))
    ax.set_ylabel("排名")
    ax.tick_params(axis="x", labelsize=7, rotation=45)
    ax.tick_params(axis="y", labelsize=7)
    return _png(fig)


def _pdf(template: str, ctx: Mapping[str, Any]) -> bytes:
    html = render_to_string(template, dict(ctx))
    return bytes(HTML(string=html).write_pdf())


def _rows(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The content's rows with their tier's name and, against a previous publication on another framework
    version, no rise or fall (``previous_only``: the previous rank is shown for reference)."""
    previous = content.get("previous") or {}
    only = bool(previous) and previous.get("comparable") is False
    return [{**r, "tier_name": tier_name(r["tier"]), "previous_only": only} for r in content["rows"]]


def bulletin_context(content: Mapping[str, Any], content_sha256: str = "") -> dict[str, Any]:
    """What the bulletin says, shared by the PDF and the Word edition (`exports.docx`)."""
    rows = _rows(content)
    return {
        "c": content,
        "rows": rows,
        "sha": content_sha256,
        "tiers": [
            (tier_name(k), [r["name"] for r in rows if r["tier"] == k])
            for k in sorted({int(r["tier"]) for r in rows})
        ],
        "previous_note": previous_note(content),
        "below_target": [
            f"{r['name']}（{percent(r['rm_coverage'])}）" for r in rows if r["rm_target_met"] is False
        ],
        # the full address when the site's is configured (QIANGJI_SITE_URL): a printed bulletin cites it
        "methodology_path": absolute(page_path(content["period"]["code"])),
        "methodology_pdf": absolute(f"/rankings/{content['period']['code']}/methodology.pdf"),
        "signed_on": cn_date(content.get("final_on") or content.get("notice_started_on")),
    }


def bulletin(content: Mapping[str, Any], content_sha256: str = "") -> bytes:
    """The period bulletin: 文号, ranking table, charts, rules, the issuing unit and date, page numbers."""
    ctx = {
        **bulletin_context(content, content_sha256),
        "score_chart": score_chart(content),
        "interval_chart": interval_chart(content),
    }
    return _pdf("publication/pdf/bulletin.html", ctx)


def profile(
    content: Mapping[str, Any],
    unit: str,
    trend: Sequence[Mapping[str, Any]],
    findings: Any,
    advice: Mapping[str, Any] | None = None,
) -> bytes:
    """One A4 page about one institution: scores, radar, strengths/weaknesses, trend, open findings."""
    row = next(r for r in _rows(content) if r["unit"] == unit)
    names = {i["code"]: i["name"] for i in content["indicators"]}
    units = {i["code"]: i["unit"] for i in content["indicators"]}
    sw = [
        {**s, "name": names[s["indicator"]], "unit_label": units[s["indicator"]]}
        for s in content["strengths_weaknesses"]
        if s["unit"] == unit
    ]
    ctx = {
        "c": content,
        "row": row,
        "n": len(content["rows"]),
        "dimensions": [{**d, "score": row["dimensions"][d["code"]]} for d in content["dimensions"]],
        "strengths": [s for s in sw if s["kind"] == "strength"],
        "weaknesses": [s for s in sw if s["kind"] == "weakness"],
        "findings": list(findings)[:8],
        "findings_recorded": "open_findings" in content,  # not in contents finalised before version 2
        "radar": radar_chart(content, unit),
        "trend": trend_chart(trend, len(content["rows"])) if len(trend) > 1 else "",
        "advice": advice,  # publication/_advice.html
    }
    return _pdf("publication/pdf/profile.html", ctx)
