"""Registry read endpoints: institutions, their staff and measurement standards (scoped by the policy)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router

from qiangji.web.api import access
from qiangji.web.api.errors import ERRORS
from qiangji.web.api.pagination import PageQuery, page
from qiangji.web.api.schemas import INSTITUTION_CODE, InstitutionOut, InstitutionPage, StaffPage, StandardPage
from qiangji.web.registry.models import Institution

router = Router(tags=["registry"])
Code = Path(..., pattern=INSTITUTION_CODE)


def institution_out(inst: Institution) -> dict[str, Any]:
    return {
        "code": inst.code,
        "name": inst.name,
        "level": inst.level,
        "legal_type": inst.legal_type,
        "is_ranked": inst.is_ranked,
        "established_on": inst.established_on,
        "dissolved_on": inst.dissolved_on,
        "address": inst.address,
        "divisions": [d.code for d in inst.divisions.all()],
    }


def visible_institution(request: HttpRequest, code: str) -> Institution:
    """The institution with ``code`` if the caller may see it; 404 otherwise (no existence oracle)."""
    inst = access.visible_institutions(request.user).filter(code=code).first()
    if inst is None:
        raise Http404(_("机构 %(code)s 不存在。") % {"code": code})
    return inst


@router.get("/institutions", response={200: InstitutionPage, **ERRORS})
def institutions(request: HttpRequest, params: PageQuery) -> dict[str, Any]:
    qs = access.visible_institutions(request.user).prefetch_related("divisions").order_by("code")
    return page(qs, params, institution_out)


@router.get("/institutions/{code}", response={200: InstitutionOut, **ERRORS})
def institution(request: HttpRequest, code: str = Code) -> dict[str, Any]:
    return institution_out(visible_institution(request, code))


@router.get("/institutions/{code}/staff", response={200: StaffPage, **ERRORS})
def staff(request: HttpRequest, params: PageQuery, code: str = Code) -> dict[str, Any]:
    inst = visible_institution(request, code)
    return page(inst.staff.order_by("pk"), params, lambda s: s)


@router.get("/institutions/{code}/standards", response={200: StandardPage, **ERRORS})
def standards(request: HttpRequest, params: PageQuery, code: str = Code) -> dict[str, Any]:
    inst = visible_institution(request, code)
    return page(inst.standards.order_by("pk"), params, lambda s: s)
