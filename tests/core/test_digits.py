"""Urdu digits for the person who chose them: numbers, dates and counts in Urdu digits;
codes, case numbers, identifiers, markup and form values untouched."""

from __future__ import annotations

from typing import Any

import pytest

from cpmis.accounts.models import User
from cpmis.audit.models import AuditEvent
from cpmis.core.digits import urdu_digits
from tests.conftest import Personas, Records, web_as


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>5 دسمبر 2026، 14:30</p>", "<p>۵ دسمبر ۲۰۲۶، ۱۴:۳۰</p>"),
        ("<td>12</td><td>3</td>", "<td>۱۲</td><td>۳</td>"),
        ('<a href="/cases/2026/?page=2">PB-LHR-2026-000123</a>', None),
        ("<dd>35202-1234567-1</dd><dd>0300-1234567</dd>", None),
        ("<p>s.20 PK617 ABCD-1234-XYZ</p>", None),
        ('<input name="n" value="2026"><textarea>12</textarea>', None),
        ("<code>2026</code><kbd>1</kbd><pre>3</pre><bdi>4</bdi>", None),
        ('<span translate="no">12 <b>3</b></span> 4', '<span translate="no">12 <b>3</b></span> ۴'),
        ("<script>var a = 1;</script><style>p { margin: 0 }</style>", None),
        ("<p>¶52, 3 دن</p>", "<p>¶۵۲, ۳ دن</p>"),
        ("<br/>7<img src='x1.png'>8", "<br/>۷<img src='x1.png'>۸"),
    ],
)
def test_readable_numbers_become_urdu_and_codes_do_not(html: str, expected: str | None) -> None:
    assert urdu_digits(html) == (html if expected is None else expected)


@pytest.mark.django_db
def test_a_person_chooses_urdu_digits_and_language_on_their_settings_page(
    client: Any, personas: Personas, records: Records
) -> None:
    from cpmis.cases import services as s

    web_as(client, personas.cpo)
    page = client.get("/accounts/settings/")
    assert page.status_code == 200 and 'name="digits"' in page.content.decode()
    response = client.post("/accounts/settings/", {"language": "ur", "digits": "urdu"})
    assert response.status_code == 302 and response["Location"] == "/accounts/settings/"
    cpo = User.objects.get(pk=personas.cpo.pk)
    assert (cpo.language, cpo.digits) == ("ur", "urdu")
    assert AuditEvent.objects.filter(action="user.digits", object_id=str(cpo.pk)).exists()
    html = client.get("/accounts/settings/").content.decode()
    assert 'lang="ur"' in html[:200] and "محفوظ" in html
    assert "(0 1 2 3)" in html and "(۰ ۱ ۲ ۳)" in html  # the examples as they are
    # A case: its number in Western digits, the day it was opened in Urdu ones.
    case = s.case_open(
        actor=personas.cpo, child=records.cpo_child, initial_risk="high", concerns=["abused"]
    )
    page = client.get(f"/cases/{case.uuid}/").content.decode()
    assert case.number in page and "۲۰۲۶" in page
    # English pages keep Western digits whatever the setting.
    client.post("/accounts/settings/", {"language": "en", "digits": "urdu"})
    page = client.get(f"/cases/{case.uuid}/").content.decode()
    assert "۲۰۲۶" not in page and "2026" in page


@pytest.mark.django_db
def test_the_settings_page_refuses_what_it_does_not_offer(client: Any, personas: Personas) -> None:
    web_as(client, personas.cpo)
    for data in ({"language": "fr", "digits": "urdu"}, {"language": "ur", "digits": "roman"}, {}):
        response = client.post("/accounts/settings/", data)
        assert response.status_code == 400, data
    cpo = User.objects.get(pk=personas.cpo.pk)
    assert (cpo.language, cpo.digits) == ("", "western")
    client.logout()
    assert client.get("/accounts/settings/").status_code == 302


@pytest.mark.django_db
def test_choosing_the_browsers_language_forgets_the_switch(client: Any, personas: Personas) -> None:
    web_as(client, personas.cpo)
    client.post("/accounts/language/", {"language": "ur", "next": "/"})
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "ur"
    client.post("/accounts/settings/", {"language": "", "digits": "western"})
    assert User.objects.get(pk=personas.cpo.pk).language == ""
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ur")["Content-Language"] == "ur"
