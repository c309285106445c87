from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Cached pages are keyed by a data version; a rolled-back test can leave the same version behind."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Evidence files go to a throwaway MEDIA_ROOT, never the data directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _chinese(settings: Any) -> Iterator[None]:
    """Messages are checked in Chinese; a request in English must not leak into the next test."""
    with translation.override(settings.LANGUAGE_CODE):
        yield
