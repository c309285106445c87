"""Words the printed documents (bulletin PDF and Word, profile, Excel) share about the previous period."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def change_text(row: Mapping[str, Any]) -> str:
    """The 较上期 cell of the printed tables: ↑n / ↓n / — / 新, or the previous rank alone when the
    previous publication used another framework version."""
    if row.get("previous_only"):
        before = row.get("previous_rank")
        return "新" if before is None else f"上期第 {before} 名"
    change = row.get("change")
    if change is None:
        return "新"
    return f"↑{change}" if change > 0 else f"↓{-change}" if change < 0 else "—"


def previous_note(content: Mapping[str, Any]) -> str:
    """Why the printed tables show no rise or fall against a previous publication on another version."""
    previous = content.get("previous") or {}
    if not previous or previous.get("comparable") is not False:
        return ""
    label = previous.get("label") or previous["period"]
    return (
        f"上期（{label}）按指标框架 {previous['framework_version']} 计算，"
        f"本期按 {content['framework']['version']} 计算，两版计分方法不同，总分不可比，"
        "名次不作升降比较，表中只列上期名次供参考。"
    )
