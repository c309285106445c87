"""The per-laboratory result columns of a comparison point, declared once.

:data:`RESULT_COLUMNS` is the one list of what a laboratory's outcome at a point consists of. Everything
that shows or stores an outcome is built from it: the row type :class:`LabScore` (checked against it
when this module is imported), the Django model's fields, the evaluation's storage, the Excel and PDF
reports, the admin, the round page's table, the API schema and route, and the command line's CSV columns.
Adding a score means: compute it in :func:`qiangji.core.comparison.point.evaluate_point`, add a field to
:class:`LabScore` and a :class:`ResultColumn` here, and make the web app's migration (README, "Where to
add what").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Literal

from qiangji.core.comparison._common import gettext_noop

__all__ = ["RESULT_COLUMNS", "ColumnKind", "LabScore", "ResultColumn"]

#: How a column's values are shown: ``value`` and ``uncertainty`` to ``digits`` significant figures,
#: ``score`` to ``digits`` decimals (ISO 13528 reports scores to two), ``code`` a short text code with a
#: label per code (the web app's ``labels``), ``verdict`` a :class:`~qiangji.core.comparison.Verdict` value.
ColumnKind = Literal["value", "uncertainty", "score", "code", "verdict"]


@dataclass(frozen=True)
class ResultColumn:
    """One per-laboratory result column.

    ``name`` is the :class:`LabScore` field that feeds it, and also the model field, the API key and the
    CSV header. ``label`` is the Chinese message id (the model's verbose name); ``symbol`` the short header
    of a table (``En``, ``U(d)``), untranslated, or empty to use the label. ``digits`` are significant
    figures or, for scores, decimals. ``brief`` columns are shown in the round page's table (every column
    is in the reports, the admin, the API and the CSV). A ``qualifies`` column names the kind of another
    column's value (z or z′) and is shown with it, not on its own. ``given`` columns are the laboratory's
    own result (the command line echoes its file's columns instead). ``omit_empty``: a table leaves the
    column out when no laboratory at the point has a value (z without σ_pt).
    """

    name: str
    label: str
    symbol: str = ""
    kind: ColumnKind = "value"
    digits: int = 6
    nullable: bool = False
    max_length: int = 0
    brief: bool = True
    qualifies: str = ""
    given: bool = False
    omit_empty: bool = False

    @property
    def header(self) -> str:
        return self.symbol or self.label

    @property
    def spec(self) -> str:
        """The format spec of a float in this column: fixed decimals for a score, significant digits else."""
        return f".{self.digits}{'f' if self.kind == 'score' else 'g'}"

    def text(self, value: object) -> str:
        """A value as plain text in this column's format (the command line): "—" for none."""
        return self.texts((value,))[0]

    def texts(self, values: Iterable[object]) -> list[str]:
        """:meth:`text` of each value, the format spec worked out once for the column."""
        spec = self.spec
        return [
            ("—" if v is None or v == "" else format(v, spec) if isinstance(v, float) else str(v))
            for v in values
        ]


_ = gettext_noop

RESULT_COLUMNS: tuple[ResultColumn, ...] = (
    ResultColumn("x", _("测量结果 x"), "x", "value", 6, given=True),
    ResultColumn("U", _("扩展不确定度 U(k=2)"), "U(k=2)", "uncertainty", 2, given=True),
    ResultColumn("x_ref", _("参考值"), "X_ref", "value", 6, brief=False),
    ResultColumn("U_ref", _("参考值扩展不确定度"), "U_ref", "uncertainty", 2, nullable=True, brief=False),
    ResultColumn("d", _("偏差 d"), "d", "value", 3),
    ResultColumn("U_d", _("U(d)"), "U(d)", "uncertainty", 2, nullable=True),
    ResultColumn("en", _("En"), "En", "score", 2, nullable=True),
    ResultColumn("zeta", _("ζ"), "ζ", "score", 2, nullable=True),
    ResultColumn("z", _("z"), "z", "score", 2, nullable=True, omit_empty=True),
    ResultColumn("z_kind", _("z 类型"), "", "code", nullable=True, max_length=8, qualifies="z"),
    ResultColumn("form", _("En 形式"), "", "code", max_length=20, brief=False),
    ResultColumn("verdict", _("结论"), "", "verdict", max_length=16),
)


@dataclass(frozen=True)
class LabScore:
    """One laboratory's outcome at a point: its fields after ``index`` are :data:`RESULT_COLUMNS`.

    ``index`` is the laboratory's position in the point's inputs; ``x`` and ``U`` (k = 2, i.e. 2u) are its
    result as evaluated; ``x_ref``/``U_ref`` the reference it was compared with (its own drift-line value
    for a drift-corrected pilot); ``d`` = x − x_ref with ``U_d`` = U(d); ``en``, ``zeta``, ``z`` the scores
    (None where one does not apply), ``z_kind`` ``"z"`` or ``"z'"``; ``form`` how U(d) was formed;
    ``verdict`` a :class:`~qiangji.core.comparison.Verdict` value, judged by En.
    """

    index: int
    x: float
    U: float
    x_ref: float
    U_ref: float | None
    d: float
    U_d: float | None
    en: float | None
    zeta: float | None
    z: float | None
    z_kind: str
    form: str
    verdict: str


def _check_declaration() -> None:
    """The row type and the declaration must name the same columns in the same order."""
    names = [f.name for f in fields(LabScore)][1:]
    declared = [c.name for c in RESULT_COLUMNS]
    if names != declared:
        raise RuntimeError(f"LabScore fields {names} must equal RESULT_COLUMNS {declared}")
    for c in RESULT_COLUMNS:
        if c.qualifies and c.qualifies not in declared:
            raise RuntimeError(f"column {c.name!r} qualifies {c.qualifies!r}, which is not declared")


_check_declaration()
