"""The steering pages in Chromium, each as its role: the programme admin imports a duty list on the
capability map and accepts a proposed training need; a county reporter sees its own column only and
enters its own research application;
leadership reads the three-year results report and downloads its PDF. Screenshots in test-output/."""

from __future__ import annotations

import pytest

from qiangji.web.programme.models import TrainingNeed, TrainingTopic
from qiangji.web.steering.models import DutyListItem, ResearchApplication
from tests.browser.test_registry_pages import signed_in
from tests.web.accounts.conftest import make_user
from tests.web.steering.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_capability_assistance_and_results_as_each_role(new_page, live_server, output_dir, tmp_path) -> None:
    world = build_world()
    TrainingTopic.objects.create(code="RM", name="注册计量师考前辅导", kind="exam")
    base = live_server.url
    office = signed_in(new_page, base, make_user("office", "admin", world["tz"]))
    office.goto(f"{base}/steering/capability/?as_of=2025-12-31")
    assert "gap" in office.locator("#items tr", has_text="水表").get_attribute("class")
    assert "duplicate" in office.locator("#clusters tr", has_text="模具").get_attribute("class")
    csv = tmp_path / "duties.csv"
    csv.write_text(
        "区划代码,年度,一级序号,二级序号,在用器具数量\nB,2026,1,1,4100\nB,2026,2,1,abc\n", encoding="utf-8"
    )
    office.set_input_files("input[name=file]", str(csv))
    office.click("#import-duties")
    office.wait_for_load_state()
    assert "第3行，列“在用器具数量”：应为整数" in office.content()
    assert not DutyListItem.objects.filter(year=2026).exists()
    csv.write_text(
        "区划代码,年度,一级序号,二级序号,在用器具数量\nB,2026,1,1,4100\nB,2026,2,1,300\n", encoding="utf-8"
    )
    office.set_input_files("input[name=file]", str(csv))
    office.click("#import-duties")
    office.wait_for_load_state()
    assert "已导入强检职责清单 2 项" in office.content()
    office.screenshot(path=str(output_dir / "steering-capability.png"), full_page=True)

    office.goto(f"{base}/steering/assistance/?as_of=2025-12-31&year=2026")
    row = office.locator("#proposals tr", has_text="乙县计量所（示例）")
    assert "注册计量师考前辅导" in row.inner_text() and "3" in row.inner_text()
    row.locator("button", has_text="采纳").click()
    office.wait_for_load_state()
    assert "已加入 2026 年培训需求" in office.content()
    assert TrainingNeed.objects.get(institution=world["c2"], year=2026).headcount == 3
    office.screenshot(path=str(output_dir / "steering-assistance.png"), full_page=True)

    county = signed_in(new_page, base, make_user("county1", "reporter", world["c1"]))
    county.goto(f"{base}/steering/capability/?as_of=2025-12-31")
    headers = county.locator("#items thead th").all_inner_texts()
    assert "C1" in headers and "C2" not in headers and "TZ" not in headers
    assert (
        county.locator("text=三年强基行动成效报告").count() == 0
        and county.locator("input[name=file]").count() == 0
    )
    county.goto(f"{base}/steering/cooperation/")
    assert county.locator("h1").inner_text().startswith("合作交流与科研申报")
    county.fill("#id_title", "泵类能效在线测试方法研究（示例）")
    county.select_option("#id_funding_level", "municipal")
    county.fill("#id_funder", "市科技局（示例）")
    county.select_option("#id_status", "submitted")
    county.fill("#id_submitted_on", "2025-03-01")
    county.click("#application button[type=submit]")
    county.wait_for_load_state()
    assert "申报已登记。" in county.content()
    assert (
        "在审，有望实现零突破" in county.locator("#pipeline tr", has_text="甲区计量所（示例）").inner_text()
    )
    assert ResearchApplication.objects.get().institution == world["c1"]
    county.screenshot(path=str(output_dir / "steering-cooperation-county.png"), full_page=True)

    leader = signed_in(new_page, base, make_user("director", "leadership"))
    leader.goto(f"{base}/steering/results/?as_of=2025-12-31")
    coverage = leader.locator("#coverage tr", has_text="乙县计量所（示例）").inner_text()
    assert "25.0%" in coverage and "未达标" in coverage
    with leader.expect_download() as download:
        leader.click("#pdf")
    assert download.value.suggested_filename == "results-2025-12-31.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    leader.screenshot(path=str(output_dir / "steering-results.png"), full_page=True)
