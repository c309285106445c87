"""Published pages computed once: fragments, figures and documents of final publications, shared cache.

A final publication never changes (its content is frozen and hashed), so what the public pages derive from
it — the leaderboard and scorecard bodies with their figures, the PDF bulletin and profiles, the ranking
workbook — is computed on the first request and served from the ``pages`` cache afterwards. The key is
the publication's content hash plus what else the rendering reads:

* the set of public publications (the period selector, a scorecard's trend over the final periods):
  :func:`publications_key`, a digest of their codes, states, hashes and notice dates — a new or
  corrected publication gives new keys, so nothing has to be invalidated;
* the request's language, and :func:`code_key` (the code version and the digest of the templates, the
  site's layout among them), so an upgrade never serves pages rendered by older code.

Draft and notice-period publications are computed on every request (their content is not frozen). The
cache alias is ``pages`` (settings: a file-based cache under ``DATA_DIR`` by default, shared by every
server process; ``QIANGJI_PAGE_CACHE`` points it elsewhere).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from django.core.cache import caches
from django.utils import translation

from qiangji.web.publication.models import Publication
from qiangji.web.publication.pages import PubRef

T = TypeVar("T")
ALIAS = "pages"
SPLIT = "<!--qiangji:fragment-->"
#: The template that a page template extends to be rendered as a fragment: its title, then its body.
FRAGMENT_PARENT = "publication/_fragment.html"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: The site's layout: part of the whole pages kept for anonymous visitors (shell.py).
LAYOUT = Path(__file__).resolve().parents[1] / "templates" / "base.html"


@functools.cache
def code_key() -> str:
    """The code version and a digest of the publication templates (read once per process)."""
    from qiangji.web.publication.runs import code_version

    digest = hashlib.sha256()
    for path in [*sorted(TEMPLATES_DIR.rglob("*.html")), LAYOUT]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{code_version()}:{digest.hexdigest()[:16]}"


def publications_key(refs: Sequence[PubRef]) -> str:
    """A digest of the public publications as the pages list them (code, status, hash, notice dates)."""
    text = ";".join(
        f"{r.code},{r.status},{r.content_sha256},{r.notice_started_on},{r.notice_ends_on}" for r in refs
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cached(kind: str, pub: Publication | PubRef, parts: Sequence[str], build: Callable[[], T]) -> T:
    """``build()`` for a draft or notice publication; for a final one, built once and then cached."""
    if pub.status != Publication.Status.FINAL:
        return build()
    key = page_key(kind, pub, parts)
    store = caches[ALIAS]
    found = store.get(key)
    if found is None:
        found = build()
        store.set(key, found, timeout=None)
    return found  # type: ignore[no-any-return]


def page_key(kind: str, pub: Publication | PubRef, parts: Sequence[str]) -> str:
    """The cache key of ``kind`` made from final publication ``pub`` in the request's language."""
    return ":".join(["qj", kind, pub.content_sha256, code_key(), translation.get_language() or "", *parts])


def split_fragment(html: str) -> dict[str, str]:
    """``{"title", "main"}`` of a page template rendered with :data:`FRAGMENT_PARENT` as its parent."""
    title, _sep, main = html.partition(SPLIT)
    return {"title": title.strip(), "main": main}


def clear() -> None:
    """Empty the page cache (tests; the ``qiangji manage clearpagecache``-free way is deleting its folder)."""
    caches[ALIAS].clear()


__all__: list[Any] = ["cached", "clear", "code_key", "page_key", "publications_key", "split_fragment"]
