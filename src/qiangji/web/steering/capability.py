"""The city capability map: catalogue items × institutions and industrial-cluster needs × institutions.

Read from the registry as of a date: authorised items (``InstitutionMVItem.authorised_on``), their annual
volume, the duty lists of the divisions (the latest list of a year on or before the date's), the block
industries of the divisions (``Division.block_industries``) and the industrial services tagged with a
cluster (``IndustryService.cluster_tag``) in the year. A *gap* is a need nobody covers: a duty-list item
of a division for which no institution serving that division is authorised (the division's instruments
have no local legal institution to verify them), a cluster no institution served in the year. A
*duplication* is capability built twice where the plan wants it once: an item outside every institution's
民生 base set authorised at two or more institutions, or a cluster served by two or more institutions of
which the plan names at most one as its speciality.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from qiangji.web.registry.models import (
    Division,
    IndustryService,
    Institution,
    InstitutionMVItem,
    MVCatalogueItem,
)
from qiangji.web.steering.models import CapabilityPlan, DutyListItem, PlanAssignment

GAP, DUPLICATE = "gap", "duplicate"


@dataclass(frozen=True)
class ItemCell:
    authorised: bool
    volume: int | None  # annual volume of the authorisation (台件), None when not recorded
    role: str = ""  # "base" / "speciality" in the plan in force, else ""

    @property
    def performed(self) -> bool:
        """Authorised and verifying: an authorisation with no recorded volume is 授权未开展."""
        return self.authorised and bool(self.volume)


@dataclass(frozen=True)
class ItemRow:
    item: MVCatalogueItem
    cells: tuple[ItemCell, ...]
    duty_divisions: tuple[str, ...]  # divisions whose duty list names the item
    uncovered_divisions: tuple[str, ...]  # ... of which no institution serving the division is authorised
    population: int  # instruments in use in those divisions (duty lists)
    status: str

    @property
    def holders(self) -> int:
        return sum(c.authorised for c in self.cells)

    @property
    def volume(self) -> int:
        return sum(c.volume or 0 for c in self.cells if c.authorised)


@dataclass(frozen=True)
class ClusterCell:
    enterprises: int
    certificates: int
    speciality: bool  # the plan names the cluster as this institution's speciality
    local: bool  # the institution serves a division whose block industries include the cluster


@dataclass(frozen=True)
class ClusterRow:
    divisions: str
    cluster: str
    cells: tuple[ClusterCell, ...]
    status: str

    @property
    def providers(self) -> int:
        return sum(1 for c in self.cells if c.enterprises)


@dataclass(frozen=True)
class CapabilityMap:
    day: dt.date
    year: int
    institutions: tuple[Institution, ...]
    plan: CapabilityPlan | None
    items: tuple[ItemRow, ...]
    clusters: tuple[ClusterRow, ...]

    def items_with(self, status: str) -> list[ItemRow]:
        return [r for r in self.items if r.status == status]

    def clusters_with(self, status: str) -> list[ClusterRow]:
        return [r for r in self.clusters if r.status == status]


def duty_lists_on(day: dt.date) -> dict[int, list[DutyListItem]]:
    """Per division id, the rows of its latest duty list of a year on or before ``day.year``."""
    rows = DutyListItem.objects.filter(year__lte=day.year).select_related("item").order_by("-year")
    latest: dict[int, int] = {}
    out: defaultdict[int, list[DutyListItem]] = defaultdict(list)
    for r in rows:
        year = latest.setdefault(r.division_id, r.year)
        if r.year == year:
            out[r.division_id].append(r)
    return dict(out)


def _assignments(plan: CapabilityPlan | None) -> dict[int, PlanAssignment]:
    if plan is None:
        return {}
    rows = plan.assignments.prefetch_related("base_items", "speciality_items")
    return {a.institution_id: a for a in rows}


def _role(a: PlanAssignment | None, item_id: int) -> str:
    if a is None:
        return ""
    if any(i.pk == item_id for i in a.base_items.all()):
        return "base"
    return "speciality" if any(i.pk == item_id for i in a.speciality_items.all()) else ""


def capability_map(
    day: dt.date,
    institutions: Sequence[Institution] | None = None,
    *,
    shown: Sequence[Institution] | None = None,
) -> CapabilityMap:
    """The map on ``day`` over ``institutions`` (default: every institution existing on that day), with
    the columns of ``shown`` only (default: all of them). Gaps and duplications are always judged over all
    of ``institutions``: a county's own view must not call an item a gap that a neighbour covers."""
    insts = tuple(institutions if institutions is not None else Institution.objects.active_on(day))
    plan = CapabilityPlan.objects.in_force_on(day)
    whole = CapabilityMap(
        day,
        day.year,
        insts,
        plan,
        tuple(_item_rows(day, insts, plan)),
        tuple(_cluster_rows(day, insts, plan)),
    )
    return whole if shown is None else _columns(whole, shown)


def _columns(whole: CapabilityMap, shown: Sequence[Institution]) -> CapabilityMap:
    """``whole`` with the columns of ``shown`` only; every row's status and uncovered divisions kept."""
    at = {inst.pk: k for k, inst in enumerate(whole.institutions)}
    keep = [at[i.pk] for i in shown if i.pk in at]
    return replace(
        whole,
        institutions=tuple(whole.institutions[k] for k in keep),
        items=tuple(replace(r, cells=tuple(r.cells[k] for k in keep)) for r in whole.items),
        clusters=tuple(replace(r, cells=tuple(r.cells[k] for k in keep)) for r in whole.clusters),
    )


def _served_divisions(insts: Sequence[Institution]) -> dict[int, set[int]]:
    through = Institution.divisions.through.objects.filter(institution__in=insts)
    out: defaultdict[int, set[int]] = defaultdict(set)
    for inst_id, div_id in through.values_list("institution_id", "division_id"):
        out[inst_id].add(div_id)
    return out


def _item_rows(day: dt.date, insts: Sequence[Institution], plan: CapabilityPlan | None) -> list[ItemRow]:
    auth = _authorised(day, insts)
    by_item = _duties_by_item(day)
    wanted = set(by_item) | {item for _inst, item in auth}
    assignments = _assignments(plan)
    context = _ItemContext(
        insts,
        plan,
        auth,
        assignments,
        names=dict(Division.objects.values_list("pk", "name")),
        serving=_served_divisions(insts),
        base={i.pk for a in assignments.values() for i in a.base_items.all()},
    )
    items = MVCatalogueItem.objects.filter(pk__in=wanted).order_by("level1_no", "level2_no")
    return [_item_row(item, by_item.get(item.pk, []), context) for item in items]


def _authorised(day: dt.date, insts: Sequence[Institution]) -> dict[tuple[int, int], int | None]:
    """(institution, item) → annual volume of the authorisations in force on ``day``."""
    auth: dict[tuple[int, int], int | None] = {}
    for inst_id, item_id, volume in (
        InstitutionMVItem.objects.authorised_on(day)
        .filter(institution__in=insts)
        .values_list("institution_id", "item_id", "annual_volume")
    ):
        before = auth.get((inst_id, item_id))  # two overlapping authorisations of one item: volumes add
        auth[(inst_id, item_id)] = volume if before is None else before + (volume or 0)
    return auth


def _duties_by_item(day: dt.date) -> defaultdict[int, list[DutyListItem]]:
    """The duty-list rows in force on ``day``, per catalogue item."""
    by_item: defaultdict[int, list[DutyListItem]] = defaultdict(list)
    for rows in duty_lists_on(day).values():
        for r in rows:
            by_item[r.item_id].append(r)
    return by_item


@dataclass(frozen=True)
class _ItemContext:
    """What every row of the item table reads: the columns, the plan and the lookups built once."""

    insts: Sequence[Institution]
    plan: CapabilityPlan | None
    auth: dict[tuple[int, int], int | None]
    assignments: dict[int, PlanAssignment]
    names: dict[int, str]
    serving: dict[int, set[int]]
    base: set[int]


def _item_row(item: MVCatalogueItem, duty: list[DutyListItem], c: _ItemContext) -> ItemRow:
    cells = tuple(
        ItemCell(
            (i.pk, item.pk) in c.auth, c.auth.get((i.pk, item.pk)), _role(c.assignments.get(i.pk), item.pk)
        )
        for i in c.insts
    )
    holders = {i.pk for i, cell in zip(c.insts, cells, strict=True) if cell.authorised}
    uncovered = [
        c.names[d.division_id]
        for d in duty
        if not any(d.division_id in c.serving.get(pk, set()) for pk in holders)
    ]
    return ItemRow(
        item,
        cells,
        tuple(sorted(c.names[d.division_id] for d in duty)),
        tuple(sorted(uncovered)),
        sum(d.population for d in duty),
        _item_status(uncovered, holders, c.plan, item.pk in c.base),
    )


def _item_status(uncovered: list[str], holders: set[int], plan: CapabilityPlan | None, base: bool) -> str:
    if uncovered:
        return GAP
    if plan is not None and not base and len(holders) >= 2:
        return DUPLICATE
    return ""


def _cluster_rows(
    day: dt.date, insts: Sequence[Institution], plan: CapabilityPlan | None
) -> list[ClusterRow]:
    """One row per cluster named in a division's block industries (several divisions may share one)."""
    services = IndustryService.objects.filter(year=day.year, institution__in=insts).exclude(cluster_tag="")
    enterprises: defaultdict[tuple[int, str], set[str]] = defaultdict(set)
    certificates: defaultdict[tuple[int, str], int] = defaultdict(int)
    for inst_id, tag, name, n in services.values_list(
        "institution_id", "cluster_tag", "enterprise", "certificates"
    ):
        enterprises[(inst_id, tag)].add(name)
        certificates[(inst_id, tag)] += n
    specials = {pk: set(a.speciality_clusters) for pk, a in _assignments(plan).items()}
    where: defaultdict[str, list[Division]] = defaultdict(list)
    for division in Division.objects.order_by("code"):
        for cluster in division.block_industries:
            where[cluster].append(division)
    serving = _served_divisions(insts)
    out = []
    for cluster, divisions in where.items():
        ids = {d.pk for d in divisions}
        cells = tuple(
            ClusterCell(
                len(enterprises[(i.pk, cluster)]),
                certificates[(i.pk, cluster)],
                cluster in specials.get(i.pk, set()),
                bool(serving.get(i.pk, set()) & ids),
            )
            for i in insts
        )
        out.append(ClusterRow("、".join(d.name for d in divisions), cluster, cells, _cluster_status(cells)))
    return out


def _cluster_status(cells: tuple[ClusterCell, ...]) -> str:
    """Gap: nobody served the cluster in the year. Duplication: two or more served it, one of them neither
    from a division where the cluster is (属地) nor holding it as its speciality in the plan."""
    providers = [c for c in cells if c.enterprises]
    if not providers:
        return GAP
    if len(providers) >= 2 and any(not (c.local or c.speciality) for c in providers):
        return DUPLICATE
    return ""
