"""A final publication's public page for anonymous visitors: the whole page kept compressed (issue 17).

For an anonymous visitor such a page (leaderboard, scorecard, methodology) is the same bytes for everyone
reading it in one language at one address, except for the CSRF token of the language form, which Django
masks afresh on every request. So the page is rendered once with a slot where the token goes and kept, per
process, as the part before the slot and the part after it, each also compressed once (raw deflate, the
first ending byte-aligned). A request then costs its CSRF token and the assembly of a gzip member:

    header (random-length file name, as Django's GZipMiddleware writes against BREACH)
    + deflate(before) + a *stored* deflate block holding the token + deflate(after) + CRC-32, size

The token is never compressed together with the page, so no reflected text can reveal it through the
compressed length. A weak ETag derives from the page's key and the visitor's CSRF secret (HMAC under the
site key): a revalidation answers 304 only while the page the browser holds still carries a valid token.
Signed-in visitors, addresses with a query string and pages of notice-period publications keep the
per-request rendering (`views._page`); the bytes sent are the same page either way.
"""

from __future__ import annotations

import secrets
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.crypto import salted_hmac

from qiangji.web.compression import GZIP_LEVEL, allowed
from qiangji.web.publication.models import Publication
from qiangji.web.publication.pages import PubRef

#: Rendered where ``{% csrf_token %}`` puts the token (letters only: HTML escaping leaves it as it is).
SLOT = "qiangjiCsrfTokenSlot"
#: Pages kept per process (a page is some 60 KB plain plus its compressed copy).
MAX_SHELLS = 128
#: Django's GZipMiddleware.max_random_bytes: up to this many filler bytes in the gzip header.
MAX_RANDOM_BYTES = 100
#: gzip header without the file name: magic, deflate, FNAME flag, mtime 0, no extra flags, OS unknown.
GZIP_HEADER = b"\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\xff"


@dataclass(frozen=True)
class Shell:
    """One page split at the token slot, plain and compressed."""

    key: str
    before: bytes
    after: bytes
    deflated_before: bytes  # raw deflate ending with a sync flush (byte-aligned, not final)
    deflated_after: bytes  # raw deflate ending with the final block
    crc_before: int

    @classmethod
    def of(cls, key: str, html: str) -> Shell | None:
        """The page ``html`` (rendered with :data:`SLOT` as its CSRF token) split at the slot; None when
        the slot is not there exactly once (then the page is rendered per request)."""
        parts = html.encode().split(SLOT.encode())
        if len(parts) != 2:
            return None
        before, after = parts
        return cls(key, before, after, _deflate(before, zlib.Z_SYNC_FLUSH), _deflate(after, zlib.Z_FINISH),
                   zlib.crc32(before))  # fmt: skip

    def plain(self, token: bytes) -> bytes:
        return self.before + token + self.after

    def gzipped(self, token: bytes) -> bytes:
        """A gzip member of :meth:`plain`, the token in a stored block between the two compressed parts."""
        crc = zlib.crc32(self.after, zlib.crc32(token, self.crc_before))
        size = len(self.before) + len(token) + len(self.after)
        name = b"a" * secrets.randbelow(MAX_RANDOM_BYTES) + b"\x00"
        stored = b"\x00" + struct.pack("<HH", len(token), len(token) ^ 0xFFFF) + token
        trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
        return b"".join((GZIP_HEADER, name, self.deflated_before, stored, self.deflated_after, trailer))


def _deflate(data: bytes, mode: int) -> bytes:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(mode)


_shells: OrderedDict[str, Shell | None] = OrderedDict()
_lock = threading.Lock()


def applies(request: HttpRequest, ref: PubRef) -> bool:
    """Whether the page is served from a shell: a final publication, read by an anonymous visitor at an
    address without a query string (which the language form's ``next`` field repeats)."""
    return (
        ref.status == Publication.Status.FINAL
        and request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and not request.user.is_authenticated
    )


def respond(request: HttpRequest, key: str, render: Callable[[], str]) -> HttpResponse | None:
    """The page of ``key`` for this request (``render()`` makes it on the first one in this process), or
    None when the rendered page has no single token slot."""
    shell = _shell(key, render)
    if shell is None:
        return None
    token = get_token(request)
    etag = _etag(shell.key, request.META["CSRF_COOKIE"])
    if etag.removeprefix("W/") in _if_none_match(request):
        response = HttpResponse(status=304)
    elif "gzip" in allowed(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(shell.gzipped(token.encode()))
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(shell.plain(token.encode()))
    if response.status_code == 200:
        response["Content-Length"] = str(len(response.content))
    response["ETag"] = etag
    # The page carries the visitor's own CSRF token: no shared cache may keep it; browsers revalidate.
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _shell(key: str, render: Callable[[], str]) -> Shell | None:
    with _lock:
        if key in _shells:
            _shells.move_to_end(key)
            return _shells[key]
    shell = Shell.of(key, render())  # outside the lock: two first requests may both render, same result
    with _lock:
        _shells[key] = shell
        while len(_shells) > MAX_SHELLS:
            _shells.popitem(last=False)
    return shell


def _etag(key: str, csrf_secret: str) -> str:
    return f'W/"{salted_hmac("qiangji.publication.shell", key + chr(0) + csrf_secret).hexdigest()[:32]}"'


def _if_none_match(request: HttpRequest) -> set[str]:
    """The entity tags of ``If-None-Match``, compared weakly (RFC 9110, 13.1.2: the ``W/`` left off)."""
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


def clear() -> None:
    """Forget every shell of this process (tests)."""
    with _lock:
        _shells.clear()
