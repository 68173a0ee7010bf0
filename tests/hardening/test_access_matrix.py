"""Every URL against every role: each gets exactly what it may, and 403/404 (or login) otherwise."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cdi import querying
from cdi.models import Query, QueryVersion
from tests.conftest import make_gap

ROLES = ("anonymous", "specialist", "physician", "other_physician", "finance", "coder", "admin", "outsider")
CHART = {"specialist", "coder", "admin"}
CDI = {"specialist", "admin"}
FIN = {"finance", "admin"}
CODING = {"coder", "admin"}
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}

# url name -> (method, roles allowed). Others get 403/404, anonymous a redirect to login.
MATRIX = {
    "home": ("GET", SIGNED_IN),
    "health": ("GET", EVERYONE),
    "login": ("GET", EVERYONE),
    "password_change": ("GET", SIGNED_IN),
    "password_change_done": ("GET", SIGNED_IN),
    "note-list": ("GET", CHART),
    "note-new": ("GET", CDI),
    "note-detail": ("GET", CHART),
    "worklist": ("GET", CDI),
    "encounter-detail": ("GET", CHART),
    "gap-action": ("POST", CDI),
    "query-draft": ("GET", CDI),
    "query-detail": ("GET", CDI),
    "query-send": ("POST", CDI),
    "query-withdraw": ("POST", CDI),
    "physician-inbox": ("GET", {"physician", "other_physician"}),
    "physician-query": ("GET", {"physician"}),  # only the physician the query is addressed to
    "finance-dashboard": ("GET", FIN),
    "finance-csv": ("GET", FIN),
    "finance-roi": ("GET", FIN),
    "coding-list": ("GET", CODING),
    "coding-screen": ("GET", CODING),
    "coding-suggest": ("POST", CODING),
    "coding-add": ("POST", CODING),
    "coding-search": ("GET", CODING),
    "coding-complete": ("POST", CODING),
    "coding-reopen": ("POST", CODING),
    "coding-action": ("POST", CODING),
}
# Not session pages: token-authenticated APIs, the signed link, logout, the admin site.
NOT_SESSION = {
    "logout",
    "api-notes",
    "api-note",
    "query-answer",
    "fhir-base",
    "fhir-metadata",
    "fhir-document-reference",
    "fhir-communication",
    "fhir-condition",
}


def named_urls(resolver=None, prefix="") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            names |= named_urls(entry)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(entry.name)
    return names


def test_every_named_url_is_in_the_matrix():
    assert named_urls() - set(MATRIX) - NOT_SESSION == set()


@pytest.fixture
def objects(cast, encounter):
    encounter.attending = cast.provider
    encounter.save(update_fields=("attending",))
    gap = make_gap(encounter)
    query = Query.objects.create(
        gap=gap, encounter=encounter, addressed_to=cast.provider, created_by=cast.specialist
    )
    QueryVersion.objects.create(
        query=query,
        number=1,
        format="open_ended",
        purpose="specificity",
        question="q?",
        indicators=["x"],
        created_by=cast.specialist,
    )
    querying.send_query(query, cast.specialist)
    from coding.models import CodeSuggestion

    suggestion = CodeSuggestion.objects.create(encounter=encounter, code="I5023")
    return {"gap": gap, "query": query, "note": gap.note, "encounter": encounter, "suggestion": suggestion}


def url_for(name: str, o: dict) -> str:
    args = {
        "note-detail": [o["note"].id],
        "encounter-detail": [o["encounter"].id],
        "gap-action": [o["gap"].id, "resolve"],
        "query-draft": [o["gap"].id],
        "query-detail": [o["query"].id],
        "query-send": [o["query"].id],
        "query-withdraw": [o["query"].id],
        "physician-query": [o["query"].id],
        "finance-csv": ["category"],
        "coding-screen": [o["encounter"].id],
        "coding-suggest": [o["encounter"].id],
        "coding-add": [o["encounter"].id],
        "coding-search": [o["encounter"].id],
        "coding-complete": [o["encounter"].id],
        "coding-reopen": [o["encounter"].id],
        "coding-action": [o["suggestion"].id, "reject"],
    }.get(name, [])
    return reverse(name, args=args)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_exactly_what_it_may(client, cast, objects, name, settings):
    settings.CDI_MODEL_ENABLED = False
    method, allowed = MATRIX[name]
    users = cast.all()
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        url = url_for(name, objects)
        response = client.post(url, {}) if method == "POST" else client.get(url)
        code = response.status_code
        if role in allowed:
            assert code < 400 or code == 409 or (method == "POST" and code == 400), (name, role, code)
            if code == 302:
                assert "/accounts/login/" not in response["Location"], (name, role)
        elif role == "anonymous":
            assert code in (302, 401), (name, role, code)
            if code == 302:
                assert response["Location"].startswith("/accounts/login/"), (name, role)
        else:
            assert code in (403, 404), (name, role, code)


def test_a_physician_never_sees_another_physicians_query_or_a_chart(client, cast, objects):
    client.force_login(cast.other_physician)
    assert client.get(reverse("physician-query", args=[objects["query"].id])).status_code == 404
    for name in ("encounter-detail", "note-detail", "worklist", "query-detail"):
        assert client.get(url_for(name, objects)).status_code in (403, 404), name


def test_a_stale_tampered_or_used_link_changes_nothing(client, cast, objects):
    token = querying.link_token(objects["query"])
    assert client.get(reverse("query-answer", args=[token + "x"])).status_code == 400
    querying.answer_query(objects["query"], "anything", "", "", cast.provider, via_link=True)  # open-ended
    assert client.post(reverse("query-answer", args=[token]), {"choice": "x"}).status_code == 410
