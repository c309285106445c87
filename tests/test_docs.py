"""The project's own documents: every `docs/…` cited in the code exists with the cited section, no source
cites a document outside the repository, and every setting the code reads is defined and documented."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    p
    for folder in ("src", "tests", "benchmarks")
    for p in sorted((ROOT / folder).rglob("*"))
    if p.suffix in {".py", ".yaml", ".html", ".md", ".txt"} and p.is_file()
]
CITATION = re.compile(r"docs/([\w-]+\.md)(?:#([\w-]+))?")
BARE = re.compile(r"(?<![\w/-])(domain|design|comparison-formulas)\.md")
SETTINGS_DOC = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")


def code(suffix: str = ".py") -> str:
    return "\n".join(
        p.read_text(encoding="utf-8") for p in SOURCES if p.suffix == suffix and "src" in p.parts
    )


def anchors(doc: Path) -> set[str]:
    return set(re.findall(r'<a id="([\w-]+)"></a>', doc.read_text(encoding="utf-8")))


def test_it_finds_every_cited_document_and_section() -> None:
    cited = {
        (m[1], m[2] or "", p.relative_to(ROOT)) for p in SOURCES for m in CITATION.finditer(p.read_text())
    }
    cited |= {
        (m[1], m[2] or "", Path(n)) for n in ("README.md",) for m in CITATION.finditer((ROOT / n).read_text())
    }
    assert len(cited) > 40
    missing = [
        (f"docs/{doc}#{anchor}", str(where))
        for doc, anchor, where in sorted(cited)
        if not (ROOT / "docs" / doc).is_file() or (anchor and anchor not in anchors(ROOT / "docs" / doc))
    ]
    assert missing == []


def test_it_cites_no_document_outside_the_repository() -> None:
    bare = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in SOURCES
        if p.suffix in {".py", ".yaml"}
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if BARE.search(line)
    ]
    assert bare == []


def test_it_links_the_sections_the_documents_cite_among_themselves() -> None:
    for doc in sorted((ROOT / "docs").glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        own = [m for m in re.findall(r"`#([\w-]+)`", text) if m not in anchors(doc)]
        assert own == [], doc.name


def test_it_defines_and_documents_every_programme_constant_the_code_reads() -> None:
    src = code()
    keys = set(re.findall(r'QIANGJI(?:\[|\.get\()"([A-Z_]+)"', src))
    keys |= set(re.findall(r'\b(?:_q|_setting)\("([A-Z_]+)"', src))
    assert {"HOLIDAYS", "EXPIRY_WARNING_DAYS", "RM_COVERAGE_DENOMINATOR"} <= keys
    assert sorted(keys - set(settings.QIANGJI)) == []
    assert sorted(k for k in settings.QIANGJI if f"`{k}`" not in SETTINGS_DOC) == []


def test_it_defines_and_documents_every_setting_and_variable_the_code_reads() -> None:
    src = code()
    attributes = set(re.findall(r"settings\.(QIANGJI_[A-Z_]+)", src))
    attributes |= set(re.findall(r'getattr\(settings, "(QIANGJI_[A-Z_]+)"', src))
    optional = {"QIANGJI_CSP"}
    assert sorted(a for a in attributes - optional if not hasattr(settings, a)) == []
    assert sorted(a for a in attributes if a not in SETTINGS_DOC) == []
    variables = set(re.findall(r'env_[a-z]+\(f?"([A-Z_]+?)(?:_?\{name\})?"', src))
    variables |= set(re.findall(r'environ(?:\.get\(|\[)"([A-Z_]+)"', src))
    variables |= set(re.findall(r'_env_int\("([A-Z_]+)"\)', src))
    assert len(variables) > 60
    assert sorted(v for v in variables if not documented(v.rstrip("_"))) == []


def documented(variable: str) -> bool:
    """Named in docs/settings.md, or a programme constant documented by its key (``QIANGJI_<key>``)."""
    key = variable.removeprefix("QIANGJI_")
    return variable in SETTINGS_DOC or (key in settings.QIANGJI and f"`{key}`" in SETTINGS_DOC)
