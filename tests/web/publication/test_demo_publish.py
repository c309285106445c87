import datetime as dt

import pytest

from qiangji.web.publication.demo import publish_demo
from qiangji.web.publication.models import Publication
from qiangji.web.publication.runs import verify

pytestmark = pytest.mark.django_db


def test_it_publishes_the_demo_periods_once(institutions) -> None:
    first = publish_demo(["2025Q1", "2025Q2", "2026Q1"], runs=100, today=dt.date(2026, 1, 15))
    assert first.published == ["2025Q1", "2025Q2"] and first.skipped == ["2026Q1"]
    pubs = Publication.objects.order_by("period__end")
    assert [p.status for p in pubs] == ["final", "final"]
    assert pubs[1].content["previous"]["period"] == "2025Q1"
    assert all(verify(p.run) for p in pubs)
    assert {r["unit"] for r in pubs[0].content["rows"]} == set(institutions)
    again = publish_demo(["2025Q1", "2025Q2"], runs=100, today=dt.date(2026, 1, 15))
    assert again.published == [] and Publication.objects.count() == 2
