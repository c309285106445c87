"""Plotly charts of the public pages, as HTML fragments (``plotly.min.js`` is served by `views.plotly_js`).

Each function takes the publication content (`content.build_content`) and returns an empty chart element
plus the figure as JSON in a non-executing ``<script type="application/json">`` (`embed`). The page's
``charts.js`` (`views.script`) draws every such element with ``Plotly.newPlot``: no inline JavaScript, so
the Content-Security-Policy needs no ``'unsafe-inline'`` in ``script-src``, and nothing from a CDN.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qiangji.web.assessment.models.periods import period_code_label

FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
COLOURS = ("#9f1d20", "#d97706", "#2563eb", "#059669", "#7c3aed", "#475569")
#: No mode bar (on a phone it covered the chart titles; the tables carry every number), resized with the page.
CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}


def embed(fig: go.Figure, div_id: str, config: Mapping[str, Any] = CONFIG) -> SafeString:
    """``<div id=div_id data-figure=…>`` and the figure (data, layout, config) as escaped JSON.

    ``json_script`` escapes ``<``, ``>`` and ``&``, so no text in the figure (an institution's name) can
    close the script element; the browser never executes a ``type="application/json"`` script.
    """
    figure = {**json.loads(fig.to_json()), "config": dict(config)}
    source = f"{div_id}-figure"
    return format_html(
        '<div id="{}" class="chart" data-figure="{}"></div>{}', div_id, source, json_script(figure, source)
    )


MARGIN = {"l": 40, "r": 20, "t": 40, "b": 40}
#: The radar's angular labels stand outside the plot area: room for two lines of about 80 px either side.
RADAR_MARGIN = {"l": 90, "r": 90, "t": 60, "b": 40}


def _html(fig: go.Figure, div_id: str, margin: Mapping[str, int] = MARGIN) -> SafeString:
    # automargin: the axes take the room their labels need (long names, rotated ticks on a narrow screen)
    fig.update_layout(font={"family": FONT}, margin=dict(margin), autosize=True)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return embed(fig, div_id)


def _name(item: Mapping[str, Any]) -> str:
    """A dimension's or indicator's name from the content in the active language."""
    english = (get_language() or "").startswith("en")
    return str(item.get("name_en") or item["name"]) if english else str(item["name"])


def score_bars(content: Mapping[str, Any]) -> SafeString:
    """Total score per institution, stacked by the points each dimension contributes."""
    rows = content["rows"][::-1]
    names = [r["name"] for r in rows]
    fig = go.Figure()
    for colour, dim in zip(COLOURS, content["dimensions"], strict=False):
        share = [((r["dimensions"][dim["code"]] or 0.0) * dim["weight"] / 100.0) for r in rows]
        fig.add_bar(
            y=names, x=share, name=f"{dim['code']} {_name(dim)}", orientation="h", marker_color=colour
        )
    fig.update_layout(
        barmode="stack",
        title=_("总分构成（各维度贡献分）"),
        height=120 + 38 * len(rows),
        xaxis={"title": _("分"), "range": [0, 100]},
        legend={"orientation": "h", "y": -0.15},
    )
    return _html(fig, "chart-scores")


def radar(content: Mapping[str, Any], unit: str) -> SafeString:
    """The institution's six dimension scores against the median of all institutions."""
    dims = content["dimensions"]
    labels = [_two_lines(f"{d['code']} {_name(d)}") for d in dims]
    row = next(r for r in content["rows"] if r["unit"] == unit)
    mine = [row["dimensions"][d["code"]] or 0.0 for d in dims]
    med = [_median([r["dimensions"][d["code"]] for r in content["rows"]]) for d in dims]
    fig = go.Figure()
    fig.add_scatterpolar(
        r=[*med, med[0]], theta=[*labels, labels[0]], name=_("全市中位数"), line_color="#94a3b8"
    )
    fig.add_scatterpolar(
        r=[*mine, mine[0]], theta=[*labels, labels[0]], name=row["name"], fill="toself", line_color=COLOURS[0]
    )
    fig.update_layout(
        title=_("六维度得分"),
        polar={"radialaxis": {"range": [0, 100]}},
        height=460,
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.08},
    )
    return _html(fig, "chart-radar", RADAR_MARGIN)


def _two_lines(label: str, width: int = 6) -> str:
    """``"D3 注册计量师持证比例"`` → ``"D3 注册计量师<br>持证比例"``: a narrower label beside the radar."""
    code, _, name = label.partition(" ")
    if len(name) <= width:
        return label
    cut = (len(name) + 1) // 2
    return f"{code} {name[:cut]}<br>{name[cut:]}"


def contributions(content: Mapping[str, Any], unit: str) -> SafeString:
    """Points each indicator adds to the institution's total score."""
    contrib = content["contributions"][unit]
    names = {i["code"]: f"{i['code']} {_name(i)}" for i in content["indicators"]}
    items = sorted(((v or 0.0, c) for c, v in contrib.items()), reverse=True)
    fig = go.Figure(
        go.Bar(
            x=[v for v, _ in items][::-1],
            y=[names[c] for _, c in items][::-1],
            orientation="h",
            marker_color=COLOURS[2],
        )
    )
    fig.update_layout(title=_("指标贡献分"), height=140 + 22 * len(items), xaxis={"title": _("分")})
    return _html(fig, "chart-contributions")


def trend(points: Sequence[Mapping[str, Any]], n: int) -> SafeString:
    """Rank and total score over the published periods (``period``, ``rank``, ``score``); the rank axis
    runs from 1 (top) to ``n``, the number of ranked institutions (never rank 0 or n + 1)."""
    periods = [p["period"] for p in points]
    n = max([n, *(int(p["rank"]) for p in points)])  # an earlier period may have ranked more
    fig = go.Figure()
    fig.add_scatter(x=periods, y=[p["rank"] for p in points], name=_("排名"), mode="lines+markers")
    fig.add_scatter(
        x=periods, y=[p["score"] for p in points], name=_("总分"), mode="lines+markers", yaxis="y2"
    )
    fig.update_layout(
        title=_("历期排名与总分"),
        height=360,
        xaxis={"type": "category", "tickvals": periods, "ticktext": [period_code_label(p) for p in periods]},
        yaxis={"title": _("排名"), "range": [n + 0.5, 0.5], "tick0": 1, "dtick": _rank_step(n)},
        yaxis2={"title": _("总分"), "overlaying": "y", "side": "right", "range": [0, 100]},
        legend={"orientation": "h", "y": -0.2},
    )
    return _html(fig, "chart-trend")


def _rank_step(n: int) -> int:
    """A tick every rank up to 12 institutions, else every 2, 5, … (about ten ticks)."""
    return next(step for step in (1, 2, 5, 10, 20, 50, 100, 10**9) if n / step <= 12)


def _median(values: Sequence[float | None]) -> float:
    xs = sorted(v for v in values if v is not None)
    if not xs:
        return 0.0
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2
