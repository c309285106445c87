"""Pages and documents of final publications are computed once and served from the shared page cache
(qiangji.web.publication.pagecache); notice-period ones are computed on every request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.publication import charts, pagecache
from qiangji.web.publication.models import Publication
from tests.web.publication.conftest import publish

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def _cache_keys() -> list[str]:
    """The keys of the file-based page cache are hashed on disk: count its entries instead."""
    store = caches[pagecache.ALIAS]
    return list(store._list_cache_files())  # type: ignore[attr-defined]


def _main(response: Any) -> str:
    html = response.content.decode()
    return html[html.index("<main>") : html.index("</main>")]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the leaderboard's figure is built (it is built only when the page body is)."""
    calls = {"score_bars": 0}
    real = charts.score_bars

    def score_bars(content: Any) -> Any:
        calls["score_bars"] += 1
        return real(content)

    monkeypatch.setattr(charts, "score_bars", score_bars)
    return calls


def test_it_builds_a_final_leaderboard_once(published: list[Publication], counted: dict[str, int]) -> None:
    client = Client()
    first = client.get("/rankings/2025Q2/")
    second = client.get("/rankings/2025Q2/")
    assert first.status_code == second.status_code == 200
    assert counted["score_bars"] == 1
    assert _main(first) == _main(second)  # the layout around it carries a per-request CSRF token
    assert "黄岩区计量检定所（示例）" in second.content.decode()


def test_it_reads_no_publication_content_from_the_database_on_a_cached_page(
    published: list[Publication], django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.get("/rankings/2025Q2/")
    with django_assert_max_num_queries(2):  # the list of public publications (+ a session look-up at most)
        assert client.get("/rankings/2025Q2/").status_code == 200


def test_it_keys_the_page_by_language(published: list[Publication], counted: dict[str, int]) -> None:
    client = Client()
    chinese = client.get("/rankings/2025Q2/").content.decode()
    english = client.get("/rankings/2025Q2/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert counted["score_bars"] == 2
    assert "下载排名表" in chinese and "下载排名表" not in english


def test_it_rebuilds_when_another_period_is_published(
    published: list[Publication], fv: FrameworkVersion, counted: dict[str, int]
) -> None:
    client = Client()
    client.get("/rankings/2025Q1/")
    publish("2025Q3", 3, fv)
    page = client.get("/rankings/2025Q1/").content.decode()
    assert counted["score_bars"] == 2
    assert 'value="2025Q3"' in page  # the period selector lists the new period


def test_it_never_caches_a_notice_period_page(
    institutions: Any, fv: FrameworkVersion, counted: dict[str, int]
) -> None:
    publish("2025Q1", 1, fv, final=False)
    client = Client()
    client.get("/rankings/2025Q1/")
    client.get("/rankings/2025Q1/")
    assert counted["score_bars"] == 2
    assert _cache_keys() == []


def test_it_serves_the_bulletin_and_profiles_from_the_cache(
    published: list[Publication], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    bulletin = client.get("/rankings/2025Q2/bulletin.pdf").content
    profile = client.get("/rankings/2025Q2/HY-MI/profile.pdf").content
    workbook = client.get("/rankings/2025Q2/ranking.xlsx").content
    assert bulletin.startswith(b"%PDF") and profile.startswith(b"%PDF") and workbook.startswith(b"PK")

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a cached document was built again")

    from qiangji.web.publication import views

    for name in ("bulletin", "profile", "ranking_workbook"):
        monkeypatch.setattr(views, name, refuse)
    assert client.get("/rankings/2025Q2/bulletin.pdf").content == bulletin
    assert client.get("/rankings/2025Q2/HY-MI/profile.pdf").content == profile
    assert client.get("/rankings/2025Q2/ranking.xlsx").content == workbook


def test_it_keeps_the_cache_in_files_shared_by_every_process() -> None:
    from django.conf import settings

    assert settings.CACHES[pagecache.ALIAS]["BACKEND"].endswith("FileBasedCache")


def test_another_test_run_in_the_checkout_leaves_this_runs_cache_alone() -> None:
    """The SQLite and PostgreSQL passes may run side by side in one checkout, and every test of each
    empties the page cache (tests/conftest.py): never the other run's, or its cached pages vanish between
    two requests of a test."""
    store = caches[pagecache.ALIAS]
    store.set("qj:probe", b"kept", timeout=None)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"QIANGJI_TEST_DB": "sqlite"}
    node = f"{Path(__file__).relative_to(ROOT)}::test_it_keeps_the_cache_in_files_shared_by_every_process"
    other = subprocess.run(
        [sys.executable, "-m", "pytest", node, "-q", "-p", "no:cacheprovider"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert other.returncode == 0, other.stdout + other.stderr
    assert store.get("qj:probe") == b"kept"


def test_the_light_index_lists_the_public_publications_in_their_order(
    published: list[Publication], fv: FrameworkVersion
) -> None:
    from qiangji.web.publication import pages

    publish("2024", 4, fv)
    publish("2025Q3", 5, fv, final=False)
    refs = pages.public_index()
    pubs = pages.public_publications()
    assert [(r.pk, r.code, r.status, r.content_sha256) for r in refs] == [
        (p.pk, p.period.code, p.status, p.content_sha256) for p in pubs
    ]
    assert [r.code for r in refs] == ["2025Q3", "2025Q2", "2025Q1", "2024"]
    assert str(refs[0].notice_ends_on) == pubs[0].notice_ends_on.isoformat()  # type: ignore[union-attr]
