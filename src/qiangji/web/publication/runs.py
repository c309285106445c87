"""Creating and recomputing index runs.

``create_run(period, framework_version, inputs, seed=…, runs=…)`` stores everything that determines the
numbers: the framework spec (``IndexSpec.to_json``, with the period's fraction of a year, 0.25 for a
quarter, by which the per-year targets and bounds of flow indicators are pro-rated), the uncertainty
spec, the exact input snapshot (``inputs.to_json()``) and its SHA-256, the code version, the seed and the
number of Monte-Carlo runs.
``recompute(run)`` rebuilds the result from those stored texts alone; `verify(run)` says whether it equals
the stored result byte for byte.
"""

from __future__ import annotations

import functools
import json
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from django.db import transaction

import qiangji
from qiangji.core.canonical import canonical_json, sha256_text
from qiangji.core.index import IndexSpec
from qiangji.core.index.mc.spec import UncertaintySpec
from qiangji.core.index.shipped import shipped_framework
from qiangji.web.publication.compute import compute_payload, default_uncertainty
from qiangji.web.publication.models import IndexRun

DEFAULT_FRAMEWORK_PATH = shipped_framework()
DEFAULT_RUNS = 2000
DEFAULT_SEED = 20250101


class InputsLike(Protocol):
    """What `create_run` needs of the assessment app's ``Inputs`` (``build_inputs``)."""

    @property
    def frame(self) -> pd.DataFrame: ...

    @property
    def names(self) -> Mapping[str, str]: ...

    @property
    def attributes(self) -> Mapping[str, Mapping[str, str | None]]: ...

    def to_json(self) -> str: ...


@functools.cache
def code_version() -> str:
    """``qiangji.__version__`` plus the git commit when the code runs from a checkout."""
    root = Path(qiangji.__file__).resolve().parents[2]
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return qiangji.__version__
    return f"{qiangji.__version__}+g{out.stdout.strip()}"


def create_run(
    period: Any,
    framework_version: Any,
    inputs: InputsLike,
    *,
    seed: int = DEFAULT_SEED,
    runs: int = DEFAULT_RUNS,
    uncertainty: UncertaintySpec | None = None,
    user: Any = None,
    note: str = "",
    corrects: IndexRun | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> IndexRun:
    """Compute the index of ``period`` with ``framework_version`` on ``inputs`` and store the run
    (``progress(done, total)``: after each chunk of Monte-Carlo runs, `compute_payload`)."""
    spec = IndexSpec(period.framework_for(framework_version))
    unc = uncertainty or default_uncertainty(spec)
    snapshot = inputs.to_json()
    payload = compute_payload(
        spec, inputs.frame, inputs.names, unc, seed=seed, runs=runs, progress=progress,
        attributes=inputs.attributes, targets=getattr(inputs, "targets", None),
    )  # fmt: skip
    results = canonical_json(payload)
    with transaction.atomic():
        framework_version.mark_used()
        return IndexRun.objects.create(
            period=period,
            framework_version=framework_version,
            corrects=corrects,
            note=note,
            spec_json=spec.to_json(),
            uncertainty_spec_json=unc.to_json(),
            inputs_json=snapshot,
            inputs_sha256=sha256_text(snapshot),
            code_version=code_version(),
            seed=seed,
            runs=runs,
            results_json=results,
            results_sha256=sha256_text(results),
            created_by=user,
        )


def load_inputs(text: str) -> Any:
    """The assessment app's ``Inputs`` read back from a stored snapshot."""
    from qiangji.web.assessment.inputs import Inputs

    return Inputs.from_json(text)


def recompute(run: IndexRun, *, inputs_loader: Any = None) -> str:
    """The result of ``run`` recomputed from its stored snapshot and specs (canonical JSON text)."""
    inputs = (inputs_loader or load_inputs)(run.inputs_json)
    spec = IndexSpec.from_json(run.spec_json)
    unc = UncertaintySpec.from_dict(json.loads(run.uncertainty_spec_json))
    payload = compute_payload(
        spec, inputs.frame, inputs.names, unc, seed=run.seed, runs=run.runs, attributes=inputs.attributes,
        targets=getattr(inputs, "targets", None),
    )  # fmt: skip
    return canonical_json(payload)


def verify(run: IndexRun, *, inputs_loader: Any = None) -> bool:
    """Whether the stored snapshot still hashes to its stored hash and recomputes to the stored result."""
    if sha256_text(run.inputs_json) != run.inputs_sha256:
        return False
    return recompute(run, inputs_loader=inputs_loader) == run.results_json
