"""The declared per-laboratory result columns (core ``RESULT_COLUMNS``) at the web layer.

From the one declaration: the model fields of :class:`~qiangji.web.comparisons.models.LabResult` (an
abstract base built here), the headers and cell text of the round page's table and the PDF report, the
Excel report's number kinds, the admin's fields and the API's schema. Nothing here names a single score.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qiangji.core.comparison import RESULT_COLUMNS, ResultColumn
from qiangji.web.comparisons.labels import code_label, translated

#: Every column a table shows on its own (a qualifying column is shown inside the one it qualifies).
TABLE_COLUMNS = tuple(c for c in RESULT_COLUMNS if not c.qualifies)
#: The round page's compact table; the reports, the admin, the API and the CSV have every column.
PAGE_COLUMNS = tuple(c for c in TABLE_COLUMNS if c.brief)
QUALIFIER = {c.qualifies: c for c in RESULT_COLUMNS if c.qualifies}
#: Number kinds of ``cells.append``: values to six significant figures, scores to two decimals.
EXCEL_KIND = {"value": "plain", "uncertainty": "plain", "score": "score", "code": None, "verdict": None}


class Verdict(models.TextChoices):
    """The verdict column's choices (the core's ``Verdict`` values)."""

    SATISFACTORY = "satisfactory", _("满意")
    QUESTIONABLE = "questionable", _("有问题")
    UNSATISFACTORY = "unsatisfactory", _("不满意")
    NOT_EVALUATED = "not evaluated", _("未评价")


def model_field(col: ResultColumn) -> models.Field:  # type: ignore[type-arg]
    """The model field of a column: a float (null where a score may not apply) or a short code."""
    verbose = _(col.label)  # the core's label is the message id
    if col.kind == "verdict":
        return models.CharField(verbose, max_length=col.max_length, choices=Verdict.choices)
    if col.kind == "code":
        return models.CharField(verbose, max_length=col.max_length, blank=col.nullable)
    return models.FloatField(verbose, null=col.nullable)


def result_columns_model(module: str) -> type[models.Model]:
    """An abstract model with one field per declared column, in declaration order (``LabResult`` inherits
    it, so that adding a column to the core's declaration adds the field and its migration)."""
    attrs: dict[str, Any] = {c.name: model_field(c) for c in RESULT_COLUMNS}
    attrs["__module__"] = module
    attrs["Meta"] = type("Meta", (), {"abstract": True})
    return type("ResultColumns", (models.Model,), attrs)


def header(col: ResultColumn) -> str:
    """A table header: the column's symbol, or its translated label."""
    return col.symbol or gettext(col.label)


def number_text(col: ResultColumn, value: Any) -> str:
    """A number as the declaration shows it ("—" for none); other values as they are."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if col.kind == "score":
        return str(floatformat(value, col.digits))
    return f"{value:.{col.digits}g}"


def cell_text(row: Any, col: ResultColumn) -> str:
    """One cell of a stored result on a page: the number with its qualifier (z′), a code's label (in the
    request's language) or the verdict's display."""
    value = getattr(row, col.name)
    if col.kind == "verdict":
        return str(Verdict(value).label) if value else "—"
    if col.kind == "code":
        return translated(code_label(col.name, value))
    text = number_text(col, value)
    qualifier = QUALIFIER.get(col.name)
    if value is not None and qualifier is not None:
        kind = translated(code_label(qualifier.name, getattr(row, qualifier.name)))
        text += f" ({kind})" if kind not in {"—", col.header} else ""
    return text


def page_columns(rows: Iterable[Any]) -> list[ResultColumn]:
    """The round page's columns for one point: an ``omit_empty`` column only if some laboratory has it."""
    rows = list(rows)
    return [c for c in PAGE_COLUMNS if not c.omit_empty or any(getattr(r, c.name) is not None for r in rows)]
