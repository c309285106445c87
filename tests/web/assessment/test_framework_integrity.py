"""A stored framework version never changes: the shipped file and ``loadframework`` refuse other content.

Same content loads as a no-op, different content under a stored version number is refused with nothing
stored touched, a new version number is stored alongside and published rankings keep theirs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from qiangji.web.assessment.frameworks import (
    FrameworkVersionConflict,
    content_differences,
    ensure_default_framework,
    framework_text,
    store_framework,
    version_fields,
)
from qiangji.web.assessment.models import FrameworkVersion
from qiangji.web.publication.runs import verify
from qiangji.web.registry.models import Institution
from tests.web.publication.conftest import COUNTIES, publish

pytestmark = pytest.mark.django_db

SHIPPED = framework_text()
# The 2025.1 text as it was before its flows were marked `per: year` (commit ff16930), the content a
# database made before that commit holds under the same version number.
WITHOUT_PER = SHIPPED.replace(" per: year,", "")


def stored() -> dict[str, Any]:
    """Every field of the stored 2025.1 row, as it is in the database now."""
    fv = FrameworkVersion.objects.get(version="2025.1")
    return model_to_dict(fv) | {"sha256": fv.sha256, "spec": fv.spec, "code": fv.code, "name": fv.name}


def holding_old_text() -> dict[str, Any]:
    """Make the database hold the text without `per: year` under 2025.1 (as a dev database made earlier)."""
    FrameworkVersion.objects.filter(version="2025.1").update(**version_fields(WITHOUT_PER))
    return stored()


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "framework.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def load(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("loadframework", *args, stdout=out)
    return out.getvalue()


def test_it_loads_the_shipped_file_again_as_a_no_op() -> None:
    before = stored()
    fv, created = ensure_default_framework(FrameworkVersion)
    assert (fv.version, created) == ("2025.1", False)
    assert stored() == before
    assert FrameworkVersion.objects.count() == 1


def test_it_refuses_the_shipped_file_when_its_version_is_stored_with_other_content() -> None:
    before = holding_old_text()
    with pytest.raises(FrameworkVersionConflict) as caught:
        ensure_default_framework(FrameworkVersion)
    message = str(caught.value)
    assert "framework version 2025.1 is already stored with different content" in message
    assert "tz-cap-2025.1.yaml" in message
    assert "Bump `version:` in the file and load it as a new version" in message
    assert "D1.3: per" in message and "D2.2: per" in message  # names what differs
    assert stored() == before
    assert FrameworkVersion.objects.get(version="2025.1").source == WITHOUT_PER


def test_the_demo_refuses_to_publish_on_a_database_holding_other_text() -> None:
    from qiangji.web.publication.demo import publish_demo

    before = holding_old_text()
    with pytest.raises(FrameworkVersionConflict, match=r"2025\.1"):
        publish_demo(periods=())
    assert stored() == before


def test_it_treats_comments_and_layout_as_the_same_content() -> None:
    before = stored()
    edited = "# a comment added after loading\n" + SHIPPED.replace("version: ", "version:   ", 1)
    assert content_differences(SHIPPED, edited) == []
    _fv, created = store_framework(FrameworkVersion, edited, origin="edited.yaml")
    assert created is False
    assert stored() == before  # the stored text is the one loaded first


def test_it_names_added_removed_and_changed_nodes() -> None:
    changed = SHIPPED.replace("weight: 15", "weight: 14", 1)
    assert content_differences(SHIPPED, changed) == ["D1: weight"]
    diffs = content_differences(SHIPPED, WITHOUT_PER)
    assert diffs[-1] == "…" and len(diffs) == 9  # ten flows marked, eight listed


def test_the_command_loads_the_same_text_as_a_no_op(tmp_path: Path) -> None:
    before = stored()
    assert "already stored with the same content, nothing changed" in load()
    note = load(write(tmp_path, SHIPPED + "\n# trailing comment\n"))
    assert "differs only in comments or layout; stored text kept" in note
    assert stored() == before
    assert FrameworkVersion.objects.count() == 1


def test_the_command_refuses_changed_text_under_the_same_version(tmp_path: Path) -> None:
    before = stored()
    path = write(tmp_path, SHIPPED.replace("weight: 15", "weight: 14", 1))
    with pytest.raises(
        CommandError, match=r"framework version 2025\.1 .* than .*framework\.yaml \(differs in: D1"
    ):
        load(path)
    with pytest.raises(CommandError, match="Bump `version:`"):
        load(path, "--check")
    assert stored() == before
    assert FrameworkVersion.objects.count() == 1


def test_the_command_refuses_the_shipped_file_against_a_database_holding_other_text() -> None:
    before = holding_old_text()
    with pytest.raises(CommandError, match=r"tz-cap-2025\.1\.yaml"):
        load()
    with pytest.raises(CommandError, match=r"D1\.3: per"):
        load("--check")
    assert stored() == before


def test_the_command_checks_without_storing(tmp_path: Path) -> None:
    assert "is stored with the same content" in load("--check")
    path = write(tmp_path, SHIPPED.replace('version: "2025.1"', 'version: "2025.2"', 1))
    assert "is not stored yet" in load(path, "--check")
    assert not FrameworkVersion.objects.filter(version="2025.2").exists()


def test_a_new_version_is_stored_alongside_and_published_periods_keep_theirs(tmp_path: Path) -> None:
    for code, name in COUNTIES.items():
        Institution.objects.create(code=code, name=name, level=Institution.Level.COUNTY)
    old = FrameworkVersion.objects.get(version="2025.1")
    pub = publish("2025Q1", 1, old)
    before = stored()
    text = SHIPPED.replace('version: "2025.1"', 'version: "2025.2"', 1).replace("weight: 15", "weight: 14", 1)
    assert "framework version 2025.2 stored" in load(write(tmp_path, text))
    new = FrameworkVersion.objects.get(version="2025.2")
    assert new.source == text and new.sha256 != old.sha256
    assert stored() == before
    run = type(pub).objects.get(pk=pub.pk).run
    assert run.framework_version_id == old.pk
    assert verify(run)  # the published ranking still recomputes bit for bit from its own version
    assert "already stored" in load(write(tmp_path, text))  # the new version loads idempotently too
