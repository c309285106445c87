"""The demo generator alone (no database): determinism, fictitious names, magnitudes of
docs/domain.md#demo-data."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cache

import pytest

from qiangji.demo.generate import DemoData, catalogue_from_csv, generate
from qiangji.demo.generate.certificates import PER_QUARTER
from qiangji.demo.generate.institutions import CITY, RANKED

D = dt.date


@cache
def data(seed: int | None = None) -> DemoData:
    return generate(catalogue_from_csv()) if seed is None else generate(catalogue_from_csv(), seed=seed)


def test_it_generates_the_same_data_every_time() -> None:
    again = generate(catalogue_from_csv())
    assert again == data()
    assert again.certificates == data().certificates  # field by field, not only the counts


def test_it_generates_different_data_for_another_seed() -> None:
    other = data(7)
    assert other.staff != data().staff
    assert [i.code for i in other.institutions] == [i.code for i in data().institutions]


def test_it_marks_every_name_as_fictitious() -> None:
    d = data()
    assert all("（示例）" in i.name for i in d.institutions)
    assert all("（示例）" in n.name for n in d.names)
    assert all("某" in p.name for p in d.staff)
    assert all("某" in s.enterprise and "（示例）" in s.enterprise for s in d.services)
    assert all("（示例）" in r.title for r in d.regulations)
    assert all("示例" in c.cert_no and "示例" in c.client for c in d.certificates)
    assert all("示例" in a.cert_no for s in d.standards for a in s.assessments)
    assert all("示例" in r.registration_no for r in d.registrations)


def test_it_has_nine_ranked_county_institutions_and_the_city_reference() -> None:
    d = data()
    ranked = [i for i in d.institutions if i.is_ranked]
    assert sorted(i.code for i in ranked) == sorted(RANKED)
    assert len(ranked) == 9 and all(i.level == "county" for i in ranked)
    city = next(i for i in d.institutions if i.code == CITY)
    assert (city.level, city.is_ranked) == ("city", False)
    assert len(d.divisions) == 9


@pytest.mark.parametrize("code", RANKED)
def test_it_keeps_staff_within_the_magnitudes_of_the_domain_brief(code: str) -> None:
    # docs/domain.md#demo-data: staff 10–150, technical staff 70–85 % of total (we allow ±7 points of
    # sampling noise)
    people = [p for p in data().staff if p.institution == code and p.employed_on(D(2023, 3, 31))]
    technical = sum(p.is_technical for p in people) / len(people)
    assert 10 <= len(people) <= 150
    assert 0.63 <= technical <= 0.92


@pytest.mark.parametrize("code", RANKED)
def test_it_keeps_mv_items_and_disciplines_within_the_magnitudes(code: str) -> None:
    d = data()
    items = [r for r in d.mv_items if r.institution == code and r.authorised_on(D(2023, 3, 31))]
    assert 12 <= len(items) <= min(70, len(catalogue_from_csv()))
    valid = [s for s in d.standards if s.institution == code and s.assessed_on(D(2023, 3, 31))]
    disciplines = {s.jjf1022_code[:2] for s in valid}
    assert 3 <= len(disciplines) <= 9
    public = [s for s in valid if s.is_public]
    assert 10 <= len(public) <= 120


def test_it_gives_the_city_institute_a_reference_sized_register() -> None:
    public = [
        s for s in data().standards if s.institution == CITY and s.is_public and s.assessed_on(D(2024, 6, 30))
    ]
    assert 150 <= len(public) <= 300


def test_it_samples_forty_certificates_per_institution_and_quarter() -> None:
    per = Counter(
        (c.institution, c.verified_on.year, (c.verified_on.month - 1) // 3) for c in data().certificates
    )
    regular = [n for (code, _, _), n in per.items() if code != "XJ-MI"]
    assert min(regular) >= PER_QUARTER
    assert len(per) == 10 * (12 + 2)  # 2023Q1…2025Q4, and 2026Q1–Q2 (the 2026 extension)


def test_it_spreads_defects_over_every_rule_at_plausible_rates() -> None:
    # docs/domain.md#demo-data: certificate-sample defect rate 0–12 %, split across TR-1…TR-8
    certs = data().certificates
    rules = Counter(c.defect for c in certs if c.defect)
    assert set(rules) == {f"TR-{n}" for n in range(1, 9)}
    for code in RANKED:
        for year in (2023, 2024, 2025):
            mine = [c for c in certs if c.institution == code and c.verified_on.year == year]
            assert sum(bool(c.defect) for c in mine) / len(mine) <= 0.15, (code, year)


def test_it_injects_the_edge_cases_of_the_domain_brief() -> None:
    d = data()
    edges = d.edge_cases
    assert set(edges) >= {
        "expired_standard", "expired_standard_certificate", "registration_gap", "mid_quarter_regulation",
        "mid_quarter_certificate", "verifier_is_checker", "merger", "missing_report",
    }  # fmt: skip
    cert = {c.cert_no: c for c in d.certificates}
    assert cert[edges["expired_standard_certificate"]].verified_on == D(2024, 8, 20)
    same = cert[edges["verifier_is_checker"]]
    assert same.verifier == same.checker
    assert not any(s.institution == "SM-MI" and (s.year, s.quarter) == (2024, 2) for s in d.services)


def test_every_finding_is_closed_unless_its_closure_falls_after_the_demo_data() -> None:
    # A finding left open for good would gate whichever institution the generator happened to leave it
    # at once it is overdue (framework 2026.1, G2); open at the end of the data are only those of the last
    # months, whose closing day falls after 2026-06-30, the end of the data (2026Q1's visit follows up
    # those found in 2025).
    from qiangji.demo.generate.common import END, HORIZON

    everything = [f for f in data().findings if f.source == "supervision"]
    assert all(f.closed_on is None or f.closed_on <= HORIZON for f in everything)  # the end of the data
    findings = [f for f in everything if f.found_on <= END]
    later = [f for f in everything if f.found_on > END]  # 2026 (the extension)
    assert later and all(f.severity != "critical" for f in later)  # 2026Q1's one gate case is deliberate
    assert any(f.closed_on is not None and f.closed_on > END for f in findings)  # closed in 2026
    still_open = [f for f in everything if f.closed_on is None]
    assert still_open and min(f.found_on for f in still_open) >= D(2025, 9, 1)
    late = [f for f in findings if f.closed_on is not None and (f.closed_on - f.due_on).days >= 90]
    assert late  # the long-overdue tail is closed, three to six months after the deadline
    assert max((f.closed_on - f.due_on).days for f in late) <= 180


def test_the_2026_extension_only_appends_to_the_records_up_to_2025(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every record up to 2025-12-31 is the same with or without the 2026 records (their own streams): the
    2025 rankings stay as they were. Standards gain instrument recalibrations after 2025 only."""
    import dataclasses

    from qiangji.demo import generate as package
    from qiangji.demo.generate.common import END
    from qiangji.demo.generate.extension import Extension

    def nothing(*args: object) -> Extension:
        return Extension((), tuple(args[-1]), (), (), (), ())  # type: ignore[arg-type]

    after = data()
    monkeypatch.setattr(package, "extend", nothing)
    before = generate(catalogue_from_csv())
    for kind in ("registrations", "certificates", "outputs", "services", "findings"):
        old, new = getattr(before, kind), getattr(after, kind)
        assert new[: len(old)] == old and len(new) > len(old), kind
    assert after.certificates[len(before.certificates)].verified_on > END
    assert [p.institution for p in after.projects if p.approved_on > END] == ["SM-MI"]
    assert after.projects[-1].approved_on > END  # appended: the documents' numbers before stay
    assert [(lab.institution, lab.approved_on > END) for lab in after.labs][-1] == ("SM-MI", True)
    assert all(lab.approved_on <= END for lab in after.labs[:-1])
    old_std, new_std = before.standards, after.standards
    assert [s.key for s in new_std[: len(old_std)]] == [s.key for s in old_std]
    for old, new in zip(old_std, new_std, strict=False):
        assert dataclasses.replace(new, instruments=old.instruments) == old
        for i, j in zip(old.instruments, new.instruments, strict=True):
            assert j.certificates[: len(i.certificates)] == i.certificates
            assert all(c.valid_from > END for c in j.certificates[len(i.certificates) :])
    assert {s.institution for s in new_std[len(old_std) :]} == {"TT-MI", "SM-MI"}
