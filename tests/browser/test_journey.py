"""Issue 12's whole journey of a new period, in Chromium, with real logins and nothing done behind the pages:
the programme admin opens 2026Q3 on the periods page; each of nine county reporters submits all its values
with evidence in one pass; the reviewer returns one value with a reason, the county corrects and resubmits
it, the reviewer approves all in bulk and, the day after the deadline, locks; the admin computes (a job on
the database queue run by its worker), previews, starts the notice; a county lodges an objection on the
site and the admin answers it; the day after the objection period the ranking is published final; the
leaderboard shows it and the bulletin PDF names every county. The officers' page loads from the lock to the
bulletin are counted (at most 12). Then a value of the published period cannot be changed through the
form, the Excel upload or the API: each attempt is refused with the reason and the value stays.

The calendar is the only thing moved: `django.utils.timezone.localdate`, the day every rule of the
lifecycle asks, is set to the day after the reporting deadline for the lock and to the day after the
objection period for the final step — what an office does on those days, with the same checks.
Screenshots per step in test-output/journey-*.png."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from qiangji.web.accounts.roles import assign_role
from qiangji.web.api.locking import version_of
from qiangji.web.api.models import ApiToken
from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import FrameworkVersion, ReportedValue
from qiangji.web.publication.models import Publication
from qiangji.web.registry.models import Institution
from tests.browser.helpers import login, run_worker
from tests.web.assessment.helpers import PDF
from tests.web.publication.conftest import COUNTIES, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "journey-browser-test-pw-1"  # throwaway accounts of the test database
CODE = "2026Q3"
RETURNED = ("JJ-MI", "D1.3")


class Calendar:
    """The office's calendar day (`timezone.localdate()` without an argument); timestamps stay real."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real = timezone.localdate
        self.day = self.real()
        monkeypatch.setattr(timezone, "localdate", self._localdate)

    def _localdate(self, value: Any = None, timezone: Any = None) -> dt.date:
        return self.day if value is None else self.real(value, timezone)


@pytest.fixture
def calendar(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calendar]:
    yield Calendar(monkeypatch)


def people() -> dict[str, Any]:
    made = {}
    User = get_user_model()
    for name, role, inst in [("office", "admin", None), ("checker", "reviewer", None)] + [
        (f"rep-{code[:2].lower()}", "reporter", code) for code in COUNTIES
    ]:
        user = User.objects.create_user(name, f"{name}@example.invalid", PASSWORD)
        assign_role(user, role, Institution.objects.get(code=inst) if inst else None)
        made[name] = user
    return made


def values_for(index: int, fv: FrameworkVersion) -> dict[str, str]:
    """What county ``index`` types: a plausible number in every reportable field (within its bounds)."""
    rng = np.random.default_rng(100 + index)
    fw = fv.framework()
    typed: dict[str, str] = {}
    for code in fw.indicators:
        node = fw.node(code)
        if (node.unit or "").strip() == "%":
            den = int(rng.integers(20, 40))
            typed[f"{code}-numerator"], typed[f"{code}-denominator"] = (
                str(int(rng.integers(5, den))),
                str(den),
            )
        else:
            lo, hi = node.bounds or (0.0, 100.0)
            hi = min(hi if hi is not None else 30.0, 100.0) / 4  # a quarter of a year's flow
            typed[f"{code}-value"] = str(round(float(rng.uniform(lo or 0.0, hi)), 1))
    return typed


def report_all(page: Any, base: str, code: str, typed: dict[str, str], shot: Any) -> None:
    login(page, base, f"rep-{code[:2].lower()}", PASSWORD, f"/assessment/{CODE}/report/{code}/")
    fields = page.locator("#report-table input[name$='-value'], #report-table input[name$='-numerator'], "
                          "#report-table input[name$='-denominator']")  # fmt: skip
    names = [fields.nth(i).get_attribute("name") for i in range(fields.count())]
    rows = sorted({n.rsplit("-", 1)[0] for n in names})
    for name in names:
        page.fill(f"input[name='{name}']", typed[name])
    for row in rows:
        page.set_input_files(f"input[name='{row}-evidence']", [_pdf(f"{row} 佐证.pdf")])
    if shot:
        page.screenshot(path=str(shot), full_page=True)
    page.click("button[value=submit]")
    page.wait_for_url(f"**/assessment/{CODE}/report/{code}/")
    assert f"已提交审核 {len(rows)} 项" in page.locator(".messages").inner_text()


def _pdf(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def test_a_new_period_from_opening_to_the_published_bulletin(
    new_page: Any, live_server: Any, output_dir: Any, calendar: Calendar
) -> None:
    base = live_server.url
    for code, name in COUNTIES.items():
        Institution.objects.create(code=code, name=name, level=Institution.Level.COUNTY)
    fv = ensure_default_framework(FrameworkVersion)[0]
    publish("2026Q2", 5, fv)  # the previous quarter, published final: the preview compares with it
    people()
    today = calendar.day
    deadline = today + dt.timedelta(days=7)

    # 1. The programme admin opens the period on the periods page.
    office = new_page()
    login(office, base, "office", PASSWORD, "/assessment/")
    office.fill("#id_code", CODE)
    office.fill("#id_opens", today.isoformat())
    office.fill("#id_deadline", deadline.isoformat())
    office.select_option("#id_framework", fv.version)
    office.click("#open-period-button")
    office.wait_for_url("**/assessment/")
    assert "填报中" in office.locator(f"#period-{CODE}").inner_text()
    office.screenshot(path=str(output_dir / "journey-1-opened.png"), full_page=True)

    # 2. Every county reports all its values, with evidence, in one pass.
    county = {}
    for i, code in enumerate(COUNTIES):
        county[code] = new_page()
        shot = output_dir / "journey-2-report.png" if i == 0 else None
        report_all(county[code], base, code, values_for(i, fv), shot)
    per_county = ReportedValue.objects.filter(period__code=CODE, institution__code="JJ-MI").count()
    assert ReportedValue.objects.filter(period__code=CODE, status="submitted").count() == 9 * per_county

    # 3. The reviewer returns one value with a reason; the county corrects and resubmits it.
    checker = new_page()
    login(checker, base, "checker", PASSWORD, f"/assessment/{CODE}/review/")
    returned = ReportedValue.objects.get(
        period__code=CODE, institution__code=RETURNED[0], indicator=RETURNED[1]
    )
    row = checker.locator(f"#report-{returned.pk}")
    row.locator("input[name=reason]").fill("检定量与佐证统计表不一致，请核对")
    row.locator("button", has_text="退回").click()
    checker.wait_for_load_state("load")
    returned.refresh_from_db()
    assert returned.status == "returned"
    jj = county[RETURNED[0]]
    jj.goto(f"{base}/home/")
    assert "检定量与佐证统计表不一致" in jj.locator("main").inner_text()
    jj.goto(f"{base}/assessment/{CODE}/report/{RETURNED[0]}/")
    jj.fill(f"input[name='{RETURNED[1]}-value']", "1,234")
    jj.click("button[value=submit]")
    jj.wait_for_url(f"**/assessment/{CODE}/report/{RETURNED[0]}/")
    returned.refresh_from_db()
    assert (returned.status, returned.value) == ("submitted", Decimal(1234))

    # 4. The reviewer approves everything in bulk (one confirmation), and locks after the deadline.
    checker.goto(f"{base}/assessment/{CODE}/review/?status=submitted")
    checker.click("button[value='approve|filtered']")
    checker.wait_for_url("**/review/bulk/")
    checker.screenshot(path=str(output_dir / "journey-3-approve-confirm.png"), full_page=True)
    checker.click("#confirm-button")
    checker.wait_for_url(f"**/assessment/{CODE}/review/?*")
    assert set(ReportedValue.objects.filter(period__code=CODE).values_list("status", flat=True)) == {
        "approved"
    }
    checker.goto(f"{base}/assessment/{CODE}/lock/")
    assert "截止之后方可锁定" in checker.locator("#lock-refusal").inner_text()

    calendar.day = deadline + dt.timedelta(days=1)  # the day after the deadline
    loads: list[str] = []
    for who in (checker, office):
        who.on("load", lambda p: loads.append(p.url))
    checker.reload()
    checker.click("#lock-button")
    checker.wait_for_load_state("load")
    assert ReportedValue.objects.filter(period__code=CODE, status="locked").count() == 9 * per_county

    # 5. The admin computes (the worker runs the job), previews and starts the notice.
    office.goto(f"{base}/home/")
    office.click(f"a[href='/publish/{CODE}/']")
    office.fill("#id_runs", "200")
    office.click("#compute-button")
    office.wait_for_selector(".job[data-status=queued]")
    run_worker()
    office.wait_for_selector("#draft-ranking", timeout=20000)
    assert office.locator("#draft-ranking tbody tr[data-unit]").count() == 9
    office.screenshot(path=str(output_dir / "journey-4-preview.png"), full_page=True)
    office.fill("input[name=start]", calendar.day.isoformat())
    office.click("#notice-button")
    office.wait_for_selector("#objections")
    assert office.locator("#stage").get_attribute("data-stage") == "notice"
    pub = Publication.objects.get(period__code=CODE)
    assert pub.notice_ends_on is not None

    # 6. A county lodges an objection on the site; the admin answers it.
    hy = county["HY-MI"]
    hy.goto(f"{base}/home/")
    hy.click(".lodge-link")
    hy.fill("textarea[name=text]", "本所 C1.3 有效投诉数应为 0，公示稿为其他数值，请复核。")
    hy.click("button:has-text('提交异议')")
    hy.wait_for_load_state("load")
    assert "异议已提交" in hy.locator("main").inner_text()
    hy.screenshot(path=str(output_dir / "journey-5-objection.png"), full_page=True)
    office.reload()
    objection = pub.objections.get()
    form = office.locator(f"#answer-{objection.pk}")
    form.locator("input[value=rejected]").check()
    form.locator("textarea[name$=reply]").fill("经核对，公示稿采用的是已审核通过的填报值，异议不成立。")
    form.locator("button.primary").click()
    office.wait_for_load_state("load")
    objection.refresh_from_db()
    assert objection.outcome == "rejected"
    office.screenshot(path=str(output_dir / "journey-6-answered.png"), full_page=True)

    # 7. The day after the objection period, the admin publishes; the bulletin names every county.
    calendar.day = pub.notice_ends_on + dt.timedelta(days=1)
    office.reload()
    office.click("#final-button")
    office.wait_for_selector("#bulletin-link")
    office.screenshot(path=str(output_dir / "journey-7-final.png"), full_page=True)
    with office.expect_download() as download:
        office.click("#bulletin-link")
    text = _pdf_text(download.value.path())
    missing = [name for name in COUNTIES.values() if name not in text]
    assert not missing, missing
    assert len(loads) <= 12, loads
    print(f"officers' page loads from the lock to the bulletin: {len(loads)}")

    public = new_page()
    public.goto(f"{base}/rankings/{CODE}/")
    board = public.locator("main").inner_text()
    assert all(name in board for name in COUNTIES.values()) and "公示" not in board.split("\n")[0]
    public.screenshot(path=str(output_dir / "journey-8-leaderboard.png"), full_page=True)

    # 8. A value of the published period cannot be changed: form, Excel upload, API.
    refused_all_three(jj, base)


def _pdf_text(path: str) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(path).pages).replace(" ", "")


def refused_all_three(page: Any, base: str) -> None:
    inst, code = RETURNED
    stored = ReportedValue.objects.get(period__code=CODE, institution__code=inst, indicator=code)
    before = list(ReportedValue.objects.filter(period__code=CODE).values_list("pk", "value", "status"))
    reason = "2026年第3季度的排行榜已发布，数据不能再修改。"
    page.goto(f"{base}/assessment/{CODE}/report/{inst}/")
    assert reason in page.locator("main").inner_text()
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    headers = {"X-CSRFToken": csrf, "Referer": f"{base}/assessment/{CODE}/report/{inst}/"}
    form = page.request.post(
        f"{base}/assessment/{CODE}/report/{inst}/", headers=headers,
        form={f"{code}-value": "99999", f"{code}-version": version_of(stored), "action": "submit"},
    )  # fmt: skip
    assert form.status in (400, 403, 409) and reason in form.text(), form.status
    upload = page.request.post(
        f"{base}/assessment/{CODE}/upload/", headers=headers,
        multipart={"file": {"name": "report.xlsx", "mimeType": "application/octet-stream",
                            "buffer": _workbook(inst, code)}, "submit": "on"},
    )  # fmt: skip
    assert upload.status in (400, 403, 409) and reason in upload.text(), upload.status
    user = get_user_model().objects.get(username=f"rep-{inst[:2].lower()}")
    _token, secret = ApiToken.issue(user, "journey")
    api = page.request.put(
        f"{base}/api/v1/reports/{CODE}/{inst}/{code}",
        headers={"Authorization": f"Bearer {secret}"},
        data={"value": "99999", "version": version_of(stored)},
    )
    assert api.status == 409 and reason in api.text(), (api.status, api.text())
    after = list(ReportedValue.objects.filter(period__code=CODE).values_list("pk", "value", "status"))
    assert after == before


def _workbook(inst: str, code: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["机构代码", "指标代码", "数值"])
    sheet.append([inst, code, 99999])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
