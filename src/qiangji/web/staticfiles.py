"""``django.contrib.staticfiles`` leaving out the parts of django-ninja's files the site does not use.

Only the Swagger UI (``/api/v1/docs``) is used: ReDoc and the bundle's source map would add 6 MB to every
``collectstatic`` (each compressed twice by WhiteNoise, a minute of CPU at start-up). The stylesheet's
source map stays: the hashed-name storage follows the stylesheet's reference to it.
"""

from __future__ import annotations

from django.contrib.staticfiles.apps import StaticFilesConfig


class SiteStaticFilesConfig(StaticFilesConfig):
    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "ninja/redoc*", "ninja/swagger-ui-bundle.js.map"]
