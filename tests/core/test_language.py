"""Choosing the language: the address, the person's own setting, the cookie, the browser."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from cpmis.accounts.models import User
from cpmis.audit.models import AuditEvent
from cpmis.core.language import supported
from tests.conftest import Personas, web_as

LOGIN = "/accounts/login/"
COOKIE = settings.LANGUAGE_COOKIE_NAME


def language_of(response: Any) -> str:
    html = response.content.decode()
    head = html[: html.index("<head>")]
    if 'lang="ur" dir="rtl"' in head:
        assert response["Content-Language"] == "ur"
        return "ur"
    assert 'lang="en" dir="ltr"' in head, head
    assert response["Content-Language"] == "en"
    return "en"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ur", "ur"),
        ("UR", "ur"),
        ("ur-PK", "ur"),
        ("ur_PK", "ur"),
        (" en-GB ", "en"),
        ("xx", None),
        ("", None),
        ("ur" * 40, None),
        (None, None),
        (["ur"], None),
    ],
)
def test_a_language_code_is_read_leniently_and_unknown_ones_are_passed_over(
    code: Any, expected: str | None
) -> None:
    assert supported(code) == expected


@pytest.mark.django_db
def test_the_browsers_language_is_the_default(client: Any) -> None:
    assert language_of(client.get(LOGIN)) == "en"
    assert language_of(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="ur-PK,ur;q=0.9,en;q=0.5")) == "ur"
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="fr,de;q=0.9")
    assert language_of(response) == "en"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


@pytest.mark.django_db
def test_lang_in_the_address_wins_and_is_remembered_by_the_browser(client: Any) -> None:
    response = client.get(LOGIN + "?lang=ur", HTTP_ACCEPT_LANGUAGE="en")
    assert language_of(response) == "ur"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "ur" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert language_of(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en")) == "ur"
    # Unknown codes change nothing and break nothing.
    for junk in ("xx", "ur<script>", "../../etc", "e" * 500):
        response = client.get(LOGIN, {"lang": junk})
        assert response.status_code == 200 and language_of(response) == "ur"


@pytest.mark.django_db
def test_the_switch_keeps_a_signed_in_persons_language_in_their_settings(
    client: Any, personas: Personas
) -> None:
    web_as(client, personas.cpo)
    response = client.post(
        reverse("accounts:language"), {"language": "ur", "next": "/cases/?lang=en&page=2"}
    )
    assert response.status_code == 302 and response["Location"] == "/cases/?page=2"
    personas.cpo.refresh_from_db()
    assert personas.cpo.language == "ur"
    event = AuditEvent.objects.get(action="user.language")
    assert event.detail == {"from": "", "to": "ur"} and event.object_id == str(personas.cpo.pk)
    # The setting, not the browser nor a stale cookie, decides, on another browser too.
    client.cookies.pop(COOKIE, None)
    assert language_of(client.get("/cases/", HTTP_ACCEPT_LANGUAGE="en")) == "ur"
    # Back to English.
    client.post(reverse("accounts:language"), {"language": "en", "next": "/cases/"})
    assert User.objects.get(pk=personas.cpo.pk).language == "en"
    assert language_of(client.get("/cases/", HTTP_ACCEPT_LANGUAGE="ur")) == "en"


@pytest.mark.django_db
def test_the_switch_refuses_an_unknown_language_and_a_foreign_next(
    client: Any, personas: Personas
) -> None:
    web_as(client, personas.cpo)
    response = client.post(reverse("accounts:language"), {"language": "fr", "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert User.objects.get(pk=personas.cpo.pk).language == ""
    assert not AuditEvent.objects.filter(action="user.language").exists()
    page = client.get("/cases/")
    assert "That language is not available" in page.content.decode()
    for foreign in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(reverse("accounts:language"), {"language": "ur", "next": foreign})
        assert response["Location"] == "/"
    assert client.get(reverse("accounts:language")).status_code == 405


@pytest.mark.django_db
def test_someone_not_signed_in_switches_with_the_cookie_alone(client: Any) -> None:
    response = client.post(reverse("accounts:language"), {"language": "ur", "next": LOGIN})
    assert response.status_code == 302 and response.cookies[COOKIE].value == "ur"
    assert language_of(client.get(LOGIN)) == "ur"
    assert not AuditEvent.objects.filter(action="user.language").exists()


@pytest.mark.django_db
def test_every_page_has_the_switch(client: Any, personas: Personas) -> None:
    html = client.get(LOGIN).content.decode()
    assert 'action="/accounts/language/"' in html and 'value="ur"' in html
    web_as(client, personas.cpo)
    html = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="ur").content.decode()
    assert 'action="/accounts/language/"' in html and 'name="language" value="en"' in html


@pytest.mark.django_db
def test_a_notification_is_shown_in_the_readers_language(personas: Personas) -> None:
    from django.utils import translation

    from cpmis.notifications.models import Notification, place
    from cpmis.notifications.services import notify
    from cpmis.reference.models import District

    lahore = District.objects.get(pcode="PK617")
    notify(
        users=[personas.cpo],
        kind=Notification.Kind.TRANSFER_REQUESTED,
        params={"number": "PB-LHR-2026-000007", "district": place(lahore)},
    )
    note = Notification.objects.get(user=personas.cpo)
    assert note.message == "Case PB-LHR-2026-000007 from Lahore waits for your answer."
    with translation.override("ur"):
        assert note.shown == "ضلع لاہور سے مقدمہ PB-LHR-2026-000007 آپ کے جواب کا منتظر ہے۔"
    with translation.override("en"):
        assert note.shown == note.message
    note.params = {}  # written before messages had their parts: shown as stored
    with translation.override("ur"):
        assert note.shown == note.message
