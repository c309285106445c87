"""The mandatory-verification catalogue loads from the repository's CSV, idempotently and all-or-nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from qiangji.web.registry.catalogue import COLUMNS, DEFAULT_CSV, CatalogueError, load_catalogue
from qiangji.web.registry.models import MVCatalogueItem

pytestmark = pytest.mark.django_db


def rows() -> list[dict[str, str]]:
    with DEFAULT_CSV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(path: Path, data: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(data)
    return path


def test_it_loads_the_shipped_catalogue_once() -> None:
    first = load_catalogue()
    second = load_catalogue()
    assert first.created == len(rows()) == MVCatalogueItem.objects.count()
    assert (second.created, second.updated, second.unchanged) == (0, 0, len(rows()))


def test_it_marks_confirmed_and_expected_rows_of_the_configured_version() -> None:
    load_catalogue()
    current = MVCatalogueItem.objects.current()
    assert current.count() == len(rows())
    assert current.filter(evidence="confirmed").exists() and current.filter(evidence="expected").exists()
    assert current.get(level2_name="称重传感器").is_mandatory_verification is False
    assert current.mandatory().filter(level2_name="燃油加油机").exists()


def test_it_updates_a_row_the_client_corrected(tmp_path) -> None:
    load_catalogue()
    data = rows()
    data[0]["note"] = "已按公告附件核对（示例）"
    result = load_catalogue(write(tmp_path / "fixed.csv", data))
    assert (result.created, result.updated) == (0, 1)
    first = data[0]
    stored = MVCatalogueItem.objects.get(level1_no=first["level1_no"], level2_no=first["level2_no"])
    assert stored.note == "已按公告附件核对（示例）"


def test_it_lists_every_error_and_loads_nothing(tmp_path) -> None:
    data = rows()
    data[1]["level1_no"] = "二"
    data[2]["supervision_mode"] = "X"
    data[3]["mv_form"] = ""
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(write(tmp_path / "bad.csv", data))
    assert [e.split(",")[0] for e in caught.value.errors] == ["row 3", "row 4", "row 5"]
    assert "level1_no" in caught.value.errors[0] and "supervision_mode" in caught.value.errors[1]
    assert MVCatalogueItem.objects.count() == 0


def test_it_rejects_a_file_without_the_expected_columns(tmp_path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("catalogue_version,level1_no\n2020-42,1\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="missing columns"):
        load_catalogue(path)


def test_it_loads_through_the_management_command(capsys) -> None:
    call_command("loadcatalogue")
    call_command("loadcatalogue")
    assert f"0 created, 0 updated, {len(rows())} unchanged" in capsys.readouterr().out
    with pytest.raises(CommandError, match="file not found"):
        call_command("loadcatalogue", "/nonexistent.csv")
