"""Framework 2026.1 in publications (issue 15): 2025.1 runs unchanged, the gate, tiers, floored values and
progress index in the content and on the pages, the trend on one framework version."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from qiangji.core.canonical import canonical_json, sha256_text
from qiangji.core.index import IndexSpec, compute, data_from_frame, load_framework
from qiangji.web.assessment.facts import gate_facts
from qiangji.web.assessment.frameworks import ensure_default_framework, shipped_path
from qiangji.web.assessment.inputs import Inputs
from qiangji.web.assessment.models import FrameworkVersion, Period
from qiangji.web.publication import workflow
from qiangji.web.publication.compute import compute_payload, core_frame, default_uncertainty
from qiangji.web.publication.content import current_content
from qiangji.web.publication.models import Publication
from qiangji.web.publication.runs import create_run, verify
from qiangji.web.registry.models import Institution, SupervisionFinding
from tests.web.publication.conftest import COUNTIES, RUNS, publish
from tests.web.publication.frames import random_inputs

pytestmark = pytest.mark.django_db
V2026 = "tz-cap-2026.1.yaml"
GATED = "WL-MI"


def golden_frame(fw: Any) -> tuple[pd.DataFrame, dict[str, str]]:
    """Fixed data for the 2025.1 reproducibility check (two missing cells)."""
    rng = np.random.default_rng(2025)
    units = [f"U{k:02d}" for k in range(12)]
    cols = {}
    for code in fw.indicators:
        node = fw.node(code)
        lo, hi = node.bounds or (0.0, 100.0)
        hi = min(hi if hi is not None else 30.0, 100.0)
        if node.methods["normalise"].method == "ordinal":
            cols[code] = rng.integers(0, 4, len(units)).astype(float)
        else:
            cols[code] = np.round(rng.uniform(lo or 0.0, hi, len(units)), 1)
    frame = pd.DataFrame(cols, index=pd.Index(units, name="unit"))
    frame.iloc[3, 2] = np.nan
    frame.iloc[7, 10] = np.nan
    return frame, {u: f"机构{u}" for u in units}


def test_a_2025_1_run_computes_exactly_as_before_framework_2026_1() -> None:
    # The hashes were taken with the code before issue 15 (commit bbdca4e) on this data: the spec and the
    # whole stored result (scores, ranks, Monte-Carlo intervals, strengths) must not move by one bit.
    fw = load_framework(shipped_path("tz-cap-2025.1.yaml")).for_period(0.25)
    spec = IndexSpec(fw)
    frame, names = golden_frame(fw)
    payload = compute_payload(spec, frame, names, default_uncertainty(spec), seed=7, runs=300)
    assert sha256_text(spec.to_json()) == "aebc336e8d34582558cd65cf305e9fbff5e3927d73de17cba5c56d2b4d0e319b"
    assert sha256_text(canonical_json(payload)) == (
        "cc220672762a099446f06bccd08a081503048527219fc0ad0e901dfd166f6181"
    )
    assert "gate" not in payload and "floored" not in payload


def test_a_stored_2025_1_run_still_verifies(institutions: Any, fv: FrameworkVersion) -> None:
    pub = publish("2025Q4", 3, fv)
    assert pub.run.framework_version.version == "2025.1"
    assert verify(pub.run)
    assert pub.content["tier_rule"].startswith("按排名三等分")
    assert pub.content["progress"] is None


@pytest.fixture
def fv26(db: Any) -> FrameworkVersion:
    return ensure_default_framework(FrameworkVersion, V2026)[0]


def gated_inputs(seed: int) -> Inputs:
    """Random inputs where GATED has the best value of every indicator and an open 重大 finding."""
    inputs = random_inputs(COUNTIES, seed=seed)
    frame = inputs.frame.copy()
    frame.loc[GATED] = frame.max()
    frame.loc["TT-MI", "D2.3"] = np.nan  # floored at 100 (N/A), flagged
    frame.loc["TT-MI", "D1.2"] = np.nan  # floored at 0, flagged
    facts = {
        "open_critical_findings": {u: ("1" if u == GATED else "0") for u in COUNTIES},
        "overdue_major_findings": {u: ("1" if u == "SM-MI" else "0") for u in COUNTIES},
    }
    return dataclasses.replace(inputs, frame=frame, attributes=facts)


def publish_2026(code: str, fv26: FrameworkVersion, seed: int) -> Publication:
    period = Period.for_code(code)
    period.framework_version = fv26
    period.save()
    run = create_run(period, fv26, gated_inputs(seed), seed=7, runs=RUNS)
    pub = workflow.create_draft(period, run)
    workflow.start_notice(pub, period.end + dt.timedelta(days=10))
    return Publication.objects.get(pk=pub.pk)


def test_the_gate_caps_the_top_institution_and_the_content_says_why(
    institutions: Any, fv: FrameworkVersion, fv26: FrameworkVersion
) -> None:
    publish("2025Q4", 3, fv)
    pub = publish_2026("2026Q1", fv26, 4)
    results = json.loads(pub.run.results_json)
    i = results["units"].index(GATED)
    assert results["gate"]["rules"][i] == ["G1"]
    assert results["ungated"][i] > 59.0 == results["scores"][i][-1]
    assert verify(pub.run)
    content = current_content(pub)
    rows = {r["unit"]: r for r in content["rows"]}
    assert rows[GATED]["gate"]["rules"][0]["reason"].startswith("基准日存在未关闭的重大问题")
    assert rows[GATED]["score"] == 59.0
    assert rows["SM-MI"]["tier"] >= 2  # G2: an overdue 严重 finding keeps it out of the first tier
    assert rows["TT-MI"]["floored"] == ["D1.2", "D2.3"]
    assert content["tier_rule"].startswith("方阵按排名三等分划定后，边界两侧机构的排名区间")


def test_tiers_never_split_overlapping_rank_intervals(
    institutions: Any, fv: FrameworkVersion, fv26: FrameworkVersion
) -> None:
    pub = publish_2026("2026Q1", fv26, 5)
    rows = current_content(pub)["rows"]
    for above, below in itertools.pairwise(rows):
        if above["tier"] != below["tier"]:
            lower = [r for r in rows if r["rank"] > above["rank"]]
            upper = [r for r in rows if r["rank"] <= above["rank"]]
            assert max(r["rank_p95"] for r in upper) < min(r["rank_p05"] for r in lower) or any(
                r["gate"] for r in rows
            )


def test_the_progress_index_rescores_the_baseline_on_2026_1_scales(
    institutions: Any, fv: FrameworkVersion, fv26: FrameworkVersion
) -> None:
    base = publish("2025Q4", 3, fv)
    pub = publish_2026("2026Q1", fv26, 4)
    prog = current_content(pub)["progress"]
    assert prog["baseline_period"] == "2025Q4" and prog["baseline_framework"] == "2025.1"
    # independently: the 2025Q4 snapshot scored with 2026.1 for a quarter, against the 2026Q1 totals
    fw = load_framework(shipped_path(V2026), period_fraction=0.25)
    then_inputs = Inputs.from_json(base.run.inputs_json)
    attrs = {f: {} for f in fw.rules.facts}
    then = compute(fw, data_from_frame(core_frame(then_inputs.frame, then_inputs.names, attrs), fw))
    results = json.loads(pub.run.results_json)
    ungated = dict(zip(results["units"], results["ungated"], strict=True))
    by_unit = {r["unit"]: r for r in prog["rows"]}
    for k, unit in enumerate(then.units):
        assert_allclose(by_unit[unit]["baseline"], then.scores[k, -1], rtol=1e-12)
        assert_allclose(by_unit[unit]["change"], ungated[unit] - then.scores[k, -1], rtol=1e-9, atol=1e-9)
    changes = [r["change"] for r in prog["rows"]]
    assert changes == sorted(changes, reverse=True)
    assert prog["rows"][0]["rank"] == 1


def test_pages_show_the_gate_the_progress_table_and_a_trend_on_one_version(
    client: Any, institutions: Any, fv: FrameworkVersion, fv26: FrameworkVersion
) -> None:
    publish("2025Q3", 2, fv)
    publish("2025Q4", 3, fv)
    publish_2026("2026Q1", fv26, 4)
    board = client.get("/rankings/2026Q1/").content.decode()
    assert "合规否决" in board and 'id="progress"' in board and "进步指数（较 2025年第4季度）" in board
    assert "排名区间（5%–95%）若有重叠" in board
    card = client.get(f"/rankings/2026Q1/{GATED}/").content.decode()
    assert 'id="gate"' in card and "总分封顶 59 分" in card
    assert "走势只列出按指标框架 2026.1 计算的期次" in card and "可以相互比较" in card
    old = client.get(f"/rankings/2025Q4/{GATED}/").content.decode()
    assert "走势只列出按指标框架 2025.1 计算的期次" in old and "不宜直接比较" in old
    assert 'id="gate"' not in old and 'id="progress"' not in client.get("/rankings/2025Q4/").content.decode()


def test_the_trend_leaves_out_periods_of_another_framework_version(
    institutions: Any, fv: FrameworkVersion, fv26: FrameworkVersion
) -> None:
    from qiangji.web.publication.pages import trend_points

    publish("2025Q4", 3, fv)
    pub = publish_2026("2026Q1", fv26, 4)
    workflow.finalise(pub, pub.notice_ends_on + dt.timedelta(days=1))
    assert [p["period"] for p in trend_points(GATED, "quarter", "2026.1")] == ["2026Q1"]
    assert [p["period"] for p in trend_points(GATED, "quarter", "2025.1")] == ["2025Q4"]


def test_gate_facts_count_findings_open_and_overdue_on_the_as_of_date(institutions: Any) -> None:
    period = Period.for_code("2026Q1")  # as of 2026-03-31
    wl, sm = institutions["WL-MI"], institutions["SM-MI"]

    def finding(inst: Institution, severity: str, found: str, due: str, closed: str | None = None) -> None:
        SupervisionFinding.objects.create(
            institution=inst, found_on=dt.date.fromisoformat(found), sub_dimension="C4", severity=severity,
            description="测试", due_on=dt.date.fromisoformat(due),
            closed_on=None if closed is None else dt.date.fromisoformat(closed),
        )  # fmt: skip

    finding(wl, "critical", "2026-02-01", "2026-04-30")  # open, not overdue
    finding(wl, "critical", "2026-01-01", "2026-02-01", "2026-03-01")  # closed before the as-of date
    finding(sm, "major", "2026-01-10", "2026-03-10")  # open and overdue
    finding(sm, "minor", "2026-01-10", "2026-03-10")  # minor: not counted
    facts = gate_facts(
        period, list(institutions.values()), ("open_critical_findings", "overdue_major_findings")
    )
    assert facts["open_critical_findings"]["WL-MI"] == "1" and facts["open_critical_findings"]["SM-MI"] == "0"
    assert facts["overdue_major_findings"]["SM-MI"] == "1" and facts["overdue_major_findings"]["WL-MI"] == "0"
