"""The indicator registry: every indicator declared once, by the app that owns its data."""

from __future__ import annotations

import pytest

from qiangji.web import indicators
from qiangji.web.indicators import SampleRule

# The source order the index used before the registry (the hand-kept table of assessment/inputs.py):
# registering per app must not change which value counts for any indicator.
SOURCES_BEFORE = {
    **{
        code: ("derived",)
        for code in ("D1.1", "D2.1", "D2.2", "D2.3", "D3.2", "D4.1", "D4.2", "D5.1", "D5.2", "D5.3")
    },
    **{code: ("derived",) for code in ("C1.2", "C2.1", "C2.2", "C3.3", "C4.1", "C4.2", "C4.3", "C4.4")},
    "D3.1": ("derived", "reported"),
    "D3.3": ("derived", "reported"),
    "C3.2": ("derived", "reported"),
    "C1.1": ("supervision", "reported"),
    "C2.3": ("supervision", "reported"),
    "C3.1": ("supervision", "derived"),
    # Issue 19: derived where the registry (annual volumes) or the steering data (duty lists, partner
    # register) exist, else the reported value as before.
    "D1.2": ("derived", "reported"),
    "D1.3": ("derived", "reported"),
    "D4.4": ("derived", "reported"),
}


def test_it_keeps_the_source_order_of_every_indicator() -> None:
    assert {code: ind.sources for code, ind in indicators.registered().items()} == SOURCES_BEFORE
    assert indicators.sources_of("D4.3") == ("reported",)  # not registered: reported


def test_it_takes_each_deriver_from_the_app_that_owns_the_data() -> None:
    owners = {code: ind.derive.__module__ for code, ind in indicators.registered().items() if ind.derive}
    assert owners.pop("D3.3") == "qiangji.web.programme.indicators"
    assert owners.pop("C3.2") == "qiangji.web.comparisons.indicators"
    assert (owners.pop("D1.2"), owners.pop("D4.4")) == ("qiangji.web.steering.indicators",) * 2
    assert set(owners.values()) == {"qiangji.web.registry.indicators"}
    sampled = {code for code, ind in indicators.registered().items() if ind.kind == "sampled"}
    assert sampled == {"C3.1", "C3.3", "C4.1", "C4.2", "C4.3", "C4.4"}


def test_it_names_the_kind_of_each_indicator() -> None:
    kinds = {code: indicators.get(code).kind for code in ("D1.1", "D3.1", "C1.1", "C3.1", "C4.4", "D4.3")}
    assert kinds == {
        "D1.1": "derived", "D3.1": "mixed", "C1.1": "mixed", "C3.1": "sampled", "C4.4": "sampled",
        "D4.3": "reported",
    }  # fmt: skip
    demo = sorted(c for c, i in indicators.registered().items() if i.demo_reported)
    assert demo == ["C3.2", "D1.2", "D1.3", "D3.3", "D4.4"]


def test_it_accepts_the_same_declaration_again_and_refuses_a_different_one() -> None:
    d21 = indicators.get("D2.1")
    assert indicators.register("D2.1", source="derived", derive=d21.derive) == d21  # an app made ready twice
    with pytest.raises(ValueError, match=r"D2\.1 is registered already"):
        indicators.register("D2.1", source=("derived", "reported"), derive=d21.derive)
    assert indicators.get("D2.1") == d21


@pytest.mark.parametrize(
    ("source", "derive", "sample", "message"),
    [
        ("computed", None, None, "must be distinct names among"),
        (("reported", "reported"), None, None, "must be distinct names among"),
        ("derived", None, None, "exactly one of derive= or sample="),
        ("reported", lambda insts, period: {}, None, "exactly one of derive= or sample="),
        ("derived", lambda insts, period: {}, SampleRule("x"), "exactly one of derive= or sample="),
    ],
)
def test_it_refuses_a_declaration_that_cannot_be_resolved(
    source: object, derive: object, sample: SampleRule | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        indicators.register("X9.9", source=source, derive=derive, sample=sample)  # type: ignore[arg-type]
    assert "X9.9" not in indicators.registered()
