"""The public directory of institutions and each one's public page: no person is ever named."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

PERSONAL = ["王五", "赵六", "钱七", "REG-VALID", "REG-EXPIRED", "A001"]


def test_it_lists_institutions_with_area_counts_and_contact_for_the_public(world: dict[str, Any]) -> None:
    response = Client().get(reverse("registry:home"))
    assert response.status_code == 200
    text = response.content.decode()
    row = text[text.index("甲县计量所（示例）") :].split("</tr>")[0]
    assert "示例区" in row and "0576-00000001" in row and "甲县示例路1号" in row
    assert "1 项</td>" in row.replace("\n", "")  # one item authorised today, one public standard valid today
    assert row.count("1 项") == 2
    assert reverse("registry:institution", args=["C1"]) in text


def test_it_shows_no_personal_data_to_the_public(world: dict[str, Any]) -> None:
    for url in [reverse("registry:home"), reverse("registry:institution", args=["C1"])]:
        text = Client().get(url).content.decode()
        assert not [word for word in PERSONAL if word in text], url


def test_the_public_page_lists_authorised_items_and_public_standards_only(world: dict[str, Any]) -> None:
    text = Client().get(reverse("registry:institution", args=["C1"])).content.decode()
    items = text[text.index('id="public-items"') : text.index('id="standards"')]
    assert "电子计价秤" in items and "出租车计价器" not in items  # the latter's authorisation ended
    standards = text[text.index('id="public-standards"') :]
    assert "电子天平检定装置（示例）" in standards and "内部校准装置" not in text
    assert reverse("registry:section", args=["C1", "staff"]) not in text  # no link the public cannot use


def test_it_filters_by_area_level_and_name(world: dict[str, Any]) -> None:
    c = Client()
    area = world["c1"].divisions.get().pk
    by_area = c.get(reverse("registry:home"), {"division": area}).content.decode()
    assert "甲县计量所" in by_area and "乙县计量所" not in by_area
    by_level = c.get(reverse("registry:home"), {"level": "city"}).content.decode()
    assert "台州市计量院" in by_level and "甲县计量所" not in by_level
    by_name = c.get(reverse("registry:home"), {"q": "乙县"}).content.decode()
    assert "乙县计量所" in by_name and "甲县计量所" not in by_name


def test_it_answers_404_for_an_unknown_institution(world: dict[str, Any]) -> None:
    assert Client().get(reverse("registry:institution", args=["NOPE"])).status_code == 404
