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

from qiangji.web.publication.content import TIER_NAMES

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


def radar_chart(content: Mapping[str, Any], unit: str) -> str:
    dims = content["dimensions"]
    row = next(r for r in content["rows"] if r["unit"] == unit)
    values = [row["dimensions"][d["code"]] or 0.0 for d in dims]
    angles = np.linspace(0, 2 * np.pi, len(dims), endpoint=False)
    with rc_context(RC):
        fig = Figure(figsize=(3.4, 3.4))
        ax: Any = fig.add_subplot(projection="polar")
    ax.plot([*angles, angles[0]], [*values, values[0]], color=RED)
    ax.fill([*angles, angles[0]], [*values, values[0]], color=RED, alpha=0.2)
    ax.set_xticks(angles, [f"{d['code']}\n{d['name']}" for d in dims], fontsize=6)
    ax.set_ylim(0, 100)
    ax.tick_params(axis="y", labelsize=6)
    return _png(fig)


def trend_chart(points: Sequence[Mapping[str, Any]], n: int) -> str:
    fig, ax = _figure((3.6, 2.2))
    ax.plot([p["period"] for p in points], [p["rank"] for p in points], "o-", color=RED)
    ax.set_ylim(n + 0.5, 0.5)
    ax.set_ylabel("排名")
    ax.tick_params(axis="x", labelsize=6, rotation=45)
    return _png(fig)


def _pdf(template: str, ctx: Mapping[str, Any]) -> bytes:
    html = render_to_string(template, dict(ctx))
    return bytes(HTML(string=html).write_pdf())


def _rows(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{**r, "tier_name": TIER_NAMES[r["tier"] - 1]} for r in content["rows"]]


def bulletin(content: Mapping[str, Any], content_sha256: str = "") -> bytes:
    """The period bulletin: ranking table, charts, rules, issuing unit, date, page numbers."""
    ctx = {
        "c": content,
        "rows": _rows(content),
        "sha": content_sha256,
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
    sw = [{**s, "name": names[s["indicator"]]} for s in content["strengths_weaknesses"] if s["unit"] == unit]
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
        "advice": advice,  # programme/_advice.html
    }
    return _pdf("publication/pdf/profile.html", ctx)
