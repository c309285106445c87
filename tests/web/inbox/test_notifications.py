"""Each workflow event notifies the right people once (site and email); nobody sees another's messages."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from qiangji.web.assessment import workflow as reporting
from qiangji.web.assessment.models import ReportedValue
from qiangji.web.inbox.models import Notification
from qiangji.web.publication import service
from qiangji.web.publication.models import Objection

from .conftest import TODAY, client_as, open_period, publication, report

Kind = Notification.Kind


def told(kind: str) -> list[str]:
    """Usernames notified of ``kind``, sorted (duplicates kept, so a second message would show)."""
    rows = Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    return sorted(rows)


def test_it_tells_every_ranked_reporter_once_when_a_period_opens(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        period = open_period("2030Q1", user=world["admin"])
    assert told(Kind.PERIOD_OPENED) == ["county1", "county1b", "county2"]
    note = Notification.objects.get(recipient=world["rep1"], kind=Kind.PERIOD_OPENED)
    assert str(period.deadline) in note.subject and note.link == "/assessment/2030Q1/report/C1/"
    # only reporters with an address get an email; each email once
    assert sorted(m.to[0] for m in mail.outbox) == ["county1@example.invalid", "county2@example.invalid"]
    with django_capture_on_commit_callbacks(execute=True):
        open_period("2030Q1", days=20)  # re-dated: the same event, no second message
    assert told(Kind.PERIOD_OPENED) == ["county1", "county1b", "county2"]
    assert len(mail.outbox) == 2


def test_it_does_not_announce_a_period_whose_window_is_over(world):
    open_period("2020Q1", opens=TODAY - dt.timedelta(days=40), days=-10)
    assert told(Kind.PERIOD_OPENED) == []


def test_it_tells_the_institutions_reporters_why_a_value_was_returned(
    world, django_capture_on_commit_callbacks
):
    period = open_period("2030Q1")
    value = report(period, world["c1"], "D3.1", ReportedValue.Status.SUBMITTED, "12")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reporting.return_report(value, world["reviewer"], "佐证材料与数值不符")
    assert told(Kind.VALUE_RETURNED) == ["county1", "county1b"]
    note = Notification.objects.get(recipient=world["rep1"], kind=Kind.VALUE_RETURNED)
    assert "D3.1" in note.subject and "佐证材料与数值不符" in note.body and "12" in note.body
    assert [m.to for m in mail.outbox] == [["county1@example.invalid"]]
    assert "佐证材料与数值不符" in mail.outbox[0].body and mail.outbox[0].subject.endswith(note.subject)
    # returned again after a correction: a new event, a new message
    value.refresh_from_db()
    value.status = ReportedValue.Status.SUBMITTED
    value.save()
    reporting.return_report(value, world["reviewer"], "仍不符")
    assert told(Kind.VALUE_RETURNED) == ["county1", "county1", "county1b", "county1b"]


def test_a_failed_email_leaves_the_step_done_and_the_message_for_the_next_run(
    world, django_capture_on_commit_callbacks
):
    from qiangji.web.inbox.remind import remind

    period = open_period("2030Q1")
    value = report(period, world["c1"], "D3.1", ReportedValue.Status.SUBMITTED)
    Notification.objects.update(emailed_at=timezone.now())  # the opening's emails are not the point here
    mail.outbox.clear()
    broken = mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError)
    with broken, django_capture_on_commit_callbacks(execute=True):
        reporting.return_report(value, world["reviewer"], "请补充佐证")
    value.refresh_from_db()
    assert value.status == ReportedValue.Status.RETURNED
    note = Notification.objects.get(recipient=world["rep1"], kind=Kind.VALUE_RETURNED)
    assert note.emailed_at is None and mail.outbox == []
    assert remind(TODAY).emails == 1
    note.refresh_from_db()
    assert note.emailed_at is not None and [m.to for m in mail.outbox] == [["county1@example.invalid"]]
    assert remind(TODAY).emails == 0


def test_a_notice_reaches_every_reporter_and_leadership_with_the_objection_deadline(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pub = publication("2030Q1", world, seed=1, final=False, start=TODAY)
    assert told(Kind.NOTICE) == ["county1", "county1b", "county2", "director"]
    note = Notification.objects.get(recipient=world["leader"], kind=Kind.NOTICE)
    assert str(pub.notice_ends_on) in note.subject and "异议" in note.body
    assert note.link == reverse("publication:period", args=["2030Q1"])
    assert "可在本平台提交异议：/publish/2030Q1/objection/" in note.body  # the page, not only words
    assert len(mail.outbox) == 3  # county1b has no address


def test_a_notice_that_is_already_over_is_not_news(world):
    publication("2020Q1", world, seed=1, final=True, start=TODAY - dt.timedelta(days=60))
    assert told(Kind.NOTICE) == []


def test_an_answered_objection_reaches_its_lodger_and_institution_once(world):
    pub = publication("2030Q1", world, seed=1, final=False, start=TODAY)
    first = service.lodge_objection(
        pub.period, text="D3.1 数据有误", submitted_by="甲县 张三 0576-0000", institution=world["c1"],
        user=world["rep1"],
    )  # fmt: skip
    second = service.lodge_objection(
        pub.period, text="排名依据不明", submitted_by="市民 李四", user=world["admin"]
    )
    service.answer_objection(
        first, outcome=Objection.Outcome.REJECTED, reply="经核实数据无误。", user=world["admin"]
    )
    assert told(Kind.OBJECTION_ANSWERED) == ["county1", "county1b"]
    note = Notification.objects.get(recipient=world["rep1"], kind=Kind.OBJECTION_ANSWERED)
    assert "经核实数据无误" in note.body and "不成立" in note.subject
    service.answer_objection(
        second, outcome=Objection.Outcome.REJECTED, reply="依据见公告。", user=world["admin"]
    )
    # the second answer tells its lodger (the office recorded it) and repeats nothing for the first
    assert told(Kind.OBJECTION_ANSWERED) == ["county1", "county1b", "office"]


def test_nobody_sees_or_marks_another_users_messages(world):
    open_period("2030Q1")
    theirs = Notification.objects.get(recipient=world["rep1"])
    other = client_as(world["rep2"])
    page = other.get(reverse("inbox:notifications")).content.decode()
    mine = Notification.objects.get(recipient=world["rep2"])
    assert reverse("inbox:read", args=[mine.pk]) in page
    assert reverse("inbox:read", args=[theirs.pk]) not in page
    assert other.post(reverse("inbox:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    other.post(reverse("inbox:read_all"))
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.read_at is None and mine.read_at is not None


def unread_in_header(client: Any) -> str:
    html = client.get(reverse("inbox:notifications")).content.decode()
    header = html[html.index("<header>") : html.index("</header>")]
    return header[header.index("inbox-count") :].split("</a>")[0]


@pytest.mark.parametrize("who", ["rep1", "leader"])
def test_the_header_counts_unread_messages_until_they_are_read(world, who):
    open_period("2030Q1")
    publication("2030Q2", world, seed=2, final=False, start=TODAY)
    c = client_as(world[who])
    expected = Notification.objects.filter(recipient=world[who]).count()
    assert expected == (2 if who == "rep1" else 1)
    assert f"<strong>{expected}</strong>" in unread_in_header(c)
    first = Notification.objects.filter(recipient=world[who]).first()
    response = c.post(reverse("inbox:read", args=[first.pk]), {"open": "1"})  # leadership may: its own
    assert response.status_code == 302 and response["Location"] == first.link
    if expected > 1:
        assert f"<strong>{expected - 1}</strong>" in unread_in_header(c)
    c.post(reverse("inbox:read_all"))
    assert "<strong>" not in unread_in_header(c)
    assert not Notification.objects.filter(recipient=world[who], read_at__isnull=True).exists()
