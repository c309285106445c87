"""Versioned script URLs and their caching, GET/HEAD on the public views, the site icon and the static files
WhiteNoise serves in development and tests (no collectstatic): in-process, through the whole middleware."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client

from qiangji.commands.production import ServerOptions, max_body_bytes, waitress_options
from qiangji.web.accounts.middleware import DEFAULT_CSP
from qiangji.web.publication.views import FAVICON, PLOTLY_JS, SCRIPTS_DIR, file_digest

pytestmark = pytest.mark.django_db
ONE_YEAR = 365 * 24 * 3600


def _sha12(path: Any) -> str:
    # Independent of the code under test: the first 12 hex digits of the file's SHA-256.
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _max_age(response: Any) -> int:
    match = re.search(r"max-age=(\d+)", response["Cache-Control"])
    assert match, response["Cache-Control"]
    return int(match.group(1))


def test_it_links_plotly_with_its_content_digest() -> None:
    html = Template("{% load site_scripts %}{% plotly_src %}").render(Context())
    assert html == f"/charts/plotly.min.js?v={_sha12(PLOTLY_JS)}"
    assert file_digest(PLOTLY_JS) == _sha12(PLOTLY_JS)


def test_the_chart_pages_include_the_versioned_plotly() -> None:
    html = Template('{% include "publication/_chart_scripts.html" %}').render(Context())
    assert f'<script src="/charts/plotly.min.js?v={_sha12(PLOTLY_JS)}" defer></script>' in html
    assert f'<script src="/scripts/charts.js?v={_sha12(SCRIPTS_DIR / "charts.js")}" defer></script>' in html


def test_it_caches_plotly_immutable_only_under_its_current_digest() -> None:
    current = Client().get(f"/charts/plotly.min.js?v={_sha12(PLOTLY_JS)}")
    assert current.status_code == 200 and current["Content-Type"] == "text/javascript; charset=utf-8"
    assert current.content == PLOTLY_JS.read_bytes()  # the test client asks for no encoding
    assert "immutable" in current["Cache-Control"] and "public" in current["Cache-Control"]
    assert _max_age(current) == ONE_YEAR
    for stale in ("/charts/plotly.min.js", "/charts/plotly.min.js?v=000000000000"):
        response = Client().get(stale)
        assert response.status_code == 200
        assert "immutable" not in response["Cache-Control"] and _max_age(response) == 3600


def test_it_caches_a_site_script_immutable_under_its_digest() -> None:
    digest = _sha12(SCRIPTS_DIR / "forms.js")
    assert "immutable" in Client().get(f"/scripts/forms.js?v={digest}")["Cache-Control"]
    assert "immutable" not in Client().get("/scripts/forms.js?v=old")["Cache-Control"]


@pytest.mark.parametrize("path", ["/", "/charts/plotly.min.js", "/scripts/forms.js", "/favicon.ico"])
def test_it_answers_head_like_get_without_a_body(path: str) -> None:
    get, head = Client().get(path), Client().head(path)
    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]
    assert b"".join(head.streaming_content if head.streaming else [head.content]) == b""


def test_it_still_refuses_to_post_to_a_public_page() -> None:
    assert Client().post("/").status_code == 405


def test_it_serves_the_icon_to_anyone_at_favicon_ico() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    body = b"".join(response.streaming_content)
    assert body == FAVICON.read_bytes()
    root = ET.fromstring(body)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))
    assert "#9f1d20" in body.decode()  # the site colour (base.html's header)
    assert response["Content-Security-Policy"] == DEFAULT_CSP


def test_every_page_links_the_icon_from_this_origin() -> None:
    html = Client().get("/").content.decode()
    assert '<link rel="icon" type="image/svg+xml" href="/static/publication/favicon.svg">' in html
    assert "img-src 'self'" in DEFAULT_CSP


def test_it_serves_static_files_without_collectstatic_and_with_the_csp() -> None:
    response = Client().get("/static/admin/css/base.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    assert response["Content-Security-Policy"] == DEFAULT_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "immutable" not in response.get("Cache-Control", "")
    assert not response.has_header("Access-Control-Allow-Origin")
    icon = Client().get("/static/publication/favicon.svg")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/svg+xml"


def test_it_trusts_forwarded_headers_only_from_the_proxy(settings: Any, monkeypatch: Any) -> None:
    options = ServerOptions(host="127.0.0.1", port=8080, threads=4)
    settings.SECURE_PROXY_SSL_HEADER = None
    direct = waitress_options(options)
    assert "trusted_proxy" not in direct and direct["clear_untrusted_proxy_headers"] is True
    assert direct["ident"] is None and direct["threads"] == 4
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("QIANGJI_TRUSTED_PROXY", "10.0.0.5")
    proxied = waitress_options(options)
    assert proxied["trusted_proxy"] == "10.0.0.5"
    assert proxied["trusted_proxy_headers"] == {"x-forwarded-for", "x-forwarded-proto"}


def test_the_body_limit_follows_the_upload_limit(settings: Any) -> None:
    settings.QIANGJI_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
    settings.QIANGJI_IMPORT_MAX_BYTES = 3 * 1024 * 1024
    assert max_body_bytes() == 6 * 1024 * 1024
    settings.QIANGJI_IMPORT_MAX_BYTES = 256 * 1024 * 1024  # registry imports: the larger limit wins
    assert max_body_bytes() == 257 * 1024 * 1024
