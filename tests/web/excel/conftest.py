import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Kept originals go to a temporary folder, never into ./var."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
