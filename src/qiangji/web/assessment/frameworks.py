"""The default framework file shipped with the core (docs/domain.md#indicators) and its loading into the
database.

A stored framework version never changes: published rankings name it and must recompute bit for bit. So
loading a file whose version number is already stored is a no-op when its content is the same, and is
refused (`FrameworkVersionConflict`, nothing stored is touched) when it differs.

"Same content" means the same compiled spec, not the same characters: both the stored text and the file
are parsed and compiled with the current code and their canonical JSON (`Framework.to_json`) compared.
Comments, layout, key order and quoting change no number, so such edits load as a no-op and the stored
text stays as it was; anything that compiles differently (a weight, a method, bounds, a ``per: year``
mark, a name, an added or removed indicator) is a different framework and needs a new version number.
Both sides are compiled by the same code, so a change in how the code serialises a spec (a new optional
field) is not mistaken for a change of the file, as comparing with the stored ``sha256`` would be.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction

from qiangji.core.errors import InputError
from qiangji.core.index.shipped import DEFAULT_FRAMEWORK, shipped_framework
from qiangji.web.assessment.models.periods import compile_source

_MAX_DIFFERENCES = 8


class FrameworkVersionConflict(InputError):
    """A framework file carries the version number of a stored version but different content."""

    def __init__(self, version: str, origin: str, differences: list[str]) -> None:
        self.version, self.origin, self.differences = version, origin, differences
        super().__init__(
            f"framework version {version} is already stored with different content than {origin} "
            f"(differs in: {'; '.join(differences)}). A stored version never changes: published rankings "
            f"refer to it. Bump `version:` in the file and load it as a new version "
            f"(`qiangji manage loadframework FILE`); nothing stored was changed."
        )


def framework_text(name: str = DEFAULT_FRAMEWORK) -> str:
    """Text of a framework file shipped in ``qiangji.core.index.frameworks``."""
    return shipped_framework(name).read_text(encoding="utf-8")


def shipped_path(name: str = DEFAULT_FRAMEWORK) -> str:
    """Where a shipped framework file lives (for messages)."""
    return str(shipped_framework(name))


def version_fields(text: str) -> dict[str, Any]:
    """The stored fields of a framework version for ``text`` (what ``FrameworkVersion.save`` computes)."""
    fw = compile_source(text)
    spec = fw.to_json()
    return {
        "version": fw.version,
        "code": fw.code,
        "name": fw.name.get("zh") or fw.root.label("en"),
        "source": text,
        "spec": spec,
        "sha256": hashlib.sha256(spec.encode()).hexdigest(),
    }


def content_differences(stored: str, text: str) -> list[str]:
    """Where two framework texts compile differently (empty: same content; module docstring).

    Each entry names a node (``(index)`` for the file's top-level keys) and its differing keys, or says
    that the node is only in one of them; at most eight entries, then ``…``.
    """
    if stored == text:
        return []
    new = _nodes(json.loads(compile_source(text).to_json()))
    try:
        old = _nodes(json.loads(compile_source(stored).to_json()))
    except InputError as exc:  # stored under older rules: it cannot be the same as a valid file
        return [f"the stored text does not compile with the current code ({exc})"]
    out = [_node_difference(code, old.get(code), new.get(code)) for code in sorted(old.keys() | new.keys())]
    found = [d for d in out if d]
    return found[:_MAX_DIFFERENCES] + (["…"] if len(found) > _MAX_DIFFERENCES else [])


def _nodes(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each node of a compiled spec by code, children as their codes; the top-level keys as ``(index)``."""
    out: dict[str, dict[str, Any]] = {}
    stack: list[tuple[str, dict[str, Any]]] = [("(index)", spec)]
    while stack:
        code, node = stack.pop()
        kids = node.get("nodes" if code == "(index)" else "children", [])
        out[code] = {k: v for k, v in node.items() if k not in ("nodes", "children")}
        out[code]["children"] = [kid["code"] for kid in kids]
        stack.extend((kid["code"], kid) for kid in kids)
    return out


def _node_difference(code: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
    if old is None:
        return f"{code} only in the file"
    if new is None:
        return f"{code} only in the stored version"
    keys = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    return f"{code}: {', '.join(keys)}" if keys else ""


def store_framework(model: Any, text: str, *, origin: str) -> tuple[Any, bool]:
    """Store ``text`` as a new framework version, or find it stored with the same content.

    Returns ``(version, created)``. Raises `FrameworkVersionConflict` if its version number is stored
    with different content (module docstring), `InputError` if the text is not a valid framework.
    ``model`` is ``FrameworkVersion`` or its historical twin in a data migration; ``origin`` names the
    file in messages.
    """
    fields = version_fields(text)
    existing = model.objects.filter(version=fields["version"]).first()
    if existing is None:
        try:
            with transaction.atomic():
                obj = model(**fields)
                obj.save()
            return obj, True
        except IntegrityError:  # stored meanwhile by a concurrent loader: compare with that one
            existing = model.objects.get(version=fields["version"])
    check_same_content(existing, text, origin=origin)
    return existing, False


def check_same_content(existing: Any, text: str, *, origin: str) -> None:
    """Raise `FrameworkVersionConflict` unless ``text`` compiles like the stored ``existing``."""
    differences = content_differences(existing.source, text)
    if differences:
        raise FrameworkVersionConflict(existing.version, origin, differences)


def ensure_default_framework(model: Any, name: str = DEFAULT_FRAMEWORK) -> tuple[Any, bool]:
    """Store the shipped file's version if it is not stored yet; refuse if it is stored differently.

    Idempotent; see `store_framework`. Raises `FrameworkVersionConflict` when the database holds the
    version with other content (e.g. a database made before the file was edited without a version bump).
    """
    return store_framework(model, framework_text(name), origin=shipped_path(name))
