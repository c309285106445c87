"""The home page (待办) of each role and the user's own notifications."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from qiangji.web.accounts import policy
from qiangji.web.accounts.decorators import staff_required
from qiangji.web.inbox.homes import city, leadership, reporter
from qiangji.web.inbox.models import Notification

TEMPLATES = {
    policy.REPORTER: "inbox/home_reporter.html",
    policy.REVIEWER: "inbox/home_reviewer.html",
    policy.ADMIN: "inbox/home_admin.html",
    policy.LEADERSHIP: "inbox/home_leadership.html",
}


def _mine(request: HttpRequest) -> object:
    return Notification.objects.filter(recipient=request.user)


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    role = policy.role_of(request.user)
    if role == policy.REPORTER:
        context = reporter.context(policy.institution_of(request.user))  # type: ignore[arg-type]
    elif role == policy.LEADERSHIP:
        context = leadership.context()
    elif role == policy.ADMIN:
        context = city.admin_context()
    else:
        context = city.reviewer_context()
    unread = _mine(request).filter(read_at__isnull=True)  # type: ignore[attr-defined]
    context |= {"today": timezone.localdate(), "unread": unread[:5], "unread_count": unread.count()}
    return render(request, TEMPLATES[role], context)


@staff_required
def notifications(request: HttpRequest) -> HttpResponse:
    mine = _mine(request)
    shown = mine.filter(read_at__isnull=True) if request.GET.get("unread") else mine  # type: ignore[attr-defined]
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "inbox/notifications.html",
        {"page": page, "only_unread": bool(request.GET.get("unread"))},
    )


@require_POST
@staff_required
def mark_read(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Mark one of the user's messages read (then follow its link if asked), or all of them."""
    mine = _mine(request).filter(read_at__isnull=True)  # type: ignore[attr-defined]
    if pk is not None:
        note = get_object_or_404(_mine(request), pk=pk)  # another user's message: 404, never revealed
        if note.read_at is None:
            note.read_at = timezone.now()
            note.save(update_fields=["read_at"])
        if request.POST.get("open") and _safe(request, note.link):
            return redirect(note.link)
    else:
        for note in mine:  # one by one: each change goes through the audit trail
            note.read_at = timezone.now()
            note.save(update_fields=["read_at"])
    back = request.POST.get("next", "")
    return redirect(back if _safe(request, back) else "inbox:notifications")


def _safe(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure())
