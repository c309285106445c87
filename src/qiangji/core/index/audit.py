"""The statistical audit of an index run (JRC/OECD Handbook 2008, step 4 and §2; COINr's analysis tools).

``audit(result)`` works on what the run aggregated: the normalised indicators (directions applied) and
the scores of every group, as COINr's audit functions work on the ``"Aggregated"`` data set. It returns an
immutable ``AuditResult`` with, per node of the tree:

* ``corr_parent`` — Pearson's r of every node with its parent, on pairwise-complete units (COINr
  ``get_corr(coin, "Aggregated", Levels = c(l, l + 1), withparent = TRUE, pval = 0)``);
* ``cronbach`` — Cronbach's α of each group's children with pairwise-complete covariances (COINr
  ``get_cronbach``); NaN with a warning for a group of one;
* ``pca_var1`` and ``pca_abs_load`` — first principal component of each group's children on the
  complete units, centred and scaled (COINr ``get_PCA``): its share of the variance and the absolute
  loadings;
* ``eff_weight`` — effective weights, the product of the normalised weights down the tree (COINr
  ``get_eff_wts``), for every node but the index;
* ``var_share`` and ``main_effect`` — for each dimension (child of the index), ``cov(wᵢDᵢ, T) / V(T)``
  and the correlation ratio ``Sᵢ = V[E(T | Dᵢ)] / V(T)`` of Paruolo, Saisana & Saltelli (2013), on the
  units with the index and every dimension present;
* ``findings`` — where a dimension's variance share, or its normalised main effect ``Sᵢ / Σⱼ Sⱼ``, and its
  nominal weight differ by more than ``factor`` (ratio outside [1/factor, factor]).

The formulas and estimators are in `qiangji.core.index.audit_stats`; the weight-calibration advice in
`qiangji.core.index.calibrate`.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*, §2.1
(multivariate analysis), §7 (sensitivity). Paruolo, P., Saisana, M. & Saltelli, A. (2013). Ratings and
rankings: voodoo or science? *JRSS A* 176(3), 609–634. Becker, W., Paruolo, P., Saisana, M. & Saltelli,
A. (2017). Weights and importance in composite indicators: closing the gap. *Ecological Indicators* 80,
12–22. COINr 1.1.14 (Becker et al.), ``R/correlations.R``, ``R/stats.R``, ``R/PCA.R``, ``R/weights.R``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, TextIO

import numpy as np
import pandas as pd

from qiangji.core.errors import InputError
from qiangji.core.index import audit_stats as st
from qiangji.core.index.framework import Framework
from qiangji.core.index.methods._arrays import FloatArray

if TYPE_CHECKING:
    from qiangji.core.index.result import IndexResult

__all__ = ["DEFAULT_FACTOR", "KINDS", "AuditResult", "WeightFinding", "audit", "audit_scores"]

DEFAULT_FACTOR = 2.0
KINDS = ("corr_parent", "cronbach", "pca_var1", "pca_abs_load", "eff_weight", "var_share", "main_effect")


@dataclass(frozen=True)
class WeightFinding:
    """A dimension whose importance (``measure``: ``var_share`` or ``main_effect``) is far from its weight."""

    dimension: str
    measure: str
    nominal: float
    """Normalised nominal weight among the index's children."""
    value: float
    """The variance share, or the main effect normalised to sum 1 over the dimensions."""
    factor: float

    @property
    def ratio(self) -> float:
        """``value / nominal`` (NaN if undefined)."""
        return self.value / self.nominal if self.nominal > 0 else math.nan

    @property
    def message(self) -> str:
        """One plain sentence for a log or a terminal."""
        what = "share of the variance of the index" if self.measure == "var_share" else "main effect"
        return (
            f"{self.dimension}: nominal weight {self.nominal:.1%} but {what} {self.value:.1%} "
            f"(ratio {self.ratio:.2f}, outside [1/{self.factor:g}, {self.factor:g}])"
        )


def _frozen(mapping: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, eq=False)
class AuditResult:
    """The figures of the audit (see the module docstring); mappings are keyed by node code."""

    index: str
    """Code of the index node (the ``node`` of ``var_share`` and ``main_effect`` rows)."""
    corr_parent: Mapping[str, float]
    """Child code → r with its parent (``parent`` gives the parent's code)."""
    parent: Mapping[str, str]
    cronbach: Mapping[str, float]
    pca_var1: Mapping[str, float]
    pca_abs_load: Mapping[str, Mapping[str, float]]
    eff_weight: Mapping[str, float]
    nominal: Mapping[str, float]
    """Dimension code → normalised nominal weight among the index's children."""
    var_share: Mapping[str, float]
    main_effect: Mapping[str, float]
    n_complete: int
    """Units with the index and every dimension present (the rows of ``var_share``/``main_effect``)."""
    factor: float
    findings: tuple[WeightFinding, ...]

    def table(self) -> pd.DataFrame:
        """The long table ``kind, node, item, value`` (``item`` empty for a per-node figure)."""
        rows: list[tuple[str, str, str, float]] = []
        rows += [("corr_parent", self.parent[c], c, v) for c, v in self.corr_parent.items()]
        rows += [("cronbach", g, "", v) for g, v in self.cronbach.items()]
        rows += [("pca_var1", g, "", v) for g, v in self.pca_var1.items()]
        rows += [("pca_abs_load", g, c, v) for g, load in self.pca_abs_load.items() for c, v in load.items()]
        rows += [("eff_weight", self.index, c, v) for c, v in self.eff_weight.items()]
        rows += [("var_share", self.index, c, v) for c, v in self.var_share.items()]
        rows += [("main_effect", self.index, c, v) for c, v in self.main_effect.items()]
        return pd.DataFrame(rows, columns=["kind", "node", "item", "value"])

    def to_csv(self, path: str | Path) -> None:
        """Write ``table()`` as UTF-8 CSV, values with ``repr`` (exact round trip), NaN as an empty cell."""
        with open(path, "w", encoding="utf-8", newline="") as fh:
            self.write_csv(fh)

    def write_csv(self, fh: TextIO) -> None:
        """Write the CSV text of ``to_csv`` to an open text stream."""
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["kind", "node", "item", "value"])
        for kind, node, item, value in self.table().itertuples(index=False):
            writer.writerow([kind, node, item, "" if value != value else repr(float(value))])


def audit(result: IndexResult, *, factor: float = DEFAULT_FACTOR) -> AuditResult:
    """Audit a computed run: the figures of the module docstring on its normalised and aggregated scores.

    ``factor`` (> 1) is how far a dimension's importance may stray from its nominal weight before it is
    reported in ``findings``.
    """
    return audit_scores(result.framework, result.scores, factor=factor)


def audit_scores(fw: Framework, scores: FloatArray, *, factor: float = DEFAULT_FACTOR) -> AuditResult:
    """The audit of node scores ``(units, nodes)`` in ``fw.nodes`` order (normalised leaves, aggregates)."""
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not factor > 1:
        raise InputError(f"`factor` must be a number greater than 1, got {factor!r}")
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2 or s.shape[1] != len(fw.nodes):
        raise InputError(f"`scores` must be (units, {len(fw.nodes)} nodes), got shape {s.shape}")
    codes = [n.code for n in fw.nodes]
    corr, parent = _corr_parent(fw, s, codes)
    alpha, var1, loads = _groups(fw, s, codes)
    eff = fw.effective_weights()
    nominal, shares, effects, n = _importance(fw, s, codes)
    findings = _findings(nominal, shares, effects, float(factor))
    return AuditResult(
        index=fw.code,
        corr_parent=_frozen(corr),
        parent=MappingProxyType(parent),
        cronbach=_frozen(alpha),
        pca_var1=_frozen(var1),
        pca_abs_load=MappingProxyType({g: _frozen(v) for g, v in loads.items()}),
        eff_weight=_frozen({codes[i]: float(eff[i]) for i in range(len(codes) - 1)}),
        nominal=_frozen(nominal),
        var_share=_frozen(shares),
        main_effect=_frozen(effects),
        n_complete=n,
        factor=float(factor),
        findings=findings,
    )


def _corr_parent(fw: Framework, s: FloatArray, codes: list[str]) -> tuple[dict[str, float], dict[str, str]]:
    corr: dict[str, float] = {}
    parent: dict[str, str] = {}
    for g in fw.groups:
        for c in fw.children[g]:
            label = f"{codes[c]} with {codes[g]}"
            corr[codes[c]] = st.pairwise_pearson(s[:, c], s[:, g], label=label)
            parent[codes[c]] = codes[g]
    return corr, parent


def _groups(
    fw: Framework, s: FloatArray, codes: list[str]
) -> tuple[dict[str, float], dict[str, float], dict[str, dict[str, float]]]:
    alpha: dict[str, float] = {}
    var1: dict[str, float] = {}
    loads: dict[str, dict[str, float]] = {}
    for g in fw.groups:
        kids = fw.children[g]
        x = s[:, kids]
        alpha[codes[g]] = st.cronbach_alpha(x, label=codes[g])
        share, load = st.pca_first(x, label=codes[g])
        var1[codes[g]] = share
        loads[codes[g]] = {codes[c]: float(v) for c, v in zip(kids, load, strict=True)}
    return alpha, var1, loads


def _importance(
    fw: Framework, s: FloatArray, codes: list[str]
) -> tuple[dict[str, float], dict[str, float], dict[str, float], int]:
    root = len(fw.nodes) - 1
    kids = fw.children[root]
    w = fw.weights[root] / fw.weights[root].sum()
    names = tuple(codes[c] for c in kids)
    block = s[:, [*kids.tolist(), root]]
    rows = block[~np.isnan(block).any(axis=1)]
    dims, total = rows[:, :-1], rows[:, -1]
    shares = st.variance_shares(dims, total, w)
    effects = st.main_effects(dims, total, labels=names)
    return (
        dict(zip(names, w.tolist(), strict=True)),
        dict(zip(names, shares.tolist(), strict=True)),
        dict(zip(names, effects.tolist(), strict=True)),
        int(rows.shape[0]),
    )


def _findings(
    nominal: Mapping[str, float], shares: Mapping[str, float], effects: Mapping[str, float], factor: float
) -> tuple[WeightFinding, ...]:
    total_effect = sum(v for v in effects.values() if v == v)
    normalised = {k: (v / total_effect if total_effect > 0 else math.nan) for k, v in effects.items()}
    out: list[WeightFinding] = []
    for measure, values in (("var_share", shares), ("main_effect", normalised)):
        for dim, value in values.items():
            w = nominal[dim]
            if value != value or w <= 0:
                continue
            ratio = value / w
            if not 1 / factor <= ratio <= factor:
                out.append(WeightFinding(dim, measure, w, value, factor))
    return tuple(out)
