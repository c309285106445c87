"""The city's audit sample of verification certificates, with traceability defects
(docs/domain.md#traceability, docs/domain.md#demo-data).

Each institution (the absorbed institute excepted) gets ``PER_QUARTER`` sampled certificates per quarter.
A clean certificate passes every rule TR-1…TR-8 against the generated registry; a defective one breaks
its planted rule (``CertificateRec.defect``; sometimes another rule too, as real defects do). Defect rates
start at the profile's rate and fall (improving) or rise (declining) over the programme. Injected edge
cases: a certificate dated the day after its standard's assessment certificate expired (黄岩), one whose
verifier is also its checker (仙居), one citing the electronic-price-scale regulation superseded
mid-quarter five days earlier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

import numpy as np

from qiangji.demo.generate.common import (
    DEMO,
    choice,
    day_between,
    months_end,
    progress,
    quarter_bounds,
    quarters,
    stream,
)
from qiangji.demo.generate.institutions import MERGED, PROFILES, RANKED, Profile, division_name
from qiangji.demo.generate.records import CatalogueEntry, CertificateRec, ItemKey, MVItemRec, StandardRec
from qiangji.demo.generate.regulations import MID_QUARTER_DAY, MID_QUARTER_ITEM, RegulationBook
from qiangji.demo.generate.staff import Roster
from qiangji.demo.generate.standards import EXPIRED_INSTITUTION, EXPIRED_LAST_DAY, Gap

PER_QUARTER = 40
RULES = ("TR-1", "TR-2", "TR-3", "TR-4", "TR-5", "TR-6", "TR-7", "TR-8")
RULE_WEIGHTS = (0.12, 0.1, 0.16, 0.1, 0.2, 0.1, 0.14, 0.08)
SAME_PERSON_INSTITUTION = "XJ-MI"
SAME_PERSON_DAY = dt.date(2023, 8, 15)


@dataclass(frozen=True)
class Context:
    """Everything the certificate builder consults about one institution."""

    profile: Profile
    catalogue: dict[ItemKey, CatalogueEntry]
    items: list[MVItemRec]
    standards: list[StandardRec]
    gaps: list[Gap]
    book: RegulationBook
    roster: Roster
    by_item: dict[ItemKey, list[StandardRec]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for std in self.standards:
            if std.item is not None:
                self.by_item.setdefault(std.item, []).append(std)

    @property
    def code(self) -> str:
        return self.profile.code

    def item_name(self, item: ItemKey) -> str:
        return self.catalogue[item].level2_name

    def usable(self, day: dt.date) -> list[tuple[MVItemRec, StandardRec]]:
        """Authorised items with a standard valid on ``day`` and a registered verifier for them."""
        out = []
        verifiers = self.roster.verifiers_by_item(self.code, day)
        for row in self.items:
            if not row.authorised_on(day) or self.item_name(row.item) not in verifiers:
                continue
            out += [
                (row, s) for s in self.by_item.get(row.item, []) if s.assessed_on(day) and s.traceable_on(day)
            ]
        return out


def certificates(
    seed: int,
    catalogue: Sequence[CatalogueEntry],
    items: Sequence[MVItemRec],
    book: RegulationBook,
    standards: Sequence[StandardRec],
    gaps: Sequence[Gap],
    roster: Roster,
) -> tuple[tuple[CertificateRec, ...], dict[str, str]]:
    ctxs = contexts(catalogue, items, book, standards, gaps, roster)
    out: list[CertificateRec] = []
    for code, ctx in ctxs.items():
        out += _institution(stream(seed, "certificates", code), ctx)
    injected, edges = _injected(stream(seed, "certificates", "edge"), ctxs)
    return tuple(out + injected), edges


def contexts(
    catalogue: Sequence[CatalogueEntry],
    items: Sequence[MVItemRec],
    book: RegulationBook,
    standards: Sequence[StandardRec],
    gaps: Sequence[Gap],
    roster: Roster,
) -> dict[str, Context]:
    """Each issuing institution's :class:`Context` (the absorbed institute issues none)."""
    entries = {e.key: e for e in catalogue}
    return {
        p.code: Context(
            p,
            entries,
            [r for r in items if r.institution == p.code],
            [s for s in standards if s.institution == p.code],
            [g for g in gaps if g.institution == p.code],
            book,
            roster,
        )
        for p in PROFILES
        if p.code != MERGED
    }


def sample(
    rng: np.random.Generator,
    ctx: Context,
    span: Iterable[tuple[int, int]],
    rate: Callable[[Profile, dt.date], float],
) -> list[CertificateRec]:
    """The audit sample of ``ctx``'s institution in the quarters ``span``, defects planted at ``rate``."""
    return _institution(rng, ctx, span, rate)


def _institution(
    rng: np.random.Generator,
    ctx: Context,
    span: Iterable[tuple[int, int]] | None = None,
    rate_of: Callable[[Profile, dt.date], float] | None = None,
) -> list[CertificateRec]:
    rows = []
    for year, quarter in quarters() if span is None else span:
        first, last = quarter_bounds(year, quarter)
        days = sorted(_workday(rng, first, last) for _ in range(PER_QUARTER))
        rate = (rate_of or defect_rate)(ctx.profile, first)
        planted = set(
            int(i) for i in rng.choice(PER_QUARTER, size=int(rng.binomial(PER_QUARTER, rate)), replace=False)
        )
        for k, day in enumerate(days):
            seq = f"{year}-{quarter}{k + 1:04d}"
            rule = str(rng.choice(RULES, p=RULE_WEIGHTS)) if k in planted else ""
            cert = _planted(rng, ctx, day, seq, rule, (first, last)) if rule else _clean(rng, ctx, day, seq)
            if cert is not None:
                rows.append(cert)
    return rows


def defect_rate(profile: Profile, day: dt.date) -> float:
    """Share of defective certificates: falls by half (improving) or rises by 80 % (declining)."""
    change = {"improving": -0.5, "flat": 0.0, "declining": 0.8}[profile.trajectory]
    return profile.defect_rate * (1 + change * progress(day))


def _workday(rng: np.random.Generator, first: dt.date, last: dt.date) -> dt.date:
    day = day_between(rng, first, last)
    while day.weekday() >= 5:
        day = (
            day - dt.timedelta(days=2) if day - dt.timedelta(days=2) >= first else day + dt.timedelta(days=2)
        )
    return day


def _clean(
    rng: np.random.Generator,
    ctx: Context,
    day: dt.date,
    seq: str,
    use: tuple[MVItemRec, StandardRec] | None = None,
) -> CertificateRec | None:
    options = ctx.usable(day) if use is None else [use]
    if not options:
        return None
    weights = np.array([row.annual_volume for row, _ in options], dtype=float)
    row, std = options[int(rng.choice(len(options), p=weights / weights.sum()))]
    name = ctx.item_name(row.item)
    regulation = ctx.book.in_force(ctx.book.item_base[row.item], day)
    if regulation is None:
        return None
    verifier = choice(rng, ctx.roster.verifiers_on(ctx.code, day, name))
    staff = ctx.roster.verification_staff_on(ctx.code, day)
    checker = choice(rng, [p for p in staff if p.key != verifier.key])
    approver = choice(
        rng, [p for p in ctx.roster.signatories_on(ctx.code, day) if p.key not in (verifier.key, checker.key)]
    )
    failed = bool(rng.random() < 0.04)
    interval = regulation.max_interval_months or 72  # first verification only: limited service life
    low, high = float(regulation.temperature_min_c), float(regulation.temperature_max_c)
    return CertificateRec(
        institution=ctx.code,
        cert_no=f"示例检{ctx.code}-{seq}",
        kind="notice" if failed else "certificate",
        record_no=f"示例记录{ctx.code}-{seq}",
        verified_on=day,
        valid_until=None if failed else months_end(day, interval),
        client=_client(rng, ctx.profile),
        instrument_name=name,
        instrument_model=f"示例型号{int(rng.integers(1, 60)):02d}",
        instrument_serial=f"{int(rng.integers(10**7, 10**8))}",
        manufacturer=f"某某计量器具有限公司{DEMO}",
        item=row.item,
        regulation=regulation.code,
        standards=(std.key,),
        verifier=verifier.staff_no,
        checker=checker.staff_no,
        approver=approver.staff_no,
        temperature_c=Decimal(str(round(rng.uniform(low + 0.5, high - 0.5), 1))),
        humidity_pct=Decimal(str(round(rng.uniform(35, float(regulation.humidity_max_pct) - 10), 1))),
        conclusion="fail" if failed else "pass",
        place="本所实验室" if rng.random() < 0.8 else "现场检定",
    )


def _client(rng: np.random.Generator, profile: Profile) -> str:
    prefix = division_name(profile.division)[:2]
    return f"{prefix}某{int(rng.integers(1, 400))}号用户单位{DEMO}"


def _planted(
    rng: np.random.Generator,
    ctx: Context,
    day: dt.date,
    seq: str,
    rule: str,
    quarter: tuple[dt.date, dt.date],
) -> CertificateRec | None:
    if rule == "TR-2":
        return _untraceable(rng, ctx, seq, quarter) or _planted(rng, ctx, day, seq, "TR-7", quarter)
    cert = _clean(rng, ctx, day, seq)
    if cert is None:
        return None
    broken = _break(rng, ctx, cert, rule)
    return broken if broken is not None else replace(cert, record_no="", defect="TR-7")


def _break(rng: np.random.Generator, ctx: Context, cert: CertificateRec, rule: str) -> CertificateRec | None:
    """``cert`` with ``rule`` broken, or ``None`` when this certificate cannot break it."""
    day = cert.verified_on
    if rule == "TR-1":
        stale = [s for s in ctx.standards if s.assessments[0].issued_on <= day and not s.assessed_on(day)]
        return replace(cert, standards=(choice(rng, stale).key,), defect=rule) if stale else None
    if rule == "TR-3":
        signers = (cert.checker, cert.approver)
        unregistered = [p for p in ctx.roster.unregistered_on(ctx.code, day) if p.staff_no not in signers]
        if not unregistered:
            return None
        return replace(cert, verifier=choice(rng, unregistered).staff_no, defect=rule)
    if rule == "TR-4":
        base = ctx.book.item_base[cert.item] if cert.item else ""
        old = ctx.book.superseded_before(base, day)
        return replace(cert, regulation=old.code, defect=rule) if old else None
    if rule == "TR-5":
        if rng.random() < 0.5:
            return replace(cert, temperature_c=None, humidity_pct=None, defect=rule)
        regulation = next(r for r in ctx.book.editions if r.code == cert.regulation)
        return replace(cert, temperature_c=regulation.temperature_max_c + Decimal("2.5"), defect=rule)
    if rule == "TR-6":
        regulation = next(r for r in ctx.book.editions if r.code == cert.regulation)
        if cert.valid_until is None or not regulation.max_interval_months:
            return None
        return replace(cert, valid_until=months_end(day, regulation.max_interval_months + 12), defect=rule)
    if rule == "TR-8":
        held = {r.item for r in ctx.items if r.authorised_on(day)}
        outside = sorted(k for k in ctx.catalogue if k not in held)
        if not outside:
            return None
        item = choice(rng, outside)
        edition = ctx.book.in_force(ctx.book.item_base[item], day)
        if edition is None:
            return None
        return replace(
            cert, item=item, instrument_name=ctx.item_name(item), regulation=edition.code, defect=rule
        )
    return replace(cert, record_no="", defect="TR-7")


def _untraceable(
    rng: np.random.Generator, ctx: Context, seq: str, quarter: tuple[dt.date, dt.date]
) -> CertificateRec | None:
    """A certificate dated inside a late recalibration gap of one of the standards it cites (TR-2)."""
    for gap in ctx.gaps:
        first, last = max(gap.first, quarter[0]), min(gap.last, quarter[1])
        if first > last:
            continue
        std = next(s for s in ctx.standards if s.key == gap.standard)
        day = day_between(rng, first, last)
        row = next((r for r in ctx.items if r.item == std.item and r.authorised_on(day)), None)
        if row is None or not std.assessed_on(day):
            continue
        if not ctx.roster.verifiers_on(ctx.code, day, ctx.item_name(row.item)):
            continue
        cert = _clean(rng, ctx, day, seq, use=(row, std))
        return replace(cert, defect="TR-2") if cert else None
    return None


def _injected(
    rng: np.random.Generator, contexts: dict[str, Context]
) -> tuple[list[CertificateRec], dict[str, str]]:
    """The three hand-placed certificates of edge cases of docs/domain.md#demo-data."""
    rows = []
    ctx = contexts[EXPIRED_INSTITUTION]
    std = next(s for s in ctx.standards if any(a.expires_on == EXPIRED_LAST_DAY for a in s.assessments))
    row = next(r for r in ctx.items if r.item == std.item)
    day = EXPIRED_LAST_DAY + dt.timedelta(days=1)
    expired = _forced(rng, ctx, day, "EDGE-1", row, std)
    rows.append(replace(expired, defect="TR-1"))
    ctx = contexts[SAME_PERSON_INSTITUTION]
    same = _clean(rng, ctx, SAME_PERSON_DAY, "EDGE-2")
    assert same is not None
    rows.append(replace(same, checker=same.verifier, defect="TR-3"))
    old, mid = _mid_quarter(rng, contexts)
    rows.append(mid)
    edges = {
        "expired_standard": std.key,
        "expired_standard_certificate": expired.cert_no,
        "verifier_is_checker": same.cert_no,
        "mid_quarter_regulation": old,
        "mid_quarter_certificate": mid.cert_no,
    }
    return rows, edges


def _forced(
    rng: np.random.Generator, ctx: Context, day: dt.date, seq: str, row: MVItemRec, std: StandardRec
) -> CertificateRec:
    """A certificate for ``row``'s item with ``std`` whatever their state (for planted edge cases)."""
    name = ctx.item_name(row.item)
    verifiers = ctx.roster.verifiers_on(ctx.code, day, name) or ctx.roster.verification_staff_on(
        ctx.code, day
    )
    probe = _clean(rng, ctx, day, seq)
    regulation = ctx.book.in_force(ctx.book.item_base[row.item], day)
    if probe is None or regulation is None:
        raise ValueError(f"cannot place the edge-case certificate {seq} of {ctx.code} on {day}")
    return replace(
        probe,
        item=row.item,
        instrument_name=name,
        standards=(std.key,),
        verifier=choice(rng, verifiers).staff_no,
        regulation=regulation.code,
    )


def _mid_quarter(rng: np.random.Generator, contexts: dict[str, Context]) -> tuple[str, CertificateRec]:
    """An institution verifying electronic price scales cites the old edition five days after it lapsed."""
    day = MID_QUARTER_DAY + dt.timedelta(days=5)
    for code in RANKED:
        ctx = contexts[code]
        pairs = [(r, s) for r, s in ctx.usable(day) if ctx.item_name(r.item) == MID_QUARTER_ITEM]
        if pairs:
            cert = _clean(rng, ctx, day, "EDGE-3", use=pairs[0])
            assert cert is not None
            old = ctx.book.superseded_before(ctx.book.item_base[pairs[0][0].item], day)
            assert old is not None
            return old.code, replace(cert, regulation=old.code, defect="TR-4")
    raise ValueError(f"no institution verifies {MID_QUARTER_ITEM} on {day}")
