"""Stored Chinese texts shown in the request's language (`qiangji.web.stored_texts`, issue 18 point 5):
the words a run's snapshot or a publication's content keeps are the Chinese the code always built, and an
English page recognises them and shows their translation with their numbers and names."""

from __future__ import annotations

import pytest
from django.utils import translation

from qiangji.core.index.rules import TierRule
from qiangji.web.publication.standing import tier_rule_text
from qiangji.web.publication.templatetags.publication_tags import stored_text
from qiangji.web.stored_texts import (
    ANNUAL_VOLUMES,
    FEW_SAMPLED,
    MANY_FAILING,
    NOT_COVERED,
    NOT_SUBMITTED,
    STAFFED_ITEMS,
)

#: (stored Chinese as the code builds it, the same as the code built it before the patterns, English)
CASES = [
    (
        STAFFED_ITEMS.zh(minimum=2),
        "配备≥2名持该专业项目注册人员的授权项目 / 授权项目",
        "Authorised items with at least 2 registered metrologists qualified for the item / authorised items",
    ),
    (
        ANNUAL_VOLUMES.zh(total=58002, fraction=f"{0.25:g}"),
        "年检定量合计 58002 台件 × 0.25",
        "Annual verification volumes totalling 58,002 instruments × 0.25",
    ),
    (NOT_COVERED.zh(items="水表、衡器"), "未覆盖：水表、衡器", "Not covered: 水表、衡器"),
    (NOT_SUBMITTED.zh(round="CMP-2025-01"), "未提交：CMP-2025-01", "Not submitted: CMP-2025-01"),
    (
        f"{FEW_SAMPLED.zh(minimum=20)}；{MANY_FAILING.zh(n=1234, shown=50)}",
        "抽样数少于20份；不符合1234份，记录列出证书编号最小的50份",
        "Fewer than 20 certificates sampled; 1,234 certificates fail; the records list the 50 with the "
        "lowest numbers",
    ),
]


@pytest.mark.parametrize(("stored", "before", "english"), CASES)
def test_a_stored_text_is_english_on_an_english_page_and_as_stored_on_a_chinese_one(
    stored: str, before: str, english: str
) -> None:
    assert stored == before  # hashed snapshots keep their words
    with translation.override("en"):
        assert stored_text(stored) == english
    with translation.override("zh-hans"):
        assert stored_text(stored) == stored


@pytest.mark.parametrize(
    ("rule", "english"),
    [
        (TierRule("thirds", 3, None), "Thirds of the ranking: of n institutions, with k = ⌈n/3⌉, ranks 1–k"),
        (TierRule("rank_interval", 3, None), "The tiers start as thirds of the ranking. Where the rank"),
        (TierRule("score_gap", 3, 2.5), "differ by at least 2.5 points"),
        (TierRule("thirds", 4, None), "the rest the third tier. (4 tiers in all)"),
    ],
)
def test_a_stored_tier_rule_is_shown_in_the_pages_language(rule: TierRule, english: str) -> None:
    with translation.override("zh-hans"):
        stored = tier_rule_text(rule)  # what a publication's content freezes
    assert stored.startswith(("按排名三等分", "方阵按排名三等分"))
    with translation.override("en"):
        shown = stored_text(stored)
        assert english in shown and shown == tier_rule_text(rule)
    with translation.override("zh-hans"):
        assert stored_text(stored) == stored


def test_a_text_no_pattern_knows_is_shown_as_stored() -> None:
    with translation.override("en"):
        assert stored_text("某个自由填写的说明") == "某个自由填写的说明"
        assert stored_text("") == "" and stored_text(None) == ""  # type: ignore[arg-type]


def test_a_comparison_record_shows_its_verdict_in_the_pages_language() -> None:
    """C3.2 records a result as "<round> <point> En=<value> <verdict code>" (comparisons/indicators.py): the
    code is data, the page shows its label (a Chinese page used to show "satisfactory")."""
    record = "CMP-2025-01 10 kg En=0.48 satisfactory"
    with translation.override("zh-hans"):
        assert stored_text(record) == "CMP-2025-01 10 kg En=0.48 满意"
        assert stored_text("CMP-2025-01 10 kg En=1.3 unsatisfactory") == "CMP-2025-01 10 kg En=1.3 不满意"
    with translation.override("en"):
        assert stored_text(record) == "CMP-2025-01 10 kg En=0.48 Satisfactory"
        assert stored_text("CMP-2025-01 10 kg En=1.3 not evaluated").endswith("En=1.3 Not assessed")
    with translation.override("zh-hans"):  # a code the verdicts do not have stays as stored
        assert stored_text("CMP-2025-01 10 kg En=0.48 excellent") == "CMP-2025-01 10 kg En=0.48 excellent"
