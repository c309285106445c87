"""Chinese by default, English selectable: the admin and the registry's messages follow the UI language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from qiangji.web.registry.models import MeasurementStandard, Staff


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.invalid", "pw-for-tests-only")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_it_shows_the_admin_in_chinese_by_default(admin_client) -> None:
    html = admin_client.get(reverse("admin:app_list", args=["registry"])).content.decode()
    assert "机构登记" in html and "计量标准" in html and "注册计量师注册" in html


@pytest.mark.django_db
def test_it_shows_the_admin_in_english_when_selected(admin_client) -> None:
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = admin_client.get(reverse("admin:app_list", args=["registry"])).content.decode()
    assert "Registry of institutions" in html
    assert "Measurement standards" in html and "Registered-metrologist registrations" in html
    assert "计量标准" not in html


def test_it_translates_singular_and_plural_model_names() -> None:
    with translation.override("en"):
        assert str(Staff._meta.verbose_name) == "Staff member"
        assert str(Staff._meta.verbose_name_plural) == "Staff"
        assert str(MeasurementStandard._meta.verbose_name) == "Measurement standard"
        assert str(MeasurementStandard.Status.SEALED.label) == "Sealed"
    with translation.override("zh-hans"):
        assert str(MeasurementStandard._meta.verbose_name_plural) == "计量标准"


def test_it_has_an_english_translation_for_every_registry_model_and_field() -> None:
    from django.apps import apps

    untranslated = []
    with translation.override("en"):
        for model in apps.get_app_config("registry").get_models():
            names = [model._meta.verbose_name, model._meta.verbose_name_plural]
            fields = [f for f in model._meta.get_fields() if hasattr(f, "verbose_name")]
            names += [f.verbose_name for f in fields] + [f.help_text for f in fields if f.help_text]
            names += [label for f in fields for _value, label in (f.choices or [])]
            untranslated += [
                f"{model.__name__}: {n}" for n in names if any("\u4e00" <= c <= "\u9fff" for c in str(n))
            ]
    assert untranslated == []


@pytest.mark.django_db
def test_it_titles_the_institution_list_in_the_chosen_language(admin_client) -> None:
    from django.urls import reverse

    from . import factories as f

    f.institution(name="示例计量所（示例）")
    url = reverse("registry:home")
    assert "<h1>计量技术机构名录</h1>" in admin_client.get(url).content.decode()
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "<h1>Directory of metrology institutions</h1>" in admin_client.get(url).content.decode()


def test_it_ships_a_complete_compiled_english_catalogue() -> None:
    import gettext
    import re
    from pathlib import Path

    folder = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
    po = (folder / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    pattern = r'^(?:msgctxt "(.*)"\n)?msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)'

    def text(quoted: str) -> str:
        return "".join(re.findall(r'"(.*)"', quoted)).replace('\\"', '"').replace("\\n", "\n")

    entries = [(ctx, text(mid), text(mstr)) for ctx, mid, mstr in re.findall(pattern, po, re.M)]
    entries = [e for e in entries if e[1]]
    assert [mid for _, mid, mstr in entries if not mstr] == []
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    def lookup(ctx: str, mid: str) -> str:
        return compiled.pgettext(ctx, mid) if ctx else compiled.gettext(mid)

    stale = [mid for ctx, mid, mstr in entries if lookup(ctx, mid) != mstr]
    assert stale == []  # the committed .mo differs from the .po: run compilemessages
