"""After signing in, each role lands on its own home page (待办) instead of the admin index.

The sign-in page is the admin's (throttled, audited). Without a ``?next=`` it puts the admin index in
its form; :func:`install` makes that the home page instead (``settings.LOGIN_REDIRECT_URL``). A ``next``
given in the address or the form is left alone, so a visitor sent to sign in returns where he was going.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url


def install(site: admin.AdminSite = admin.site) -> None:
    original = site.login
    if getattr(original, "lands_home", False):
        return

    def login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            home = resolve_url(settings.LOGIN_REDIRECT_URL)
            extra_context = {**(extra_context or {}), REDIRECT_FIELD_NAME: home}
        return original(request, extra_context)

    login.lands_home = True  # type: ignore[attr-defined]
    site.login = login  # type: ignore[method-assign]
