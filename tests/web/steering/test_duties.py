"""Import of the 强检职责清单: all-or-nothing, errors naming row and column, CSV and Excel (full-width
digits, trailing spaces), on the page for the city and refused to a county."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qiangji.web.steering.duties import import_duty_list
from qiangji.web.steering.models import DutyListItem
from tests.web.accounts.conftest import make_user

HEADER = "区划代码,年度,一级序号,二级序号,在用器具数量,依据文件\n"


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO((HEADER + text).encode("utf-8"))


def test_it_replaces_the_lists_in_the_file(world: dict[str, Any]) -> None:
    result = import_duty_list(_csv("A,2025,1,1,5100,清单〔2025〕1号\nA,2025,3,1,950,\n"), "duties.csv")
    assert (
        result.errors == [] and result.stored == 2 and result.replaced == 3 and result.lists == [("A", 2025)]
    )
    a = DutyListItem.objects.filter(division__code="A", year=2025).order_by("item__level1_no")
    assert [(r.item.level1_name, r.population) for r in a] == [("衡器", 5100), ("水表", 950)]
    assert DutyListItem.objects.filter(division__code="B").count() == 3  # other lists untouched


def test_one_bad_row_stores_nothing_and_every_error_is_named(world: dict[str, Any]) -> None:
    before = list(DutyListItem.objects.values_list("pk", "population").order_by("pk"))
    rows = "A,2025,1,1,5100,\nZ,2025,1,1,10,\nA,2025,2,1,abc,\nA,2025,9,1,5,\nA,2025,1,1,7,\n"
    result = import_duty_list(_csv(rows), "duties.csv")
    assert result.errors == [
        "第3行，列“区划代码”：未登记的行政区划（值：'Z'）",
        "第4行，列“在用器具数量”：应为整数（值：'abc'）",
        "第5行，列“一级序号/二级序号”：9/1 不是现行目录中实施强制检定的项目",
        "第6行：与第2行重复（同一区划、年度、目录项只能出现一次）",
    ]
    assert list(DutyListItem.objects.values_list("pk", "population").order_by("pk")) == before


def test_a_missing_column_is_named(world: dict[str, Any]) -> None:
    result = import_duty_list(io.BytesIO("区划代码,年度,一级序号\nA,2025,1\n".encode()), "x.csv")
    assert result.errors == ["前 10 行中找不到表头：须含列 区划代码、年度、一级序号、二级序号、在用器具数量"]


def _xlsx(rows: list[list[Any]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["强检职责清单（示例）"])  # a title row above the header
    ws.append(["区划代码", "年度", "一级序号", "二级序号", "在用器具数量"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_excel_with_full_width_digits_and_trailing_spaces(world: dict[str, Any]) -> None:
    data = _xlsx([["B ", "２０２５", 1, 1, "４，２００"], ["B", 2025, 2, 1, 300]])
    result = import_duty_list(io.BytesIO(data), "duties.xlsx")
    assert result.errors == [] and result.stored == 2
    b = DutyListItem.objects.filter(division__code="B", year=2025).order_by("item__level1_no")
    assert [(r.item.level1_name, r.population) for r in b] == [("衡器", 4200), ("压力表", 300)]


def test_the_page_imports_for_the_city_and_refuses_a_county(world: dict[str, Any]) -> None:
    city, county = Client(), Client()
    city.force_login(make_user("office", "admin", world["tz"]))
    county.force_login(make_user("county1", "reporter", world["c1"]))
    upload = {"file": SimpleUploadedFile("duties.csv", (HEADER + "A,2026,1,1,10,\n").encode())}
    assert county.post("/steering/capability/duties/", upload).status_code == 403
    assert not DutyListItem.objects.filter(year=2026).exists()
    upload = {"file": SimpleUploadedFile("duties.csv", (HEADER + "A,2026,1,1,10,\n").encode())}
    page = city.post("/steering/capability/duties/", upload, follow=True)
    assert "已导入强检职责清单 1 项" in page.content.decode()
    bad = {"file": SimpleUploadedFile("duties.csv", (HEADER + "A,2027,1,1,-3,\n").encode())}
    page = city.post("/steering/capability/duties/", bad, follow=True).content.decode()
    assert "未保存任何数据" in page and "第2行，列“在用器具数量”" in page
    assert not DutyListItem.objects.filter(year=2027).exists()
