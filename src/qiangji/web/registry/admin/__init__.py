"""Chinese admin of the registry, one module per topic; importing them registers every model."""

from qiangji.web.registry.admin import activity, institution, people, staff, standards  # noqa: F401
