"""Registry pages outside the admin: the public directory, each institution's public page and, for those
who may see it, its registry lists (as of a date, filtered, exported to Excel)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiangji.web.accounts import audit, policy
from qiangji.web.accounts.decorators import staff_required
from qiangji.web.accounts.models import AuditEvent
from qiangji.web.registry import exports
from qiangji.web.registry.models import Division, Institution, MeasurementStandard, RegistryProposal
from qiangji.web.registry.models.base import within
from qiangji.web.registry.sections import SECTIONS, Row, Section, certificate_queryset, certificate_rows

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DirectoryFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("机构名称"), required=False, max_length=100)
    division = forms.ModelChoiceField(
        label=gettext_lazy("服务区划"), queryset=Division.objects.all(), required=False
    )
    level = forms.ChoiceField(
        label=gettext_lazy("层级"),
        required=False,
        choices=[("", gettext_lazy("全部")), *Institution.Level.choices],
    )


def home(request: HttpRequest) -> HttpResponse:
    """The public directory: name, area, authorised items and public standards (counts), contact."""
    today = timezone.localdate()
    f = DirectoryFilter(request.GET or None)
    qs = Institution.objects.active_on(today).prefetch_related("divisions")
    if f.is_valid():
        data = f.cleaned_data
        qs = qs.filter(name__icontains=data["q"]) if data["q"] else qs
        qs = qs.filter(divisions=data["division"]) if data["division"] else qs
        qs = qs.filter(level=data["level"]) if data["level"] else qs
    authorised = within(today, "authorised_from", "authorised_to", prefix="mv_items__")
    qs = qs.annotate(items=Count("mv_items", filter=authorised, distinct=True)).order_by("level", "code")
    public = dict(
        MeasurementStandard.objects.public_valid_on(today)
        .values_list("institution")
        .annotate(n=Count("pk"))
        .values_list("institution", "n")
    )
    rows = [(inst, public.get(inst.pk, 0)) for inst in qs.distinct()]
    context: dict[str, Any] = {"rows": rows, "filter": f, "today": today}
    if policy.can_review_proposals(request.user):
        context["pending"] = RegistryProposal.objects.filter(status=RegistryProposal.Status.PENDING).count()
    return render(request, "registry/home.html", context)


def institution(request: HttpRequest, code: str) -> HttpResponse:
    """An institution's public page: what the public may know (no person is named)."""
    inst = get_object_or_404(Institution, code=code)
    today = timezone.localdate()
    items = (
        inst.mv_items.authorised_on(today)
        .select_related("item")
        .order_by("item__level1_no", "item__level2_no")
    )
    standards = MeasurementStandard.objects.public_valid_on(today).filter(institution=inst).order_by("name")
    context = {
        "inst": inst,
        "today": today,
        "items": items,
        "standards": standards,
        "sections": SECTIONS.values() if policy.can_view_registry(request.user, inst) else [],
        "can_propose": policy.can_propose(request.user, inst),
    }
    return render(request, "registry/institution.html", context)


def _section(request: HttpRequest, code: str, slug: str) -> tuple[Institution, Section]:
    section = SECTIONS.get(slug)
    if section is None:
        raise Http404("no such list")
    inst = get_object_or_404(Institution, code=code)
    if not policy.can_view_registry(request.user, inst):
        raise PermissionDenied("this institution's registry is visible to its own reporters and the city")
    return inst, section


@staff_required
def section(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    inst, sec = _section(request, code, slug)
    f = sec.filter_form(request.GET or None)
    page = None
    if sec.paginate:
        page = Paginator(certificate_queryset(inst, f), PAGE_SIZE).get_page(request.GET.get("page"))
        rows = certificate_rows(inst, f, page.object_list)
    else:
        rows = sec.build(inst, f)
    can_propose = policy.can_propose(request.user, inst)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "inst": inst,
        "section": sec,
        "sections": SECTIONS.values(),
        "filter": f,
        "on": f.value("on"),
        "days": f.value("days"),
        "rows": [(row, row_actions(sec, row, inst) if can_propose else []) for row in rows],
        "page": page,
        "query": query.urlencode(),
        "can_propose": can_propose,
        "new_link": _link(inst, sec.kind) if can_propose and sec.kind else "",
    }
    return render(request, "registry/section.html", context)


@staff_required
def export(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    inst, sec = _section(request, code, slug)
    f = sec.filter_form(request.GET or None)
    rows = sec.build(inst, f)
    body = exports.workbook(sec, inst, f, rows, request.user)
    audit.record(
        AuditEvent.Action.EXPORT, app_label="registry", model=f"page:{slug}",
        object_id=str(inst.pk), object_repr=inst.name[:200], after={**request.GET.dict(), "rows": len(rows)},
    )  # fmt: skip
    name = f"{inst.code}-{slug}-{f.value('on').isoformat()}.xlsx"
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _link(inst: Institution, kind: str, pk: int | None = None, retire: bool = False, **initial: Any) -> str:
    if pk is None:
        url = reverse("registry:propose", args=[inst.code, kind])
    else:
        url = reverse(
            "registry:propose_retire" if retire else "registry:propose_change", args=[inst.code, kind, pk]
        )
    if initial:
        url += "?" + "&".join(f"{k}={v}" for k, v in initial.items())
    return url


def row_actions(sec: Section, row: Row, inst: Institution) -> list[tuple[str, str]]:
    """The proposals a county reporter may start from a row of its own registry."""
    pk = row.obj.pk
    if sec.slug == "staff":
        actions = [(_("修改"), _link(inst, "staff", pk)), (_("离职"), _link(inst, "staff", pk, True))]
        actions.append((_("新增注册"), _link(inst, "registration", staff=pk)))
        reg = row.extra.get("registration")
        if reg is not None:
            actions.append((_("修改注册"), _link(inst, "registration", reg.pk)))
        return actions
    if sec.slug == "standards":
        return [
            (_("修改"), _link(inst, "standard", pk)),
            (_("封存/撤销"), _link(inst, "standard", pk, True)),
            (_("新增标准器"), _link(inst, "instrument", standard=pk)),
        ]
    if sec.slug == "instruments":
        actions = [
            (_("修改"), _link(inst, "instrument", pk)),
            (_("删除"), _link(inst, "instrument", pk, True)),
        ]
        actions.append((_("新增证书"), _link(inst, "instrument-certificate", instrument=pk)))
        cert = row.extra.get("certificate")
        if cert is not None:
            actions.append((_("修改证书"), _link(inst, "instrument-certificate", cert.pk)))
        return actions
    return []
