"""Content-Security-Policy without 'unsafe-inline' scripts: the header on public, staff and admin pages, and
no page that could break under it (no inline executable <script>, no on… handler, no javascript: URL).

The pages are parsed with html.parser, so an attribute is found wherever it sits in the tag, whatever its
quoting; the browser tests (tests/browser/test_csp.py) check that the charts still draw under the policy.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from typing import Any

import plotly.graph_objects as go
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from qiangji.web.assessment.frameworks import ensure_default_framework
from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.comparisons.models import ComparisonRound, MeasurementPoint, Participant
from qiangji.web.publication.charts import embed
from qiangji.web.publication.views import SCRIPTS_DIR
from qiangji.web.registry.models import Institution
from tests.web.publication.conftest import COUNTIES, publish

EXECUTABLE_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data")


class InlineScriptFinder(HTMLParser):
    """Collects what a `script-src 'self'` policy blocks: inline executable scripts (a <script> without
    ``src`` whose type is not a data type), event-handler attributes and ``javascript:`` URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            url = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            if name in EXECUTABLE_URL_ATTRIBUTES and url.startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
        kind = (attributes.get("type") or "").strip().lower()
        if tag == "script" and "src" not in attributes and kind != "application/json":
            self.found.append(f"<script type={kind!r}> without src")


def inline_scripts(html: str) -> list[str]:
    finder = InlineScriptFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def directives(policy: str) -> dict[str, list[str]]:
    parts = (d.split() for d in policy.split(";") if d.strip())
    return {name: values for name, *values in parts}


@pytest.fixture
def site(db: Any) -> dict[str, Any]:
    """Two published quarters, a comparison round and a superuser (the admin role sees every page)."""
    for code, name in COUNTIES.items():
        Institution.objects.create(code=code, name=name, level=Institution.Level.COUNTY)
    fv = ensure_default_framework(FrameworkVersion)[0]
    publish("2025Q1", 1, fv)
    pub = publish("2025Q2", 2, fv)
    pilot, *labs = Institution.objects.order_by("code")[:3]
    rnd = ComparisonRound.objects.create(
        code="CMP-CSP", name="200 g 砝码质量比对（示例）", year=2025, quantity="质量", unit="mg", pilot=pilot,
        transfer_standard="F1 级 200 g 砝码（示例）", status=ComparisonRound.Status.OPEN,
        deadline=timezone.now() + dt.timedelta(days=10),
    )  # fmt: skip
    MeasurementPoint.objects.create(round=rnd, order=1, label="200 g", nominal=200.0)
    for i, inst in enumerate([pilot, *labs]):
        Participant.objects.create(round=rnd, institution=inst, lab_code=f"L{i}")
    office = get_user_model().objects.create_superuser("office", "office@example.invalid", "not-used-pw-123")
    return {"unit": pub.content["rows"][0]["unit"], "inst": pilot, "office": office}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pages(site: dict[str, Any]) -> list[tuple[str, bool]]:
    """(path, needs a login) for the pages of the brief's list, and a few more of each app."""
    return [
        ("/", False),
        ("/rankings/2025Q1/", False),
        (f"/rankings/2025Q2/{site['unit']}/", False),
        ("/accounts/login/", False),
        ("/programme/", True),
        ("/assessment/", True),
        ("/assessment/2025Q2/", True),
        ("/comparisons/", True),
        ("/comparisons/CMP-CSP/", True),
        ("/comparisons/competitions/", True),
        ("/excel/", True),
        ("/institutions/", True),
        ("/audit/", True),
        ("/admin/", True),
        (f"/admin/registry/institution/{site['inst'].pk}/change/", True),
        ("/admin/comparisons/comparisonround/add/", True),
    ]


def test_it_finds_what_the_policy_would_block() -> None:
    # The checker itself: the markup these pages had before (plotly's inline newPlot, inline onchange).
    fig = go.Figure(go.Bar(x=[1], y=[2]))
    old_chart = fig.to_html(include_plotlyjs=False, full_html=False, div_id="c")
    assert inline_scripts(old_chart) == ["<script type=''> without src"]
    assert inline_scripts('<select name="p" ONCHANGE="this.form.submit()">') != []
    assert inline_scripts('<a href=" JavaScript:alert(1)">x</a>') != []
    assert inline_scripts('<script type="module">go()</script>') != []
    assert (
        inline_scripts('<script src="/x.js" defer></script><script type="application/json">{}</script>') == []
    )


def test_the_header_allows_scripts_from_this_origin_only(site: dict[str, Any]) -> None:
    responses = {
        "public": Client().get("/"),
        "staff": signed_in(site["office"]).get("/programme/"),
        "admin": signed_in(site["office"]).get("/admin/"),
    }
    for who, response in responses.items():
        assert response.status_code == 200, who
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], who  # no 'unsafe-inline', 'unsafe-eval', host or scheme
        assert policy["object-src"] == ["'none'"], who
        assert policy["base-uri"] == ["'none'"], who
        assert policy["frame-ancestors"] == ["'none'"], who
        assert policy["form-action"] == ["'self'"], who
        assert policy["default-src"] == ["'self'"], who
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], who


def test_no_page_has_an_inline_script_or_handler(site: dict[str, Any]) -> None:
    office = signed_in(site["office"])
    offences = {}
    for path, needs_login in pages(site):
        response = (office if needs_login else Client()).get(path)
        assert response.status_code == 200, (path, response.status_code)
        found = inline_scripts(response.content.decode())
        if found:
            offences[path] = found
    assert offences == {}


def test_the_charts_are_data_and_the_scripts_come_from_this_origin(site: dict[str, Any]) -> None:
    html = Client().get(f"/rankings/2025Q2/{site['unit']}/").content.decode()
    for chart in ("chart-radar", "chart-contributions", "chart-trend"):
        assert f'<div id="{chart}" class="chart" data-figure="{chart}-figure"></div>' in html
        figure = json.loads(_json_script(html, f"{chart}-figure"))
        assert figure["config"] == {"displaylogo": False, "displayModeBar": False, "responsive": True}
        assert figure["data"] and figure["layout"]["title"]["text"]
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert sources[0].startswith("/scripts/forms.js?v=")
    assert sources[1].startswith("/charts/plotly.min.js?v=")
    assert sources[2].startswith("/scripts/charts.js?v=") and len(sources) == 3


def test_a_name_in_a_figure_cannot_close_its_script_element() -> None:
    hostile = "</script><script>alert(1)</script> & <!--"
    html = str(embed(go.Figure(go.Bar(x=[1], y=[2], name=hostile)), "chart-x"))
    assert "</script><script>" not in html and "<!--" not in html
    assert inline_scripts(html) == []
    assert json.loads(_json_script(html, "chart-x-figure"))["data"][0]["name"] == hostile


@pytest.mark.django_db
def test_it_serves_the_site_scripts_to_anyone() -> None:
    for name in ("charts", "forms"):
        response = Client().get(f"/scripts/{name}.js")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/javascript; charset=utf-8"
        assert response.content == (SCRIPTS_DIR / f"{name}.js").read_bytes()  # no Accept-Encoding: as it is
        assert "max-age" in response["Cache-Control"]
    assert Client().get("/scripts/plotly.js").status_code == 404
    assert Client().get("/scripts/..%2Fviews.js").status_code == 404


def test_the_selects_submit_without_inline_handlers(site: dict[str, Any]) -> None:
    # forms.js submits a select marked data-autosubmit; without JavaScript the <noscript> button does.
    public = Client().get("/").content.decode()
    assert re.search(r'<select id="period-select" name="period" data-autosubmit>', public)
    assert re.search(r'<select name="language" data-autosubmit', public)
    overview = signed_in(site["office"]).get("/assessment/2025Q2/").content.decode()
    assert re.search(r'<select name="version" data-autosubmit', overview)
    for html in (public, overview):
        forms = re.findall(r"<form[^>]*>.*?</form>", html, flags=re.S)
        auto = [f for f in forms if "data-autosubmit" in f]
        assert auto and all(re.search(r'<noscript><button type="submit">', f) for f in auto)


def _json_script(html: str, element_id: str) -> str:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, flags=re.S)
    assert match is not None, element_id
    return match.group(1)
