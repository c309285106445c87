from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Evidence files go to a throwaway MEDIA_ROOT, never the data directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
