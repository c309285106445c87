"""The programme's three goals for end-2025 (docs/domain.md#programme), created by a data migration
(idempotent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

SOURCE = "台州市三年强基行动总体目标（docs/domain.md#programme）"
START, END = dt.date(2023, 1, 1), dt.date(2025, 12, 31)
DEFAULT_GOALS: list[dict[str, Any]] = [
    {
        "code": "a-grade",
        "name": "全市新增2家A级计量检定机构",
        "metric": "a_grade_count",
        "params": {},
        "scope": "city",
        "target_kind": "increase",
        "target": Decimal("2"),
        "unit": "家",
        "order": 1,
    },
    {
        "code": "rm-coverage",
        "name": "每个县级法定计量检定机构注册计量师覆盖率达80%以上",
        "metric": "rm_coverage_min",
        "params": {"level": "county", "threshold": 80, "denominator": "verification"},
        "scope": "institution",
        "target_kind": "absolute",
        "target": Decimal("80"),
        "unit": "%",
        "order": 2,
    },
    {
        "code": "research-breakthrough",
        "name": "全市2家计量技术机构科研项目立项实现零突破",
        "metric": "institutions_with_research",
        "params": {"new_only": True},
        "scope": "institution",
        "target_kind": "absolute",
        "target": Decimal("2"),
        "unit": "家",
        "order": 3,
    },
]


def ensure_default_goals(model: Any) -> int:
    """Create the default goals that do not exist yet (matched by code); returns how many were created."""
    made = 0
    for spec in DEFAULT_GOALS:
        defaults = {**spec, "baseline_on": START, "deadline": END, "source_document": SOURCE}
        code = defaults.pop("code")
        _obj, created = model.objects.get_or_create(code=code, defaults=defaults)
        made += created
    return made
