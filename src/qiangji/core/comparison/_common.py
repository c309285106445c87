"""Validation helpers and performance verdicts shared by the comparison statistics."""

from __future__ import annotations

import enum
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from qiangji.core.errors import DegenerateDataWarning, InputError
from qiangji.core.magnitudes import MAX_MAGNITUDE, MIN_UNCERTAINTY

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ArrayLike = npt.ArrayLike


class Verdict(enum.Enum):
    """Performance verdict of one result (ISO/IEC 17043, ISO 13528 9.4-9.7, JJF 1117)."""

    SATISFACTORY = "satisfactory"
    QUESTIONABLE = "questionable"
    UNSATISFACTORY = "unsatisfactory"
    NOT_EVALUATED = "not evaluated"

    @property
    def zh(self) -> str:
        """The Chinese label used on reports (满意 / 有问题 / 不满意 / 未评价)."""
        return _ZH[self]

    @property
    def label(self) -> str:
        """Bilingual label, e.g. ``满意/satisfactory``."""
        return f"{self.zh}/{self.value}"


_ZH = {
    Verdict.SATISFACTORY: "满意",
    Verdict.QUESTIONABLE: "有问题",
    Verdict.UNSATISFACTORY: "不满意",
    Verdict.NOT_EVALUATED: "未评价",
}


def gettext_noop(message: str) -> str:
    """Mark a label for the message catalogue (``makemessages`` extracts it); the web layer translates it.

    The core never translates: it stays free of Django, and its labels are the Chinese message ids.
    """
    return message


def as_values(x: ArrayLike, name: str, *, min_size: int = 1) -> FloatArray:
    """`x` as a finite 1-D float array of at least `min_size` values, else InputError."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"`{name}` must be an array of numbers, got {x!r}") from exc
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise InputError(f"`{name}` must be one-dimensional, got shape {arr.shape}")
    if arr.size < min_size:
        raise InputError(f"`{name}` must hold at least {min_size} value(s), got {arr.size}")
    if not np.all(np.isfinite(arr)):
        bad = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise InputError(f"`{name}` must be finite, got {arr[bad]} at position {bad}")
    if np.any(np.abs(arr) > MAX_MAGNITUDE):
        bad = int(np.flatnonzero(np.abs(arr) > MAX_MAGNITUDE)[0])
        raise InputError(f"`{name}` must be within ±{MAX_MAGNITUDE:g}, got {arr[bad]:g} at position {bad}")
    return arr


def as_uncertainties(u: ArrayLike, name: str, size: int, *, allow_zero: bool = False) -> FloatArray:
    """`u` broadcast to `size` positive (or non-negative) finite values, else InputError."""
    arr = np.broadcast_to(as_values(u, name), (size,)) if np.ndim(u) == 0 else as_values(u, name)
    if arr.size != size:
        raise InputError(f"`{name}` must have {size} values like `x`, got {arr.size}")
    bad = arr < 0 if allow_zero else arr <= 0
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        rule = "non-negative" if allow_zero else "positive"
        raise InputError(f"`{name}` must be {rule}, got {arr[i]} at position {i}")
    tiny = (arr > 0) & (arr < MIN_UNCERTAINTY)
    if np.any(tiny):
        i = int(np.flatnonzero(tiny)[0])
        raise InputError(
            f"`{name}` must be at least {MIN_UNCERTAINTY:g} when not 0, got {arr[i]:g} at position {i}"
        )
    return np.array(arr, dtype=np.float64)


def result_problem(x: float, u: float) -> str | None:
    """Why a laboratory's result (x, standard uncertainty u) cannot enter a statistic, or None."""
    if not math.isfinite(x) or abs(x) > MAX_MAGNITUDE:
        return f"x must be a finite number within ±{MAX_MAGNITUDE:g}, got {x:g}"
    if not math.isfinite(u) or not MIN_UNCERTAINTY <= u <= MAX_MAGNITUDE:
        return f"u must be a finite number from {MIN_UNCERTAINTY:g} to {MAX_MAGNITUDE:g}, got {u:g}"
    return None


def check_results(
    labs: Sequence[str], x: Sequence[float], u: Sequence[float], *, where: Sequence[str] | None = None
) -> None:
    """Every laboratory's x and u within the bounds, before any statistic runs; else one InputError that
    names each offending laboratory and the rule (e.g. "lab 'L3': x must be … within ±1e+30, got 1e+308");
    ``where`` replaces "lab 'L3'" by a caller's description of each row (a file's row number).
    """
    if not len(labs) == len(x) == len(u):
        raise InputError(
            f"`labs`, `x` and `u` must have the same length, got {len(labs)}, {len(x)}, {len(u)}"
        )
    errors = []
    places = where if where is not None else [f"lab {lab!r}" for lab in labs]
    for place, xi, ui in zip(places, x, u, strict=True):
        problem = result_problem(float(xi), float(ui))
        if problem is not None:
            errors.append(f"{place}: {problem}")
    if errors:
        raise InputError(errors=errors)


def as_mask(mask: ArrayLike | None, name: str, size: int) -> BoolArray:
    """A boolean mask of `size` values (None means all True)."""
    if mask is None:
        return np.ones(size, dtype=np.bool_)
    arr = np.asarray(mask)
    if arr.ndim == 0:
        return np.full(size, bool(arr), dtype=np.bool_)
    if arr.shape != (size,) or arr.dtype.kind not in "bi":
        raise InputError(f"`{name}` must be {size} booleans, got {mask!r}")
    return arr.astype(np.bool_)


def check_positive(value: float, name: str, *, allow_zero: bool = False) -> float:
    """A finite positive (or non-negative) scalar, else InputError."""
    v = float(value)
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        rule = "non-negative" if allow_zero else "positive"
        raise InputError(f"`{name}` must be a finite {rule} number, got {value!r}")
    return v


def check_choice(value: str, name: str, choices: Sequence[str]) -> str:
    """`value` if it is one of `choices`, else InputError listing them."""
    if value not in choices:
        raise InputError(f"`{name}` must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def degenerate(message: str) -> None:
    """Warn that a documented NaN or fallback is being returned."""
    warnings.warn(message, DegenerateDataWarning, stacklevel=3)


def classify(scores: FloatArray, *, warning: float | None, action: float) -> tuple[Verdict, ...]:
    """Verdicts for scores: |s| <= warning satisfactory, < action questionable, else unsatisfactory.

    With ``warning=None`` there is no questionable band (En: |En| <= 1 satisfactory). ``action`` is
    inclusive for the three-band scores (|z| >= 3 is unsatisfactory, ISO 13528 9.4.2) and exclusive for
    En (|En| > 1 is unsatisfactory, ISO 13528 9.7.2). NaN scores are not evaluated.
    """
    out: list[Verdict] = []
    for s in np.abs(scores):
        if np.isnan(s):
            out.append(Verdict.NOT_EVALUATED)
        elif warning is None:
            out.append(Verdict.SATISFACTORY if s <= action else Verdict.UNSATISFACTORY)
        elif s <= warning:
            out.append(Verdict.SATISFACTORY)
        elif s < action:
            out.append(Verdict.QUESTIONABLE)
        else:
            out.append(Verdict.UNSATISFACTORY)
    return tuple(out)


def rows(**columns: Any) -> tuple[dict[str, Any], ...]:
    """Zip equal-length columns into a tuple of row dicts (a calculation-trail table)."""
    names = list(columns)
    return tuple(dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True))
