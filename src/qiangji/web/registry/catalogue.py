"""Loads the mandatory-verification catalogue from its CSV (idempotent, all-or-nothing)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from qiangji.web.registry.models import MVCatalogueItem

DEFAULT_CSV = Path(__file__).resolve().parent / "data" / "mv_catalogue.csv"
COLUMNS = (
    "catalogue_version", "level1_no", "level1_name", "level2_no", "level2_name",
    "supervision_mode", "mv_form", "scope_note", "evidence", "note",
)  # fmt: skip
KEY = ("catalogue_version", "level1_no", "level2_no")


@dataclass
class CatalogueLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


class CatalogueError(ValueError):
    """Raised with every error of the file; nothing has been stored."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def load_catalogue(path: Path | None = None) -> CatalogueLoadResult:
    """Create or update catalogue rows from ``path`` (default: the CSV shipped in the repository)."""
    rows = _read(path or DEFAULT_CSV)
    result = CatalogueLoadResult()
    items = [_build(number, row, result.errors) for number, row in rows]
    if result.errors:
        raise CatalogueError(result.errors)
    with transaction.atomic():
        for item in items:
            if item is not None:  # None only alongside an error, and errors stop before this point
                _store(item, result)
    return result


def _read(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CatalogueError([f"{path.name}: missing columns {', '.join(missing)}"])
        return [(n, {k: (v or "").strip() for k, v in row.items() if k}) for n, row in enumerate(reader, 2)]


def _build(number: int, row: dict[str, str], errors: list[str]) -> MVCatalogueItem | None:
    values: dict[str, object] = {c: row[c] for c in COLUMNS}
    for name in ("level1_no", "level2_no"):
        text = row[name]
        if not text.isdigit():
            errors.append(f"row {number}, column {name}: must be a whole number, got {text!r}")
            return None
        values[name] = int(text)
    item = MVCatalogueItem(**values)
    try:
        item.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.extend(f"row {number}, column {name}: {m}" for m in messages)
        return None
    return item


def _store(item: MVCatalogueItem, result: CatalogueLoadResult) -> None:
    key = {k: getattr(item, k) for k in KEY}
    fields = [c for c in COLUMNS if c not in KEY]
    existing = MVCatalogueItem.objects.filter(**key).first()
    if existing is None:
        item.save()
        result.created += 1
    elif any(getattr(existing, f) != getattr(item, f) for f in fields):
        for f in fields:
            setattr(existing, f, getattr(item, f))
        existing.save()
        result.updated += 1
    else:
        result.unchanged += 1
