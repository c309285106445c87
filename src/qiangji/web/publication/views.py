"""Public pages (no login): the leaderboard, institution scorecards, plotly.min.js, the site's scripts and
icon, and the exports."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import plotly
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from qiangji.web.programme.advice import advice_for
from qiangji.web.publication import charts, pages
from qiangji.web.publication.exports.excel import ranking_workbook
from qiangji.web.publication.exports.pdf import bulletin, profile
from qiangji.web.publication.models import Publication

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
#: The site's own scripts (charts.js, forms.js). Served by `script`, not only by staticfiles: a production
#: WSGI server (DEBUG off) serves no /static/, and the pages must not fall back to inline script.
SCRIPTS_DIR = Path(__file__).resolve().parent / "scripts"
SCRIPTS = frozenset(p.stem for p in SCRIPTS_DIR.glob("*.js"))
#: The site icon (a gauge in the site colour), linked from base.html and answered at /favicon.ico.
FAVICON = Path(__file__).resolve().parent / "static" / "publication" / "favicon.svg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: A URL that carries the file's current digest (``?v=``) never changes content: cache it for a year.
IMMUTABLE_SECONDS = 365 * 24 * 3600
#: Without the digest (an old page, a hand-typed URL): revalidate within the hour.
UNVERSIONED_SECONDS = 3600


@cache
def file_digest(path: Path) -> str:
    """First 12 hex digits of the file's SHA-256: the ``?v=`` of its URL (read once per process)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _versioned_file(request: HttpRequest, path: Path, content_type: str) -> FileResponse:
    """The file, cached immutable for a year when the request names its current digest, else an hour."""
    response = FileResponse(path.open("rb"), content_type=content_type)
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
    pub = pages.public_publication(wanted)
    if pub is None:
        if wanted:
            raise Http404("no published ranking for this period")
        return render(request, "publication/empty.html", {})
    ctx = pages.leaderboard_context(pub)
    ctx["score_chart"] = charts.score_bars(ctx["content"])
    return render(request, "publication/leaderboard.html", ctx)


@require_safe
def scorecard(request: HttpRequest, period: str, unit: str) -> HttpResponse:
    pub = _published(period)
    ctx = pages.scorecard_context(pub, unit)
    content = ctx["content"]
    ctx["radar_chart"] = charts.radar(content, unit)
    ctx["contribution_chart"] = charts.contributions(content, unit)
    ctx["trend_chart"] = charts.trend(ctx["trend"])
    ctx["advice"] = advice_for(pub, unit)
    return render(request, "publication/scorecard.html", ctx)


@require_safe
def plotly_js(request: HttpRequest) -> FileResponse:
    """The plotly.js bundle shipped in the installed plotly package (never a CDN); pages link it with its
    content digest (``?v=``, `plotly_src`), so a plotly upgrade is fetched at once."""
    return _versioned_file(request, PLOTLY_JS, "text/javascript; charset=utf-8")


@require_safe
def script(request: HttpRequest, name: str) -> FileResponse:
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
    pub = _published(period)
    return _download(
        ranking_workbook(pages.content_of(pub), pub.content_sha256), XLSX, f"ranking-{pub.period.code}.xlsx"
    )


@require_safe
def bulletin_pdf(request: HttpRequest, period: str) -> HttpResponse:
    pub = _published(period)
    return _download(
        bulletin(pages.content_of(pub), pub.content_sha256),
        "application/pdf",
        f"bulletin-{pub.period.code}.pdf",
    )


@require_safe
def profile_pdf(request: HttpRequest, period: str, unit: str) -> HttpResponse:
    pub = _published(period)
    ctx = pages.scorecard_context(pub, unit)
    name = f"profile-{pub.period.code}-{unit}.pdf"
    pdf = profile(ctx["content"], unit, ctx["trend"], ctx["findings"], advice=advice_for(pub, unit))
    return _download(pdf, "application/pdf", name)


def _published(period: str) -> Publication:
    pub = pages.public_publication(period)
    if pub is None:
        raise Http404("no published ranking for this period")
    return pub


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


__all__: list[Any] = [
    "bulletin_pdf",
    "favicon",
    "leaderboard",
    "plotly_js",
    "profile_pdf",
    "ranking_xlsx",
    "scorecard",
    "script",
]
