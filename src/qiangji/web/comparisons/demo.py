"""Demo comparisons and skills competitions (deterministic, idempotent), written after the registry demo.

For 2023–2025 (:data:`PLAN`): four to six comparison rounds a year piloted by the city institute among six
to nine of the nine county institutions, on transfer standards of the local industries (precision pressure
gauges, platform scales, water meters, Pt100 thermometers, standard metal measures for fuel dispensers,
F1 weights, sphygmomanometers, pH meters), one to five points each. Every round goes the real way:
submissions along the circulation schedule, closed, evaluated by :func:`evaluate_round` (stored trail,
corrective actions for |En| > 1), report issued; the evaluation dates fall inside the year, so indicator
C3.2 of each demo period derives from them. The corrective actions are closed 12–45 days after they were
opened (some late), except those of the last 2025 round, still open at the end of the demo.

The results are designed, not drawn blindly: each laboratory's En against the planned reference is chosen
first (|En| ≤ 0.85 for most, 1.2–2.8 for :data:`BAD_SHARE` of the results, more often at the small
institutions) and x follows from it. One result sits exactly on the limit (:data:`EDGE`): in the 2024
platform-scale round a laboratory reports x = x_P + 2.5 g with U = 2.0 g against the pilot's U = 1.5 g,
all binary-exact, so that U(d) = 2·sqrt(1.0² + 0.75²) = 2.5 and En = 1.0 exactly: satisfactory.

One skills competition a year (计量技能大比武) with two items, one or two contestants per county and item
(technical staff employed on the day), one team per institution, scores and awards by the default rule.

Every row written in bulk gets the audit event the signals would have written (``record_bulk``).
"""

from __future__ import annotations

import datetime as dt
import math
import time
import zlib
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.utils import timezone

from qiangji.web.accounts.audit import record_bulk, snapshot
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.comparisons.competitions import rank_competition
from qiangji.web.comparisons.evaluate import evaluate_round
from qiangji.web.comparisons.models import (
    ComparisonRound,
    Competition,
    CompetitionItem,
    Contestant,
    Evaluation,
    MeasurementPoint,
    Participant,
    Score,
    Submission,
    Team,
)
from qiangji.web.registry.models import Institution, Staff

SEED = 20230415
CREATE, UPDATE = AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE
YEARS = (2023, 2024, 2025)
BAD_SHARE = 0.075  # share of results designed with |En| > 1 (the brief asks for 5–10 %)
#: Archetype of each demo county institution → weight of its chance of an unsatisfactory result.
PROPENSITY = {"WL-MI": 0.5, "JJ-MI": 1.0, "HY-MI": 1.0, "LQ-MI": 1.5, "LH-MI": 1.5, "YH-MI": 1.5}
SMALL_PROPENSITY = 3.0  # TT-MI, XJ-MI, SM-MI and any institution not listed


@dataclass(frozen=True)
class Template:
    """A kind of comparison: points are (label, nominal, deviation of the transfer standard, U_pilot)."""

    name: str
    quantity: str
    unit: str
    transfer: str
    points: tuple[tuple[str, float, float, float], ...]
    ratio: tuple[float, float]  # a county laboratory's U as a multiple of the pilot's
    decimals: int
    method: str = "pilot"


TEMPLATES = {
    "pressure": Template(
        "精密压力表示值误差比对", "示值误差", "kPa",
        "0.25 级精密压力表（0～1.6 MPa），出厂编号 YB-{year}（示例）；前后核查变化 ≤ 0.3 kPa",
        (("0.2 MPa", 0.2, 0.6, 0.6), ("0.4 MPa", 0.4, 0.9, 0.6), ("0.8 MPa", 0.8, 1.2, 0.8),
         ("1.2 MPa", 1.2, 1.0, 0.8), ("1.6 MPa", 1.6, 1.4, 1.0)),
        (1.5, 3.0), 1,
    ),
    "scale": Template(
        "电子台秤示值误差比对（Max 30 kg）", "示值误差", "g",
        "III 级电子台秤 Max 30 kg，e = 10 g，出厂编号 TC-{year}（示例）；闪变点法，附 F2 级小砝码",
        (("5 kg", 5.0, 2.0, 1.0), ("15 kg", 15.0, 3.5, 1.5), ("30 kg", 30.0, 5.0, 2.0)),
        (1.3, 2.6), 1,
    ),
    "water": Template(
        "DN20 旋翼式水表示值误差比对", "相对示值误差", "%",
        "DN20 旋翼湿式冷水水表（R160），表号 SB-{year}（示例）；装置：称重法水表检定装置",
        (("Q1 = 25 L/h", 25.0, -1.2, 0.20), ("Q2 = 40 L/h", 40.0, 0.8, 0.15),
         ("Q3 = 2.5 m³/h", 2500.0, 0.4, 0.10)),
        (1.5, 3.0), 2, "algorithm_a",
    ),
    "thermo": Template(
        "工业铂电阻温度计（Pt100）比对", "示值偏差", "°C",
        "A 级 Pt100 工业铂电阻，编号 PT-{year}（示例）；恒温槽波动度 ≤ 0.01 °C/10 min",
        (("0 °C", 0.0, 0.05, 0.02), ("50 °C", 50.0, 0.08, 0.025), ("100 °C", 100.0, 0.12, 0.03)),
        (2.0, 4.0), 3,
    ),
    "volume": Template(
        "二等标准金属量器（20 L）容量比对", "容量示值误差", "mL",
        "二等标准金属量器 20 L，编号 LQ-{year}（示例）；用于燃油加油机检定",
        (("20 L", 20.0, 6.0, 2.0),),
        (1.5, 2.5), 1,
    ),
    "weights": Template(
        "F1 级砝码质量比对", "折算质量偏差", "mg",
        "F1 级不锈钢砝码 1 kg、500 g、100 g 各一只，编号 FM-{year}（示例）",
        (("1 kg", 1000.0, 0.8, 0.5), ("500 g", 500.0, 0.5, 0.25), ("100 g", 100.0, 0.12, 0.05)),
        (1.6, 3.2), 2, "weighted_mean",
    ),
    "bp": Template(
        "血压计（表）示值误差比对", "示值误差", "kPa",
        "机械式血压表（0～40 kPa），编号 XY-{year}（示例）；医用计量器具",
        (("8 kPa", 8.0, 0.10, 0.04), ("16 kPa", 16.0, 0.14, 0.04), ("32 kPa", 32.0, 0.20, 0.06)),
        (1.5, 3.0), 2,
    ),
    "ph": Template(
        "酸度计示值误差比对", "示值误差", "pH",
        "0.01 级实验室酸度计，编号 PH-{year}（示例）；国家一级 pH 标准缓冲物质",
        (("pH 4.00", 4.00, 0.010, 0.010), ("pH 6.86", 6.86, -0.010, 0.010), ("pH 9.18", 9.18, 0.020, 0.012)),
        (1.5, 3.0), 3, "algorithm_a",
    ),
}  # fmt: skip
PLAN = {
    2023: ("pressure", "scale", "volume", "ph"),
    2024: ("weights", "scale", "thermo", "water", "bp"),
    2025: ("pressure", "water", "volume", "thermo", "ph", "weights"),
}
#: (year, template, point label): the result designed to give En = 1.0 exactly (module docstring).
EDGE = (2024, "scale", "15 kg")
EDGE_U = 2.0
COMPETITION_ITEMS = {
    2023: ("燃油加油机检定", "压力表检定"),
    2024: ("电子计价秤检定", "水表检定"),
    2025: ("血压计检定", "出租汽车计价器检定"),
}


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        if not any(self.created.values()):
            return "比对与比武演示数据已存在 / comparison demo data already loaded"
        parts = ", ".join(f"{k}: {v}" for k, v in self.created.items() if v)
        return f"已加载比对与比武演示数据 / comparison demo data loaded in {self.seconds:.1f} s ({parts})"

    def add(self, key: str, n: int) -> None:
        self.created[key] = self.created.get(key, 0) + n


@dataclass
class Slot:
    """One designed result: a county laboratory at a point, with its planned En."""

    participant: Participant
    point: MeasurementPoint
    edge: bool = False
    en: float = 0.0


def _rng(*keys: object) -> np.random.Generator:
    return np.random.default_rng([SEED, *(zlib.crc32(str(k).encode()) for k in keys)])


def round_code(year: int, n: int) -> str:
    return f"TZBD-{year}-{n:02d}"


def load_comparisons_demo() -> DemoReport:
    """Load the comparison and competition demo unless loaded already (a demo round exists)."""
    started = time.perf_counter()
    report = DemoReport()
    city = Institution.objects.filter(level=Institution.Level.CITY).order_by("code").first()
    counties = list(
        Institution.objects.filter(level=Institution.Level.COUNTY, is_ranked=True).order_by("code")
    )
    if city is None or not counties or ComparisonRound.objects.filter(code=round_code(YEARS[0], 1)).exists():
        return report
    with transaction.atomic():
        rounds = [
            _round(year, n, key, city, counties) for year in YEARS for n, key in enumerate(PLAN[year], 1)
        ]
        slots = [s for r in rounds for s in _slots(r)]
        _design(slots)
        for rnd in rounds:
            _submit(rnd, [s for s in slots if s.participant.round_id == rnd.pk])
            _evaluate(rnd)
        report.add("rounds", len(rounds))
        report.add("results", len(slots))
        report.add("competitions", sum(_competition(year, counties, report) for year in YEARS))
    report.seconds = time.perf_counter() - started
    return report


def _start(year: int, n: int) -> dt.date:
    """Rounds spread from February to August, so that each is reported within its year."""
    months = np.linspace(2, 8, len(PLAN[year]))
    return dt.date(year, round(float(months[n - 1])), 3 + int(_rng("start", year, n).integers(0, 10)))


def _round(year: int, n: int, key: str, city: Institution, counties: list[Institution]) -> ComparisonRound:
    t = TEMPLATES[key]
    rng = _rng("round", year, key)
    chosen = sorted(rng.choice(len(counties), size=int(rng.integers(6, len(counties) + 1)), replace=False))
    start = _start(year, n)
    deadline = start + dt.timedelta(days=7 * (len(chosen) + 2))
    rnd = ComparisonRound.objects.create(
        code=round_code(year, n),
        name=f"{year} 年度{t.name}（示例）",
        year=year,
        quantity=t.quantity,
        unit=t.unit,
        protocol_ref=f"TZJL-BD-{year}-{n:02d}（示例）",
        pilot=city,
        transfer_standard=t.transfer.format(year=year),
        deadline=timezone.make_aware(dt.datetime.combine(deadline, dt.time(17, 0))),
        status=ComparisonRound.Status.DRAFT,
        reference_method=t.method,
    )
    points = MeasurementPoint.objects.bulk_create(
        MeasurementPoint(round=rnd, order=order, label=label, nominal=nominal)
        for order, (label, nominal, _dev, _u) in enumerate(t.points, 1)
    )
    record_bulk(CREATE, points)  # bulk writes send no signals: their audit events are written here
    codes = rng.permutation(len(chosen))  # anonymous lab codes, not in circulation order
    labs = [(city, "P")] + [(counties[i], f"L{c + 1:02d}") for i, c in zip(chosen, codes, strict=True)]
    week = [start + dt.timedelta(days=7 * slot) for slot in range(len(labs))]  # one week per laboratory
    participants = Participant.objects.bulk_create(
        Participant(round=rnd, institution=inst, lab_code=code, planned_from=begin,
                    planned_to=begin + dt.timedelta(days=4))
        for begin, (inst, code) in zip(week, labs, strict=True)
    )  # fmt: skip
    record_bulk(CREATE, participants)
    return rnd


def _slots(rnd: ComparisonRound) -> list[Slot]:
    """Every county result of the round; the edge result goes to the first laboratory at the EDGE point."""
    labs = list(rnd.participants.exclude(lab_code="P").select_related("institution").order_by("lab_code"))
    key = (rnd.year, _template_key(rnd))
    return [
        Slot(p, point, edge=(*key, point.label) == EDGE and j == 0)
        for point in rnd.points.order_by("order")
        for j, p in enumerate(labs)
    ]


def _template_key(rnd: ComparisonRound) -> str:
    return PLAN[rnd.year][int(rnd.code.rsplit("-", 1)[1]) - 1]


def _design(slots: list[Slot]) -> None:
    """Planned En of every result: BAD_SHARE of them beyond ±1 (weighted towards small institutions)."""
    rng = _rng("design")
    weights = np.array(
        [0.0 if s.edge else PROPENSITY.get(s.participant.institution.code, SMALL_PROPENSITY) for s in slots]
    )
    n_bad = round(BAD_SHARE * len(slots))
    bad = set(rng.choice(len(slots), size=n_bad, replace=False, p=weights / weights.sum()).tolist())
    for i, slot in enumerate(slots):
        if slot.edge:
            slot.en = 1.0
        elif i in bad:
            slot.en = float(rng.choice([-1.0, 1.0]) * rng.uniform(1.25, 2.8))
        else:
            slot.en = float(np.clip(rng.normal(0.0, 0.35), -0.8, 0.8))


def _sig2(v: float) -> float:
    """v rounded to two significant figures (how an expanded uncertainty is reported)."""
    return float(round(v, 1 - math.floor(math.log10(abs(v)))))


def _submit(rnd: ComparisonRound, slots: list[Slot]) -> None:
    t = TEMPLATES[_template_key(rnd)]
    rng = _rng("values", rnd.code)
    pilot = rnd.participants.get(lab_code="P")
    rows = []
    for point, (_label, _nominal, dev, U_P) in zip(rnd.points.order_by("order"), t.points, strict=True):
        x_P = round(dev + float(rng.normal(0.0, U_P / 4)), t.decimals)
        here = [s for s in slots if s.point.pk == point.pk]
        if any(s.edge for s in here):
            x_P = round(2 * x_P) / 2  # a multiple of 0.5: binary-exact, as is x_P + 2.5
        rows.append(_row(pilot, point, x_P, U_P, pilot.planned_from))
        centre = x_P if t.method == "pilot" else dev
        for s in here:
            U = EDGE_U if s.edge else _sig2(U_P * rng.uniform(*t.ratio))
            # En = d / (2·sqrt(u² + u_P²)) = d / hypot(U, U_P) against the pilot's value (k = 2)
            x = x_P + 2.5 if s.edge else round(centre + s.en * math.hypot(U, U_P), t.decimals)
            day = s.participant.planned_from + dt.timedelta(days=int(rng.integers(0, 4)))
            rows.append(_row(s.participant, point, x, U, day))
    record_bulk(CREATE, Submission.objects.bulk_create(rows))


def _row(part: Participant, point: MeasurementPoint, x: float, U: float, day: dt.date) -> Submission:
    return Submission(participant=part, point=point, x=x, U=U, k=2.0, measured_on=day)


def _evaluate(rnd: ComparisonRound) -> None:
    """Close, evaluate (dated inside the year), issue the report; close corrective actions but the last's."""
    closed = rnd.deadline.date() + dt.timedelta(days=1)
    evaluated = closed + dt.timedelta(days=10)
    rnd.status = ComparisonRound.Status.CLOSED
    rnd.closed_at = timezone.make_aware(dt.datetime.combine(closed, dt.time(9, 0)))
    rnd.save(update_fields=["status", "closed_at", "updated_at"])
    evaluate_round(rnd, today=evaluated)
    at = timezone.make_aware(dt.datetime.combine(evaluated, dt.time(10, 0)))
    evaluations = list(Evaluation.objects.filter(round=rnd))
    before = {ev.pk: snapshot(ev) for ev in evaluations}
    for ev in evaluations:
        ev.evaluated_at = at
    Evaluation.objects.bulk_update(evaluations, ["evaluated_at"])
    record_bulk(UPDATE, evaluations, before)
    rnd.status, rnd.reported_on = ComparisonRound.Status.REPORTED, evaluated + dt.timedelta(days=14)
    rnd.save(update_fields=["status", "reported_on", "updated_at"])
    if rnd.code == round_code(YEARS[-1], len(PLAN[YEARS[-1]])):
        return
    rng = _rng("actions", rnd.code)
    for action in rnd.corrective_actions.select_related("finding").order_by("institution__code"):
        finding = action.finding
        finding.closed_on = finding.found_on + dt.timedelta(days=int(rng.integers(12, 45)))
        finding.save(update_fields=["closed_on", "updated_at"])


def _competition(year: int, counties: list[Institution], report: DemoReport) -> int:
    """One competition with two items; returns 1 when created."""
    held = dt.date(year, 10, 20)
    comp = Competition.objects.create(
        name=f"{year} 年台州市计量技能大比武（示例）",
        year=year,
        held_from=held,
        held_to=held + dt.timedelta(days=2),
        organiser="台州市市场监督管理局（示例）",
    )
    items = [CompetitionItem.objects.create(competition=comp, name=n) for n in COMPETITION_ITEMS[year]]
    rng = _rng("competition", year)
    for inst in counties:
        staff = Staff.objects.employed_on(held).filter(institution=inst, is_technical=True)
        pool = list(staff.order_by("pk").values_list("pk", flat=True))
        if not pool:
            continue
        team = Team.objects.create(competition=comp, institution=inst, name=f"{inst.name}代表队")
        picks = rng.permutation(pool)
        skill = 3.0 - PROPENSITY.get(inst.code, SMALL_PROPENSITY)  # larger institutions score a little higher
        entries = [
            Contestant(item=item, staff_id=int(staff_pk), institution=inst, team=team)
            for n, item in enumerate(items)
            for staff_pk in picks[2 * n : 2 * n + int(rng.integers(1, 3))]
        ]
        record_bulk(CREATE, Contestant.objects.bulk_create(entries))
        record_bulk(
            CREATE, Score.objects.bulk_create(Score(contestant=c, **_scores(rng, skill)) for c in entries)
        )
        report.add("contestants", len(entries))
    rank_competition(comp)
    return 1


def _scores(rng: np.random.Generator, skill: float) -> dict[str, float]:
    def part(mean: float, sd: float) -> float:
        return float(np.clip(round(2 * rng.normal(mean + 2.0 * skill, sd)) / 2, 40.0, 100.0))

    return {"theory": part(80, 7), "practical": part(76, 9), "data_processing": part(74, 10)}
