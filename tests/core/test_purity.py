"""qiangji.core never imports Django or the web layer (docs/design.md#layout)."""

import subprocess
import sys
from pathlib import Path

import qiangji.core

CORE_DIR = Path(qiangji.core.__file__).parent


def _core_modules() -> list[str]:
    names = []
    for path in sorted(CORE_DIR.rglob("*.py")):
        rel = path.relative_to(CORE_DIR.parent.parent).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        names.append(".".join(parts))
    return names


def test_it_imports_every_core_module_without_django() -> None:
    modules = _core_modules()
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja') "
        "or m.startswith('qiangji.web'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "qiangji.core.errors" in modules
    assert out.stdout.strip() == ""


def test_it_has_no_django_import_statement_in_core() -> None:
    offenders = [
        str(p)
        for p in CORE_DIR.rglob("*.py")
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith(("import django", "from django", "from qiangji.web", "import ninja"))
    ]
    assert offenders == []
