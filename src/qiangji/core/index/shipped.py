"""The framework files shipped with the core, and which of them is the default.

The default is the one a fresh database stores as its first framework version, the one the publication
side and the tests compute with unless told otherwise, and the one ``qiangji manage loadframework``
loads without a file: `DEFAULT_FRAMEWORK` is the only place that names it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEFAULT_FRAMEWORK", "FRAMEWORKS_DIR", "shipped_framework"]

#: The proposed Taizhou capability index (docs/domain.md §indicators): six dimensions, 29 indicators.
DEFAULT_FRAMEWORK = "tz-cap-2025.1.yaml"
FRAMEWORKS_DIR = Path(__file__).parent / "frameworks"


def shipped_framework(name: str = DEFAULT_FRAMEWORK) -> Path:
    """Path of the framework file ``name`` shipped in ``qiangji/core/index/frameworks``."""
    return FRAMEWORKS_DIR / name
