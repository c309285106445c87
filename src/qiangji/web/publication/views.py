"""Public pages (no login): the leaderboard, institution scorecards, plotly.min.js, the site's scripts and
icon, and the exports."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import plotly
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from qiangji.web import compression
from qiangji.web.accounts import policy
from qiangji.web.publication import charts, pagecache, pages, shell
from qiangji.web.publication.advice import advice_for
from qiangji.web.publication.exports.docx import bulletin_docx as bulletin_docx_bytes
from qiangji.web.publication.exports.excel import ranking_workbook
from qiangji.web.publication.exports.methodology_pdf import methodology_pdf as methodology_pdf_bytes
from qiangji.web.publication.exports.pdf import bulletin, profile
from qiangji.web.publication.methodology import methodology_context
from qiangji.web.publication.models import Publication
from qiangji.web.registry.models import Institution
from qiangji.web.registry.samples import SAMPLE_RULES

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
#: The site's own scripts (charts.js, forms.js). Served by `script`, not only by staticfiles: a production
#: WSGI server (DEBUG off) serves no /static/, and the pages must not fall back to inline script.
SCRIPTS_DIR = Path(__file__).resolve().parent / "scripts"
SCRIPTS = frozenset(p.stem for p in SCRIPTS_DIR.glob("*.js"))
#: The site icon (a gauge in the site colour), linked from base.html and answered at /favicon.ico.
FAVICON = Path(__file__).resolve().parent / "static" / "publication" / "favicon.svg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: A URL that carries the file's current digest (``?v=``) never changes content: cache it for a year.
IMMUTABLE_SECONDS = 365 * 24 * 3600
#: Without the digest (an old page, a hand-typed URL): revalidate within the hour.
UNVERSIONED_SECONDS = 3600


@cache
def file_digest(path: Path) -> str:
    """First 12 hex digits of the file's SHA-256: the ``?v=`` of its URL (read once per process)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _versioned_file(request: HttpRequest, path: Path, content_type: str) -> HttpResponse:
    """The file, compressed as the client accepts (brotli or gzip, `compression`), cached immutable for a
    year when the request names its current digest, else an hour."""
    response = compression.file_response(request, path, content_type)
    if request.GET.get("v") == file_digest(path):
        patch_cache_control(response, public=True, max_age=IMMUTABLE_SECONDS, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=UNVERSIONED_SECONDS)
    return response


@require_safe
def leaderboard(request: HttpRequest, period: str | None = None) -> HttpResponse:
    wanted = period or request.GET.get("period")
    if wanted and not period:
        return redirect("publication:period", period=wanted.strip().upper())
    refs = pages.public_index()
    ref = pages.choose_ref(refs, wanted)
    if ref is None:
        if wanted:
            raise Http404("no published ranking for this period")
        return render(request, "publication/empty.html", {})
    parts = [pagecache.publications_key(refs)]
    return _public_page(request, "leaderboard", ref, parts, lambda: _leaderboard_page(request, ref))


def _leaderboard_page(request: HttpRequest, ref: pages.PubRef) -> dict[str, str]:
    pubs = pages.public_publications()
    pub = next(p for p in pubs if p.pk == ref.pk)
    ctx = pages.leaderboard_context(pub, pubs)
    ctx["score_chart"] = charts.score_bars(ctx["content"])
    return _fragment(request, "publication/leaderboard.html", ctx)


@require_safe
def scorecard(request: HttpRequest, period: str, unit: str) -> HttpResponse:
    refs = pages.public_index()
    ref = _published_ref(period, refs)
    parts = [unit, pagecache.publications_key(refs)]
    build = functools.partial(_scorecard_page, request, ref, unit)
    return _public_page(
        request, "scorecard", ref, parts, build, functools.partial(_audit_links, request, ref, unit)
    )


def _audit_links(request: HttpRequest, ref: pages.PubRef, unit: str) -> list[dict[str, Any]]:
    """The C3/C4 scores of the scorecard with a link to the failing certificates behind each, for the
    office and the institution's own reporters (policy.can_audit_certificates); nothing for anyone else.
    Per request, outside the cached page body, which is the same for every visitor."""
    inst = Institution.objects.filter(code=unit).first()
    if inst is None or not policy.can_audit_certificates(request.user, inst):
        return []
    content = pages.content_of(Publication.objects.get(pk=ref.pk))
    names = {i["code"]: i for i in content["indicators"]}
    raw = content["raw"].get(unit, {})
    url = reverse("assessment:certificate_failures", args=[ref.code, unit])
    return [
        {"code": code, "name": names[code]["name"], "unit": names[code]["unit"], "value": raw.get(code),
         "url": f"{url}?indicator={code}"}
        for code in SAMPLE_RULES
        if code in names
    ]  # fmt: skip


def _scorecard_page(request: HttpRequest, ref: pages.PubRef, unit: str) -> dict[str, str]:
    pub = Publication.objects.select_related("period").get(pk=ref.pk)
    ctx = pages.scorecard_context(pub, unit)
    content = ctx["content"]
    ctx["radar_chart"] = charts.radar(content, unit)
    ctx["contribution_chart"] = charts.contributions(content, unit)
    ctx["trend_chart"] = charts.trend(ctx["trend"], ctx["n"])
    ctx["advice"] = advice_for(pub, unit)
    return _fragment(request, "publication/scorecard.html", ctx)


def _fragment(request: HttpRequest, template: str, ctx: dict[str, Any]) -> dict[str, str]:
    """A page template's title and body, rendered without the site's layout (which is per request)."""
    html = render_to_string(template, {**ctx, "parent": pagecache.FRAGMENT_PARENT}, request=request)
    return pagecache.split_fragment(html)


def _public_page(
    request: HttpRequest,
    kind: str,
    ref: pages.PubRef,
    parts: list[str],
    build: Callable[[], dict[str, str]],
    audit_links: Callable[[], list[dict[str, Any]]] | None = None,
) -> HttpResponse:
    """The page of ``kind``: its body from the page cache (``build()`` once per final publication); for an
    anonymous visitor of a final publication the whole page, kept compressed (shell.py), else the layout
    rendered around the body per request (with ``audit_links()``, which anonymous visitors never see)."""
    if shell.applies(request, ref):
        key = ":".join([pagecache.page_key(kind, ref, parts), request.path])
        response = shell.respond(
            request, key, lambda: _shell_html(request, pagecache.cached(kind, ref, parts, build))
        )
        if response is not None:
            return response
    page = pagecache.cached(kind, ref, parts, build)
    return _page(request, page, {"audit_links": audit_links()} if audit_links else None)


def _shell_html(request: HttpRequest, page: dict[str, str]) -> str:
    """The page as an anonymous visitor gets it, with :data:`shell.SLOT` where the CSRF token goes."""
    context = {"page_title": page["title"], "page_main": mark_safe(page["main"]), "csrf_token": shell.SLOT}
    return render_to_string("publication/page.html", context, request=request)


def _page(request: HttpRequest, page: dict[str, str], extra: dict[str, Any] | None = None) -> HttpResponse:
    """The site's layout (navigation, language, messages: per request) around a cached body; ``extra``
    is per-request content after it (the scorecard's audit links)."""
    context = {"page_title": page["title"], "page_main": mark_safe(page["main"]), **(extra or {})}
    return render(request, "publication/page.html", context)


@require_safe
def methodology(request: HttpRequest, period: str) -> HttpResponse:
    """指数编制说明 of a public publication, from the framework version its run used (methodology.py)."""
    refs = pages.public_index()
    ref = _published_ref(period, refs)
    return _public_page(request, "methodology", ref, [], lambda: _methodology_page(request, ref))


def _methodology_page(request: HttpRequest, ref: pages.PubRef) -> dict[str, str]:
    pub = Publication.objects.select_related("period", "run__framework_version").get(pk=ref.pk)
    return _fragment(request, "publication/methodology.html", methodology_context(pub))


@require_safe
def methodology_pdf(request: HttpRequest, period: str) -> HttpResponse:
    """The 指数编制说明 as a PDF (the page's text, with its address)."""
    ref = _published_ref(period, pages.public_index())
    data = pagecache.cached("methodology.pdf", ref, _site(), lambda: _methodology_pdf(ref))
    return _download(data, "application/pdf", f"methodology-{ref.code}.pdf")


def _site() -> list[str]:
    """The site's address, which a printed document cites: part of the cache key of those documents."""
    return [str(settings.QIANGJI.get("SITE_URL", "") or "")]


def _methodology_pdf(ref: pages.PubRef) -> bytes:
    pub = Publication.objects.select_related("period", "run__framework_version").get(pk=ref.pk)
    return methodology_pdf_bytes(methodology_context(pub))


@require_safe
def plotly_js(request: HttpRequest) -> HttpResponse:
    """The plotly.js bundle shipped in the installed plotly package (never a CDN); pages link it with its
    content digest (``?v=``, `plotly_src`), so a plotly upgrade is fetched at once."""
    return _versioned_file(request, PLOTLY_JS, "text/javascript; charset=utf-8")


@require_safe
def script(request: HttpRequest, name: str) -> HttpResponse:
    """One of the site's scripts (`SCRIPTS`); pages link it with a content digest (``?v=``, `script_src`)."""
    if name not in SCRIPTS:
        raise Http404("no such script")
    return _versioned_file(request, SCRIPTS_DIR / f"{name}.js", "text/javascript; charset=utf-8")


@require_safe
@cache_control(public=True, max_age=24 * 3600)
def favicon(request: HttpRequest) -> FileResponse:
    """/favicon.ico, which browsers ask for on every page the link does not reach (the admin): the SVG."""
    return FileResponse(FAVICON.open("rb"), content_type="image/svg+xml")


@require_safe
def ranking_xlsx(request: HttpRequest, period: str) -> HttpResponse:
    ref = _published_ref(period, pages.public_index())
    data = pagecache.cached("ranking.xlsx", ref, [], lambda: _workbook(ref))
    return _download(data, XLSX, f"ranking-{ref.code}.xlsx")


@require_safe
def bulletin_pdf(request: HttpRequest, period: str) -> HttpResponse:
    ref = _published_ref(period, pages.public_index())
    data = pagecache.cached("bulletin.pdf", ref, _site(), lambda: _bulletin(ref))
    return _download(data, "application/pdf", f"bulletin-{ref.code}.pdf")


@require_safe
def bulletin_docx(request: HttpRequest, period: str) -> HttpResponse:
    """The Word edition of a final bulletin, for the office to edit before sending (not of a notice)."""
    ref = _published_ref(period, pages.public_index())
    if ref.status != Publication.Status.FINAL:
        raise Http404("the Word edition is made of final publications only")
    data = pagecache.cached("bulletin.docx", ref, _site(), lambda: _bulletin_docx(ref))
    return _download(data, DOCX, f"bulletin-{ref.code}.docx")


def _bulletin_docx(ref: pages.PubRef) -> bytes:
    pub = _load(ref)
    return bulletin_docx_bytes(pages.content_of(pub), pub.content_sha256)


@require_safe
def profile_pdf(request: HttpRequest, period: str, unit: str) -> HttpResponse:
    refs = pages.public_index()
    ref = _published_ref(period, refs)
    parts = [unit, pagecache.publications_key(refs)]
    data = pagecache.cached("profile.pdf", ref, parts, lambda: _profile(ref, unit))
    return _download(data, "application/pdf", f"profile-{ref.code}-{unit}.pdf")


def _load(ref: pages.PubRef) -> Publication:
    return Publication.objects.select_related("period").get(pk=ref.pk)


def _workbook(ref: pages.PubRef) -> bytes:
    pub = _load(ref)
    return ranking_workbook(pages.content_of(pub), pub.content_sha256)


def _bulletin(ref: pages.PubRef) -> bytes:
    pub = _load(ref)
    return bulletin(pages.content_of(pub), pub.content_sha256)


def _profile(ref: pages.PubRef, unit: str) -> bytes:
    pub = _load(ref)
    ctx = pages.scorecard_context(pub, unit)
    return profile(ctx["content"], unit, ctx["trend"], ctx["findings"], advice=advice_for(pub, unit))


def _published_ref(period: str, refs: list[pages.PubRef]) -> pages.PubRef:
    ref = pages.choose_ref(refs, period)
    if ref is None:
        raise Http404("no published ranking for this period")
    return ref


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


__all__: list[Any] = [
    "bulletin_docx",
    "bulletin_pdf",
    "favicon",
    "leaderboard",
    "methodology",
    "methodology_pdf",
    "plotly_js",
    "profile_pdf",
    "ranking_xlsx",
    "scorecard",
    "script",
]
