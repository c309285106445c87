"""The parts of 指数编制说明 that depend on what a framework version declares beyond the tree: each
indicator's definition, source and goalposts, and the rules a version may carry (compliance gate, missing
values, tier rule, progress index).

Framework 2025.1 declares none of these rules; later versions may (issue 15: 2026.1). They are read
defensively — from the compiled `Framework` if it has an attribute of that name, else from the framework
text (``Framework.to_dict()``) — and worded generically: a rule's own ``text``/``description``/``reason``
is shown when it has one, otherwise its settings are listed, so a rule the page does not know by name is
still published rather than silently left out.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from qiangji.core.index.framework import Framework, Node
from qiangji.web.formatting import quantity

#: The names under which a framework version may declare each rule (attribute or top-level key).
RULE_KEYS: Mapping[str, tuple[str, ...]] = {
    "gate": ("gate", "gates", "gate_rules", "compliance_gate"),
    "missing": ("missing", "missing_floor", "missing_values"),
    "tier": ("tier_rule", "tiers", "tiering"),
    "progress": ("progress", "progress_index"),
}
#: Per node: an explicit goalposts pair, and the missing-value opt-out with its reason.
NODE_GOALPOST_KEYS = ("goalposts",)
NODE_MISSING_KEYS = ("missing", "missing_floor", "on_missing")
TEXT_KEYS = ("text", "description", "reason", "label", "name")
SOURCE_NAMES = {
    "derived": "登记数据自动统计",
    "supervision": "督导检查评分",
    "reported": "机构填报（经审核）",
}
SOURCE_DEFINITIONS = {
    "derived": "由平台依据登记库数据在统计基准日自动统计",
    "supervision": "依据督导检查清单评分（得分 / 应得分）",
    "reported": "由机构填报并附佐证材料，经市级审核通过",
}


def node_dicts(fw: Framework) -> dict[str, Mapping[str, Any]]:
    """Every node of the framework text by code (the file's own keys, e.g. ``description``)."""
    out: dict[str, Mapping[str, Any]] = {}

    def walk(nodes: Iterable[Any]) -> None:
        for n in nodes:
            if isinstance(n, Mapping) and "code" in n:
                out[str(n["code"])] = n
                walk(n.get("children") or [])

    walk(fw.to_dict().get("nodes") or [])
    return out


def framework_rule(fw: Framework, kind: str) -> Any:
    """The rule ``kind`` (a key of :data:`RULE_KEYS`) the framework declares, or None."""
    text = fw.to_dict()
    for key in RULE_KEYS[kind]:
        found = getattr(fw, key, None)
        if found is None:
            found = text.get(key)
        if found not in (None, [], {}, ""):
            return found
    return None


def words(value: Any) -> list[str]:
    """A declared rule as sentences: its own text if it has one, else its settings (key: value)."""
    if value is None:
        return []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [_mapping_words(value)]
    if isinstance(value, Sequence):
        return [w for item in value for w in words(item)]
    return [_scalar(value)]


def _mapping_words(m: Mapping[str, Any]) -> str:
    for key in TEXT_KEYS:
        v = m.get(key)
        if isinstance(v, Mapping):
            v = v.get("zh") or next(iter(v.values()), None)
        if isinstance(v, str) and v:
            rest = {k: x for k, x in m.items() if k not in TEXT_KEYS}
            return f"{v}（{_settings(rest)}）" if rest else v
    return _settings(m)


def _settings(m: Mapping[str, Any]) -> str:
    return "；".join(f"{k}：{_scalar(v)}" for k, v in m.items())


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, int | float):
        return quantity(v)
    if isinstance(v, Mapping):
        return "，".join(f"{k} {_scalar(x)}" for k, x in v.items())
    if isinstance(v, list | tuple):
        return "、".join(_scalar(x) for x in v)
    return str(v)


def definition(node: Node, raw: Mapping[str, Any], methods: Sequence[str], sources: Sequence[str]) -> str:
    """The framework's description of the indicator, else how its value is obtained (from the run)."""
    desc = raw.get("description")
    if isinstance(desc, Mapping):
        desc = desc.get("zh") or next(iter(desc.values()), None)
    if isinstance(desc, str) and desc.strip():
        return desc.strip()
    rule = Counter(m for m in methods if m and m not in ("填报", "test")).most_common(1)
    if rule:
        return f"{node.label('zh')}：{rule[0][0]}"
    first = sources[0] if sources else "reported"
    return f"{node.label('zh')}，{SOURCE_DEFINITIONS.get(first, '')}"


def source_text(sources: Sequence[str]) -> str:
    """``登记数据自动统计``, or ``A；缺失时 B``: the order in which the sources are tried."""
    names = [SOURCE_NAMES.get(s, s) for s in sources] or [SOURCE_NAMES["reported"]]
    return names[0] + "".join(f"；缺失时{n}" for n in names[1:])


def goalposts(node: Node, raw: Mapping[str, Any], observed: tuple[float, float] | None) -> str:
    """Where the indicator scores 0 and 100: fixed goalposts, a target, or this period's min and max."""
    unit = node.unit if node.unit and node.unit != "%" else ""
    pct = "%" if node.unit == "%" else ""
    fixed = _node_goalposts(node, raw)
    if fixed is not None:
        return f"{_amount(fixed[0], unit, pct)} 为 0 分，{_amount(fixed[1], unit, pct)} 为 100 分（固定）"
    spec = node.methods["normalise"]
    p = spec.params
    if spec.method == "target" and "target" in p:
        if (node.direction or 1) < 0:
            tol = f"，超出 {_amount(p['tolerance'], unit, pct)} 为 0 分" if "tolerance" in p else ""
            return f"不超过 {_amount(p['target'], unit, pct)} 为 100 分{tol}（固定）"
        return f"0 为 0 分，达到目标 {_amount(p['target'], unit, pct)} 为 100 分（固定）"
    if spec.method == "minmax":
        if observed is None:
            return "本期各机构的最低值为 0 分、最高值为 100 分（随期变化）"
        lo, hi = observed
        if (node.direction or 1) < 0:
            lo, hi = hi, lo
        return (
            f"本期最差 {_amount(lo, unit, pct)} 为 0 分、最好 {_amount(hi, unit, pct)} 为 100 分"
            "（取本期各机构的最低与最高值，随期变化）"
        )
    if spec.method == "ordinal":
        return "按等级表赋分（见计分方法）"
    return "—"


def _node_goalposts(node: Node, raw: Mapping[str, Any]) -> tuple[float, float] | None:
    for key in NODE_GOALPOST_KEYS:
        value = getattr(node, key, None)
        if value is None:
            value = raw.get(key)
        if isinstance(value, Mapping):
            value = (value.get("low", value.get("min")), value.get("high", value.get("max")))
        if isinstance(value, list | tuple) and len(value) == 2 and all(v is not None for v in value):
            return float(value[0]) * node.scale, float(value[1]) * node.scale
    spec = node.methods["normalise"]
    if spec.method == "goalposts" and {"low", "high"} <= set(spec.params):
        return float(spec.params["low"]), float(spec.params["high"])
    return None


def _amount(value: Any, unit: str, pct: str) -> str:
    text = quantity(value)
    return f"{text}{pct}" if pct else f"{text} {unit}".strip()


def missing_opt_out(node: Node, raw: Mapping[str, Any]) -> str:
    """An indicator's own missing-value rule (e.g. an opt-out from the floor, with its reason), or ''."""
    for key in NODE_MISSING_KEYS:
        value = getattr(node, key, None)
        if value is None:
            value = raw.get(key)
        if value not in (None, "", {}, []):
            return "；".join(words(value))
    return ""


def observed_range(results: Mapping[str, Any], code: str) -> tuple[float, float] | None:
    """This run's lowest and highest raw value of indicator ``code`` (None if it has none)."""
    try:
        col = list(results["indicators"]).index(code)
    except ValueError:
        return None
    values = np.array([row[col] for row in results["raw"] if row[col] is not None], dtype=np.float64)
    return (float(values.min()), float(values.max())) if values.size else None
