"""Plotly charts of the public pages, as HTML fragments (``plotly.min.js`` is served by `views.plotly_js`).

Each function takes the publication content (`content.build_content`) and returns a ``<div>`` with its
``Plotly.newPlot`` script; no JavaScript is inlined or fetched from a CDN (``include_plotlyjs=False``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
COLOURS = ("#9f1d20", "#d97706", "#2563eb", "#059669", "#7c3aed", "#475569")
CONFIG = {"displaylogo": False, "responsive": True}


def _html(fig: go.Figure, div_id: str) -> str:
    fig.update_layout(font={"family": FONT}, margin={"l": 40, "r": 20, "t": 40, "b": 40})
    return str(fig.to_html(include_plotlyjs=False, full_html=False, div_id=div_id, config=CONFIG))


def score_bars(content: Mapping[str, Any]) -> str:
    """Total score per institution, stacked by the points each dimension contributes."""
    rows = content["rows"][::-1]
    names = [r["name"] for r in rows]
    fig = go.Figure()
    for colour, dim in zip(COLOURS, content["dimensions"], strict=False):
        share = [((r["dimensions"][dim["code"]] or 0.0) * dim["weight"] / 100.0) for r in rows]
        fig.add_bar(
            y=names, x=share, name=f"{dim['code']} {dim['name']}", orientation="h", marker_color=colour
        )
    fig.update_layout(
        barmode="stack",
        title="总分构成（各维度贡献分）",
        height=120 + 38 * len(rows),
        xaxis={"title": "分", "range": [0, 100]},
        legend={"orientation": "h", "y": -0.15},
    )
    return _html(fig, "chart-scores")


def radar(content: Mapping[str, Any], unit: str) -> str:
    """The institution's six dimension scores against the median of all institutions."""
    dims = content["dimensions"]
    labels = [f"{d['code']} {d['name']}" for d in dims]
    row = next(r for r in content["rows"] if r["unit"] == unit)
    mine = [row["dimensions"][d["code"]] or 0.0 for d in dims]
    med = [_median([r["dimensions"][d["code"]] for r in content["rows"]]) for d in dims]
    fig = go.Figure()
    fig.add_scatterpolar(
        r=[*med, med[0]], theta=[*labels, labels[0]], name="全市中位数", line_color="#94a3b8"
    )
    fig.add_scatterpolar(
        r=[*mine, mine[0]], theta=[*labels, labels[0]], name=row["name"], fill="toself", line_color=COLOURS[0]
    )
    fig.update_layout(title="六维度得分", polar={"radialaxis": {"range": [0, 100]}}, height=420)
    return _html(fig, "chart-radar")


def contributions(content: Mapping[str, Any], unit: str) -> str:
    """Points each indicator adds to the institution's total score."""
    contrib = content["contributions"][unit]
    names = {i["code"]: f"{i['code']} {i['name']}" for i in content["indicators"]}
    items = sorted(((v or 0.0, c) for c, v in contrib.items()), reverse=True)
    fig = go.Figure(
        go.Bar(
            x=[v for v, _ in items][::-1],
            y=[names[c] for _, c in items][::-1],
            orientation="h",
            marker_color=COLOURS[2],
        )
    )
    fig.update_layout(title="指标贡献分", height=140 + 22 * len(items), xaxis={"title": "分"})
    return _html(fig, "chart-contributions")


def trend(points: Sequence[Mapping[str, Any]]) -> str:
    """Rank and total score over the published periods (``period``, ``rank``, ``score``)."""
    periods = [p["period"] for p in points]
    fig = go.Figure()
    fig.add_scatter(x=periods, y=[p["rank"] for p in points], name="排名", mode="lines+markers")
    fig.add_scatter(x=periods, y=[p["score"] for p in points], name="总分", mode="lines+markers", yaxis="y2")
    fig.update_layout(
        title="历期排名与总分",
        height=360,
        xaxis={"type": "category"},
        yaxis={"title": "排名", "autorange": "reversed", "dtick": 1},
        yaxis2={"title": "总分", "overlaying": "y", "side": "right", "range": [0, 100]},
        legend={"orientation": "h", "y": -0.2},
    )
    return _html(fig, "chart-trend")


def _median(values: Sequence[float | None]) -> float:
    xs = sorted(v for v in values if v is not None)
    if not xs:
        return 0.0
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2
