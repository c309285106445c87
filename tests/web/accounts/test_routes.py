"""Default deny: every route of the site, found by walking the URL configuration, sends a visitor without
a role to the login page, unless it is one of the listed public pages (or the API, which answers 401)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from qiangji.web.accounts.middleware import PUBLIC_URL_NAMES

from .conftest import make_user

SAMPLE = {"int": "1", "str": "X", "slug": "x", "path": "x/y", "uuid": "00000000-0000-0000-0000-000000000000"}


def routes(patterns: Any = None, prefix: str = "", ns: str = "") -> list[tuple[str, str]]:
    """(sample path, view name) for every route; regex routes (the admin's) get a plain sample."""
    found = []
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        text = str(p.pattern)
        if isinstance(p, URLResolver):
            inner_ns = f"{ns}{p.namespace}:" if p.namespace else ns
            found += routes(p.url_patterns, prefix + _sample(text), inner_ns)
        elif isinstance(p, URLPattern) and p.name:
            found.append(("/" + prefix + _sample(text), ns + p.name))
    return found


def _sample(text: str) -> str:
    text = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "X"), text)
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "X", text)  # regex groups (admin app_list, media)
    return text.lstrip("^").rstrip("$").replace("\\", "")


ALL_ROUTES = [(path, name) for path, name in routes() if not path.startswith("/api/")]


def test_it_finds_the_routes_of_every_app() -> None:
    names = {name.split(":")[0] for _, name in ALL_ROUTES}
    assert {"admin", "excel", "assessment", "comparisons", "registry", "publication"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "no_role"])
def test_it_sends_visitors_without_a_role_to_the_login_page(who: str) -> None:
    c = Client()
    if who == "no_role":
        c.force_login(make_user("signed_in_without_role"))
    leaks = []
    for path, name in ALL_ROUTES:
        if name in PUBLIC_URL_NAMES:
            continue
        response = c.get(path)
        if not (response.status_code == 302 and "/login/" in response["Location"]):
            leaks.append((path, name, response.status_code))
    assert leaks == []
