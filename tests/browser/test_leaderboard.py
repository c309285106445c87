import pytest

from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.publication.models import Publication
from qiangji.web.registry.models import Institution
from tests.web.publication.conftest import COUNTIES, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def publish_two_quarters() -> Publication:
    for code, name in COUNTIES.items():
        Institution.objects.create(code=code, name=name, level=Institution.Level.COUNTY)
    fv = ensure_default_framework(FrameworkVersion)[0]
    publish("2025Q1", 1, fv)
    return publish("2025Q2", 2, fv)


def test_it_shows_the_leaderboard_and_a_scorecard(page, live_server, output_dir) -> None:
    pub = Publication.objects.get(pk=publish_two_quarters().pk)
    rows = pub.content["rows"]
    page.goto(live_server.url + "/")
    assert "2025年第2季度计量技术机构能力建设指数排行榜" in page.locator("h1").inner_text()
    table = page.locator("#leaderboard tbody tr[data-unit]")
    assert table.count() == len(rows) == 9
    for i, row in enumerate(rows):
        tr = table.nth(i)
        assert tr.locator("td.rank").inner_text() == str(row["rank"])
        assert tr.locator("td.score").inner_text() == f"{row['score']:.2f}"
        assert tr.get_by_text(row["name"], exact=True).count() == 1
        assert tr.locator(".interval .span").count() == 1
    tiers = page.locator("#leaderboard tbody td.tier").all_inner_texts()  # a column, in rank order
    assert tiers == ["第一方阵"] * 3 + ["第二方阵"] * 3 + ["第三方阵"] * 3
    assert page.locator("#leaderboard tr.tier-break").count() == 2
    assert page.locator("#content-hash").inner_text() == pub.content_sha256
    page.wait_for_selector("#chart-scores .main-svg")
    assert page.locator("#chart-scores g.trace.bars").count() == 6  # one stacked trace per dimension
    page.screenshot(path=str(output_dir / "leaderboard.png"), full_page=True)

    top = rows[0]
    page.get_by_role("link", name=top["name"]).click()
    page.wait_for_selector("#chart-radar .main-svg")
    assert page.locator("h1").inner_text() == top["name"]
    assert page.locator("#rank").inner_text() == str(top["rank"])
    assert page.locator("#score").inner_text() == f"{top['score']:.2f}"
    assert page.locator("#chart-radar .polar").count() == 1
    page.wait_for_selector("#chart-trend .main-svg")
    assert "优势与短板" in page.content()
    page.screenshot(path=str(output_dir / "scorecard.png"), full_page=True)
