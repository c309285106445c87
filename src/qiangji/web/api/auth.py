"""Bearer-token authentication (``Authorization: Bearer qj_…``).

``TokenAuth`` requires a valid token. ``OptionalTokenAuth`` lets a request without an Authorization header
through as the anonymous public, but a request *with* a header must carry a valid token: a wrong or
revoked token is a 401, never a silent downgrade to public access.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer

from qiangji.web.api.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class OptionalTokenAuth(TokenAuth):
    def __call__(self, request: HttpRequest) -> Any:
        if self.header not in request.headers:
            request.user = AnonymousUser()
            return request.user
        return super().__call__(request)


token_auth = TokenAuth()
optional_auth = OptionalTokenAuth()
