"""Shared test set-up. Web tests run on SQLite and, in the second pass of scripts/run-tests.sh, PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "test-output"


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Folder for artefacts a person may want to look at after a run (screenshots, PDFs)."""
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR


def pytest_report_header(config: pytest.Config) -> str:
    return f"qiangji database: {os.environ.get('QIANGJI_TEST_DB', 'sqlite')}"
