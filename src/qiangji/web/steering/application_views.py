"""A county enters its own research applications (申报) on the cooperation page (issue 19 point 4).

The step ``enter_research_application`` (``accounts.policy.STEP_ROLES``): an account linked to an
institution adds, changes or withdraws that institution's applications while their outcome is open
(申报准备 or 已申报); the outcome (立项 with the registry's research project, or 未立项) is the city's, in the
admin, where the model's rules link it. Another institution's application, or a decided one, is refused.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qiangji.web.accounts import policy
from qiangji.web.accounts.decorators import step_required
from qiangji.web.registry.models import Institution
from qiangji.web.steering.forms import OPEN_STATUSES, ApplicationForm
from qiangji.web.steering.models import ResearchApplication


def own_institution(user: Any) -> Institution | None:
    """The institution whose applications ``user`` may enter (None: none)."""
    if not policy.may(user, "enter_research_application"):
        return None
    return policy.institution_of(user)


def editing(request: HttpRequest, own: Institution | None) -> ResearchApplication | None:
    """The own open application opened for a change (``?edit=<id>``), else None."""
    pk = request.GET.get("edit", "")
    if own is None or not pk.isdigit():
        return None
    return ResearchApplication.objects.filter(pk=int(pk), institution=own, status__in=OPEN_STATUSES).first()


@require_POST
@step_required("enter_research_application")
def application(request: HttpRequest) -> HttpResponse:
    own = own_institution(request.user)
    if own is None:
        raise PermissionDenied("your account is not linked to an institution")
    if "delete" in request.POST:
        return _withdraw(request, own)
    instance = ResearchApplication(institution=own)
    if request.POST.get("application"):  # a change of one of its own
        instance = _open_own(request.POST["application"], own)
    form = ApplicationForm(request.POST, instance=instance)
    if form.is_valid() and _not_in_future(form):
        changed = instance.pk is not None
        form.save()
        messages.success(request, _("申报已修改。") if changed else _("申报已登记。"))
    else:
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else _("申报")
            messages.error(request, f"{label}：{'；'.join(errs)}")
    return redirect("steering:cooperation")


def _open_own(pk: str, own: Institution) -> ResearchApplication:
    """One of ``own``'s applications whose outcome is still open (404 for another's; 403 once decided)."""
    found = get_object_or_404(ResearchApplication, pk=pk, institution=own)
    if found.status not in OPEN_STATUSES:
        raise PermissionDenied("the outcome of this application is recorded; the city changes it")
    return found


def _not_in_future(form: ApplicationForm) -> bool:
    day = form.cleaned_data.get("submitted_on")
    if day is not None and day > timezone.localdate():
        form.add_error("submitted_on", _("申报日期不能晚于今天（%(d)s）。") % {"d": timezone.localdate()})
        return False
    return True


def _withdraw(request: HttpRequest, own: Institution) -> HttpResponse:
    found = _open_own(request.POST["delete"], own)
    if found.status != ResearchApplication.Status.PREPARING:
        messages.error(request, _("已申报的项目不能撤回，可修改其信息；结果由市计量院登记。"))
        return redirect("steering:cooperation")
    found.delete()
    messages.success(request, _("已撤回申报：%(t)s。") % {"t": found.title})
    return redirect("steering:cooperation")
