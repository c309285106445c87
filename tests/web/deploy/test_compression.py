"""Compressed responses (issue 18 point 4): plotly.min.js and the site's scripts in brotli or gzip as the
browser accepts, pages and static text files gzipped on their way out, downloads left as they are."""

from __future__ import annotations

import gzip

import brotli
import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from qiangji.web.compression import TextGZipMiddleware, accepted
from qiangji.web.publication.views import PLOTLY_JS, SCRIPTS_DIR, XLSX

pytestmark = pytest.mark.django_db
CHROMIUM = "gzip, deflate, br, zstd"


def get(path: str, encoding: str = CHROMIUM) -> object:
    return Client().get(path, headers={"accept-encoding": encoding})


def test_it_sends_plotly_in_brotli_under_1_3_mb() -> None:
    response = get("/charts/plotly.min.js")
    assert response["Content-Encoding"] == "br" and "Accept-Encoding" in response["Vary"]
    assert len(response.content) < 1_300_000 < 4_000_000 < PLOTLY_JS.stat().st_size
    assert brotli.decompress(response.content) == PLOTLY_JS.read_bytes()
    assert response["Content-Length"] == str(len(response.content))


def test_it_sends_gzip_to_a_browser_without_brotli_and_plain_to_one_without_either() -> None:
    zipped = get("/scripts/charts.js", "gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == (SCRIPTS_DIR / "charts.js").read_bytes()
    plain = get("/scripts/charts.js", "br;q=0, gzip;q=0")
    assert not plain.has_header("Content-Encoding")
    assert plain.content == (SCRIPTS_DIR / "charts.js").read_bytes()


def test_it_gzips_pages_and_static_text_files() -> None:
    page = get("/institutions/")
    assert page.status_code == 200 and page["Content-Encoding"] == "gzip"
    assert "机构" in gzip.decompress(page.content).decode()
    css = get("/static/admin/css/base.css")
    assert css["Content-Encoding"] == "gzip"
    assert b"body" in b"".join(gzip.decompress(b"".join(css.streaming_content)).splitlines())


def test_it_leaves_binary_responses_alone() -> None:
    icon = get("/favicon.ico")  # SVG is text: compressed
    assert icon["Content-Encoding"] == "gzip"
    request = RequestFactory().get("/x", headers={"accept-encoding": CHROMIUM})
    for kind in ("application/pdf", XLSX, "image/png"):
        response = HttpResponse(b"%PDF-1.7 " * 100, content_type=kind)
        out = TextGZipMiddleware(HttpResponse).process_response(request, response)
        assert not out.has_header("Content-Encoding") and out.content == b"%PDF-1.7 " * 100


@pytest.mark.parametrize(
    ("header", "expected"),
    [("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("", None), ("*", None)],
)
def test_it_reads_accept_encoding(header: str, expected: str | None) -> None:
    assert accepted(header) == expected
