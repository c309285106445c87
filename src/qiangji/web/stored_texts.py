"""Chinese sentences stored with a run, a snapshot or a publication, shown in the request's language.

A derived value's method and detail (``配备≥2名持该专业项目注册人员的授权项目 / 授权项目``,
``年检定量合计 58002 台件 × 0.25``) and a publication's tier rule are stored as the Chinese words they were
computed or published with: they are part of hashed inputs and frozen contents
(docs/design.md#reproducibility), so their text never changes. A page in another language
translates them when it shows them: a constant sentence through the catalogue, and a sentence built with
numbers or names (a `Sentence`) by recognising it, taking its numbers and names out and putting them into
its translated pattern. Chinese pages show the stored text exactly as it is.

Code that stores such a sentence builds it with `Sentence.zh`, so the stored words and the pattern that
recognises them are one string.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language, gettext, gettext_noop

from qiangji.web import formatting

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def english() -> bool:
    return (get_language() or "").startswith("en")


@dataclass(frozen=True)
class Sentence:
    """A sentence with named placeholders (``%(minimum)s``) whose Chinese is stored, filled.

    ``shown`` formats a placeholder's stored text for another language (``58002`` → ``58,002``); a
    placeholder without one is shown as stored (a list of names). ``nested`` placeholders hold a stored
    sentence themselves, translated in turn.
    """

    msgid: str
    shown: Mapping[str, Callable[[str], str]] = field(default_factory=dict)
    nested: frozenset[str] = frozenset()

    def zh(self, **params: Any) -> str:
        """The stored (Chinese) text: the pattern filled, never translated."""
        return self.msgid % {k: str(v) for k, v in params.items()}

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        parts = PLACEHOLDER.split(self.msgid)
        # split alternates literal text and placeholder names: even indices literal, odd names
        # a value never spans joined notes ("；"), except a nested sentence, which may hold that mark itself
        regex = "".join(
            re.escape(p) if i % 2 == 0 else f"(?P<{p}>{'.+?' if p in self.nested else '[^；]+?'})"
            for i, p in enumerate(parts)
        )
        return re.compile(regex, re.S)

    def translate(self, text: str) -> str | None:
        """``text`` in the active language if it is this sentence filled, else None."""
        found = self.pattern.fullmatch(text)
        if found is None:
            return None
        if not found.groupdict():
            return gettext(self.msgid)  # a constant sentence ("5%–95%" is no placeholder)
        values = {
            k: in_language(v) if k in self.nested else self.shown.get(k, str)(v)
            for k, v in found.groupdict().items()
        }
        return gettext(self.msgid) % values


def _count(text: str) -> str:
    return formatting.count(text) if text.strip().lstrip("-").isdigit() else text


#: C2.2's method: authorised items with at least ``minimum`` registered metrologists for the item.
STAFFED_ITEMS = Sentence(gettext_noop("配备≥%(minimum)s名持该专业项目注册人员的授权项目 / 授权项目"))
#: D1.3's detail: the annual volumes of the authorised items summed, times the period's share of a year.
ANNUAL_VOLUMES = Sentence(gettext_noop("年检定量合计 %(total)s 台件 × %(fraction)s"), {"total": _count})
#: D1.2's detail: the duty-list items the institution is not authorised for (names as stored).
NOT_COVERED = Sentence(gettext_noop("未覆盖：%(items)s"))
#: C3.2's record of a mandatory comparison round with nothing submitted (the round's code as stored).
NOT_SUBMITTED = Sentence(gettext_noop("未提交：%(round)s"))
#: A certificate sample's notes (C3.1, C3.3, C4.x), joined by "；" when both apply.
FEW_SAMPLED = Sentence(gettext_noop("抽样数少于%(minimum)s份"))
MANY_FAILING = Sentence(gettext_noop("不符合%(n)s份，记录列出证书编号最小的%(shown)s份"), {"n": _count})
#: A tier rule of more or fewer than three tiers (`standing.tier_rule_text`): the rule, then the count.
TIER_COUNT = Sentence(gettext_noop("%(rule)s（共 %(n)s 个方阵）"), nested=frozenset({"rule"}))

SENTENCES: tuple[Sentence, ...] = (
    STAFFED_ITEMS,
    ANNUAL_VOLUMES,
    NOT_COVERED,
    NOT_SUBMITTED,
    FEW_SAMPLED,
    MANY_FAILING,
    TIER_COUNT,
)
#: How a stored text joins notes (a sample's), and how an English page joins their translations.
NOTES_JOINED, NOTES_JOINED_EN = "；", "; "


#: The tier rules in words (`publication.standing.tier_rule_text`), by the framework's rule name; kept
#: here because a publication stores them and an English page recognises them.
TIER_TEXT = {
    "thirds": gettext_noop(
        "按排名三等分：共 n 家机构，k = ⌈n/3⌉，第 1–k 名为第一方阵，第 k+1–2k 名为第二方阵，其余为第三方阵。"
    ),
    "rank_interval": gettext_noop(
        "方阵按排名三等分划定后，边界两侧机构的排名区间（5%–95%）若有重叠，边界移到最近的不分开重叠区间的位置"
        "（距离相同时取靠后者）；找不到这样的位置时该边界取消，下方机构并入上一方阵。排名区间重叠的机构"
        "在统计上无法区分，不因方阵边界被分开。"
    ),
    "score_gap": gettext_noop(
        "方阵按排名三等分划定后，边界只设在相邻两家总分相差不少于 %(gap)s 分之处：边界移到最近的满足条件的"
        "位置（距离相同时取靠后者），找不到时该边界取消。"
    ),
}


def _tier_sentences() -> Iterator[Sentence]:
    return (Sentence(text) for text in TIER_TEXT.values())


@functools.cache
def sentences() -> tuple[Sentence, ...]:
    """Every sentence recognised: the tier rules first (a count suffix is tried after them)."""
    return (*_tier_sentences(), *SENTENCES)


#: Readers of stored records that carry a code of an app's own (C3.2's verdict codes): each gives the
#: record in the request's language, or None when it is not one of its records. Apps register them when
#: ready (`register_record`), so this module imports no app.
_RECORDS: list[Callable[[str], str | None]] = []


def register_record(read: Callable[[str], str | None]) -> None:
    if read not in _RECORDS:
        _RECORDS.append(read)


def _record(text: str) -> str | None:
    return next((found for read in _RECORDS if (found := read(text)) is not None), None)


def in_language(text: Any) -> str:
    """A stored Chinese text in the request's language (module docstring); '' for None or ''."""
    if not text:
        return ""
    text = str(text)
    record = _record(text)
    if record is not None:
        return record
    if not english():
        return text
    found = _one(text)
    if found is None and NOTES_JOINED in text:
        parts = [_one(p) for p in text.split(NOTES_JOINED)]
        if all(p is not None for p in parts):
            return NOTES_JOINED_EN.join(str(p) for p in parts)
    return text if found is None else found


def _one(text: str) -> str | None:
    """One stored sentence in the active language; None when neither the catalogue nor a pattern has it."""
    translated = gettext(text)
    if translated != text:
        return translated
    for sentence in sentences():
        found = sentence.translate(text)
        if found is not None:
            return found
    return None
