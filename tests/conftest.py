"""Shared test set-up. Web tests run on SQLite and, in the second pass of scripts/run-tests.sh, PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "test-output"


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Folder for artefacts a person may want to look at after a run (screenshots, PDFs)."""
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In the SQLite pass, tests marked `postgres_only` are deselected: they run in the PostgreSQL pass of
    scripts/run-tests.sh, and CI skips nothing."""
    if os.environ.get("QIANGJI_TEST_DB", "sqlite") == "postgres":
        return
    keep = [item for item in items if item.get_closest_marker("postgres_only") is None]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep


def pytest_report_header(config: pytest.Config) -> str:
    return f"qiangji database: {os.environ.get('QIANGJI_TEST_DB', 'sqlite')}"


@pytest.fixture(autouse=True)
def _default_language() -> object:
    """Every test starts in the default UI language (zh-hans): a request with another language (cookie,
    header) activates it for the thread and would otherwise leak into the tests that follow."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session", autouse=True)
def _caches_of_this_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The file caches in a folder of this test run, not under DATA_DIR (``./var`` unless set).

    Every test empties them (`_fresh_api_rate_limits`). In a shared folder that also empties them for any
    other process using it: the SQLite and PostgreSQL passes run side by side in one checkout, or a
    ``make demo`` server there; a page-cache test then misses the entry it wrote a moment before. Each
    pytest run gets its own numbered folder (``tmp_path_factory``), which a concurrent run never reuses."""
    from django.conf import settings
    from django.test.utils import override_settings

    root = tmp_path_factory.mktemp("caches")
    own = {
        alias: {**conf, "LOCATION": str(root / alias)}
        for alias, conf in settings.CACHES.items()
        if conf["BACKEND"].endswith(".FileBasedCache")  # "pages", "audit"; "default" is in memory
    }
    with override_settings(CACHES={**settings.CACHES, **own}):  # setting_changed resets django's `caches`
        yield


@pytest.fixture(autouse=True)
def _fresh_api_rate_limits() -> object:
    """The API's rate limits count in Django's cache (qiangji.web.api.throttle): every test starts with
    its full allowance, whatever earlier tests in the process asked."""
    from django.core.cache import cache, caches

    cache.clear()
    caches["pages"].clear()  # final publications' pages: a rolled-back test database reuses hashes and ids
    from qiangji.web.publication import shell

    shell.clear()  # the same pages kept whole per process for anonymous visitors
    caches["audit"].clear()  # C3/C4 per institution: fingerprints rely on ids never being reused
    yield
