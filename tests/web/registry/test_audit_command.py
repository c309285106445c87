"""``qiangji audit certificates``: the CSV of failures, the summary, and one-line refusals (exit 2)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from qiangji.web.registry.audit_report import audit_certificates

from . import factories as f

D = f.D
pytestmark = pytest.mark.django_db


@pytest.fixture
def registry() -> None:
    inst = f.institution("JJ")
    regulation = f.regulation("JJG 539-2016", D(2016, 11, 30), humidity_max_pct=85)
    for n, (day, record, humidity) in enumerate(
        [(D(2024, 5, 15), "", 90), (D(2024, 5, 16), "YS-1", 50), (D(2024, 7, 1), "", 50)]
    ):
        c = f.certificate(
            inst, cert_no=f"JD-{n}", verified_on=day, regulation=regulation, record_no=record,
            temperature_c=20, humidity_pct=humidity,
        )  # fmt: skip
        c.save()
        c.standards.add(f.standard(inst))
    f.certificate(
        f.institution("LQ"), cert_no="JD-X", verified_on=D(2024, 5, 15), regulation=regulation
    ).save()


def test_it_writes_one_row_per_failure_and_a_summary(registry, tmp_path: Path, capsys) -> None:
    out = tmp_path / "audit.csv"
    assert audit_certificates(None, None, "2024Q2", "JJ", str(out)) == 0
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["certificate", "institution", "rule", "field", "message"]
    got = [(r[0], r[1], r[2], r[3]) for r in rows[1:]]
    assert ("JD-0", "JJ", "TR-5", "humidity_pct") in got and ("JD-0", "JJ", "TR-7", "record_no") in got
    assert {r[0] for r in rows[1:]} == {"JD-0", "JD-1"}  # JD-1 for its signatories; JD-2 is in July
    assert ["JD-0", "JJ", "TR-7", "record_no", "未填写原始记录编号。"] in rows
    printed = capsys.readouterr().out.splitlines()
    assert (
        printed[0]
        == f"检定证书溯源审核 2024-04-01～2024-06-30：1 家机构，2 份证书，不符合 {len(rows) - 1} 项"
    )
    assert any(line.split() == ["TR-7", "JJ", "2", "1", "1"] for line in printed)


def test_it_writes_to_standard_output_with_the_summary_on_standard_error(registry, capsys) -> None:
    assert audit_certificates("2024-05-15", "2024-05-15", None, None, None) == 0
    captured = capsys.readouterr()
    assert {line.split(",")[0] for line in captured.out.splitlines()[1:]} == {"JD-0", "JD-X"}
    assert "2 家机构，2 份证书" in captured.err


@pytest.mark.parametrize(
    ("start", "end", "period", "institution", "said"),
    [
        ("2024-01-01", None, None, None, "give --period CODE or both --from DATE and --to DATE"),
        ("2024-01-01", "2024-03-31", "2024Q1", None, "give either --period or --from/--to, not both"),
        ("2024-13-01", "2024-03-31", None, None, "--from must be a date YYYY-MM-DD, got '2024-13-01'"),
        ("2024-03-31", "2024-01-01", None, None, "--to must not be before --from"),
        (None, None, "2024Q5", None, "--period code must look like '2024Q3' or '2024', got '2024Q5'"),
        (None, None, "2024", "NOPE", "--institution must be an institution code, got 'NOPE'"),
    ],
)
def test_it_refuses_bad_arguments_in_one_line(start, end, period, institution, said, capsys) -> None:
    assert audit_certificates(start, end, period, institution, None) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and said in captured.err
