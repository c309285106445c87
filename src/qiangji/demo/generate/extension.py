"""The registry's time-bound records after 2025: 2026Q1 and 2026Q2, up to HORIZON (the demo's 2026 periods).

The demo's 2026 periods are scored with framework 2026.1, on fixed scales and with a progress index against
2025Q4: without certificates, services and findings in 2026 every institution would score the floor on the
certificate indicators and near nothing on the flows. Everything here comes from streams of its own
(``stream(seed, "<topic>-2026", key)``) and is appended after the records up to END, which stay as they
were; the topic modules only record up to HORIZON what they had drawn already and dropped after END (a
finding's closure, a standard's re-examination application), which no as-of date up to END sees, so the
2023–2025 rankings are unchanged. Trajectories go on after 2025 (``common.beyond``); the two improving small
counties (天台, 三门) improve faster in 2026 (:data:`IMPROVING_2026`): more clients, fewer defective
certificates, new registrations, a new standard each, 天台's first output (三门's first project and platform
are in :mod:`.research`). 温岭's 重大 finding of 2026Q1 is not drawn here: it is the assessment demo's
deliberate gate case, so no 2026 finding here is 重大.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from qiangji.demo.generate.certificates import contexts, sample
from qiangji.demo.generate.common import (
    DEMO,
    END,
    EXTENSION,
    HORIZON,
    beyond,
    day_between,
    months_end,
    stream,
    year_end,
)
from qiangji.demo.generate.findings import visits
from qiangji.demo.generate.institutions import CITY, Profile
from qiangji.demo.generate.records import (
    AssessmentRec,
    CatalogueEntry,
    CertificateRec,
    FindingRec,
    InstrumentCertRec,
    MVItemRec,
    OutputRec,
    RegistrationRec,
    ServiceRec,
    StaffRec,
    StandardRec,
)
from qiangji.demo.generate.regulations import RegulationBook
from qiangji.demo.generate.research import KINDS, projects
from qiangji.demo.generate.services import services_2026
from qiangji.demo.generate.staff import roster

# Extra growth in 2026 of the improving small counties: client-count factor, defect-rate factor, staff
# newly registered.
IMPROVING_2026 = {"TT-MI": (1.45, 0.3, 2), "SM-MI": (1.5, 0.3, 2)}
SEVERITIES_2026 = (0.78, 0.22, 0.0)  # no 重大 drawn: 2026Q1's one gate case is deliberate (see above)
OUTPUTS_2026 = {"WL-MI": 3, CITY: 5, "JJ-MI": 1, "LH-MI": 1}  # a year, as before; 天台's is fixed below
TT_OUTPUT = ("TT-MI", "specification", "输送带拉伸试验机现场校准规范（送审稿）", dt.date(2026, 3, 18))


@dataclass(frozen=True)
class Extension:
    """The records of 2026 (to HORIZON), each kind to append to the records up to END."""

    registrations: tuple[RegistrationRec, ...]
    standards: tuple[StandardRec, ...]  # every standard (recalibrated to HORIZON), then the new ones
    certificates: tuple[CertificateRec, ...]
    services: tuple[ServiceRec, ...]
    findings: tuple[FindingRec, ...]
    outputs: tuple[OutputRec, ...]


def extend(
    seed: int,
    catalogue: Sequence[CatalogueEntry],
    items: Sequence[MVItemRec],
    book: RegulationBook,
    people: Sequence[StaffRec],
    regs: Sequence[RegistrationRec],
    standards: Sequence[StandardRec],
) -> Extension:
    new_regs = renewals(people, regs) + registered_2026(seed, people, regs)
    stds = tuple(_traced(seed, s) for s in standards) + new_standards_2026(standards)
    ctxs = contexts(catalogue, items, book, stds, [], roster(people, (*regs, *new_regs)))
    certs: list[CertificateRec] = []
    for code, ctx in ctxs.items():
        certs += sample(stream(seed, "certificates-2026", code), ctx, EXTENSION, defect_rate_2026)
    return Extension(
        registrations=tuple(new_regs),
        standards=stds,
        certificates=tuple(certs),
        services=services_2026(seed, {c: v[0] for c, v in IMPROVING_2026.items()}),
        findings=visits(seed, "findings-2026", certs, EXTENSION, SEVERITIES_2026, HORIZON),
        outputs=outputs_2026(seed),
    )


def defect_rate_2026(profile: Profile, day: dt.date) -> float:
    """The trajectory's defect rate carried on after 2025, lower still at the improving small counties."""
    change = {"improving": -0.5, "flat": 0.0, "declining": 0.8}[profile.trajectory]
    factor = IMPROVING_2026.get(profile.code, (1.0, 1.0, 0))[1]
    return max(0.0, profile.defect_rate * (1 + change * beyond(day)) * factor)


def renewals(people: Sequence[StaffRec], regs: Sequence[RegistrationRec]) -> list[RegistrationRec]:
    """Each registration still held at END and expiring before HORIZON renewed on time (five years) if its
    holder is still employed: the chains of the generator stop once they reach END."""
    employed = {p.key: p for p in people}
    last: dict[tuple[str, str], RegistrationRec] = {}
    for r in regs:
        if r.staff not in last or r.valid_to > last[r.staff].valid_to:
            last[r.staff] = r
    out = []
    for key, reg in sorted(last.items()):
        nxt = reg.valid_to + dt.timedelta(days=1)
        if END <= reg.valid_to < HORIZON and key in employed and employed[key].employed_on(nxt):
            out.append(replace(reg, valid_from=nxt, valid_to=year_end(nxt, 5)))
    return out


def registered_2026(
    seed: int, people: Sequence[StaffRec], regs: Sequence[RegistrationRec]
) -> list[RegistrationRec]:
    """New registrations at the improving small counties early in 2026 (verification staff without one)."""
    held = {r.staff for r in regs if r.valid_on(dt.date(2026, 1, 1)) or r.valid_to >= HORIZON}
    out = []
    for code, (_clients, _defects, count) in IMPROVING_2026.items():
        rng = stream(seed, "registrations-2026", code)
        items = sorted({i for r in regs if r.staff[0] == code for i in r.professional_items})
        staff = [
            p
            for p in people
            if p.institution == code and p.is_verification and p.employed_on(HORIZON) and p.key not in held
        ]
        for n, person in enumerate(staff[:count]):
            first = day_between(rng, dt.date(2026, 1, 5), dt.date(2026, 2, 27))
            chosen = tuple(items[(3 * n + j) % len(items)] for j in range(min(len(items), 3)))
            out.append(
                RegistrationRec(
                    person.key,
                    2,
                    f"示例资格2025-{code}-N{n + 1:02d}",
                    f"示例注册2-{code}-N{n + 1:02d}",
                    first,
                    year_end(first, 5),
                    chosen,
                    regs[0].authority,
                )
            )
    return out


def _traced(seed: int, std: StandardRec) -> StandardRec:
    """``std`` with each instrument's yearly certificates carried on to HORIZON (recalibrated on time)."""
    if std.status != "in_use":
        return std
    rng = stream(seed, "standards-2026", std.key)
    instruments = []
    for j, inst in enumerate(std.instruments):
        certs = list(inst.certificates)
        while certs and certs[-1].valid_to < HORIZON:
            prev = certs[-1]
            early = dt.timedelta(days=int(rng.integers(0, 25)))  # recalibrated before it expires
            start = max(END + dt.timedelta(days=1), prev.valid_to - early)
            no = f"示例溯源-{std.key}-{j + 1}-{len(certs) + 1}"
            certs.append(InstrumentCertRec(no, prev.kind, prev.issuer, start, months_end(start, 12)))
        instruments.append(replace(inst, certificates=tuple(certs)))
    return replace(std, instruments=tuple(instruments))


def new_standards_2026(standards: Sequence[StandardRec]) -> tuple[StandardRec, ...]:
    """A new public calibration standard at each improving small county in 2026Q1 (新建标准, D2.2): a
    second set of its first public calibration standard, assessed in February 2026."""
    rows = []
    for n, code in enumerate(IMPROVING_2026):
        mine = [s for s in standards if s.institution == code]
        template = next(s for s in mine if s.item is None and s.is_public and s.status == "in_use")
        issued = dt.date(2026, 2, 12 + 7 * n)
        key = f"{code}-STD{len(mine) + 1:03d}"
        traced = issued - dt.timedelta(days=20)  # its instruments calibrated before the assessment
        issuer = template.instruments[0].certificates[-1].issuer
        instruments = tuple(
            replace(
                inst,
                serial_no=f"{inst.serial_no}N",
                certificates=(
                    InstrumentCertRec(
                        f"示例溯源-{key}-{j + 1}-1", "calibration", issuer, traced, months_end(traced, 12)
                    ),
                ),
            )
            for j, inst in enumerate(template.instruments)
        )
        rows.append(
            replace(
                template,
                key=key,
                name=f"{template.name}（2026年新建）",
                jjf1022_code=f"{template.jjf1022_code[:4]}2600",
                assessments=(AssessmentRec(f"〔2026〕示例量标{key}-1", issued, year_end(issued, 5)),),
                reexam_applied_on=None,
                status_since=None,
                instruments=instruments,
            )
        )
    return tuple(rows)


def outputs_2026(seed: int) -> tuple[OutputRec, ...]:
    """Research outputs of January–June 2026, and 天台's first: the specification drafted in its project."""
    titles = {p.institution: p.title for p in reversed(projects())}
    rows = []
    for code, per_year in OUTPUTS_2026.items():
        rng = stream(seed, "research-2026", code)
        for k in range(int(rng.poisson(per_year / 2))):
            kind = KINDS[int(rng.integers(0, len(KINDS)))]
            day = dt.date(2026, int(rng.integers(1, 7)), int(rng.integers(1, 29)))
            project = titles.get(code) if rng.random() < 0.5 else None
            title, venue = f"{code}示例成果2026-{k + 1}{DEMO}", f"示例出处2026-{k + 1}"
            rows.append(OutputRec(code, kind, title, day, venue, project))
    code, kind, title, day = TT_OUTPUT
    venue = f"台州市地方计量技术规范征求意见{DEMO}"
    rows.append(OutputRec(code, kind, f"{title}{DEMO}", day, venue, titles[code]))
    return tuple(rows)
