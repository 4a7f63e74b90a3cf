"""The synthetic population: deterministic, spread everywhere, plausibly Pakistani, never real."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from cpmis.accounts.models import User
from cpmis.accounts.roles import Role
from cpmis.demo.generator import (
    DEMO_ACCOUNTS,
    children_generate,
    demo_accounts_create,
    population_generate,
)
from cpmis.people.models import Child
from cpmis.people.search import search_key
from cpmis.people.services import age_on
from cpmis.reference.models import District

TODAY = datetime(2026, 11, 28, tzinfo=UTC)


def sample(size: int, seed: int = 7) -> list[Child]:
    districts = list(District.objects.order_by("pcode"))
    return list(
        children_generate(
            size=size, seed=seed, districts=districts, owners={}, today=TODAY.date(), now=TODAY
        )
    )


def test_the_same_seed_gives_the_same_people() -> None:
    a, b = sample(300), sample(300)
    assert [(c.uuid, c.name_latin, c.name_urdu, c.date_of_birth) for c in a] == [
        (c.uuid, c.name_latin, c.name_urdu, c.date_of_birth) for c in b
    ]
    assert [c.name_latin for c in sample(50, seed=8)] != [c.name_latin for c in a[:50]]


def test_children_cover_every_district_and_every_age() -> None:
    children = sample(2000)
    assert {c.district.pk for c in children} == set(District.objects.values_list("pk", flat=True))
    ages = Counter(age_on(c.date_of_birth, TODAY.date()) for c in children)
    assert set(ages) == set(range(18))


def test_names_have_spelling_variants_and_urdu_for_part() -> None:
    children = sample(3000)
    latin = " ".join(c.name_latin for c in children)
    assert {"Muhammad", "Mohammad", "Muhammed"} <= set(latin.split())
    with_urdu = sum(1 for c in children if c.name_urdu)
    assert 0.2 * len(children) < with_urdu < 0.8 * len(children)
    assert all(c.name_latin or c.name_urdu for c in children)
    assert all(c.name_search == search_key(c.name_latin, c.name_urdu) for c in children)


def test_identifiers_are_marked_synthetic() -> None:
    numbers = [c.b_form_number for c in sample(1000) if c.b_form_number]
    assert numbers and all(n.startswith("00") and len(n) == 15 for n in numbers)


def test_demo_accounts_one_per_role_and_a_population() -> None:
    demo_accounts_create(password="demo password 123")
    roles = {a.role for a in DEMO_ACCOUNTS}
    assert roles == set(Role.values)
    assert User.objects.count() == len(DEMO_ACCOUNTS)
    demo_accounts_create(password="demo password 123")  # idempotent
    assert User.objects.count() == len(DEMO_ACCOUNTS)
    population_generate(size=500, seed=1)
    assert Child.objects.count() == 500
    cpo = User.objects.get(username="cpo.lahore")
    assert Child.objects.filter(owner=cpo, district__pcode="PK617").exists()


def test_demo_complaints_cover_every_channel_waiting_overdue_and_triaged() -> None:
    from cpmis.complaints.models import Channel, Complaint, Status
    from cpmis.demo.complaints import complaints_generate
    from cpmis.demo.generator import cases_generate

    demo_accounts_create(password="demo password 123")
    population_generate(size=300, seed=1)
    cases_generate(seed=1)
    made = complaints_generate(seed=1)
    assert Complaint.objects.count() == made
    assert set(Complaint.objects.values_list("channel", flat=True)) == set(Channel.values)
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert {Status.RECEIVED, Status.CASE_OPENED, Status.REFERRED, Status.CLOSED} <= statuses
    overdue = [c for c in Complaint.objects.filter(status=Status.RECEIVED) if c.overdue]
    assert overdue
    assert Complaint.objects.filter(district__isnull=True).exists()


def test_demo_department_batches_one_clean_one_with_mistakes() -> None:
    from cpmis.demo.exchange import exchange_generate
    from cpmis.exchange.models import DepartmentRecord, Submission

    demo_accounts_create(password="demo password 123")
    assert exchange_generate(seed=1) == 60
    statuses = sorted(Submission.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "partial"]
    partial = Submission.objects.get(status="partial")
    assert partial.rows_rejected == 4
    assert DepartmentRecord.objects.count() == 56
