"""A final publication's public page kept whole and compressed for anonymous visitors (publication/shell.py):
the same page as the layout rendered per request, a CSRF token of the visitor's own that the language form
accepts, gzip the browser can read, and 304 only while the page it holds carries a valid token."""

from __future__ import annotations

import gzip
import re
import zlib
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.publication.models import Publication
from tests.web.publication.conftest import publish

pytestmark = pytest.mark.django_db
URL = "/rankings/2025Q2/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def _html(response: Any) -> str:
    body = response.content
    return (gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body).decode()


def _normalised(html: str, query: str = "") -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value="TOKEN"', html).replace(
        f'value="{URL}{query}"', "NEXT"
    )


def test_it_serves_an_anonymous_visitor_the_page_rendered_per_request(published: list[Publication]) -> None:
    client = Client()
    client.get(URL)  # builds the page once
    whole = client.get(URL, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    per_request = client.get(f"{URL}?x=1")  # a query string: the layout rendered around the cached body
    assert whole.templates == [] and "publication/page.html" in [t.name for t in per_request.templates]
    assert whole["Content-Encoding"] == "gzip" and int(whole["Content-Length"]) == len(whole.content)
    assert _normalised(_html(whole)) == _normalised(_html(per_request), "?x=1")
    assert "黄岩区计量检定所（示例）" in _html(whole)


def test_it_writes_one_gzip_member_with_the_token_outside_the_compressed_page(
    published: list[Publication],
) -> None:
    client = Client()
    response = client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    reader = zlib.decompressobj(wbits=31)
    html = reader.decompress(response.content).decode()
    assert reader.eof and reader.unused_data == b""
    token = TOKEN.search(html)
    assert token is not None and token.group(1).encode() in response.content  # stored, not compressed
    again = client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    assert TOKEN.search(_html(again)).group(1) != token.group(1)  # type: ignore[union-attr]  # masked anew


def test_the_language_form_accepts_the_token_of_the_kept_page(published: list[Publication]) -> None:
    client = Client(enforce_csrf_checks=True)
    html = _html(client.get(URL, HTTP_ACCEPT_ENCODING="gzip"))
    token = TOKEN.search(html).group(1)  # type: ignore[union-attr]
    answer = client.post(
        reverse("set_language"), {"csrfmiddlewaretoken": token, "language": "en", "next": URL}
    )
    assert answer.status_code == 302
    assert "下载排名表" not in _html(client.get(URL))  # the page now in English


def test_it_sends_the_page_plain_to_a_client_without_gzip(published: list[Publication]) -> None:
    response = Client().get(URL, HTTP_ACCEPT_ENCODING="identity")
    assert "Content-Encoding" not in response and "Accept-Encoding" in response["Vary"]
    assert int(response["Content-Length"]) == len(response.content)
    assert "黄岩区计量检定所（示例）" in response.content.decode()


def test_it_answers_304_only_while_the_page_held_carries_a_valid_token(published: list[Publication]) -> None:
    client = Client()
    first = client.get(URL)
    assert first["ETag"].startswith('W/"') and first["Cache-Control"] == "private, no-cache"
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    client.cookies["csrftoken"] = "A" * 32  # another CSRF secret: the held page's token no longer fits
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    assert Client().get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200  # no cookie: a new one


def test_a_signed_in_visitor_gets_the_layout_rendered_for_them(published: list[Publication]) -> None:
    user = get_user_model().objects.create_user("reader-1", password="x-Long-Passw0rd!")
    client = Client()
    client.force_login(user)
    client.get(URL)
    response = client.get(URL)
    assert "publication/page.html" in [t.name for t in response.templates]
    assert "reader-1" in _html(response) and "ETag" not in response


def test_a_notice_period_page_is_rendered_per_request(
    published: list[Publication], fv: FrameworkVersion
) -> None:
    publish("2025Q3", 3, fv, final=False)
    client = Client()
    client.get("/rankings/2025Q3/")
    response = client.get("/rankings/2025Q3/")
    assert "publication/page.html" in [t.name for t in response.templates] and "ETag" not in response
