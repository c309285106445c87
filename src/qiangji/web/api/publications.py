"""Publications: final ones and those in their public-notice period (公示: published for objections, as the
public pages show them) are public, no token needed; drafts only for the city side."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router

from qiangji.web.api import access
from qiangji.web.api.auth import optional_auth
from qiangji.web.api.errors import ERRORS
from qiangji.web.api.schemas import PERIOD_CODE, PublicationDetail, PublicationOut
from qiangji.web.publication.content import current_content
from qiangji.web.publication.models import Publication
from qiangji.web.publication.pages import PUBLIC

router = Router(tags=["publications"], auth=optional_auth)


def visible_publications(user: Any) -> QuerySet[Publication]:
    qs = Publication.objects.select_related("period", "run")
    return qs if access.sees_unpublished(user) else qs.filter(status__in=PUBLIC)


def publication_out(pub: Publication) -> dict[str, Any]:
    return {
        "period": pub.period.code,
        "title": pub.title,
        "status": pub.status,
        "notice_started_on": pub.notice_started_on,
        "notice_ends_on": pub.notice_ends_on,
        "finalised_at": pub.finalised_at,
        "content_sha256": pub.content_sha256,
    }


@router.get("/publications", response={200: list[PublicationOut], **ERRORS})
def publications(request: HttpRequest) -> list[dict[str, Any]]:
    """Final publications and those in their public-notice period (status `notice`: not final, objections
    accepted until `notice_ends_on`), newest first; drafts too for the city side."""
    return [publication_out(p) for p in visible_publications(request.user).order_by("-period__end")[:500]]


@router.get("/publications/{period}", response={200: PublicationDetail, **ERRORS})
def publication(request: HttpRequest, period: str = Path(..., pattern=PERIOD_CODE)) -> dict[str, Any]:
    """One period's publication with its content: frozen if final; during the public notice (`notice`) the
    ranking as published for objections, not final."""
    pub = visible_publications(request.user).filter(period__code=period).first()
    if pub is None:
        raise Http404(_("考核期次 %(period)s 没有已发布的排行榜。") % {"period": period})
    return {**publication_out(pub), "content": current_content(pub)}
