"""D1.3 from the stored annual volumes of the authorised items (issue 15), pro-rated to the period."""

from __future__ import annotations

import pytest

from qiangji.web.assessment.models import Period
from qiangji.web.registry.indicators import d1_3_all
from qiangji.web.registry.models import InstitutionMVItem, MVCatalogueItem
from tests.web.registry import factories as f

from .helpers import D

pytestmark = pytest.mark.django_db


def item(no: int) -> MVCatalogueItem:
    return MVCatalogueItem.objects.create(
        catalogue_version="2020-42", level1_no=2, level1_name="非自动衡器", level2_no=no,
        level2_name=f"衡器{no}", supervision_mode="P+V", mv_form="periodic", evidence="confirmed",
    )  # fmt: skip


def test_it_sums_the_annual_volumes_of_items_authorised_on_the_as_of_date_pro_rated() -> None:
    inst, bare = f.institution(), f.institution()
    InstitutionMVItem.objects.create(
        institution=inst, item=item(1), authorised_from=D(2020, 1, 1), annual_volume=4000
    )
    InstitutionMVItem.objects.create(
        institution=inst, item=item(2), authorised_from=D(2020, 1, 1), annual_volume=1001
    )
    InstitutionMVItem.objects.create(
        institution=inst, item=item(3), authorised_from=D(2020, 1, 1)
    )  # no volume
    ended = dict(authorised_from=D(2020, 1, 1), authorised_to=D(2025, 3, 1), annual_volume=9000)
    InstitutionMVItem.objects.create(institution=inst, item=item(4), **ended)  # not authorised on 2025-06-30
    InstitutionMVItem.objects.create(institution=bare, item=item(5), authorised_from=D(2020, 1, 1))
    quarter = d1_3_all([inst, bare], Period.for_code("2025Q2"))
    year = d1_3_all([inst, bare], Period.for_code("2025"))
    assert quarter[inst.pk] is not None and year[inst.pk] is not None
    assert quarter[inst.pk].value == round(5001 * 0.25) == 1250  # 1250.25 rounded
    assert year[inst.pk].value == 5001
    assert quarter[bare.pk] is None  # nothing stored: the reported value counts
