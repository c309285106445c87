"""Numbers and dates for people: the formatting functions and their template filters."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template

from qiangji.web import formatting as f


def test_it_writes_counts_as_integers_with_thousands_separators() -> None:
    assert f.count(33706.0) == "33,706"
    assert f.count(30.0) == "30"
    assert f.count(None) == "—"


def test_it_writes_scores_and_percentages_to_stated_decimals() -> None:
    assert f.score(88.461538) == "88.46"
    assert f.score(0.9999999999999999) == "1.00"
    assert f.score(54.0, 1) == "54.0"
    assert f.percent(54.545455) == "54.5%"
    assert f.ratio_percent(0.545) == "54.5%"


def test_it_drops_a_zero_fraction_of_a_quantity_and_keeps_its_unit() -> None:
    assert f.quantity(30.0, "项") == "30 项"
    assert f.quantity(33706.0, "台件") == "33,706 台件"
    assert f.quantity(2.345) == "2.35"  # at most two decimals
    assert f.quantity(30.4, "项") == "30.4 项"  # a needed value is not rounded down
    assert f.quantity(79.5, "%") == "79.5%"


def test_it_writes_yes_no_goals_as_words() -> None:
    assert (f.yes_no(1.0), f.yes_no(0.0), f.yes_no(None)) == ("是", "否", "—")


def test_it_writes_dates_the_official_way() -> None:
    assert f.cn_date("2026-01-17") == "2026年1月17日"
    assert f.cn_date(dt.date(2025, 10, 3)) == "2025年10月3日"
    assert f.cn_date(None) == ""


def test_it_lists_names_with_the_enumeration_comma() -> None:
    assert f.join_names(["椒江区计量检定所", "黄岩区计量检定所"]) == "椒江区计量检定所、黄岩区计量检定所"


def test_it_offers_the_same_rules_as_template_filters() -> None:
    html = Template(
        "{% load qj_format %}{{ a|count }}|{{ b|score }}|{{ c|percent }}|{{ d|quantity:'项' }}|"
        "{{ e|yes_no }}|{{ day|cn_date }}|{{ names|join_names }}"
    ).render(
        Context(
            {
                "a": 33706.0,
                "b": 88.461538,
                "c": 54.545455,
                "d": 30.0,
                "e": 0.0,
                "day": "2026-01-17",
                "names": ["甲", "乙"],
            }
        )
    )
    assert html == "33,706|88.46|54.5%|30 项|否|2026年1月17日|甲、乙"
