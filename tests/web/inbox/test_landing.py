"""After signing in each role lands on its own home page; a ?next= still wins; the header links it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import PASSWORD

HOME = "/home/"


def sign_in(user, **next_) -> tuple[Client, str, str]:
    user.set_password(PASSWORD)
    user.save()
    c = Client()
    query = f"?next={next_['next']}" if next_ else ""
    page = c.get(reverse("accounts:login") + query).content.decode()
    response = c.post(
        reverse("accounts:login") + query, {"username": user.username, "password": PASSWORD, **next_}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return c, response["Location"], page


@pytest.mark.parametrize("who", ["rep1", "reviewer", "admin", "leader"])
def test_each_role_lands_on_its_home_after_signing_in(world, who):
    c, location, page = sign_in(world[who])
    assert 'value="/admin/' not in page  # the site's own form, which does not send anyone to the admin
    assert location == HOME
    assert c.get(location).status_code == 200


def test_a_next_address_is_kept(world):
    _c, location, page = sign_in(world["rep1"], next="/assessment/")
    assert 'name="next" value="/assessment/"' in page and location == "/assessment/"


def test_a_sign_in_post_without_next_lands_home_too(world):
    user = world["reviewer"]
    user.set_password(PASSWORD)
    user.save()
    response = Client().post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == HOME


def test_the_header_links_the_home_for_staff_and_not_for_the_public(world, client):
    public = client.get("/").content.decode()
    assert 'href="/home/"' not in public and 'href="/accounts/login/"' in public
    staff = Client()
    staff.force_login(world["rep1"])
    header = staff.get("/").content.decode()
    assert 'href="/home/"' in header and "我的待办" in header and 'href="/notifications/"' in header
