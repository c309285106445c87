"""The bulletin and profile PDFs of a publication in its public-notice period (公示) say on their first page
that they are a public-notice draft, not final, with the objection deadline, as the pages' banner does; the
final ones do not. The PDFs are Chinese only (official documents: their templates carry no translation), so
the wording is checked in Chinese, whatever the request's language."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.formatting import cn_date
from qiangji.web.publication.content import current_content
from qiangji.web.publication.models import Publication
from tests.web.publication.conftest import publish

NOT_FINAL = "公示稿，非最终结果"


@pytest.fixture
def notice(institutions: Any, fv: FrameworkVersion) -> Publication:
    """2025Q1 final, 2025Q2 in its notice period."""
    publish("2025Q1", 1, fv)
    pub = publish("2025Q2", 2, fv, final=False)
    assert pub.status == Publication.Status.NOTICE and pub.notice_ends_on is not None
    return pub


def _first_page(data: bytes) -> str:
    """The first page's text with all white space removed (pypdf splits CJK lines where it wraps)."""
    assert data.startswith(b"%PDF")
    return re.sub(r"\s+", "", PdfReader(io.BytesIO(data)).pages[0].extract_text())


def _pdfs(client: Client, period: str, unit: str) -> dict[str, bytes]:
    return {
        "bulletin": client.get(f"/rankings/{period}/bulletin.pdf").content,
        "profile": client.get(f"/rankings/{period}/{unit}/profile.pdf").content,
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_marks_the_notice_pdfs_not_final_with_the_deadline(notice: Publication, language: str) -> None:
    client = Client(headers={"accept-language": language})
    client.cookies["django_language"] = language
    unit = current_content(notice)["rows"][0]["unit"]
    for name, data in _pdfs(client, "2025Q2", unit).items():
        first = _first_page(data)
        assert NOT_FINAL in first, name
        assert f"异议受理截止{cn_date(notice.notice_ends_on)}" in first, name  # dates as 2025年7月17日
        assert f"公示期{cn_date(notice.notice_started_on)}至{cn_date(notice.notice_ends_on)}" in first, name
        if name == "profile":
            assert len(PdfReader(io.BytesIO(data)).pages) == 1  # the banner keeps the profile on one page


def test_it_marks_every_page_of_a_notice_bulletin(notice: Publication) -> None:
    reader = PdfReader(io.BytesIO(Client().get("/rankings/2025Q2/bulletin.pdf").content))
    assert len(reader.pages) > 1
    assert all(NOT_FINAL in re.sub(r"\s+", "", page.extract_text()) for page in reader.pages)


def test_it_does_not_mark_the_final_pdfs(published: list[Publication]) -> None:
    final = published[1]
    unit = final.content["rows"][0]["unit"]
    for name, data in _pdfs(Client(), "2025Q2", unit).items():
        text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
        assert "公示稿" not in text and "非最终" not in text and "异议" not in text, name
        assert cn_date(final.content["final_on"]) in text, name
