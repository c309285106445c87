"""The shared upload gate (qiangji.web.uploads): zip bombs, oversized, macro-enabled and linked workbooks
are refused before any parser sees them, each with a message naming the rule; honest workbooks pass.

Zip bombs are built here with ``zipfile`` and never extracted: the bomb tests forbid ``ZipFile.open``
altogether, so a pass proves the refusal came from the central directory's declared sizes alone.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from qiangji.web.uploads import UploadRejected, check_evidence, check_xlsx, safe_name

MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MB = 1024 * 1024


def workbook(sheets: int = 1, rows: int = 2) -> bytes:
    wb = Workbook()
    for i in range(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = f"表{i + 1}"
        for r in range(rows):
            ws.append([f"X{r}", r])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rebuilt(
    data: bytes, extra: dict[str, bytes] | None = None, types: tuple[str, str] | None = None
) -> bytes:
    """``data`` with extra members added and the content types optionally rewritten."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == "[Content_Types].xml" and types:
                body = body.replace(types[0].encode(), types[1].encode())
            dst.writestr(name, body)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def zeros_member(archive: zipfile.ZipFile, name: str, size: int) -> None:
    """A member of ``size`` zero bytes, written in 1 MiB pieces (never held in memory at once)."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    piece = bytes(MB)
    with archive.open(info, "w", force_zip64=True) as member:
        for start in range(0, size, MB):
            member.write(piece[: min(MB, size - start)])


@pytest.fixture(scope="session")
def bomb() -> bytes:
    """A real workbook plus one worksheet part declaring 200 MB of zeros (about 200 kB on the wire)."""
    out = io.BytesIO(workbook())
    with zipfile.ZipFile(out, "a") as archive:
        zeros_member(archive, "xl/worksheets/sheet9.xml", 200 * MB)
    return out.getvalue()


@pytest.fixture
def no_decompression(monkeypatch: pytest.MonkeyPatch) -> None:
    original = zipfile.ZipFile.open

    def refuse_reads(self: zipfile.ZipFile, name: Any, mode: Any = "r", **kwargs: Any) -> Any:
        if mode == "r":
            raise AssertionError(f"the guard decompressed {name}")
        return original(self, name, mode, **kwargs)  # building test files stays possible

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse_reads)


@pytest.fixture
def limits(settings: Any) -> Iterator[dict[str, int]]:
    """The settings' limits, editable per test."""
    settings.QIANGJI_XLSX_LIMITS = dict(settings.QIANGJI_XLSX_LIMITS)
    yield settings.QIANGJI_XLSX_LIMITS


def refusal(data: Any, name: str | None = "data.xlsx") -> UploadRejected:
    with pytest.raises(UploadRejected) as exc:
        check_xlsx(data, name)
    return exc.value


def test_it_accepts_an_honest_workbook_and_rewinds_it() -> None:
    upload = SimpleUploadedFile("数据.xlsx", workbook(sheets=3, rows=100))
    check_xlsx(upload)
    assert upload.tell() == 0


def test_it_refuses_a_zip_bomb_from_the_central_directory_alone(bomb: bytes, no_decompression: None) -> None:
    assert len(bomb) < 2 * MB
    exc = refusal(bomb)
    assert exc.rule == "member-size"
    assert "压缩炸弹" in str(exc) and str(200 * MB) in str(exc)


def test_it_refuses_a_high_ratio_member(limits: dict[str, int], no_decompression: None) -> None:
    out = io.BytesIO(workbook())
    with zipfile.ZipFile(out, "a") as archive:
        zeros_member(archive, "xl/media/blank.bin", 8 * MB)
    exc = refusal(out.getvalue())
    assert exc.rule == "compression-ratio" and ":1" in str(exc)


def test_it_refuses_a_large_declared_total(limits: dict[str, int], no_decompression: None) -> None:
    limits.update(MAX_UNCOMPRESSED_BYTES=6 * MB, MAX_RATIO=10**6)
    out = io.BytesIO(workbook())
    with zipfile.ZipFile(out, "a") as archive:
        for i in range(4):
            zeros_member(archive, f"xl/media/part{i}.bin", 2 * MB)
    exc = refusal(out.getvalue())
    assert exc.rule == "uncompressed-total" and str(6 * MB) in str(exc)


def test_it_refuses_too_many_members(limits: dict[str, int]) -> None:
    limits["MAX_MEMBERS"] = 20
    data = rebuilt(workbook(), {f"xl/media/{i}.txt": b"x" for i in range(20)})
    assert refusal(data).rule == "too-many-members"


def test_it_refuses_a_member_that_lies_about_its_size() -> None:
    """The central directory declares 1,000 bytes for a sheet holding far more: the bounded read stops at
    the declared size, the CRC then fails, and the file is refused as corrupt before any parser runs."""
    data = bytearray(rebuilt(workbook(), {"xl/media/pad.bin": bytes(50_000)}))
    entry = data.rindex(b"xl/media/pad.bin") - 46  # its central directory record (the name comes last)
    assert data[entry : entry + 4] == b"PK\x01\x02"
    struct.pack_into("<I", data, entry + 24, 1000)  # uncompressed size field of the central directory
    assert refusal(bytes(data)).rule == "corrupt-zip"


def test_it_refuses_too_many_sheets(limits: dict[str, int]) -> None:
    limits["MAX_SHEETS"] = 4
    exc = refusal(workbook(sheets=5))
    assert exc.rule == "too-many-sheets" and "5" in str(exc)


def test_it_refuses_too_many_rows_and_names_the_sheet(limits: dict[str, int]) -> None:
    limits["MAX_ROWS"] = 100
    check_xlsx(workbook(rows=100), "ok.xlsx")
    exc = refusal(workbook(sheets=2, rows=101))
    assert exc.rule == "too-many-rows" and "“表1”" in str(exc) and "100" in str(exc)


MACROS = {
    "vbaProject.bin": ({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}, None),
    "xlsm content type": ({}, (XLSX_MAIN, MACRO_MAIN)),
    "Excel 4 macro sheet": ({"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}, None),
    "ActiveX control": ({"xl/activeX/activeX1.xml": b"<ax:ocx/>"}, None),
}


@pytest.mark.parametrize("case", sorted(MACROS))
def test_it_refuses_macro_content(case: str) -> None:
    extra, types = MACROS[case]
    exc = refusal(rebuilt(workbook(), extra, types))
    assert exc.rule == "macro" and "宏" in str(exc)


@pytest.mark.parametrize(
    "part", ["xl/externalLinks/externalLink1.xml", "xl/connections.xml", "xl/queryTables/queryTable1.xml"]
)
def test_it_refuses_external_links_and_connections(part: str) -> None:
    exc = refusal(rebuilt(workbook(), {part: b"<externalLink/>"}))
    assert exc.rule == "external-link" and "外部链接" in str(exc)


NOT_WORKBOOKS = {
    "empty": (b"", "data.xlsx", "empty"),
    "pdf renamed": (b"%PDF-1.7\n", "data.xlsx", "not-a-zip"),
    "old xls / encrypted": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        "data.xlsx",
        "xls-or-encrypted",
    ),
    "plain zip": (rebuilt(workbook(), {}, (XLSX_MAIN, "text/plain")), "data.xlsx", "not-a-workbook"),
    "xlsm name": (workbook(), "宏.xlsm", "macro"),
    "csv name": (workbook(), "data.csv", "extension"),
    "NUL in name": (workbook(), "data\x00.xlsx", "name-control-characters"),
    "long name": (workbook(), "x" * 300 + ".xlsx", "name-too-long"),
    "traversal member": (rebuilt(workbook(), {"../../evil.txt": b"x"}), "data.xlsx", "unsafe-member-path"),
}


@pytest.mark.parametrize("case", sorted(NOT_WORKBOOKS))
def test_it_refuses_what_is_not_a_plain_workbook(case: str) -> None:
    data, name, rule = NOT_WORKBOOKS[case]
    assert refusal(data, name).rule == rule


def test_it_refuses_an_oversized_file_before_opening_it(settings: Any, no_decompression: None) -> None:
    settings.QIANGJI_MAX_UPLOAD_BYTES = 1000
    exc = refusal(workbook())
    assert exc.rule == "too-large" and "文件过大" in str(exc) and "1000" in str(exc)


def test_it_says_it_in_english_when_the_interface_is_english(bomb: bytes) -> None:
    with translation.override("en"):
        exc = refusal(bomb)
    assert "zip bomb" in str(exc) and "压缩" not in str(exc)


EVIDENCE = {
    "pdf": ("证明.pdf", b"%PDF-1.4 proof", None),
    "png": ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(20), None),
    "text": ("说明.txt", "检定记录\n".encode(), None),
    "exe as pdf": ("证明.pdf", b"MZ\x90\x00", "content-does-not-match-extension"),
    "html": ("page.html", b"<script>alert(1)</script>", "extension"),
    "binary as txt": ("a.txt", b"\x00\x01\x02", "not-utf8-text"),
    "macro workbook": ("表.xlsx", rebuilt(workbook(), {"xl/vbaProject.bin": b"x"}), "macro"),
}


@pytest.mark.parametrize("case", sorted(EVIDENCE))
def test_it_checks_evidence_by_content(case: str) -> None:
    name, data, rule = EVIDENCE[case]
    if rule is None:
        check_evidence(SimpleUploadedFile(name, data))
        return
    with pytest.raises(UploadRejected) as exc:
        check_evidence(SimpleUploadedFile(name, data))
    assert exc.value.rule == rule


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.xlsx", "passwd.xlsx"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("a\x00b.pdf", "ab.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
        ("长" * 250 + ".xlsx", "长" * 65 + ".xlsx"),  # 200 UTF-8 bytes: 65 × 3 + 5
        ("..", "upload"),
    ],
)
def test_it_makes_safe_names(given: str, expected: str) -> None:
    assert safe_name(given) == expected
