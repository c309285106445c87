import pytest

from qiangji.demo.load import load_demo
from qiangji.web.registry.models import Division, Institution


@pytest.mark.django_db
def test_it_loads_demo_data_once(client) -> None:
    first = load_demo()
    counts = (Division.objects.count(), Institution.objects.count())
    second = load_demo()
    assert counts == (9, 10)
    assert sum(first.created.values()) == 19
    assert sum(second.created.values()) == 0
    assert (Division.objects.count(), Institution.objects.count()) == counts


@pytest.mark.django_db
def test_it_shows_institutions_on_the_home_page_in_chinese(client) -> None:
    load_demo()
    html = client.get("/institutions/").content.decode()
    assert "计量技术机构" in html
    assert "温岭市计量检定所（示例）" in html
