"""Plotly chart of a goal's trajectory, projection and target, embedded as JSON for ``charts.js`` (no inline
script; plotly.min.js and charts.js are served by publication, see `qiangji.web.publication.charts.embed`)."""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from qiangji.web.programme.progress import GoalStatus
from qiangji.web.publication.charts import embed
from qiangji.web.publication.templatetags.publication_tags import unit_in_language

FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"


def trajectory(status: GoalStatus) -> SafeString:
    g = status.goal
    fig = go.Figure()
    xs = [d.isoformat() for d, _v in status.trajectory]
    fig.add_scatter(x=xs, y=[v for _d, v in status.trajectory], mode="lines+markers", name=_("实际"),
                    line={"color": "#9f1d20"})  # fmt: skip
    if status.projection is not None and status.trajectory:
        fig.add_scatter(
            x=[xs[-1], g.deadline.isoformat()],
            y=[status.trajectory[-1][1], status.projection.value],
            mode="lines+markers",
            name=_("趋势预测"),
            line={"dash": "dash", "color": "#d97706"},
        )
    fig.add_scatter(
        x=[g.baseline_on.isoformat(), g.deadline.isoformat()],
        y=[status.target, status.target],
        mode="lines",
        name=_("目标"),
        line={"dash": "dot", "color": "#059669"},
    )
    fig.update_layout(
        font={"family": FONT},
        margin={"l": 40, "r": 10, "t": 10, "b": 30},
        height=240,
        yaxis={"title": unit_in_language(g.unit or "").strip(), "automargin": True},
        # plotly's own date ticks are English ("Jan 2023"): months written in the page's language
        xaxis={"tickformat": _("%Y年%-m月"), "hoverformat": _("%Y年%-m月%-d日"), "automargin": True},
        legend={"orientation": "h", "y": -0.2},
    )
    return embed(fig, f"chart-goal-{g.code}")
