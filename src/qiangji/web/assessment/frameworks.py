"""The default framework file shipped with the core (domain.md §5) and its loading into the database."""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import Any

from qiangji.web.assessment.models.periods import compile_source

DEFAULT_FRAMEWORK = "tz-cap-2025.1.yaml"


def framework_text(name: str = DEFAULT_FRAMEWORK) -> str:
    """Text of a framework file shipped in ``qiangji.core.index.frameworks``."""
    return resources.files("qiangji.core.index").joinpath("frameworks", name).read_text(encoding="utf-8")


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


def ensure_default_framework(model: Any, name: str = DEFAULT_FRAMEWORK) -> tuple[Any, bool]:
    """Create the version of the shipped file if no version with its number exists (idempotent).

    ``model`` is ``FrameworkVersion`` or its historical twin in a data migration.
    """
    fields = version_fields(framework_text(name))
    existing = model.objects.filter(version=fields["version"]).first()
    if existing is not None:
        return existing, False
    obj = model(**fields)
    obj.save()
    return obj, True
