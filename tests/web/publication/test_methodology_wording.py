"""指数编制说明 in words, from the real framework versions: 2025.1 (min-max per period, log compression,
re-weighting of missing values, thirds) and 2026.1 (fixed goalposts, missing floor with the indicators' own
rules, compliance gate, tiers that respect rank intervals, progress index). No raw settings on the page."""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

import pytest
from django.test import Client

from qiangji.web.assessment.models import FrameworkVersion
from tests.web.publication.conftest import publish
from tests.web.publication.test_framework_2026 import fv26, publish_2026

pytestmark = pytest.mark.django_db
__all__ = ["fv26"]  # the fixture, imported for the tests below

RAW_SETTINGS = (
    "score：",
    "reason：",
    "above：",
    "cap_score",
    "cap_tier",
    "fact：",
    "baseline：",
    "rule：",
    "None",
)


def _texts(html: str, css: str) -> list[str]:
    found = re.findall(rf'<li class="{css}">(.*?)</li>', html, re.S)
    return [htmllib.unescape(re.sub(r"<[^>]+>", "", t)).strip() for t in found]


def _cell(html: str, code: str, css: str) -> str:
    row = re.search(rf'<tr class="definition" data-indicator="{re.escape(code)}">(.*?)</tr>', html, re.S)
    if css == "missing-rule":
        assert row is not None, code
        cell = re.search(r'<span class="missing-rule">(.*?)</span>', row.group(1), re.S)
    else:
        tr = re.search(rf'<tr data-indicator="{re.escape(code)}">(.*?)</tr>', html, re.S)
        assert tr is not None, code
        cell = re.search(rf'<td class="{css}">(.*?)</td>', tr.group(1), re.S)
    assert cell is not None, (code, css)
    return htmllib.unescape(cell.group(1)).strip()


def _step(html: str, step: str) -> str:
    found = re.search(rf'<li id="step-{step}">(.*?)</li>', html, re.S)
    assert found is not None, step
    return htmllib.unescape(found.group(1))


def test_a_2025_1_page_says_min_max_log_compression_re_weighting_and_thirds(
    institutions: Any, fv: FrameworkVersion
) -> None:
    publish("2025Q4", 3, fv)
    html = Client().get("/rankings/2025Q4/methodology/").content.decode()
    assert "先取 ln(1 + x) 作对数压缩" in _step(html, "treatment")
    assert "（D1.3、D2.1、D4.1、D4.2）" in _step(html, "treatment")
    scoring = _step(html, "scoring")
    assert "按本期各机构的最低值和最高值作极差标准化" in scoring and "不宜直接比较" in scoring
    assert "D1.1" in scoring and "D1.2" not in scoring  # D1.2 is scored against a target
    assert _texts(html, "missing-rule") == [
        "某项指标缺失时不补值、不计分，其权重在同一上级指标下有数据的指标之间按比例重新分配；"
        "因此缺失的指标既不扣分也不得分，总分只由有数据的指标决定。"
    ]
    assert _cell(html, "D1.2", "missing-rule") == "缺失不补、不计分，权重由同级有数据的指标按比例分担"
    assert "随期变化" in _cell(html, "D1.1", "goalposts")
    assert re.search(r'<p id="tier-rule">按排名三等分：共 n 家机构，k = ⌈n/3⌉', html)
    assert 'id="no-gate"' in html and 'id="progress"' not in html and 'class="tier-gate"' not in html
    assert _cell(html, "D3.2", "bounds") == "0 以上"
    for raw in RAW_SETTINGS:
        assert raw not in html, raw


def test_a_2026_1_page_words_every_rule_of_the_version(
    institutions: Any, fv: FrameworkVersion, fv26: FrameworkVersion
) -> None:
    publish("2025Q4", 3, fv)
    publish_2026("2026Q1", fv26, 4)
    html = Client().get("/rankings/2026Q1/methodology/").content.decode()
    assert (
        _step(html, "treatment") == "预处理：超出取值范围的数据不予接受；各指标按原值计分，不作对数等变换。"
    )
    assert "对数压缩" not in html and "ln(1 + x)" not in html
    assert "同一框架版本下各期的总分可以相互比较" in _step(html, "scoring")
    # goalposts of a count, pro-rated for a quarter where the flow is per year (D1.3: 50,000 a year)
    assert _cell(html, "D1.1", "goalposts") == "0 项 为 0 分，30 项 及以上为 100 分（固定）"
    assert _cell(html, "D1.3", "goalposts") == "0 台件 为 0 分，12,500 台件 及以上为 100 分（固定）"
    # the floor, an indicator's own floor with its reason, and an opt-out with its reason
    assert _cell(html, "D1.1", "missing-rule") == "缺失按 0 分计并标注"
    assert _cell(html, "D2.3", "missing-rule") == (
        "缺失按 100 分计并标注。理由：无 12 个月内到期的计量标准时本指标不适用，按满分计"
    )
    assert _cell(html, "C3.2", "missing-rule") == (
        "缺失时不计分、不扣分，权重由同级有数据的指标按比例分担。"
        "理由：本期未参加计量比对的机构无比对结果，不扣分也不计分，权重由同组指标分担"
    )
    assert "缺失不补，该指标权重在同级指标中按比例分配" not in html
    assert _texts(html, "missing-rule") == [
        "某项指标缺失（未填报、无法统计）时按 0 分计，并在机构画像上标注；不把它的权重分给其他指标，"
        "不报送数据不会提高总分。",
        "以下指标另有规定（见上表该指标的“缺失值”说明）：D2.3、C1.2、C3.2。",
    ]
    assert _texts(html, "gate-rule") == [
        "G1：统计基准日有未关闭的重大问题（1 项及以上）的，总分封顶 59 分。公布的理由：“基准日存在未关闭的"
        "重大问题（如超范围检定、使用失效计量标准、出具虚假证书），总分封顶 59 分”。",
        "G2：统计基准日有逾期未整改的严重或重大问题（1 项及以上）的，不高于第二方阵。公布的理由：“基准日存在"
        "逾期未整改的严重问题，不列入第一方阵”。",
    ]
    assert re.search(
        r'<p id="tier-rule">方阵按排名三等分划定后，边界两侧机构的排名区间（5%–95%）若有重叠', html
    )
    assert re.search(r'<p class="tier-gate">触发合规门槛 G2 的机构不高于第二方阵', html)
    progress = _texts(html, "progress-rule")
    assert progress[0] == "基期：季度期次以 2025Q4 为基期；年度期次以 2025 为基期。"
    assert "合规门槛封顶前" in progress[1] and "旧版框架" in progress[2]
    for raw in RAW_SETTINGS:
        assert raw not in html, raw
