"""Degrees-of-equivalence chart: d_i with error bars ±U(d_i) per laboratory (matplotlib, SVG)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from qiangji.web.comparisons.models import Evaluation

plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "DejaVu Sans"]
plt.rcParams["axes.unicode_minus"] = False
plt.rcParams["svg.fonttype"] = "none"


def doe_chart_svg(ev: Evaluation) -> bytes:
    """d_i = x_i − X_ref with ±U(d_i) (k = 2); unsatisfactory results in red; the pilot's row omitted."""
    rows = [r for r in ev.results.select_related("participant").order_by("participant__lab_code") if r.U_d]
    fig, ax = plt.subplots(figsize=(7.0, 3.2), dpi=100)
    for i, r in enumerate(rows):
        bad = r.verdict == "unsatisfactory"
        ax.errorbar(i, r.d, yerr=r.U_d, fmt="o", capsize=4, color="#b91c1c" if bad else "#1f4e79")
    ax.axhline(0.0, color="#555", linewidth=0.8)
    ax.set_xticks(range(len(rows)), [r.participant.lab_code for r in rows])
    unit = ev.round.unit
    ax.set_ylabel(f"d = x − X_ref / {unit}")
    ax.set_title(f"{ev.point.label} 等效度 d ± U(d) (k=2)")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    return buf.getvalue()
