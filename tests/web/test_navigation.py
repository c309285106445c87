"""The header navigation: public links for everyone, the working pages only after login."""

import pytest
from django.contrib.auth import get_user_model

INTERNAL = ("/assessment/", "/programme/", "/steering/capability/", "/comparisons/", "/excel/")
PUBLIC = ("/institutions/",)  # the directory of institutions (issue 18: a public page, not the admin's login)


def header(client) -> str:
    html = client.get("/").content.decode()
    return html[html.index("<header>") : html.index("</header>")]


@pytest.mark.django_db
def test_it_shows_only_the_public_pages_and_login_to_the_public(client) -> None:
    html = header(client)
    assert 'href="/accounts/login/"' in html  # no ?next=/: signing in lands on the user's home page
    assert 'href="/institutions/"' in html  # the public list of institutions
    for path in INTERNAL:
        assert f'href="{path}"' not in html
    for path in PUBLIC:
        assert f'href="{path}"' in html


@pytest.mark.django_db
def test_it_links_every_working_page_after_login(client) -> None:
    user = get_user_model().objects.create_superuser("nav", "nav@example.invalid", "pw-not-used-1234")
    client.force_login(user)
    html = header(client)
    for path in (*INTERNAL, *PUBLIC, "/admin/"):
        assert f'href="{path}"' in html
    assert "退出" in html
