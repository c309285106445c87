import pytest

from qiangji.core.index import Framework
from qiangji.core.index.shipped import shipped_framework

TZ_FRAMEWORK = shipped_framework()

# The small framework of the hand-computed example (test_pipeline.py):
#   IX ─ A (weight 2) ─ a1 (weight 1, ↑), a2 (weight 3, ↓)
#      └ b (weight 1, ↑, bounds [0, 10])
SMALL = {
    "code": "IX",
    "name": {"zh": "小指数", "en": "Small index"},
    "version": "1",
    "tie_break": ["A"],
    "nodes": [
        {
            "code": "A",
            "weight": 2,
            "children": [
                {"code": "a1", "direction": 1, "weight": 1},
                {"code": "a2", "direction": -1, "weight": 3},
            ],
        },
        {"code": "b", "direction": 1, "weight": 1, "bounds": [0, 10]},
    ],
}


@pytest.fixture
def small() -> Framework:
    return Framework.from_dict(SMALL)
