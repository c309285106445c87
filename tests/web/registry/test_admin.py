"""Every registry model has a Chinese admin: changelist, add form and filters load for a superuser."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from qiangji.web.registry.catalogue import load_catalogue

from . import factories as f

#: Correction proposals are decided on their own pages (directory/corrections.py), never edited in the admin.
OWN_PAGES = {"registryproposal"}
MODELS = [m for m in apps.get_app_config("registry").get_models() if m._meta.model_name not in OWN_PAGES]


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.invalid", "pw-for-tests-only")
    client.force_login(user)
    return client


@pytest.fixture
def registry_rows(db):
    load_catalogue()
    inst = f.institution()
    std = f.standard(inst)
    f.instrument_certificate(std, f.D(2024, 1, 1), f.D(2024, 12, 31))
    f.registration(f.staff(inst), f.D(2020, 1, 1), f.D(2029, 12, 31))
    f.certificate(inst).save()


def test_it_registers_every_model() -> None:
    assert [m for m in MODELS if m not in admin.site._registry] == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_it_loads_changelist_and_add_form(admin_client, registry_rows, model) -> None:
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:registry_{opts.model_name}_changelist"))
    add = admin_client.get(reverse(f"admin:registry_{opts.model_name}_add"))
    assert changelist.status_code == 200
    assert add.status_code == 200
    assert str(opts.verbose_name_plural) in changelist.content.decode()


@pytest.mark.django_db
def test_it_filters_staff_employed_today(admin_client) -> None:
    inst = f.institution()
    f.staff(inst, name="在岗某")
    f.staff(inst, name="离职某", left_on=f.D(2020, 6, 30))
    url = reverse("admin:registry_staff_changelist")
    employed = admin_client.get(url + "?today=yes").content.decode()
    departed = admin_client.get(url + "?today=no").content.decode()
    assert "在岗某" in employed and "离职某" not in employed
    assert "离职某" in departed and "在岗某" not in departed


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", ["rmregistration", "measurementstandard", "regulation", "instrumentcertificate"]
)
def test_it_offers_the_valid_today_filter(admin_client, registry_rows, model) -> None:
    response = admin_client.get(reverse(f"admin:registry_{model}_changelist") + "?today=yes")
    assert response.status_code == 200
    assert response.context["cl"].has_filters


@pytest.mark.django_db
def test_it_shows_rm_coverage_on_the_institution_list(admin_client) -> None:
    inst = f.institution()
    registered, unregistered = f.staff(inst), f.staff(inst)
    f.registration(registered, f.D(2020, 1, 1), f.D(2099, 12, 31))
    assert unregistered.registration_on(f.D(2025, 1, 1)) is None
    html = admin_client.get(reverse("admin:registry_institution_changelist")).content.decode()
    assert "50.0（1/2）" in html


def _standard_post(inst, staff_ids, **overrides):
    data = {
        "institution": inst.pk, "name": "示例标准", "jjf1022_code": "12345678", "is_public": "on",
        "assessment_cert_no": "[2020]示例标字第99号", "assessment_issued_on": "2020-03-01",
        "assessment_expires_on": "2024-02-29", "status": "in_use", "responsible_staff": staff_ids,
    }  # fmt: skip
    for prefix in ("instruments", "previous_assessments"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data | overrides


@pytest.mark.django_db
def test_it_refuses_a_standard_with_one_responsible_person_in_the_admin(admin_client) -> None:
    inst = f.institution()
    url = reverse("admin:registry_measurementstandard_add")
    response = admin_client.post(url, _standard_post(inst, [f.staff(inst).pk]))
    assert response.status_code == 200
    assert "每项计量标准至少需要2名负责人员，当前1名。" in response.content.decode()


@pytest.mark.django_db
def test_it_saves_a_standard_and_warns_about_an_unusual_validity(admin_client) -> None:
    from qiangji.web.registry.models import MeasurementStandard

    inst = f.institution()
    url = reverse("admin:registry_measurementstandard_add")
    response = admin_client.post(url, _standard_post(inst, [f.staff(inst).pk, f.staff(inst).pk]), follow=True)
    assert MeasurementStandard.objects.filter(name="示例标准").exists()
    assert "考核证书有效期不是5年，请核对。" in response.content.decode()
