"""Staff and registered-metrologist registrations (docs/domain.md#registered-metrologists,
docs/domain.md#demo-data).

Names follow the pattern "张某12": obviously not real people. Each institution starts the programme with
the registered share of its profile (four county institutions below 80 %) and moves towards its end
share through turnover, new registrations, renewals and lapses. A registration lasts five years; a renewal
is a new row from the day after the old one ends. Injected: one registration of 天台 that lapsed for one
month (2024-04) before renewal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from qiangji.demo.generate.common import END, START, choice, day_between, stream, year_end
from qiangji.demo.generate.institutions import MERGED, MERGER_DAY, PROFILES, Profile
from qiangji.demo.generate.records import RegistrationRec, StaffKey, StaffRec

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余叶程魏苏吕丁卢姚沈钟"
)
AUTHORITY = "浙江省市场监督管理局（示例）"
GAP_INSTITUTION = "TT-MI"
GAP_LAST_DAY = dt.date(2024, 3, 31)  # the lapsed registration's last valid day
GAP_RENEWED = dt.date(2024, 5, 1)  # ... and the first day of its renewal
LEAVE_RATE = {"improving": 0.10, "flat": 0.12, "declining": 0.2}  # share leaving over three years


@dataclass(frozen=True)
class Roster:
    """Staff and registrations indexed for the as-of questions the certificate generator asks."""

    staff: dict[str, list[StaffRec]]
    registrations: dict[StaffKey, list[RegistrationRec]]
    _cache: dict[tuple[str, dt.date], dict[str, list[StaffRec]]] = field(default_factory=dict, repr=False)

    def registration_on(self, person: StaffRec, day: dt.date) -> RegistrationRec | None:
        return next((r for r in self.registrations.get(person.key, []) if r.valid_on(day)), None)

    def verification_staff_on(self, code: str, day: dt.date) -> list[StaffRec]:
        return [p for p in self.staff[code] if p.is_verification and p.employed_on(day)]

    def verifiers_on(self, code: str, day: dt.date, item: str) -> list[StaffRec]:
        """Employed verification staff registered on ``day`` for ``item`` (clean TR-3)."""
        return self.verifiers_by_item(code, day).get(item, [])

    def verifiers_by_item(self, code: str, day: dt.date) -> dict[str, list[StaffRec]]:
        """Item name → employed verification staff registered for it on ``day``."""
        if (code, day) in self._cache:
            return self._cache[(code, day)]
        out: dict[str, list[StaffRec]] = self._cache.setdefault((code, day), {})
        for person in self.verification_staff_on(code, day):
            reg = self.registration_on(person, day)
            for item in reg.professional_items if reg is not None else ():
                out.setdefault(item, []).append(person)
        return out

    def unregistered_on(self, code: str, day: dt.date) -> list[StaffRec]:
        return [p for p in self.verification_staff_on(code, day) if self.registration_on(p, day) is None]

    def signatories_on(self, code: str, day: dt.date) -> list[StaffRec]:
        return [p for p in self.verification_staff_on(code, day) if p.is_authorised_signatory]


def staff_and_registrations(
    seed: int, item_names: Mapping[str, Sequence[str]]
) -> tuple[tuple[StaffRec, ...], tuple[RegistrationRec, ...], StaffKey]:
    """Staff and registrations of every institution, and the staff key of the injected lapse.

    ``item_names`` are each institution's authorised items (the registrations' professional items).
    """
    people: list[StaffRec] = []
    regs: list[RegistrationRec] = []
    for profile in PROFILES:
        rng = stream(seed, "staff", profile.code)
        roster = _people(rng, profile)
        people += roster
        regs += _registrations(rng, profile, roster, item_names[profile.code])
    moved, moved_regs = _transfer(people, regs)
    regs, gap = _inject_gap(regs, people)
    return tuple(people + moved), tuple(regs + moved_regs), gap


def _people(rng: np.random.Generator, profile: Profile) -> list[StaffRec]:
    technical = rng.uniform(0.72, 0.84)
    verification = technical * rng.uniform(0.82, 0.92)
    rows = [_person(rng, profile, n, (technical, verification), None) for n in range(1, profile.staff + 1)]
    quota_v, quota_t = round(verification * len(rows)), round(technical * len(rows))
    for rank, i in enumerate(rng.permutation(len(rows))):  # roles by quota: shares exact at the start
        rows[int(i)] = replace(rows[int(i)], is_verification=rank < quota_v, is_technical=rank < quota_t)
    if profile.code == MERGED:
        return [replace(p, left_on=MERGER_DAY - dt.timedelta(days=1)) for p in rows]
    rows = _with_signatories(rng, rows)
    leavers = [i for i, p in enumerate(rows) if not p.is_authorised_signatory]
    count = round(LEAVE_RATE[profile.trajectory] * len(rows))
    for i in rng.choice(leavers, size=count, replace=False):
        rows[int(i)] = replace(rows[int(i)], left_on=day_between(rng, START, dt.date(2025, 11, 30)))
    change = {"improving": 0.10, "flat": 0.0, "declining": -0.08}[profile.trajectory]
    hires = max(0, count + round(change * profile.staff))
    first = profile.staff + 1
    rows += [_person(rng, profile, n, (technical, verification), START) for n in range(first, first + hires)]
    return rows


def _person(
    rng: np.random.Generator, profile: Profile, n: int, shares: tuple[float, float], since: dt.date | None
) -> StaffRec:
    technical, verification = shares
    hired = day_between(
        rng, since or dt.date(1995, 1, 1), dt.date(2025, 10, 31) if since else dt.date(2022, 9, 30)
    )
    age = int(rng.integers(21, 36))
    senior = (END.year - hired.year) // 6
    titles = ("none", "junior", "intermediate", "associate_senior", "senior")
    is_verification = bool(rng.random() < verification)
    other_technical = (technical - verification) / (1 - verification)
    return StaffRec(
        institution=profile.code,
        staff_no=f"{profile.code}-{n:03d}",
        name=f"{choice(rng, SURNAMES)}某{n}",
        gender="M" if rng.random() < 0.6 else "F",
        birth_year=hired.year - age,
        education=str(rng.choice(["master", "bachelor", "college", "other"], p=[0.12, 0.6, 0.23, 0.05])),
        title=titles[min(4, senior + int(rng.integers(0, 2)))],
        is_technical=is_verification or bool(rng.random() < other_technical),
        is_verification=is_verification,
        is_authorised_signatory=False,
        hired_on=hired,
        left_on=None,
    )


def _with_signatories(rng: np.random.Generator, rows: list[StaffRec]) -> list[StaffRec]:
    """The most senior verification staff employed before the programme sign as approvers (at least 3)."""
    pool = [i for i, p in enumerate(rows) if p.is_verification]
    pool.sort(key=lambda i: (rows[i].hired_on, i))
    count = max(3, round(0.12 * len(pool)))
    for i in pool[:count]:
        rows[i] = replace(rows[i], is_authorised_signatory=True)
    return rows


def _registrations(
    rng: np.random.Generator, profile: Profile, roster: list[StaffRec], items: Sequence[str]
) -> list[RegistrationRec]:
    start = [p for p in roster if p.is_verification and p.employed_on(START)]
    signers = [p for p in start if p.is_authorised_signatory]
    others = [p for p in start if not p.is_authorised_signatory]
    k0 = round(profile.rm_start * len(start))
    order = signers + [others[int(i)] for i in rng.permutation(len(others))]
    chains = {
        p.key: _chain(rng, p, day_between(rng, dt.date(2018, 1, 1), dt.date(2022, 12, 31)))
        for p in order[:k0]
    }
    if profile.code != MERGED:
        _reach_target(rng, profile, roster, chains)
    rows: list[RegistrationRec] = []
    for n, (key, periods) in enumerate(sorted(chains.items())):
        rows += _rows(rng, profile, key, periods, items, n)
    return rows


def _chain(rng: np.random.Generator, person: StaffRec, first: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Five-year registrations from ``first``, renewed on time while the person is employed."""
    periods = [(first, year_end(first, 5))]
    while periods[-1][1] < END and person.employed_on(periods[-1][1]):
        nxt = periods[-1][1] + dt.timedelta(days=1)
        periods.append((nxt, year_end(nxt, 5)))
    return periods


def _registered_on(
    chains: dict[StaffKey, list[tuple[dt.date, dt.date]]], key: StaffKey, day: dt.date
) -> bool:
    return any(a <= day <= b for a, b in chains.get(key, []))


def _reach_target(
    rng: np.random.Generator, profile: Profile, roster: list[StaffRec], chains: dict[StaffKey, list]
) -> None:
    """New registrations (or lapses without renewal) so that the share on END is the profile's end share."""
    final = [p for p in roster if p.is_verification and p.employed_on(END)]
    held = [p for p in final if _registered_on(chains, p.key, END)]
    need = round(profile.rm_end * len(final)) - len(held)
    if need > 0:
        pool = [p for p in final if p not in held and p.hired_on <= dt.date(2025, 9, 30)]
        for i in rng.choice(len(pool), size=min(need, len(pool)), replace=False):
            person = pool[int(i)]
            earliest = max(person.hired_on + dt.timedelta(days=60), START + dt.timedelta(days=30))
            chains[person.key] = [_one(day_between(rng, earliest, dt.date(2025, 11, 30)))]
    lapsing = [p for p in held if len(chains[p.key]) > 1 and not p.is_authorised_signatory]
    for i in rng.permutation(len(lapsing))[: max(0, -need)]:
        chains[lapsing[int(i)].key] = [
            period for period in chains[lapsing[int(i)].key] if period[0] < START
        ]  # the renewal due in the programme never comes


def _one(first: dt.date) -> tuple[dt.date, dt.date]:
    return (first, year_end(first, 5))


def _rows(
    rng: np.random.Generator,
    profile: Profile,
    key: StaffKey,
    periods: list[tuple[dt.date, dt.date]],
    items: Sequence[str],
    n: int,
) -> list[RegistrationRec]:
    level = 1 if rng.random() < profile.level1_share else 2
    count = min(len(items), int(rng.integers(2, 6)))
    chosen = tuple(items[(3 * n + j) % len(items)] for j in range(count)) if items else ()
    reg_no = f"示例注册{level}-{profile.code}-{n + 1:04d}"
    qual = f"示例资格{periods[0][0].year - 1}-{profile.code}-{n + 1:04d}"
    return [RegistrationRec(key, level, qual, reg_no, a, b, chosen, AUTHORITY) for a, b in periods]


def _transfer(
    people: list[StaffRec], regs: list[RegistrationRec]
) -> tuple[list[StaffRec], list[RegistrationRec]]:
    """The absorbed institute's staff join LH-MI on the merger day; registrations follow (变更注册)."""
    last = MERGER_DAY - dt.timedelta(days=1)
    base = sum(1 for p in people if p.institution == "LH-MI")
    moved: list[StaffRec] = []
    moved_regs: list[RegistrationRec] = []
    for n, person in enumerate(p for p in people if p.institution == MERGED and p.employed_on(last)):
        twin = replace(
            person,
            institution="LH-MI",
            staff_no=f"LH-MI-{base + n + 1:03d}",
            hired_on=MERGER_DAY,
            left_on=None,
            is_authorised_signatory=False,
        )
        moved.append(twin)
        for reg in (r for r in regs if r.staff == person.key and r.valid_to >= MERGER_DAY):
            moved_regs.append(replace(reg, staff=twin.key, valid_from=max(reg.valid_from, MERGER_DAY)))
            if reg.valid_to < END:  # renewed at the new employer
                nxt = reg.valid_to + dt.timedelta(days=1)
                moved_regs.append(replace(reg, staff=twin.key, valid_from=nxt, valid_to=year_end(nxt, 5)))
    return moved, moved_regs


def _inject_gap(
    regs: list[RegistrationRec], people: list[StaffRec]
) -> tuple[list[RegistrationRec], StaffKey]:
    """One 天台 registration ends 2024-03-31 and is renewed only from 2024-05-01 (a one-month lapse)."""
    employed = {p.key for p in people if p.employed_on(END) and not p.is_authorised_signatory}
    key = next(
        r.staff
        for r in regs
        if r.staff[0] == GAP_INSTITUTION and r.valid_from < START and r.staff in employed
    )
    mine = [r for r in regs if r.staff == key]
    template = mine[0]
    first = replace(template, valid_from=dt.date(2019, 4, 1), valid_to=GAP_LAST_DAY)
    renewal = replace(template, valid_from=GAP_RENEWED, valid_to=year_end(GAP_RENEWED, 5))
    return [r for r in regs if r.staff != key] + [first, renewal], key


def roster(people: Sequence[StaffRec], regs: Sequence[RegistrationRec]) -> Roster:
    by_inst: dict[str, list[StaffRec]] = {}
    for p in people:
        by_inst.setdefault(p.institution, []).append(p)
    by_staff: dict[StaffKey, list[RegistrationRec]] = {}
    for r in regs:
        by_staff.setdefault(r.staff, []).append(r)
    return Roster(by_inst, by_staff)
