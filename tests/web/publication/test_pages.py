import re

import pytest

from qiangji.web.publication.models import Publication
from qiangji.web.publication.views import PLOTLY_JS
from qiangji.web.registry.models import Institution, SupervisionFinding
from tests.web.publication.conftest import publish

pytestmark = pytest.mark.django_db


def rows_of(html: str) -> list[tuple[str, int, str]]:
    """(unit, rank, score) of every leaderboard row, in page order."""
    return [
        (m[0], int(m[1]), m[2])
        for m in re.findall(r'data-unit="([^"]+)" data-rank="(\d+)" data-score="([^"]+)"', html)
    ]


def test_it_shows_the_latest_final_ranking_at_the_root_without_login(client, published) -> None:
    _q1, q2 = published
    html = client.get("/").content.decode()
    assert "2025年第2季度" in html
    expected = [(r["unit"], r["rank"], f"{r['score']:.2f}") for r in q2.content["rows"]]
    assert rows_of(html) == expected
    assert q2.content_sha256 in html
    for tier in ("第一方阵", "第二方阵", "第三方阵"):
        assert tier in html
    assert 'value="2025Q1"' in html and 'value="2025Q2"' in html


def test_it_shows_rank_changes_against_the_previous_publication(client, published) -> None:
    q2 = published[1]
    html = client.get("/rankings/2025Q2/").content.decode()
    for row in q2.content["rows"]:
        cell = re.search(rf'data-unit="{row["unit"]}".*?<td class="change">(.*?)</td>', html, re.S)
        assert cell is not None
        change = row["change"]
        expected = f"↑{change}" if change > 0 else f"↓{-change}" if change < 0 else "—"
        assert expected in cell.group(1)
    first = client.get("/rankings/2025Q1/").content.decode()
    assert 'class="up"' not in first and 'class="down"' not in first


def test_it_highlights_institutions_below_the_rm_target(client, published) -> None:
    q2 = published[1]
    html = client.get("/rankings/2025Q2/").content.decode()
    below = [r for r in q2.content["rows"] if r["rm_coverage"] < 80]
    assert below, "the test data must have an institution below the target"
    assert html.count('class="badge">未达标') == len(below)


def test_it_redirects_the_period_selector_and_404s_unknown_periods(client, published) -> None:
    assert client.get("/?period=2025q1")["Location"] == "/rankings/2025Q1/"
    assert client.get("/rankings/2030Q1/").status_code == 404


def test_it_does_not_show_a_draft(client, institutions, fv) -> None:
    publish("2025Q3", 3, fv, final=False)  # in notice: public
    Publication.objects.update(status="draft")
    assert "尚无已发布的排行榜" in client.get("/").content.decode()
    assert client.get("/rankings/2025Q3/").status_code == 404


def test_it_marks_a_ranking_in_notice(client, institutions, fv) -> None:
    pub = publish("2025Q3", 3, fv, final=False)
    html = client.get("/").content.decode()
    assert "公示中" in html and str(pub.notice_ends_on) in html


def test_it_shows_a_scorecard(client, published, fv) -> None:
    unit = published[1].content["rows"][4]["unit"]
    SupervisionFinding.objects.create(
        institution=Institution.objects.get(code=unit),
        found_on=published[1].period.start,
        sub_dimension="C4",
        severity="major",
        description="证书引用作废规程",
        due_on=published[1].period.end,
    )
    q3 = publish("2025Q3", 3, fv)  # open on its as-of date when it was finalised: in its content
    row = next(r for r in q3.content["rows"] if r["unit"] == unit)
    html = client.get(f"/rankings/2025Q3/{row['unit']}/").content.decode()
    assert row["name"] in html
    assert f'<strong id="rank">{row["rank"]}</strong>' in html
    assert f'<strong id="score">{row["score"]:.2f}</strong>' in html
    for div in ("chart-radar", "chart-contributions", "chart-trend"):
        assert f'id="{div}"' in html
    assert "证书引用作废规程" in html
    assert '"2025Q1"' in html and '"2025Q2"' in html and '"2025Q3"' in html  # every period on the trend
    assert client.get("/rankings/2025Q2/NOPE/").status_code == 404


def test_it_serves_plotly_from_the_installed_package_and_no_cdn(client, published) -> None:
    html = client.get("/").content.decode()
    assert re.search(r'<script src="/charts/plotly\.min\.js\?v=[0-9a-f]{12}" defer></script>', html)
    assert "cdn" not in html.lower()
    response = client.get("/charts/plotly.min.js")
    assert response.content == PLOTLY_JS.read_bytes()
