import pytest
from django.utils import timezone

from qiangji.demo.load import load_demo
from qiangji.web.registry.models import Institution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_every_institution_in_chinese_after_login(page, live_server, output_dir) -> None:
    load_demo()
    page.goto(live_server.url + "/institutions/")
    assert "/login/" not in page.url  # the directory of institutions is public (issue 18)
    active = Institution.objects.active_on(timezone.localdate())
    rows = page.locator("table tbody tr")
    assert rows.count() == active.count()
    assert "计量技术机构" in page.locator("h1").inner_text()
    for inst in active:
        assert page.get_by_text(inst.name, exact=True).count() == 1
    page.screenshot(path=str(output_dir / "institutions.png"), full_page=True)
