"""The site's own sign-in, sign-out and password-change pages (the Django admin's are sent here).

They are Django's auth views with the site's templates and :class:`~.throttle.SiteLoginForm`: the login
throttle and its lockout messages, the session key rotated on login (``django.contrib.auth.login``), the
audit events (``accounts.audit`` listens to the auth signals), ``?next=`` checked against this host. On a
password change Django's session hash ends every other session of the user and keeps this one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode

from qiangji.web.accounts.throttle import SiteLoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SiteLoginForm


class LogoutView(auth_views.LogoutView):
    """POST only (Django's): a link or an image cannot sign anybody out."""

    template_name = "accounts/logged_out.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


login = LoginView.as_view()
logout = LogoutView.as_view()
password_change = PasswordChangeView.as_view()
password_change_done = PasswordChangeDoneView.as_view()


def _to(name: str, request: HttpRequest) -> HttpResponseRedirect:
    url = reverse(name)
    target = request.GET.get("next")
    return HttpResponseRedirect(f"{url}?{urlencode({'next': target})}" if target else url)


def admin_login(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The admin's login URL sends people to the site's login page, keeping ``?next=``."""
    return _to("accounts:login", request)


def admin_password_change(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return _to("accounts:password_change", request)


def admin_logout(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return logout(request)


def use_site_pages() -> None:
    """Route the admin's login, logout and password change to the site's pages (one look, one form).

    Set on the default site before its URLs are built (``AccountsConfig.ready``), so ``admin:login`` and the
    admin's own links keep their names and addresses."""
    site: Any = admin.site
    site.login = admin_login
    site.logout = admin_logout
    site.password_change = admin_password_change
