"""Compressed responses: the pages and text files on the fly (gzip), the large scripts the site serves
itself (plotly.min.js, the site's scripts) from brotli and gzip copies made once per process.

plotly.min.js is 4.8 MB: gzip brings it to 1.47 MB, brotli to 1.2 MB, which keeps the leaderboard's first
visit (page, plotly, scripts) under 1.5 MB on the wire. Brotli at its best quality takes some 40 s of CPU
for that file, too long for a first request; quality 9 takes about 2 s and gives 1.23 MB.

Static files under ``/static/`` are served by WhiteNoise: in production from the hashed, gzip and brotli
copies that ``collectstatic`` writes (``CompressedManifestStaticFilesStorage``); in development and the
demo from the apps' folders, compressed by :class:`TextGZipMiddleware` on their way out.
"""

from __future__ import annotations

import gzip
import re
import threading
from pathlib import Path

import brotli
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

BROTLI_QUALITY = 9
GZIP_LEVEL = 9
#: Types worth compressing; images other than SVG, PDFs, workbooks and evidence files are left alone.
TEXT_TYPES = re.compile(r"^(text/|application/(json|javascript|xml|problem\+json)|image/svg\+xml)")
_copies: dict[tuple[Path, str], bytes] = {}
_lock = threading.Lock()


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH mitigation: random bytes in the gzip header) for text
    responses only: an uploaded evidence file, a PDF or a workbook is sent as it is."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not TEXT_TYPES.match(response.get("Content-Type", "")):
            return response
        if "gzip" not in allowed(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            patch_vary_headers(response, ("Accept-Encoding",))
            return response  # Django's own test finds "gzip" in "gzip;q=0"
        return super().process_response(request, response)  # type: ignore[no-any-return]


def allowed(header: str) -> set[str]:
    """The encodings an ``Accept-Encoding`` header names without ``q=0``."""
    names = set()
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = re.search(r"q\s*=\s*([0-9.]+)", params)
        if not q or float(q.group(1)) > 0:
            names.add(name.strip())
    return names


def accepted(header: str) -> str | None:
    """``"br"`` or ``"gzip"``, the best encoding that an ``Accept-Encoding`` header allows, else None.

    >>> accepted("gzip, deflate, br, zstd"), accepted("gzip;q=1, br;q=0"), accepted("identity")
    ('br', 'gzip', None)
    """
    names = allowed(header)
    return next((e for e in ("br", "gzip") if e in names), None)


def compressed(path: Path, encoding: str) -> bytes:
    """The file compressed with ``encoding`` (``br`` or ``gzip``), made on first use and kept in memory."""
    key = (path, encoding)
    with _lock:  # one thread compresses; the others wait for its copy rather than making their own
        if key not in _copies:
            data = path.read_bytes()
            if encoding == "br":
                _copies[key] = brotli.compress(data, quality=BROTLI_QUALITY)
            else:
                _copies[key] = gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
        return _copies[key]


def file_response(request: HttpRequest, path: Path, content_type: str) -> HttpResponse:
    """The file in the best encoding the client accepts (``Content-Encoding``, ``Vary``), else as it is."""
    encoding = accepted(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    body = path.read_bytes() if encoding is None else compressed(path, encoding)
    response = HttpResponse(body, content_type=content_type)
    if encoding is not None:
        response["Content-Encoding"] = encoding
    patch_vary_headers(response, ("Accept-Encoding",))
    return response
