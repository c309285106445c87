"""The indicator registry: where each indicator code says once where its value comes from.

An indicator of the framework file gets its value for an institution and a period from the first of its
*sources* that has one: ``derived`` (computed from the platform's own records by a batch deriver),
``supervision`` (the checklist scores of completed supervision visits) or ``reported`` (a value the
institution reported and the city approved). The app that owns the data registers the indicator in its
``AppConfig.ready()``; assessment only reads this registry, so it never imports the apps that feed it.

A code that nobody registers is ``reported``. The *kind* of an indicator sums its declaration up:
``derived``, ``supervision`` or ``reported`` for a single source, ``sampled`` for a rate over the seeded
certificate sample, ``mixed`` for an ordered fallback of sources.

Registering a derived indicator (the registry app, ``registry/indicators.py``)::

    from qiangji.web import indicators

    def d2_1_all(insts, period):  # -> dict[institution id, Derived | None], one query for all
        ...

    indicators.register("D2.1", source="derived", derive=d2_1_all)
    indicators.register("D3.1", source=("derived", "reported"), derive=d3_1_all)  # mixed: reported fallback
    indicators.register("C3.3", source="derived", sample=SampleRule("签字人员资质符合的份数", ("TR-3",)))

A batch deriver takes the institutions of a period and the period (``as_of``, ``start``, ``end``,
``code``, ``quarters()``) and returns, per institution id, a :class:`Derived` (value and provenance) or
``None`` when the records cannot answer; the next source is then asked. It reads its data for all the
institutions at once, so a period costs the same number of queries whatever the number of institutions.
A sampled indicator has no deriver of its own: the one registered *sampler* draws the certificate sample
once per period and each sampled indicator rates it with its :class:`SampleRule`.

This module imports no app: every app may register here without an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

SOURCES = ("derived", "supervision", "reported")
KINDS = ("derived", "supervision", "reported", "sampled", "mixed")

# Institutions (anything with a ``pk``) and a period; typed loosely so that this module imports no model.
Insts = Sequence[Any]
BatchDeriver = Callable[[Insts, Any], dict[int, "Derived | None"]]


@dataclass(frozen=True)
class Derived:
    """A derived value with its provenance."""

    value: float
    method: str
    numerator: float | None = None
    denominator: float | None = None
    records: tuple[str, ...] = ()
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. a sampled audit's seed and drawn certificates

    def provenance(self) -> dict[str, Any]:
        return {
            "source": "derived",
            "method": self.method,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "records": list(self.records),
            "detail": self.detail,
            **self.extra,
        }


def count(method: str, rows: Iterable[Any], detail: str = "") -> Derived:
    labels = tuple(str(r) for r in rows)
    return Derived(float(len(labels)), method, float(len(labels)), None, labels, detail)


def ratio(
    method: str, hits: int, total: int, records: Iterable[str] = (), detail: str = ""
) -> Derived | None:
    """100 · hits / total, or ``None`` when ``total`` is 0."""
    if total == 0:
        return None
    return Derived(100.0 * hits / total, method, float(hits), float(total), tuple(records), detail)


def full_score(method: str, detail: str) -> Derived:
    """ "Not applicable → full score" (docs/domain.md#indicators, D2.3), with the reason in the detail."""
    return Derived(100.0, method, 0.0, 0.0, (), detail)


@dataclass(frozen=True)
class SampleRule:
    """How a sampled indicator rates the certificate sample: its method text and the rules whose breach
    fails a certificate (``()``: any rule)."""

    method: str
    rules: tuple[str, ...] = ()


class Sample(Protocol):
    """One institution's drawn sample, as the registered sampler returns it."""

    def rate(self, rule: SampleRule) -> Derived | None: ...


Sampler = Callable[[Insts, Any], Mapping[int, Sample]]


@dataclass(frozen=True)
class Indicator:
    """One registered indicator: its sources in order, and how its derived value is found."""

    code: str
    sources: tuple[str, ...]
    derive: BatchDeriver | None = None
    sample: SampleRule | None = None
    demo_reported: bool = False  # the demo fills a reported value: the deriver often has no data there

    @property
    def kind(self) -> str:
        if self.sample is not None:
            return "sampled"
        return self.sources[0] if len(self.sources) == 1 else "mixed"


_REGISTRY: dict[str, Indicator] = {}
_SAMPLER: list[Sampler] = []


def register(
    code: str,
    *,
    source: str | tuple[str, ...],
    derive: BatchDeriver | None = None,
    sample: SampleRule | None = None,
    demo_reported: bool = False,
) -> Indicator:
    """Declare indicator ``code``: ``source`` (one source or the ordered fallback), its batch deriver or
    its sample rule when ``derived`` is among the sources. Registering the same declaration again (an app
    made ready twice) is harmless; a different one for a registered code is refused."""
    sources = (source,) if isinstance(source, str) else tuple(source)
    new = Indicator(code, sources, derive, sample, demo_reported)
    _check(new)
    old = _REGISTRY.setdefault(code, new)
    if old != new:
        raise ValueError(f"indicator {code} is registered already, with sources {old.sources}")
    return new


def _check(ind: Indicator) -> None:
    if (
        not ind.sources
        or any(s not in SOURCES for s in ind.sources)
        or len(set(ind.sources)) < len(ind.sources)
    ):
        raise ValueError(f"source of {ind.code} must be distinct names among {SOURCES}, got {ind.sources}")
    derives = ind.derive is not None or ind.sample is not None
    if ("derived" in ind.sources) != derives or (ind.derive is not None and ind.sample is not None):
        raise ValueError(f"{ind.code}: a derived source needs exactly one of derive= or sample=")


#: The provider of per-institution index targets (the 差异化 plan in force: the steering app), if any.
_TARGETS: list[Callable[[Any], dict[int, dict[str, float]]]] = []


def register_targets(provider: Callable[[Any], dict[int, dict[str, float]]]) -> None:
    """The function that gives, for a period, institution id → indicator code → that institution's target
    (one only; declared by the app that keeps the plan)."""
    if _TARGETS and _TARGETS[0] is not provider:
        raise ValueError("a targets provider is registered already")
    _TARGETS[:] = [provider]


def targets_for(period: Any) -> dict[int, dict[str, float]]:
    """The registered provider's targets for ``period``; none without a provider."""
    return _TARGETS[0](period) if _TARGETS else {}


def register_sampler(sampler: Sampler) -> None:
    """The function that draws the period's certificate sample for every sampled indicator (one only)."""
    if _SAMPLER and _SAMPLER[0] is not sampler:
        raise ValueError("a certificate sampler is registered already")
    _SAMPLER[:] = [sampler]


def get(code: str) -> Indicator:
    """The registered indicator, or an unregistered code's default: reported."""
    return _REGISTRY.get(code) or Indicator(code, ("reported",))


def registered() -> dict[str, Indicator]:
    """Every registered indicator, by code."""
    return dict(_REGISTRY)


def sources_of(code: str) -> tuple[str, ...]:
    return get(code).sources


def is_reportable(code: str) -> bool:
    """Whether institutions report this indicator (reported is one of its sources)."""
    return "reported" in sources_of(code)


def derive_one(code: str, inst: Any, period: Any) -> Derived | None:
    """The derived value of one institution (the batch path with a one-element list)."""
    return Derivations([inst], period).get(code, inst)


class Derivations:
    """Derived values of a period for a set of institutions, each indicator computed once for all of them
    on first use (one batch deriver call per code, one certificate sample per period)."""

    def __init__(self, institutions: Insts, period: Any) -> None:
        self.institutions, self.period = list(institutions), period
        self._values: dict[str, dict[int, Derived | None]] = {}
        self._samples: Mapping[int, Sample] | None = None

    def get(self, code: str, inst: Any) -> Derived | None:
        ind = get(code)
        if ind.sample is not None:
            if self._samples is None:
                self._samples = _SAMPLER[0](self.institutions, self.period)
            return self._samples[inst.pk].rate(ind.sample)
        if ind.derive is None:
            raise ValueError(f"indicator {code} has no derived source")
        if code not in self._values:
            self._values[code] = ind.derive(self.institutions, self.period)
        return self._values[code][inst.pk]
