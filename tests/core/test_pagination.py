"""Lists: total and page in one query, links to the neighbouring pages, 404 past the end."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpmis.people.services import child_register
from cpmis.reference.models import District
from tests.conftest import Personas, api_as, born


def register(personas: Personas, n: int) -> None:
    lahore = District.objects.get(pcode="PK617")
    for i in range(n):
        child_register(
            actor=personas.supervisor,
            district=lahore,
            sex="male",
            date_of_birth=born(14, 1, 1 + i % 28),
            name_latin=f"Ali {i}",
        )


def query(url: str) -> dict[str, list[str]]:
    parts = urlsplit(url)
    assert parts.path == "/api/children/"
    return parse_qs(parts.query)


def test_pages_count_and_links(personas: Personas) -> None:
    register(personas, 30)
    client = api_as(personas.supervisor)
    first = client.get("/api/children/", {"q": "ali"}).json()
    assert first["count"] == 30 and len(first["results"]) == 25 and first["previous"] is None
    assert query(first["next"]) == {"q": ["ali"], "page": ["2"]}
    second = client.get(first["next"]).json()
    assert second["count"] == 30 and len(second["results"]) == 5 and second["next"] is None
    assert query(second["previous"]) == {"q": ["ali"]}
    assert client.get("/api/children/", {"q": "ali", "page": 3}).status_code == 404
    small = client.get("/api/children/", {"q": "ali", "page_size": 10, "page": 3}).json()
    assert len(small["results"]) == 10 and small["next"] is None
    empty = client.get("/api/children/", {"q": "nobody"}).json()
    assert empty == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_search_page_and_its_total_take_one_statement(personas: Personas) -> None:
    register(personas, 3)
    client = api_as(personas.supervisor)
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/children/", {"q": "ali"})
    children = [q["sql"] for q in queries if "people_child" in q["sql"] and "SELECT" in q["sql"]]
    assert len(children) == 1, children
    assert "OVER ()" in children[0]


def test_distinct_lists_count_the_right_rows(personas: Personas) -> None:
    from cpmis.accounts.roles import Role, ScopeLevel
    from tests.conftest import make_user

    admin = make_user(
        "punjab.admin",
        {
            "role": Role.ADMINISTRATOR,
            "scope_level": ScopeLevel.JURISDICTION,
            "jurisdiction": "PK-PB",
        },
    )
    body = api_as(admin).get("/api/users/").json()
    assert body["count"] == len(body["results"]) == len({u["username"] for u in body["results"]})
