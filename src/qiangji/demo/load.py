"""Loads the demo data set into the configured database, once (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

DEMO_ADMIN = ("admin", "qiangji-demo-2025")

DIVISIONS = [
    ("JJ", "椒江区", "Jiaojiang", "district"),
    ("HY", "黄岩区", "Huangyan", "district"),
    ("LQ", "路桥区", "Luqiao", "district"),
    ("LH", "临海市", "Linhai", "county_city"),
    ("WL", "温岭市", "Wenling", "county_city"),
    ("YH", "玉环市", "Yuhuan", "county_city"),
    ("TT", "天台县", "Tiantai", "county"),
    ("XJ", "仙居县", "Xianju", "county"),
    ("SM", "三门县", "Sanmen", "county"),
]


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    admin_username: str = DEMO_ADMIN[0]
    admin_password: str = DEMO_ADMIN[1]

    def summary(self) -> str:
        if not any(self.created.values()):
            return "演示数据已存在，未重复加载 / demo data already loaded, nothing added"
        parts = ", ".join(f"{k}: {v}" for k, v in self.created.items())
        return f"已加载演示数据 / demo data loaded ({parts})"


@transaction.atomic
def load_demo() -> LoadReport:
    from qiangji.web.registry.models import Division, Institution

    report = LoadReport(created={"divisions": 0, "institutions": 0})
    for code, name, name_en, kind in DIVISIONS:
        division, created = Division.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "kind": kind}
        )
        report.created["divisions"] += created
        inst, created = Institution.objects.get_or_create(
            code=f"{code}-MI",
            defaults={"name": f"{name}计量检定所（示例）", "level": Institution.Level.COUNTY},
        )
        if created:
            inst.divisions.add(division)
        report.created["institutions"] += created
    _, created = Institution.objects.get_or_create(
        code="TZ-MI", defaults={"name": "台州市计量技术研究院（示例）", "level": Institution.Level.CITY}
    )
    report.created["institutions"] += created
    _ensure_admin()
    return report


def _ensure_admin() -> None:
    user_model = get_user_model()
    if not user_model.objects.filter(username=DEMO_ADMIN[0]).exists():
        user_model.objects.create_superuser(DEMO_ADMIN[0], "admin@example.invalid", DEMO_ADMIN[1])
