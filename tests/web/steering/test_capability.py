"""The capability map, the D1.2/D1.3/D4.4 derivers and the plan's per-institution targets, counted by hand
over the world of conftest.py."""

from __future__ import annotations

from typing import Any

from qiangji.web.assessment.models import Period
from qiangji.web.registry.indicators import d1_3_all
from qiangji.web.steering.capability import DUPLICATE, GAP, capability_map
from qiangji.web.steering.indicators import d1_2_all, d4_4_all
from qiangji.web.steering.models import (
    Agreement,
    CapabilityPlan,
    JointProject,
    Partner,
    PlanAssignment,
    PlanTarget,
)
from qiangji.web.steering.targets import institution_targets

from .conftest import D


def _rows(m: Any) -> dict[str, Any]:
    return {r.item.level1_name: r for r in m.items}


def test_it_maps_items_with_gaps_and_duplications(world: dict[str, Any]) -> None:
    m = capability_map(D(2025, 12, 31), [world["c1"], world["c2"], world["tz"]])
    rows = _rows(m)
    assert list(rows) == ["衡器", "压力表", "水表", "出租车计价器"]
    # 水表: on A's and B's 2025 lists (900 + 600 instruments), authorised nowhere → the gap.
    water = rows["水表"]
    assert water.status == GAP and water.holders == 0 and water.population == 1500
    assert water.uncovered_divisions == ("乙县", "甲区")
    # 出租车计价器: C1 (no volume: not performed) and TZ; C2's authorisation ended 2025-06-30; in no base set.
    taxi = rows["出租车计价器"]
    assert taxi.status == DUPLICATE and taxi.holders == 2 and taxi.volume == 300
    assert [(c.authorised, c.performed) for c in taxi.cells] == [(True, False), (False, False), (True, True)]
    # 衡器: C1 1000 + C2 800, both in their base sets; on A's and B's lists, both covered locally.
    scale = rows["衡器"]
    assert scale.status == "" and scale.volume == 1800 and scale.uncovered_divisions == ()
    assert [c.role for c in scale.cells] == ["base", "base", ""]
    # 压力表: on A's list (B's 2024 list is replaced by its 2025 list), C1 holds it.
    assert rows["压力表"].duty_divisions == ("甲区",) and rows["压力表"].population == 1200


def test_a_countys_own_columns_keep_the_citys_gaps_and_duplications(world: dict[str, Any]) -> None:
    everyone = [world["c1"], world["c2"], world["tz"]]
    whole = capability_map(D(2025, 12, 31), everyone)
    own = capability_map(D(2025, 12, 31), everyone, shown=[world["c2"]])
    assert [i.code for i in own.institutions] == ["C2"]
    assert [r.status for r in own.items] == [r.status for r in whole.items]
    assert [r.uncovered_divisions for r in own.items] == [r.uncovered_divisions for r in whole.items]
    assert [r.status for r in own.clusters] == [r.status for r in whole.clusters]
    rows = _rows(own)
    # 压力表 is on 甲区's list and C1 covers it: not a gap in C2's view (it was, computed over C2 alone)
    assert rows["压力表"].status == "" and rows["压力表"].uncovered_divisions == ()
    assert rows["衡器"].cells == (whole.items[0].cells[1],) and rows["衡器"].volume == 800  # C2's own column


def test_it_maps_clusters_with_gaps_and_duplications(world: dict[str, Any]) -> None:
    m = capability_map(D(2025, 12, 31), [world["c1"], world["c2"], world["tz"]])
    rows = {r.cluster: r for r in m.clusters}
    assert list(rows) == ["泵与电机", "模具", "阀门", "眼镜配件"]
    pump = rows["泵与电机"]  # C1: 泵厂甲 (twice) and 泵厂乙 → 2 enterprises, 10 + 5 + 4 = 19 certificates
    assert (pump.cells[0].enterprises, pump.cells[0].certificates, pump.cells[0].speciality) == (2, 19, True)
    assert pump.status == ""
    # 模具 (甲区、乙县): C1 and C2 locally, and TZ neither local nor holding it in the plan → duplication.
    assert (
        rows["模具"].divisions == "甲区、乙县"
        and rows["模具"].providers == 3
        and rows["模具"].status == DUPLICATE
    )
    assert rows["阀门"].status == "" and rows["阀门"].providers == 1  # TZ alone: no one else covers it
    assert rows["眼镜配件"].status == GAP  # served in 2024 only


def test_without_an_adopted_plan_nothing_is_a_duplication(world: dict[str, Any]) -> None:
    CapabilityPlan.objects.filter(adopted_on__isnull=False).update(adopted_on=None)
    m = capability_map(D(2025, 12, 31))
    assert (
        m.plan is None
        and not m.items_with(DUPLICATE)
        and [r.item.level1_name for r in m.items_with(GAP)] == ["水表"]
    )


def test_d1_2_is_the_share_of_the_duty_list_authorised(world: dict[str, Any]) -> None:
    c1, c2, tz = world["c1"], world["c2"], world["tz"]
    got = d1_2_all([c1, c2, tz], Period.for_code("2025Q4"))
    # C1 (甲区: 衡器, 压力表, 水表) holds 衡器, 压力表 → 2/3; C2 (乙县 2025: 衡器, 水表) holds 衡器 → 1/2.
    assert (got[c1.pk].numerator, got[c1.pk].denominator) == (2, 3)
    assert round(got[c1.pk].value, 4) == 66.6667 and got[c1.pk].records == ("水表",)
    assert got[c2.pk].value == 50.0
    assert got[tz.pk] is None  # serves no division: no duty list, the reported value counts


def test_d1_2_uses_the_list_of_the_as_of_year(world: dict[str, Any]) -> None:
    c2 = world["c2"]
    got = d1_2_all([c2], Period.for_code("2024Q4"))  # B's 2024 list: 压力表 only, C2 does not hold it
    assert (got[c2.pk].numerator, got[c2.pk].denominator) == (0, 1)


def test_d1_3_prorates_the_annual_volumes(world: dict[str, Any]) -> None:
    c1, c2, tz = world["c1"], world["c2"], world["tz"]
    quarter = d1_3_all([c1, c2, tz], Period.for_code("2025Q4"))
    # C1 1000 + 500 (出租车计价器 has no volume) = 1500 a year → 375 a quarter; C2 800 → 200 (its 200 ended
    # on 2025-06-30); TZ 300 → 75.
    assert [quarter[i.pk].value for i in (c1, c2, tz)] == [375.0, 200.0, 75.0]
    year = d1_3_all([c1, c2], Period.for_code("2025"))
    assert [year[i.pk].value for i in (c1, c2)] == [1500.0, 800.0]
    assert quarter[c1.pk].numerator == 1500.0


def test_d4_4_counts_projects_under_a_signed_agreement(world: dict[str, Any]) -> None:
    c1, c2 = world["c1"], world["c2"]
    partner = Partner.objects.create(name="省泵阀产业计量测试中心（示例）", kind="provincial_centre")
    deal = Agreement.objects.create(
        institution=c1, partner=partner, title="合作协议", document_no="XY-2025-01", signed_on=D(2025, 3, 1)
    )
    for title, agreement, started in [
        ("泵能效测试方法研究", deal, D(2025, 10, 10)),  # counted
        ("电机转矩校准装置", None, D(2025, 11, 1)),  # no agreement: named, not counted
        ("阀门泄漏检测", deal, D(2025, 5, 1)),  # before the quarter
    ]:
        JointProject.objects.create(
            institution=c1,
            partner=partner,
            agreement=agreement,
            title=title,
            kind="research",
            started_on=started,
        )
    got = d4_4_all([c1, c2], Period.for_code("2025Q4"))
    assert got[c1.pk].value == 1.0 and got[c1.pk].records == (
        "泵能效测试方法研究（省泵阀产业计量测试中心（示例））",
    )
    assert "电机转矩校准装置" in got[c1.pk].detail
    assert got[c2.pk] is None  # no register kept for it: its reported value counts
    assert d4_4_all([c1], Period.for_code("2025"))[c1.pk].value == 2.0


def test_institution_targets_come_from_the_plan_in_force(world: dict[str, Any]) -> None:
    c1 = world["c1"]
    assert institution_targets(Period.for_code("2025Q4")) == {c1.pk: {"D1.2": 100.0, "D3.1": 80.0}}
    assert institution_targets(Period.for_code("2024Q4")) == {}  # adopted 2025-01-15
    later = CapabilityPlan.objects.create(
        name="修订版（示例）", version="2026.1", adopted_on=D(2026, 2, 1), target_on=D(2026, 12, 31)
    )
    a = PlanAssignment.objects.create(plan=later, institution=c1, positioning="综合型")
    PlanTarget.objects.create(assignment=a, indicator="D1.2", value=90)
    assert institution_targets(Period.for_code("2025Q4"))[c1.pk]["D1.2"] == 100.0
    assert institution_targets(Period.for_code("2026Q1")) == {c1.pk: {"D1.2": 90.0}}


def test_a_target_must_name_an_indicator_of_the_framework(world: dict[str, Any]) -> None:
    import pytest
    from django.core.exceptions import ValidationError

    a = PlanAssignment.objects.get(plan=world["plan"], institution=world["c1"])
    with pytest.raises(ValidationError) as exc:
        PlanTarget(assignment=a, indicator="D9.9", value=1).full_clean()
    assert "D9.9" in str(exc.value.message_dict["indicator"])
