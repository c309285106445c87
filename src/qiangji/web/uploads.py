"""The one gate every uploaded file passes before anything parses it: workbooks and evidence attachments.

An .xlsx file is a zip archive (Office Open XML, ISO/IEC 29500-2), so a hostile one can be a zip bomb
(a few kilobytes declaring gigabytes), carry macros (``vbaProject.bin``, an ``.xlsm`` content type,
Excel 4 macro sheets, ActiveX), or make Excel fetch other files (external workbook links, data
connections). :func:`check_xlsx` refuses all of that from the archive's central directory and the small
XML parts, **without** handing the file to a spreadsheet parser:

1. name (``.xlsx`` only; no NUL or control characters, at most 255 characters), size (not empty, at most
   ``QIANGJI_MAX_UPLOAD_BYTES``) and signature (a zip, not an OLE2 ``.xls`` or encrypted workbook);
2. from the central directory alone, before decompressing a byte: number of members, each member's
   declared size, the declared total and each member's compression ratio; no encrypted member, no
   absolute or ``..`` member names, no duplicates;
3. content types and parts: the workbook main part must be the plain spreadsheet one; macros, macro
   sheets, ActiveX, embedded objects, external links and data connections are refused;
4. streaming, bounded by the declared sizes just checked (``zipfile`` never returns more than the declared
   size and then checks the CRC, so a member that lies about its size fails here rather than in the
   parser): every member is read once, the sheets are counted in ``xl/workbook.xml`` and the rows of each
   worksheet counted as they stream past.

Limits come from settings (``QIANGJI_XLSX_LIMITS``, each overridable from the environment). Every refusal
is an :class:`UploadRejected` whose message names the rule and the numbers (Chinese, English when the
active language is English) and whose ``rule`` is a stable key for programs and tests.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_TYPE = re.compile(r"macroEnabled|vbaProject|vnd\.ms-office\.activeX|ms-excel\.intlmacrosheet|"
                        r"ms-excel\.macrosheet", re.IGNORECASE)  # fmt: skip
MACRO_PARTS = re.compile(r"(^|/)vbaProject\.bin$|(^|/)vbaProjectSignature|^xl/macrosheets/|"
                         r"^xl/activeX/|^xl/dialogsheets/", re.IGNORECASE)  # fmt: skip
EXTERNAL_PARTS = re.compile(r"^xl/externalLinks/|^xl/connections\.xml$|^xl/queryTables/", re.IGNORECASE)
EMBEDDED_PARTS = re.compile(r"^xl/embeddings/", re.IGNORECASE)
SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
ATTRIBUTE = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
CHUNK = 1 << 16

EVIDENCE_TYPES = {  # extension → what the content must start with (None: checked otherwise)
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".xlsx": None,
    ".txt": None,
    ".csv": None,
}


class UploadRejected(ValueError):
    """The file is refused before any parsing; ``rule`` names the rule broken (stable, English)."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


@dataclass(frozen=True)
class XlsxLimits:
    max_bytes: int
    max_uncompressed_bytes: int
    max_member_bytes: int
    max_members: int
    max_ratio: int
    ratio_floor_bytes: int
    max_sheets: int
    max_rows: int

    @classmethod
    def from_settings(cls) -> XlsxLimits:
        fields = {k.lower(): int(v) for k, v in settings.QIANGJI_XLSX_LIMITS.items()}
        return cls(max_bytes=int(settings.QIANGJI_MAX_UPLOAD_BYTES), **fields)


def check_xlsx(file: Any, name: str | None = None, limits: XlsxLimits | None = None) -> None:
    """Raise :class:`UploadRejected` unless ``file`` is a plain .xlsx workbook within every limit.

    ``file`` is bytes, an uploaded file or any seekable binary file (left at position 0); ``name``
    defaults to the file's own name (an unnamed in-memory file made by the program has no name to
    check). Nothing is decompressed beyond the declared, already-checked sizes. ``limits`` default to the
    settings' (registry imports pass their own, larger ones).
    """
    limits = limits or XlsxLimits.from_settings()
    stream, size = _stream(file)
    name = name if name is not None else getattr(file, "name", None)
    if name is not None:
        check_name(str(name), (".xlsx",))
    _check_size(size, limits.max_bytes)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(OLE2_MAGIC):
        raise UploadRejected(
            _("文件是旧版 .xls 或加密的工作簿，只接受未加密的 .xlsx 文件"), "xls-or-encrypted"
        )
    if not head.startswith(ZIP_MAGIC):
        raise UploadRejected(_("文件不是有效的 .xlsx 工作簿（不是 Office Open XML 压缩包）"), "not-a-zip")
    try:
        with zipfile.ZipFile(stream) as archive:
            members = _check_directory(archive, limits)
            _check_parts(archive, members)
            _check_content(archive, members, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, OSError) as exc:
        raise UploadRejected(
            _("文件不是有效的 .xlsx 工作簿（压缩包损坏：%(e)s）") % {"e": exc}, "corrupt-zip"
        ) from None
    finally:
        stream.seek(0)


def check_evidence(file: Any, name: str | None = None) -> None:
    """Raise :class:`UploadRejected` unless ``file`` is an accepted evidence type whose content matches
    its extension (PDF, PNG, JPEG, plain UTF-8 text or CSV, or an .xlsx passing :func:`check_xlsx`)."""
    name = name if name is not None else getattr(file, "name", "") or ""
    suffix = check_name(name, tuple(EVIDENCE_TYPES))
    if suffix == ".xlsx":
        check_xlsx(file, name)
        return
    stream, size = _stream(file)
    _check_size(size, int(settings.QIANGJI_MAX_UPLOAD_BYTES))
    head = stream.read(CHUNK)
    stream.seek(0)
    magic = EVIDENCE_TYPES[suffix]
    if magic is not None and not head.startswith(magic):
        raise UploadRejected(
            _("文件内容与扩展名“%(ext)s”不符") % {"ext": suffix}, "content-does-not-match-extension"
        )
    if magic is None and not _is_text(stream):
        raise UploadRejected(
            _("“%(ext)s”文件必须是不含控制字符的 UTF-8 文本") % {"ext": suffix}, "not-utf8-text"
        )


def check_name(name: str, allowed: tuple[str, ...]) -> str:
    """The lower-case extension of ``name`` if it is one of ``allowed`` and the name is harmless."""
    if len(name) > 255:
        raise UploadRejected(_("文件名过长：%(n)s 个字符，上限 255 个") % {"n": len(name)}, "name-too-long")
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise UploadRejected(_("文件名含有控制字符（如 NUL），不予接受"), "name-control-characters")
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        raise UploadRejected(_("不接受含宏的工作簿（%(ext)s），请另存为 .xlsx") % {"ext": suffix}, "macro")
    if suffix not in allowed:
        raise UploadRejected(
            _("只接受 %(allowed)s 文件，收到“%(name)s”") % {"allowed": " / ".join(allowed), "name": name},
            "extension",
        )
    return suffix


def safe_name(name: str, limit: int = 200) -> str:
    """A display and storage name: the last path component, control characters removed, at most ``limit``
    UTF-8 bytes (file systems count bytes: 255) with the extension kept ("../../etc/passwd.xlsx" →
    "passwd.xlsx")."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c) != "Cc").strip().lstrip(".") or "upload"
    stem, dot, ext = base.rpartition(".")
    if not dot or len(ext) > 10:
        return _fit(base, limit)
    return _fit(stem, max(limit - len(ext.encode()) - 1, 1)) + "." + ext


def _fit(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore") or "upload"


def _stream(file: Any) -> tuple[IO[bytes], int]:
    if isinstance(file, bytes | bytearray):
        return io.BytesIO(bytes(file)), len(file)
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    return file, size


def _check_size(size: int, limit: int) -> None:
    if size == 0:
        raise UploadRejected(_("文件为空"), "empty")
    if size > limit:
        raise UploadRejected(
            _("文件过大：%(size)s 字节，上限 %(limit)s 字节") % {"size": size, "limit": limit}, "too-large"
        )


def _check_directory(archive: zipfile.ZipFile, limits: XlsxLimits) -> dict[str, zipfile.ZipInfo]:
    """Checks from the central directory only: nothing is decompressed here."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise UploadRejected(
            _("压缩包成员过多：%(n)s 个，上限 %(limit)s 个") % {"n": len(infos), "limit": limits.max_members},
            "too-many-members",
        )
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        _check_member(info, limits)
        if info.filename in members:
            raise UploadRejected(
                _("压缩包成员重名：%(name)s") % {"name": info.filename[:100]}, "duplicate-member"
            )
        members[info.filename] = info
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise UploadRejected(
            _("解压后总大小 %(size)s 字节超过上限 %(limit)s 字节（疑似压缩炸弹）")
            % {"size": total, "limit": limits.max_uncompressed_bytes},
            "uncompressed-total",
        )
    return members


def _check_member(info: zipfile.ZipInfo, limits: XlsxLimits) -> None:
    name = info.filename[:100]
    if info.flag_bits & 0x1:
        raise UploadRejected(_("压缩包成员已加密：%(name)s") % {"name": name}, "encrypted-member")
    if info.filename.startswith(("/", "\\")) or ".." in info.filename.replace("\\", "/").split("/"):
        raise UploadRejected(_("压缩包成员路径不安全：%(name)s") % {"name": name}, "unsafe-member-path")
    if info.file_size > limits.max_member_bytes:
        raise UploadRejected(
            _("压缩包成员 %(name)s 解压后 %(size)s 字节，超过单个成员上限 %(limit)s 字节（疑似压缩炸弹）")
            % {"name": name, "size": info.file_size, "limit": limits.max_member_bytes},
            "member-size",
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
        raise UploadRejected(
            _("压缩包成员 %(name)s 压缩比 %(ratio)s:1 超过上限 %(limit)s:1（疑似压缩炸弹）")
            % {"name": name, "ratio": int(ratio), "limit": limits.max_ratio},
            "compression-ratio",
        )


def _check_parts(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> None:
    if "[Content_Types].xml" not in members or "xl/workbook.xml" not in members:
        raise UploadRejected(_("文件不是有效的 .xlsx 工作簿（缺少工作簿内容类型）"), "not-a-workbook")
    types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    if MACRO_TYPE.search(types) or any(MACRO_PARTS.search(n) for n in members):
        raise UploadRejected(_("不接受含宏或 ActiveX 控件的工作簿（.xlsm 等），请另存为 .xlsx"), "macro")
    if XLSX_MAIN not in types:
        raise UploadRejected(_("文件不是有效的 .xlsx 工作簿（缺少工作簿内容类型）"), "not-a-workbook")
    if any(EXTERNAL_PARTS.search(n) for n in members):
        raise UploadRejected(_("不接受含外部链接或外部数据连接的工作簿，请断开链接后另存"), "external-link")
    if any(EMBEDDED_PARTS.search(n) for n in members):
        raise UploadRejected(_("不接受含嵌入对象的工作簿"), "embedded-object")


def _check_content(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], limits: XlsxLimits) -> None:
    """Read every member once (bounded, CRC-checked), counting sheets and worksheet rows."""
    sheet_names = _sheet_names(archive)
    if len(sheet_names) > limits.max_sheets:
        raise UploadRejected(
            _("工作表过多：%(n)s 个，上限 %(limit)s 个")
            % {"n": len(sheet_names), "limit": limits.max_sheets},
            "too-many-sheets",
        )
    for name in members:
        rows = 0
        for count in _row_counts(archive, name, counting=name.startswith("xl/worksheets/")):
            rows += count
            if rows > limits.max_rows:
                label = sheet_names.get(name, name)
                raise UploadRejected(
                    _("工作表“%(sheet)s”超过 %(limit)s 行的上限，请分批上传")
                    % {"sheet": label[:100], "limit": limits.max_rows},
                    "too-many-rows",
                )


def _row_counts(archive: zipfile.ZipFile, name: str, counting: bool) -> Iterator[int]:
    """Row tags per chunk of member ``name`` (zeros when not ``counting``); reads it to its CRC check."""
    tail = b""
    with archive.open(name) as member:
        while chunk := member.read(CHUNK):
            if counting:
                text = tail + chunk
                yield len(ROW_TAG.findall(text)) - len(ROW_TAG.findall(tail))
                tail = text[-32:]
            else:
                yield 0


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → sheet name, from ``xl/workbook.xml`` and its relationships (regex: no entities)."""
    workbook = archive.read("xl/workbook.xml")
    targets: dict[bytes, bytes] = {}
    if "xl/_rels/workbook.xml.rels" in archive.namelist():
        for tag in RELATIONSHIP.findall(archive.read("xl/_rels/workbook.xml.rels")):
            attrs = dict(ATTRIBUTE.findall(tag))
            targets[attrs.get(b"Id", b"")] = attrs.get(b"Target", b"")
    names: dict[str, str] = {}
    for index, tag in enumerate(SHEET_TAG.findall(workbook)):
        attrs = {k.rsplit(b":", 1)[-1]: v for k, v in ATTRIBUTE.findall(tag)}
        target = targets.get(attrs.get(b"id", b""), b"").decode("utf-8", "replace").lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}" if target else f"#{index}"
        names[part] = attrs.get(b"name", b"").decode("utf-8", "replace")
    return names


def _is_text(stream: IO[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        while chunk := stream.read(CHUNK):
            text = decoder.decode(chunk)
            if CONTROL.search(text):
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True
