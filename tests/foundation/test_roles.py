from __future__ import annotations

import pytest
from django.urls import reverse

from cdi.models import Note
from tests.conftest import PASSWORD

# url name -> roles that may open it (everyone else: 403, anonymous: redirect to login)
PAGES = {
    "note-list": {"specialist", "coder", "admin"},
    "note-new": {"specialist", "admin"},
    "worklist": {"specialist", "admin"},
    "physician-inbox": {"physician", "other_physician"},
    "finance-dashboard": {"finance", "admin"},
    "finance-roi": {"finance", "admin"},
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_role_sees_only_the_pages_it_may(client, cast, page):
    for name, user in cast.all().items():
        client.force_login(user)
        response = client.get(reverse(page))
        expected = 200 if name in PAGES[page] else 403
        assert response.status_code == expected, (page, name, response.status_code)
        client.logout()


@pytest.mark.parametrize("page", sorted(PAGES))
def test_anonymous_users_are_sent_to_login(client, db, page):
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_only_chart_roles_can_open_a_note(client, cast, encounter):
    note = Note.objects.create(encounter=encounter, text="Sodium 128.", source="api")
    for name, user in cast.all().items():
        client.force_login(user)
        response = client.get(reverse("note-detail", args=[note.id]))
        expected = 200 if name in {"specialist", "coder", "admin"} else 403
        assert response.status_code == expected, name
        client.logout()


def test_each_role_lands_on_its_own_home(client, cast):
    client.force_login(cast.outsider)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"no role" in response.content
    expected = {
        cast.specialist: "worklist",
        cast.coder: "coding-list",
        cast.physician: "physician-inbox",
        cast.finance: "finance-dashboard",
    }
    for user, page in expected.items():
        client.force_login(user)
        assert client.get(reverse("home"))["Location"] == reverse(page)


def test_the_admin_site_is_for_staff_only(client, cast):
    client.force_login(cast.specialist)
    assert client.get("/admin/").status_code == 302
    cast.admin.is_staff = True
    cast.admin.save()
    client.force_login(cast.admin)
    assert client.get("/admin/").status_code == 200


def test_login_and_logout_work(client, cast):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("note-list")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("note-list")).status_code == 302


def test_password_change_requires_the_old_password(client, cast):
    client.force_login(cast.specialist)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "a-new-long-pass-77",
            "new_password2": "a-new-long-pass-77",
        },
    )
    assert response.status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-pass-77",
            "new_password2": "a-new-long-pass-77",
        },
    )
    assert response.status_code == 302
    cast.specialist.refresh_from_db()
    assert cast.specialist.check_password("a-new-long-pass-77")
