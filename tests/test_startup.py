"""What a process loads before it does anything: a command or a web worker starts with Django set up, and
the comparison methods' scipy (0.7 s to import, a fifth of ``qiangji audit certificates`` on a quiet
machine) waits until a comparison is evaluated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def loaded_after(code: str) -> set[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qiangji.web.settings"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    script = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_django_starts_without_scipy() -> None:
    modules = loaded_after("import django\ndjango.setup()")
    assert "qiangji.web.comparisons.models" in modules  # the comparison app's models did load
    assert "scipy" not in modules
    assert "qiangji.core.comparison.consensus" not in modules


def test_the_comparison_package_still_gives_every_name_on_use() -> None:
    import qiangji.core.comparison as comparison

    for name in comparison.__all__:
        assert getattr(comparison, name) is not None, name
    assert sorted(dir(comparison)) == sorted(comparison.__all__)
    modules = loaded_after("from qiangji.core.comparison import q_hampel")
    assert "scipy" in modules
