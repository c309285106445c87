import pytest

from qiangji.demo.load import DEMO_ADMIN, load_demo
from qiangji.web.registry.models import Institution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_every_institution_in_chinese_after_login(page, live_server, output_dir) -> None:
    load_demo()
    page.goto(live_server.url + "/accounts/login/?next=/institutions/")
    page.fill("input[name=username]", DEMO_ADMIN[0])
    page.fill("input[name=password]", DEMO_ADMIN[1])
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/institutions/")
    rows = page.locator("table tbody tr")
    assert rows.count() == Institution.objects.count()
    assert "计量技术机构" in page.locator("h1").inner_text()
    for inst in Institution.objects.all():
        assert page.get_by_text(inst.name, exact=True).count() == 1
    page.screenshot(path=str(output_dir / "institutions.png"), full_page=True)
