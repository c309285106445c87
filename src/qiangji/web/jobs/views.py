"""A job's page and its progress fragment (polled by htmx every second while the job runs)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe
from django_htmx.http import HttpResponseClientRedirect

from qiangji.web.accounts.decorators import staff_required
from qiangji.web.jobs import runner
from qiangji.web.jobs.models import Job


def _job(request: HttpRequest, pk: int) -> Job:
    job = get_object_or_404(Job.objects.select_related("created_by"), pk=pk)
    if not runner.can_follow(request.user, job):
        raise PermissionDenied("this job belongs to someone else")
    return job


def _next(request: HttpRequest, job: Job) -> str:
    wanted = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure())
    return wanted if wanted and safe else job.result_url


@staff_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "jobs/job.html", {"job": job, "next": _next(request, job)})


@staff_required
@require_safe
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment; once the job is done, an htmx request is sent on to ``?next=`` (or the
    job's result page): the finished work is shown by the page it belongs to."""
    job = _job(request, pk)
    target = _next(request, job)
    if job.status == Job.Status.DONE and target and getattr(request, "htmx", False):
        return HttpResponseClientRedirect(target)
    context = {"job": job, "next": target, "waiting_long": runner.is_waiting_long(job)}
    return render(request, "jobs/_progress.html", context)
