"""Evidence previews in the review page: PDF in an <iframe>, images in an <img>, added when opened;
served inline to the site's own pages only (X-Frame-Options SAMEORIGIN, frame-ancestors 'self'); the
page's CSP allows it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qiangji.web.assessment import workflow
from qiangji.web.assessment.models import Evidence, ReportedValue
from qiangji.web.assessment.reporting import Entry, attach_evidence, save_entry
from tests.web.registry import factories as f

from .helpers import PDF, PNG, open_now, reporter, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence() -> dict[str, Any]:
    period = open_now("2024Q1")
    inst, other = f.institution("A"), f.institution("B")
    county = reporter("county", inst)
    report = save_entry(period, inst, "D1.3", Entry(1, None, None), county)
    files = {
        "pdf": attach_evidence(report, SimpleUploadedFile("统计表.pdf", PDF), county),
        "png": attach_evidence(report, SimpleUploadedFile("现场照片.png", PNG), county),
        "csv": attach_evidence(report, SimpleUploadedFile("明细.csv", "编号,数量\n1,2\n".encode()), county),
    }
    workflow.submit(report, county)
    office = Client()
    office.force_login(user("office"))
    stranger = Client()
    stranger.force_login(reporter("stranger", other))
    return {**files, "office": office, "stranger": stranger}


def test_the_queue_offers_pdf_and_image_previews_loaded_only_when_opened(evidence: dict[str, Any]) -> None:
    response = evidence["office"].get("/assessment/2024Q1/review/")
    html = response.content.decode()
    pdf, png, csv = (evidence[k] for k in ("pdf", "png", "csv"))
    assert f'data-preview="/assessment/evidence/{pdf.pk}/preview/" data-preview-kind="frame"' in html
    assert f'data-preview="/assessment/evidence/{png.pk}/preview/" data-preview-kind="image"' in html
    assert f"/assessment/evidence/{csv.pk}/preview/" not in html  # a CSV is only downloaded
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-src" not in csp  # frames fall back to 'self'
    assert "img-src 'self'" in csp


def test_the_queue_loads_no_preview_with_the_page(evidence: dict[str, Any]) -> None:
    """Chromium loads a frame in a closed <details> at once despite loading="lazy", and a PDF frame starts
    its PDF viewer: 90 rows kept the queue from its load event for a minute. review.js adds the frame (or
    image) when a preview is opened; the page itself holds none."""
    html = evidence["office"].get("/assessment/2024Q1/review/").content.decode()
    assert "<iframe" not in html
    assert not re.search(r"<img[^>]*/preview/", html)
    assert html.count('target="_blank" rel="noopener"') == 2  # without JavaScript: a preview in its own tab


def test_a_preview_is_inline_and_frameable_by_the_site_only(evidence: dict[str, Any]) -> None:
    office = evidence["office"]
    response = office.get(f"/assessment/evidence/{evidence['pdf'].pk}/preview/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]  # default-src 'none': nothing runs
    image = office.get(f"/assessment/evidence/{evidence['png'].pk}/preview/")
    assert image["Content-Type"] == "image/png"
    assert office.get(f"/assessment/evidence/{evidence['csv'].pk}/preview/").status_code == 404
    download = office.get(f"/assessment/evidence/{evidence['pdf'].pk}/")
    assert download["Content-Disposition"].startswith("attachment") and download["X-Frame-Options"] == "DENY"


def test_a_preview_is_refused_to_another_institution(evidence: dict[str, Any]) -> None:
    response = evidence["stranger"].get(f"/assessment/evidence/{evidence['pdf'].pk}/preview/")
    assert response.status_code in (403, 404)
    assert Evidence.objects.count() == 3 and ReportedValue.objects.get().status == "submitted"
