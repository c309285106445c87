"""A final publication's scorecard and profile PDF show the open supervision findings frozen in its content
on the day it was finalised, never today's registry: a finding entered later with an old date, or an old one
closed later with an early date, leaves them unchanged. A final publication from before the findings were
frozen shows none, with a note; a publication under notice (not final) still shows the registry of now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from qiangji.web.publication import content as content_module
from qiangji.web.publication.models import Publication
from qiangji.web.registry.models import Institution, SupervisionFinding
from tests.web.publication.conftest import publish
from tests.web.publication.test_exports import pdftotext

D = dt.date


def finding(unit: str, description: str, found_on: dt.date, **kw: Any) -> SupervisionFinding:
    kw.setdefault("due_on", found_on + dt.timedelta(days=60))
    return SupervisionFinding.objects.create(
        institution=Institution.objects.get(code=unit),
        found_on=found_on,
        sub_dimension="C2",
        severity="minor",
        description=description,
        **kw,
    )


def pages(client: Any, period: str, unit: str) -> tuple[str, str]:
    html = client.get(f"/rankings/{period}/{unit}/").content.decode()
    pdf = pdftotext(client.get(f"/rankings/{period}/{unit}/profile.pdf").content)
    return html, "".join(pdf.split())


def test_it_shows_the_findings_frozen_at_finalisation(client: Any, institutions: Any, fv: Any) -> None:
    old = finding("HY-MI", "标准器证书过期（示例）", D(2025, 1, 10))
    pub = publish("2025Q1", 1, fv)
    assert [f["description"] for f in pub.content["open_findings"]["HY-MI"]] == ["标准器证书过期（示例）"]
    # after publication: a finding entered today but dated in the quarter, and the old one closed "back then"
    finding("HY-MI", "事后补录的问题（示例）", D(2025, 2, 1))
    SupervisionFinding.objects.filter(pk=old.pk).update(closed_on=D(2025, 2, 1))
    html, pdf = pages(client, "2025Q1", "HY-MI")
    assert "标准器证书过期（示例）" in html and "标准器证书过期（示例）" in pdf
    assert "C2 能力建设覆盖性" in html and "一般" in html
    assert "事后补录的问题（示例）" not in html and "事后补录的问题（示例）" not in pdf
    assert Publication.objects.get(pk=pub.pk).content_sha256 == pub.content_sha256


def test_it_reads_nothing_live_for_a_publication_finalised_before(
    client: Any, institutions: Any, fv: Any, monkeypatch: Any
) -> None:
    build = content_module.build_content

    def version_1(pub: Publication, **kw: Any) -> dict[str, Any]:
        made = build(pub, **kw)
        made.pop("open_findings")
        return {**made, "content_version": 1}

    monkeypatch.setattr("qiangji.web.publication.workflow.build_content", version_1)
    publish("2025Q1", 1, fv)
    finding("HY-MI", "今天登记的问题（示例）", D(2025, 1, 10))
    html, pdf = pages(client, "2025Q1", "HY-MI")
    assert "今天登记的问题（示例）" not in html and "今天登记的问题（示例）" not in pdf
    assert "本期发布未记录未关闭的督导问题。" in html and "本期发布未记录" in pdf


def test_it_shows_the_registry_of_now_during_the_notice(client: Any, institutions: Any, fv: Any) -> None:
    publish("2025Q1", 1, fv, final=False)
    finding("HY-MI", "公示期间登记的问题（示例）", D(2025, 1, 10))
    html, pdf = pages(client, "2025Q1", "HY-MI")
    assert "公示期间登记的问题（示例）" in html and "公示期间登记的问题（示例）" in pdf
