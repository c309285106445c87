import copy
import json

import numpy as np
import pytest

from qiangji.core.errors import InputError
from qiangji.core.index import Framework, load_framework, parse_method
from tests.core.index.conftest import SMALL, TZ_FRAMEWORK


def errors_of(data) -> list[str]:
    with pytest.raises(InputError) as exc:
        Framework.from_dict(data)
    return exc.value.errors


def test_it_compiles_the_tree_in_post_order(small) -> None:
    assert [n.code for n in small.nodes] == ["a1", "a2", "A", "b", "IX"]
    assert small.indicators == ("a1", "a2", "b")
    assert small.level.tolist() == [1, 1, 2, 1, 3]
    assert small.parent.tolist() == [2, 2, 4, 4, -1]
    assert small.column.tolist() == [0, 1, -1, 2, -1]
    assert [c.tolist() for c in small.children] == [[], [], [0, 1], [], [2, 3]]
    assert small.weights[4].tolist() == [2.0, 1.0]
    assert small.groups.tolist() == [2, 4]
    # nominal weights: a1 = 2/3 · 1/4, a2 = 2/3 · 3/4, b = 1/3
    np.testing.assert_allclose(small.effective_weights()[[0, 1, 3]], [1 / 6, 1 / 2, 1 / 3], rtol=1e-15)


def test_it_keeps_compiled_arrays_read_only(small) -> None:
    with pytest.raises(ValueError):
        small.level[0] = 5
    with pytest.raises(TypeError):
        small.index["x"] = 1  # type: ignore[index]


def test_it_supports_any_depth() -> None:
    deep = {
        "code": "R",
        "nodes": [
            {
                "code": "L1",
                "children": [
                    {
                        "code": "L2",
                        "children": [
                            {
                                "code": "L3",
                                "children": [{"code": "x", "direction": 1}, {"code": "y", "direction": 1}],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    fw = Framework.from_dict(deep)
    assert fw.level.tolist() == [1, 1, 2, 3, 4, 5]
    assert fw.top_level == 5


def test_it_loads_the_taizhou_framework_with_points_weights() -> None:
    fw = load_framework(TZ_FRAMEWORK)
    assert len(fw.indicators) == 29
    assert [fw.nodes[c].code for c in fw.children[-1]] == ["D1", "D2", "D3", "D4", "D5", "D6"]
    ew = fw.effective_weights()
    # docs/domain.md#indicators: indicator points sum to 100 and the nominal weight of each indicator is its
    # points
    points = {"D1.1": 8, "D1.3": 2, "D2.1": 9, "D3.1": 10, "D5.1": 5, "C1.3": 2, "C4.3": 1, "C4.4": 2}
    for code, w in points.items():
        assert ew[fw.index[code]] * 100 == pytest.approx(w, rel=1e-12)
    assert ew[fw.column >= 0].sum() == pytest.approx(1.0, rel=1e-12)
    assert fw.node("C1.3").direction == -1
    assert fw.node("C1.3").methods["normalise"].params == {"target": 0, "tolerance": 3}
    assert fw.node("D2.1").methods["treat"].method == "log1p"
    assert fw.node("D5.1").methods["normalise"].method == "ordinal"
    assert fw.tie_break == ("D6", "D3", "D2")


def test_it_resolves_method_overrides_down_the_tree() -> None:
    data = copy.deepcopy(SMALL)
    data["method"] = {"normalise": {"method": "minmax", "low": 1, "high": 100}}
    data["nodes"][0]["method"] = {"normalise": {"high": 10}, "aggregate": "geometric"}
    data["nodes"][0]["children"][1]["method"] = {"normalise": {"method": "zscore"}}
    fw = Framework.from_dict(data)
    assert fw.node("a1").methods["normalise"].params == {"low": 1, "high": 10}
    assert fw.node("a2").methods["normalise"].method == "zscore"
    assert fw.node("a2").methods["normalise"].params == {}
    assert fw.node("A").methods["aggregate"].method == "geometric"
    assert fw.node("IX").methods["aggregate"].method == "arithmetic"
    assert fw.node("b").methods["normalise"].params == {"low": 1, "high": 100}


def test_it_names_the_node_of_each_error() -> None:
    data = {
        "code": "IX",
        "nodes": [
            {
                "code": "A",
                "weight": 0,
                "children": [{"code": "a1", "direction": 1}, {"code": "a1", "direction": 1}],
            },
            {"code": "B", "children": []},
            {"code": "c", "weight": 1},
            {"code": "d", "direction": 1, "bounds": [10, 0]},
            {"code": "e", "direction": 2, "method": {"normalise": "fancy"}},
            {
                "code": "f",
                "direction": -1,
                "weight": -3,
                "method": {"normalise": {"method": "target", "target": 1}},
            },
        ],
    }
    errors = errors_of(data)
    expected = [
        ("`A`", "`weight` must be a positive number, got 0"),
        ("`a1`", "`code` must be unique"),
        ("`B`", "a group must have a non-empty list of `children`"),
        ("`c`", "`direction` must be given"),
        ("`d`", "`bounds` must have low < high, got [10, 0]"),
        ("`e`", "`direction` must be 1 or -1, got 2"),
        ("`e`", "`normalise` method must be one of"),
        ("`f`", "`weight` must be a positive number, got -3"),
        ("`f`", "`tolerance` must be positive for a lower-is-better indicator"),
    ]
    for node, text in expected:
        assert any(e.startswith(f"node {node}") and text in e for e in errors), (node, text, errors)
    assert len(errors) == len(expected)


def test_it_rejects_unknown_parameters_and_keys() -> None:
    data = copy.deepcopy(SMALL)
    data["nodes"][1]["wieght"] = 2
    data["nodes"][1]["method"] = {"normalise": {"method": "minmax", "hgh": 5}}
    errors = errors_of(data)
    assert any("`b`" in e and "`wieght` is not a node key" in e for e in errors)
    assert any("`b`" in e and "`hgh` is not a parameter of normalise method 'minmax'" in e for e in errors)


def test_it_reports_a_bad_default_once() -> None:
    data = copy.deepcopy(SMALL)
    data["method"] = {"aggregate": {"method": "mean"}}
    errors = errors_of(data)
    assert errors == [
        "node `IX`: `aggregate` method must be one of arithmetic, generalised, geometric, harmonic, median, "
        "got 'mean'"
    ]


def test_it_round_trips_through_json(small) -> None:
    again = Framework.from_json(small.to_json())
    assert again.to_json() == small.to_json()
    assert json.loads(small.to_json())["nodes"][0]["code"] == "A"
    assert [n.code for n in again.nodes] == [n.code for n in small.nodes]


def test_it_overrides_a_whole_stage(small) -> None:
    data = copy.deepcopy(SMALL)
    data["nodes"][1]["method"] = {"normalise": {"method": "target", "target": 5}}
    fw = Framework.from_dict(data).with_methods(normalise=parse_method("minmax:low=1,high=100"))
    assert {fw.node(c).methods["normalise"].method for c in fw.indicators} == {"minmax"}
    assert fw.node("b").methods["normalise"].params == {"low": 1, "high": 100}


def test_it_reads_json_and_reports_bad_files(tmp_path) -> None:
    p = tmp_path / "fw.json"
    p.write_text(json.dumps(SMALL), encoding="utf-8")
    assert load_framework(p).indicators == ("a1", "a2", "b")
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: [unclosed", encoding="utf-8")
    with pytest.raises(InputError, match="valid YAML or JSON"):
        load_framework(bad)
    with pytest.raises(InputError, match="readable file"):
        load_framework(tmp_path / "missing.yaml")
