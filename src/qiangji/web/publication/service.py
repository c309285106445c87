"""The period-level publishing steps that the pages, the command line and the API share.

Each step checks the period's stage (:meth:`Period.stage`) and then calls the publication workflow
(:mod:`qiangji.web.publication.workflow`), which checks the publication's own state and logs the event:

* `compute(period)`: on a locked period, builds the indicator matrix from the registry and the locked
  values, computes the index with its Monte-Carlo rank uncertainty and stores it as the draft ranking
  (a draft may be recomputed; the previous run stays in the publication's history).
* `start_notice(period, start=…)`: the draft goes to public notice (公示); objections until the
  ``OBJECTION_PERIOD_WORKING_DAYS``-th working day.
* `lodge_objection(period, …)` / `answer_objection(objection, …)`: an upheld objection leads to a corrected
  run (from the current registry, with the corrections the answer names) and a new notice period.
* `finalise(period, today=…)`: after the objection period, every objection answered; frozen and hashed.

Every refusal is a :class:`~qiangji.web.publication.workflow.WorkflowError` with one sentence saying why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qiangji.core.errors import InputError
from qiangji.web.assessment.inputs import Inputs, build_inputs
from qiangji.web.assessment.models import FrameworkVersion, Period
from qiangji.web.publication import workflow
from qiangji.web.publication.models import IndexRun, Objection, Publication
from qiangji.web.publication.runs import DEFAULT_RUNS, DEFAULT_SEED, create_run
from qiangji.web.publication.workflow import WorkflowError

Stage = Period.Stage
#: (institution code, indicator code) → corrected value, as named in an upheld objection's answer.
Corrections = Mapping[tuple[str, str], float]


def _version(period: Period) -> FrameworkVersion:
    if period.framework_version_id is not None:
        return period.framework_version  # type: ignore[return-value]
    from qiangji.web.assessment.reporting import current_framework_version

    return current_framework_version()


def _fresh(period: Period) -> Period:
    return Period.objects.select_related("framework_version").get(pk=period.pk)


def _require(period: Period, *stages: Any, today: dt.date | None = None) -> None:
    stage = period.stage(today)
    if stage not in stages:
        wanted = pgettext("list separator", "、").join(str(Stage(s).label) for s in stages)
        message = _("%(period)s当前为“%(stage)s”，此操作只能在“%(wanted)s”时进行。")
        raise WorkflowError(
            message % {"period": period.label, "stage": period.stage_label(today), "wanted": wanted}
        )


def period_inputs(period: Period, corrections: Corrections | None = None) -> Inputs:
    """The indicator matrix of ``period`` from the registry and its locked values, with ``corrections``."""
    return _inputs(period, _version(period), corrections)


def _inputs(period: Period, version: FrameworkVersion, corrections: Corrections | None) -> Inputs:
    inputs = build_inputs(period, version)
    if not corrections:
        return inputs
    frame = inputs.frame.copy()
    provenance = dict(inputs.provenance)
    for (unit, indicator), value in sorted(corrections.items()):
        if unit not in frame.index or indicator not in frame.columns:
            message = _("更正的数据 %(unit)s %(indicator)s 不在本期指标矩阵中。")
            raise WorkflowError(message % {"unit": unit, "indicator": indicator})
        frame.loc[unit, indicator] = float(value)
        provenance[(unit, indicator)] = {**provenance.get((unit, indicator), {}), "corrected": float(value)}
    return Inputs(
        frame=frame,
        names=inputs.names,
        provenance=provenance,
        attributes=inputs.attributes,
        period=inputs.period,
        framework_version=inputs.framework_version,
        as_of=inputs.as_of,
        targets=inputs.targets,
    )


def check_compute(period: Period, *, runs: int = DEFAULT_RUNS, seed: int = DEFAULT_SEED) -> None:
    """Raise :class:`WorkflowError` unless ``period`` may be computed now with ``runs`` and ``seed`` (what
    `compute` checks first; a page asks it before queueing the work)."""
    _require(_fresh(period), Stage.LOCKED, Stage.COMPUTED)
    if runs < 1:
        raise WorkflowError(_("蒙特卡洛次数必须为正整数，收到 %(runs)s。") % {"runs": runs})
    if seed < 0:
        raise WorkflowError(_("随机种子必须为非负整数，收到 %(seed)s。") % {"seed": seed})


def compute(
    period: Period,
    *,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
    user: Any = None,
    progress: Callable[[float], None] | None = None,
) -> Publication:
    """Compute the index of a locked ``period`` and store it as the draft ranking (or its new run)."""
    check_compute(period, runs=runs, seed=seed)
    period = _fresh(period)
    if progress:
        progress(0.05)
    inputs = period_inputs(period)
    if inputs.frame.empty:
        raise WorkflowError(_("%(period)s没有参与排名的机构，无法计算。") % {"period": period.label})
    if progress:
        progress(0.2)
    mc = None if progress is None else _mc_progress(progress)
    run = create_run(period, _version(period), inputs, seed=seed, runs=runs, user=user, note="", progress=mc)
    if progress:
        progress(0.95)
    return _store_draft(period, run, user)


def _mc_progress(progress: Callable[[float], None]) -> Callable[[int, int], None]:
    """Monte-Carlo runs ``done`` of ``total`` as the 20 %…90 % stretch of the whole computation."""
    return lambda done, total: progress(0.2 + 0.7 * done / max(total, 1))


@transaction.atomic
def _store_draft(period: Period, run: IndexRun, user: Any) -> Publication:
    pub = Publication.objects.select_for_update().filter(period=period).first()
    if pub is None:
        return workflow.create_draft(period, run, user=user)
    if pub.status != Publication.Status.DRAFT:
        message = _("%(period)s的排行榜已%(status)s，不能重新计算。")
        raise WorkflowError(message % {"period": period.label, "status": pub.get_status_display()})
    pub.run = run
    pub.save(update_fields=["run"])
    pub.runs_history.add(run)
    workflow.log_event(pub, workflow.PublicationEvent.Action.CREATED, user, f"recomputed: run #{run.pk}")
    return pub


def publication_of(period: Period) -> Publication:
    pub = Publication.objects.filter(period=period).first()
    if pub is None:
        raise WorkflowError(_("%(period)s尚未计算排行榜。") % {"period": period.label})
    return pub


def start_notice(period: Period, *, start: dt.date | None = None, user: Any = None) -> Publication:
    """Start the public notice of ``period``'s draft on ``start`` (default today).

    A start before the draft was computed is refused: it would shorten the objection period.
    """
    period = _fresh(period)
    _require(period, Stage.COMPUTED)
    pub = publication_of(period)
    start = start or timezone.localdate()
    computed_on = timezone.localdate(pub.run.created_at)
    if start < computed_on:
        message = _("公示开始日期 %(start)s 早于排行榜草稿的计算日期 %(computed)s。")
        raise WorkflowError(message % {"start": start, "computed": computed_on})
    return workflow.start_notice(pub, start, user=user)


def lodge_objection(
    period: Period,
    *,
    text: str,
    submitted_by: str,
    institution: Any = None,
    user: Any = None,
    today: dt.date | None = None,
) -> Objection:
    """An objection to ``period``'s ranking in notice, received ``today``."""
    period = _fresh(period)
    _require(period, Stage.NOTICE)
    return workflow.lodge_objection(
        publication_of(period),
        text=text,
        submitted_by=submitted_by,
        received_on=today or timezone.localdate(),
        institution=institution,
        user=user,
    )


def answer_objection(
    objection: Objection,
    *,
    outcome: str,
    reply: str,
    user: Any = None,
    today: dt.date | None = None,
    corrections: Corrections | None = None,
) -> Objection:
    """Answer ``objection``; an upheld one recomputes from the current data with ``corrections``.

    The corrected inputs are built with the framework version of the run in notice (which a period
    published before the lifecycle existed does not name itself), and the objection is answered under a
    row lock, so two officers answering at once cannot both answer it.
    """
    pub = Publication.objects.select_related("run__framework_version", "period").get(
        pk=objection.publication_id
    )
    corrected = None
    try:
        if outcome == Objection.Outcome.UPHELD and objection.outcome == Objection.Outcome.PENDING:
            corrected = _inputs(pub.period, pub.run.framework_version, corrections)
        with transaction.atomic():
            current = Objection.objects.select_for_update().select_related("publication").get(pk=objection.pk)
            return workflow.reply_objection(
                current,
                outcome=outcome,
                reply=reply,
                today=today or timezone.localdate(),
                user=user,
                corrected_inputs=corrected,
            )
    except InputError as exc:  # a corrected value outside its indicator's bounds, for instance
        raise WorkflowError(_("更正后的数据不能计算：%(error)s") % {"error": exc}) from None


def finalise(period: Period, *, today: dt.date | None = None, user: Any = None) -> Publication:
    """Publish ``period``'s ranking as final (after the objection period, every objection answered)."""
    period = _fresh(period)
    _require(period, Stage.NOTICE)
    return workflow.finalise(publication_of(period), today or timezone.localdate(), user=user)
