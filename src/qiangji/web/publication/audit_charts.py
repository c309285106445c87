"""The audit page's two charts, drawn like the public pages' (`charts.embed`: figure JSON, charts.js, the
site's own plotly.min.js; no inline script, no CDN): the correlation heat map and nominal weight against
importance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from qiangji.web.publication.charts import FONT, embed

#: Diverging scale centred on r = 0: red negative, white none, blue positive (readable in grey too).
RB_SCALE = [[0.0, "#b91c1c"], [0.5, "#f8fafc"], [1.0, "#1d4ed8"]]


def heatmap(heat: Mapping[str, Any]) -> SafeString:
    """r of every indicator (rows) with every dimension and the index (columns), the value in each cell."""
    rows = list(heat["rows"])[::-1]  # first indicator on top
    z = [list(r) for r in heat["r"]][::-1]
    text = [["—" if v is None else f"{v:.2f}" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=[[None if v is None else v for v in row] for row in z],
            x=list(heat["cols"]),
            y=rows,
            zmin=-1,
            zmax=1,
            colorscale=RB_SCALE,
            text=text,
            texttemplate="%{text}",
            hovertemplate="%{y} · %{x}: r = %{text}<extra></extra>",
            colorbar={"title": {"text": "r"}},
        )
    )
    fig.update_layout(
        title=_("指标与各维度、总指数的相关系数（Pearson r）"),
        height=160 + 22 * len(rows),
        font={"family": FONT},
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        xaxis={"side": "top", "type": "category"},
        yaxis={"type": "category"},
    )
    return embed(fig, "chart-audit-heatmap")


def importance(dims: Sequence[Mapping[str, Any]]) -> SafeString:
    """Per dimension: nominal weight, share of the variance of the total, normalised main effect (%)."""
    labels = [d["label"] for d in dims]
    fig = go.Figure()
    for key, name, colour in (
        ("nominal", _("名义权重"), "#94a3b8"),
        ("var_share", _("方差贡献"), "#9f1d20"),
        ("main_effect_norm", _("主效应（归一化）"), "#2563eb"),
    ):
        values = [None if d[key] is None else 100.0 * d[key] for d in dims]
        fig.add_bar(x=labels, y=values, name=name, marker_color=colour)
    fig.update_layout(
        barmode="group",
        title=_("名义权重与实际重要性（%）"),
        height=380,
        font={"family": FONT},
        margin={"l": 50, "r": 20, "t": 50, "b": 90},
        yaxis={"title": "%"},
        legend={"orientation": "h", "y": -0.3},
    )
    return embed(fig, "chart-audit-importance")
