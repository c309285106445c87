"""IndexResult.to_csv writes, byte for byte, what a csv.writer row per unit and node writes."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from qiangji.core.index import Framework, compute
from qiangji.core.index.data import IndexData


def test_it_writes_what_csv_writer_writes_row_by_row(tmp_path: Path) -> None:
    fw = Framework.from_dict(
        {
            "code": "IX",
            "nodes": [
                {"code": "G1", "children": [{"code": "A", "direction": 1}, {"code": "B", "direction": -1}]},
                {"code": "G2", "children": [{"code": "C", "direction": 1}]},
            ],
        }
    )
    units = ("plain", "with,comma", 'with "quotes"', "two\nlines", " spaced ")
    values = np.array(
        [[1.0, 2.0, 3.0], [2.0, np.nan, 1.0], [0.1, 0.2, 0.3], [5.0, 5.0, 5.5], [3.0, 1.0, 2.0]]
    )
    result = compute(fw, IndexData(units, fw.indicators, values))
    result.to_csv(tmp_path / "fast.csv")
    with open(tmp_path / "slow.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["unit", "node", "level", "score", "rank"])
        for i, unit in enumerate(units):
            for j, code in enumerate(result.codes):
                score, rank = result.scores[i, j], result.ranks[i, j]
                out.writerow(
                    [
                        unit,
                        code,
                        str(fw.level[j]),
                        "" if score != score else repr(float(score)),
                        "" if rank != rank else str(int(rank)),
                    ]
                )
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "slow.csv").read_bytes()
    assert b'"with,comma"' in (tmp_path / "fast.csv").read_bytes()
