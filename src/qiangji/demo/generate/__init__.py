"""Deterministic generator of the synthetic Taizhou demo data set (docs/domain.md#demo-data; every name
fictitious).

``generate(catalogue)`` returns plain records (:mod:`qiangji.demo.generate.records`) built from keyed
``numpy.random.default_rng`` streams of one fixed seed: the same catalogue and seed give the same data,
field by field. Nothing here touches a database; :mod:`qiangji.demo.load` writes the records.

One module per topic; a later feature adds its own module and a field of :class:`DemoData`, drawing from
its own ``stream(seed, topic)`` so that the existing data stays as it was.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from importlib import resources

from qiangji.demo.generate.certificates import certificates
from qiangji.demo.generate.common import SEED
from qiangji.demo.generate.extension import extend
from qiangji.demo.generate.findings import findings
from qiangji.demo.generate.institutions import (
    DIVISIONS,
    MERGED,
    MERGER_DAY,
    grades,
    institutions,
    names,
    successions,
)
from qiangji.demo.generate.mv_items import mv_items
from qiangji.demo.generate.records import CatalogueEntry, DemoData
from qiangji.demo.generate.regulations import regulations
from qiangji.demo.generate.research import labs, outputs, projects
from qiangji.demo.generate.services import MISSING_REPORT, services
from qiangji.demo.generate.staff import roster, staff_and_registrations
from qiangji.demo.generate.standards import standards

__all__ = ["SEED", "CatalogueEntry", "DemoData", "catalogue_from_csv", "generate"]


def generate(catalogue: Sequence[CatalogueEntry], seed: int = SEED) -> DemoData:
    """The whole demo data set for ``catalogue`` (the mandatory items of the catalogue in use)."""
    if not catalogue:
        raise ValueError("catalogue must hold at least one mandatory-verification item, got none")
    entries = {e.key: e for e in catalogue}
    book = regulations(seed, catalogue)
    items = mv_items(seed, catalogue)
    item_names = {
        i.code: sorted({entries[r.item].level2_name for r in items if r.institution == i.code})
        for i in institutions()
    }
    people, regs, gap = staff_and_registrations(seed, item_names)
    stds, gaps = standards(seed, catalogue, items, book, people)
    certs, edges = certificates(seed, catalogue, items, book, stds, gaps, roster(people, regs))
    later = extend(seed, catalogue, items, book, people, regs, stds)
    edges |= {
        "registration_gap": gap[1],
        "merger": f"{MERGED}→LH-MI {MERGER_DAY}",
        "missing_report": "{} {}Q{}".format(*MISSING_REPORT),
    }
    return DemoData(
        seed=seed,
        divisions=DIVISIONS,
        institutions=institutions(),
        names=names(),
        grades=grades(),
        successions=successions(),
        staff=people,
        registrations=regs + later.registrations,
        regulations=book.editions,
        standards=later.standards,
        mv_items=items,
        certificates=certs + later.certificates,
        projects=projects(),
        labs=labs(),
        outputs=outputs(seed) + later.outputs,
        services=services(seed) + later.services,
        findings=findings(seed, certs) + later.findings,
        edge_cases=edges,
    )


def catalogue_from_csv(version: str = "2020-42") -> tuple[CatalogueEntry, ...]:
    """Mandatory items (V, P+V) of ``version`` from the catalogue CSV kept in the repository.

    The loader uses the catalogue rows stored in the database instead; both come from the same file.
    """
    path = resources.files("qiangji.web.registry") / "data" / "mv_catalogue.csv"
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        CatalogueEntry(
            int(r["level1_no"]),
            r["level1_name"].strip(),
            int(r["level2_no"]),
            r["level2_name"].strip(),
            r["mv_form"].strip(),
        )
        for r in rows
        if r["catalogue_version"].strip() == version and r["supervision_mode"].strip() in ("V", "P+V")
    )
