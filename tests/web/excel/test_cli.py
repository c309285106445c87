"""qiangji import / export / template: every error printed, exit 2 and nothing stored; 0 with counts."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from qiangji.cli import main
from qiangji.web.excel.models import ImportBatch
from qiangji.web.registry import models as m

from .helpers import checksum, workbook

pytestmark = pytest.mark.django_db

GOOD = {
    "行政区划": [["代码", "名称", "类型"], ["JJ", "椒江区（示例）", "区"], ["LQ", "路桥区（示例）", "区"]]
}
BAD = {"行政区划": [["代码", "名称", "类型"], ["JJ", None, "区"], ["LQ", "路桥区（示例）", "省"]]}


def write(tmp_path: Path, sheets: dict) -> str:
    path = tmp_path / "upload.xlsx"
    path.write_bytes(workbook(sheets))
    return str(path)


def test_it_exits_0_and_counts_on_success(tmp_path, capsys) -> None:
    assert main(["import", write(tmp_path, GOOD)]) == 0
    out = capsys.readouterr().out
    assert "division: 新增 2，更新 0，未变 0" in out and "共保存 2 行" in out
    assert m.Division.objects.count() == 2
    batch = ImportBatch.objects.get()
    assert batch.source == "cli" and batch.status == "succeeded" and batch.actor


def test_it_exits_2_and_prints_every_error(tmp_path, capsys) -> None:
    before = checksum()
    assert main(["import", write(tmp_path, BAD), "--table", "division"]) == 2
    err = capsys.readouterr().err
    assert "行政区划!B2 名称: " in err and "必填" in err
    assert "行政区划!C3 类型 「省」: 应为以下之一：区、县级市、县" in err
    assert "2 个错误，未保存任何数据" in err
    assert checksum() == before
    assert ImportBatch.objects.get().status == "failed"


def test_it_rejects_a_file_that_is_not_xlsx(tmp_path, capsys) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("id,name\n1,x\n")
    assert main(["import", str(path)]) == 2
    assert "不是有效的 .xlsx" in capsys.readouterr().err
    assert not ImportBatch.objects.exists()


def test_it_writes_templates_and_exports(tmp_path) -> None:
    m.Division.objects.create(code="JJ", name="椒江区（示例）", kind="district")
    assert main(["template", str(tmp_path / "t.xlsx"), "--table", "division"]) == 0
    assert main(["export", str(tmp_path / "e.xlsx")]) == 0
    template = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert template["行政区划"].max_row == 1
    export = openpyxl.load_workbook(tmp_path / "e.xlsx")
    assert export["行政区划"]["A2"].value == "JJ" and "计量技术机构" in export.sheetnames


def test_it_offers_the_table_registry_as_table_choices() -> None:
    from qiangji.commands.web import TableNames
    from qiangji.web.excel.tables import TABLES

    assert list(TableNames()) == [s.name for s in TABLES]
    assert "supervision_finding" in TableNames() and "nope" not in TableNames()


def test_it_refuses_a_table_not_in_the_registry(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["template", str(tmp_path / "t.xlsx"), "--table", "divisions"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'divisions'" in err and "'division', 'institution'" in err
    assert not (tmp_path / "t.xlsx").exists()


def test_it_lists_the_registry_tables_in_the_help(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--table TABLE import only this table's sheet (division, institution, institution_name," in out
