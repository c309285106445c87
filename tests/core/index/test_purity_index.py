"""`qiangji.core.index` imports only the stdlib, numpy, pandas, scipy and PyYAML (issue 3, point 1)."""

import ast
import subprocess
import sys
from pathlib import Path

import qiangji.core.index

INDEX_DIR = Path(qiangji.core.index.__file__).parent
ALLOWED = {"numpy", "pandas", "scipy", "yaml", "qiangji", "__future__"}


def test_it_imports_only_allowed_packages() -> None:
    offenders = []
    for path in INDEX_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top not in ALLOWED and top not in sys.stdlib_module_names:
                    offenders.append(f"{path.name}: {name}")
                if name.startswith("qiangji.") and not name.startswith("qiangji.core"):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_it_loads_no_django_module() -> None:
    code = (
        "import sys, qiangji.core.index, qiangji.core.index.pipeline\n"
        "import qiangji.core.index.data, qiangji.core.index.explain\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja', 'qiangji.web')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
