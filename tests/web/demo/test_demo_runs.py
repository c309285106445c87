"""Every stored index run of the demo recomputes bit for bit, and every stored text is canonical.

The whole demo as ``qiangji demo`` builds it (registry, programme and comparison data, then every demo
period computed with its rank uncertainty and published) is loaded once for the module inside a
transaction rolled back afterwards. For each run, `verify` rebuilds the results (scores, ranks and the
Monte-Carlo rank intervals) from the stored snapshot and specs and compares the text byte for byte; each
stored text (run spec, uncertainty spec, input snapshot, results, publication content, framework version)
is what `qiangji.core.canonical` writes for its data, so a change of writer that moved a byte would fail
here. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.db import transaction

from qiangji.core.canonical import canonical_json, sha256_text
from qiangji.core.index import Framework, IndexSpec
from qiangji.core.index.mc.spec import UncertaintySpec
from qiangji.demo.load import load_demo
from qiangji.web.assessment.inputs import Inputs
from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.comparisons.demo import load_comparisons_demo
from qiangji.web.programme.demo import load_programme_demo
from qiangji.web.publication.demo import DEMO_PERIODS, publish_demo
from qiangji.web.publication.models import IndexRun, Publication
from qiangji.web.publication.runs import verify

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[list[str]]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo()
            load_programme_demo()
            load_comparisons_demo()
            yield publish_demo().published
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_it_publishes_every_demo_period(demo: list[str]) -> None:
    assert demo == list(DEMO_PERIODS)
    runs = IndexRun.objects.filter(period__code__in=DEMO_PERIODS)
    assert sorted(runs.values_list("period__code", flat=True)) == sorted(DEMO_PERIODS)
    assert all(json.loads(r.results_json)["uncertainty"]["n_runs"] for r in runs)


def test_it_recomputes_every_demo_run_bit_for_bit(demo: list[str]) -> None:
    runs = list(IndexRun.objects.order_by("pk"))
    assert len(runs) == len(DEMO_PERIODS)
    assert [r.period.code for r in runs if not verify(r)] == []


def test_it_stores_every_run_as_canonical_text(demo: list[str]) -> None:
    for run in IndexRun.objects.order_by("pk"):
        assert IndexSpec.from_json(run.spec_json).to_json() == run.spec_json
        assert UncertaintySpec.from_dict(json.loads(run.uncertainty_spec_json)).to_json() == (
            run.uncertainty_spec_json
        )
        assert Inputs.from_json(run.inputs_json).to_json() == run.inputs_json
        assert sha256_text(run.inputs_json) == run.inputs_sha256
        assert canonical_json(json.loads(run.results_json)) == run.results_json
        assert sha256_text(run.results_json) == run.results_sha256


def test_it_stores_every_publication_and_framework_as_canonical_text(demo: list[str]) -> None:
    pubs = list(Publication.objects.filter(status=Publication.Status.FINAL))
    assert len(pubs) == len(DEMO_PERIODS)
    for pub in pubs:
        assert canonical_json(json.loads(pub.content_json)) == pub.content_json
        assert sha256_text(pub.content_json) == pub.content_sha256
    for fv in FrameworkVersion.objects.all():
        assert Framework.from_json(fv.spec).to_json() == fv.spec
        assert sha256_text(fv.spec) == fv.sha256
