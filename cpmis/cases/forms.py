"""The short form behind each step on the case page: its fields, labels and pickers, and the
conversion of what a person typed into what the API's serializer validates.

One validation path: the page converts (a day-first date, a plan written one goal per line)
and hands the values to the same serializer and service as the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from functools import cached_property
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpmis.accounts.models import User
from cpmis.core.dates import (
    DATE_PLACEHOLDER,
    DATETIME_PLACEHOLDER,
    DateInputError,
    format_datetime_input,
    parse_date,
    parse_datetime,
)

from . import selectors, services
from .models import Case, CaseEvent, CaseReference, Institution, Perpetrator, RiskLevel
from .workflow import plan_status

Choices = list[tuple[str, str]]
Groups = list[tuple[str, Choices]]


@dataclass
class Field:
    name: str
    label: str
    kind: str = "text"  # text, textarea, select, checkbox, datetime, date, number, radio
    required: bool = False
    choices: Choices = field(default_factory=list)
    groups: Groups = field(default_factory=list)  # a select with labelled groups
    help: str = ""
    initial: str = ""
    searchable: bool = False  # a long picker: a filter box is added (picker.js)
    more: int = 0  # places of the province not listed: the page offers to show them

    @property
    def placeholder(self) -> str:
        if self.kind == "datetime":
            return str(DATETIME_PLACEHOLDER)
        if self.kind == "date":
            return str(DATE_PLACEHOLDER)
        return ""


def _when(label: str | None = None) -> Field:
    return Field(
        "occurred_at",
        label or _("When"),
        "datetime",
        required=True,
        initial=format_datetime_input(timezone.now()),
        help=_("Day first, Pakistan time; now unless you change it."),
    )


def _note(label: str | None = None, required: bool = False) -> Field:
    return Field("note", label or _("Note"), "textarea", required=required)


def officer_label(user: User) -> str:
    name = user.get_full_name().strip()
    return f"{name} ({user.username})" if name else user.username


def _officer_field(case: Case, *, required: bool = True, label: str | None = None) -> Field:
    officers = selectors.officers_for(case)
    help_text = (
        _(
            "Child Protection Officers of the district; a girl child is only given to a woman "
            "officer (ICT CPA 2018 s.20; report ¶50)."
        )
        if case.child.sex == "female"
        else _("Child Protection Officers of the district.")
    )
    if not officers:
        help_text = _("No officer of this district can hold this case: ask an administrator.")
    return Field(
        "officer",
        label or _("Officer"),
        "select",
        required=required,
        choices=[(u.username, officer_label(u)) for u in officers if u.pk != case.assigned_to_id],
        help=help_text,
    )


def _place_label(i: Institution) -> str:
    """Short: the list is on the page up to three times (custody, placement, referral); the
    service checks sex, age and room whatever is chosen."""
    values = {"name": i.name, "min": i.age_min, "max": i.age_max, "free": i.capacity - i.occupancy}
    if i.accepts == Institution.Accepts.GIRLS:
        return _("%(name)s (girls %(min)s–%(max)s, %(free)s free)") % values
    if i.accepts == Institution.Accepts.BOYS:
        return _("%(name)s (boys %(min)s–%(max)s, %(free)s free)") % values
    return _("%(name)s (%(min)s–%(max)s, %(free)s free)") % values


class Pickers:
    """What the forms of one case page are built from, each read once for the page (the same
    places are offered for custody, placement and referral)."""

    def __init__(
        self, case: Case, *, province: bool = False, events: list[CaseEvent] | None = None
    ) -> None:
        self.case, self.province = case, province
        if events is not None:
            self.__dict__["events"] = events

    @cached_property
    def events(self) -> list[CaseEvent]:
        return list(self.case.events.all())

    @cached_property
    def places(self) -> tuple[Groups, int]:
        found, more = selectors.institutions_near(self.case, province=self.province)
        groups = [(title, [(str(i.pk), _place_label(i)) for i in rows]) for title, rows in found]
        return groups, more


def _institution_field(pickers: Pickers, name: str, label: str) -> Field:
    groups, more = pickers.places
    return Field(name, label, "select", groups=groups, searchable=True, more=more)


def fields_for(step: str, case: Case, *, pickers: Pickers | None = None) -> list[Field]:
    """The fields of one step's form for this case (``pickers``: what the page has read for
    its forms; with ``province`` the places of the whole province, not only the district's)."""
    pickers = pickers or Pickers(case)
    risk = [(v, str(label)) for v, label in RiskLevel.choices]
    if step == "assign":
        return [_officer_field(case)]
    if step == "assess":
        return [Field("risk_level", _("Risk level"), "radio", True, risk), _when(), _note()]
    if step == "plan":
        return [
            Field(
                "goals",
                _("Goals of the plan"),
                "textarea",
                True,
                help=_("One goal per line, e.g. “Back to school by March”."),
            ),
            _when(_("Set on")),
        ]
    if step == "protect":
        return [
            _when(),
            _institution_field(
                pickers,
                "temporary_institution",
                _("Temporary custody at (until the Court decides)"),
            ),
        ]
    if step == "produce":
        return [
            Field(
                "court",
                _("Court"),
                required=True,
                help=_("Which Court, e.g. “Child Protection Court Lahore”."),
            ),
            _when(),
        ]
    if step == "order":
        return [
            Field(
                "kind",
                _("Kind of order"),
                "select",
                True,
                [(k, str(v)) for k, v in services.ORDER_LABELS.items()],
            ),
            _when(_("Date of the order")),
            Field(
                "child_views",
                _("The child's views"),
                "textarea",
                help=_(
                    "Needed for a custody or placement order "
                    "(KP CPWA 2010; ICT CPA 2018 s.17; report ¶51)."
                ),
            ),
            Field("not_heard_reason", _("Or: why the child could not be heard"), "textarea"),
            Field("medical_report", _("Medical report (age determination)"), "textarea"),
            Field("determined_age", _("Age determined by the Court"), "number"),
            Field("final", _("This is the Court's final decision"), "checkbox"),
            _note(),
        ]
    if step == "place":
        return [
            Field(
                "option",
                _("Placed"),
                "radio",
                True,
                [(k, str(v)) for k, v in services.PLACEMENT_LABELS.items()],
            ),
            _institution_field(pickers, "institution", _("Institution (for a placement in one)")),
            Field(
                "caregiver_sex",
                _("Caregiver"),
                "radio",
                choices=[("female", _("A woman")), ("male", _("A man"))],
                help=_("For a placement with a family or carer."),
            ),
            Field(
                "lower_option_reason",
                _("Why not a preferred option"),
                "textarea",
                help=_(
                    "Parental care first, then extended family, then other care, then an "
                    "institution (KP CPWA 2010 s.15; report ¶50)."
                ),
            ),
            _when(),
        ]
    if step == "legal-aid":
        return [
            Field("accepted", _("The child or family accepted legal assistance"), "checkbox"),
            _when(),
        ]
    if step in {"review", "hearing", "delay-report", "follow-up", "release"}:
        return [_when(), _note()]
    if step == "visit":
        return [_when(), _note(_("What you found"), required=True)]
    if step == "request-closure":
        plan, approved = plan_status(pickers.events)
        return [
            Field(
                "reason",
                _("Reason"),
                "select",
                True,
                [(k, str(v)) for k, v in services.CLOSURE_LABELS.items()],
                help=""
                if plan is None or approved
                else _(
                    "The case plan is not approved yet: until the supervisor approves it, "
                    "only a case opened twice, a death or a transfer to another service can "
                    "close."
                ),
            ),
            _note(),
        ]
    if step == "decide-closure":
        return [_note(_("Note to the officer"))]
    if step == "reopen":
        return [_note(_("Why the case is reopened"), required=True)]
    if step == "approve-plan":
        return []
    if step == "transfer":
        groups = [
            (title, [(d.pcode, d.name_en) for d in rows])
            for title, rows in selectors.districts_for_transfer(case)
        ]
        return [
            Field("to_district", _("To district"), "select", True, groups=groups, searchable=True),
            Field("reason", _("Why the case moves"), "textarea", True),
        ]
    if step == "withdraw-transfer":
        return [_note(_("Why the request is withdrawn"))]
    if step == "refer":
        return [
            Field(
                "service",
                _("Service"),
                required=True,
                help=_("e.g. medical care, school enrolment, counselling."),
            ),
            _institution_field(pickers, "institution", _("Provided by")),
            Field("follow_up_on", _("Follow up on"), "date"),
            _note(),
        ]
    if step == "offence":
        groups = [
            (statute, [(str(p.pk), f"{p.citation} — {p.title}") for p in rows])
            for statute, rows in selectors.offences_for(case)
        ]
        return [Field("provision", _("Offence"), "select", True, groups=groups, searchable=True)]
    if step == "perpetrator":
        return [
            Field(
                "relationship",
                _("Relationship to the child"),
                "select",
                True,
                [(v, str(label)) for v, label in Perpetrator.Relationship.choices],
            ),
            Field(
                "sex",
                _("Sex"),
                "radio",
                True,
                [("female", _("Female")), ("male", _("Male")), ("unknown", _("Unknown"))],
            ),
            Field(
                "age_band",
                _("Age"),
                "radio",
                True,
                [(v, str(label)) for v, label in Perpetrator.AgeBand.choices],
            ),
            Field("number", _("How many"), "number", initial="1"),
        ]
    if step == "reference":
        return [
            Field(
                "kind",
                _("Kind"),
                "select",
                True,
                [(v, str(label)) for v, label in CaseReference.Kind.choices],
            ),
            Field(
                "number",
                _("Number"),
                required=True,
                help=_("As the other body writes it, e.g. 123/2026."),
            ),
            Field("authority", _("Police station, court or office")),
        ]
    raise KeyError(step)


def to_api(step: str, case: Case, post: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """What the page's form sent, as the API's serializer reads it, or the fields whose
    values could not be read (a date that is not a date)."""
    data: dict[str, Any] = {"version": post.get("version", "")}
    errors: dict[str, list[str]] = {}
    for f in fields_for(step, case):
        raw = post.get(f.name, "")
        if f.kind == "checkbox":
            data[f.name] = f.name in post
            continue
        if raw == "":
            continue
        if f.kind == "datetime":
            try:
                data[f.name] = parse_datetime(raw).isoformat()
            except DateInputError as exc:
                errors[f.name] = [str(exc)]
        elif f.kind == "date":
            try:
                day = parse_date(raw)
                data[f.name] = timezone.make_aware(datetime.combine(day, time(0, 0))).isoformat()
            except DateInputError as exc:
                errors[f.name] = [str(exc)]
        elif f.name == "goals":
            data["goals"] = [{"goal": line.strip()} for line in raw.splitlines() if line.strip()]
        else:
            data[f.name] = raw
    if step == "decide-closure":
        decision = post.get("decision", "")
        if decision not in {"approve", "refuse"}:
            errors["__all__"] = [_("Choose to approve or to refuse the closure.")]
        data["approve"] = decision == "approve"
    return data, errors


def label_of(step: str, case: Case, name: str) -> str:
    """A field's label, for a message about it ("Officer: choose …")."""
    if name in {"__all__", "stage", "version", "non_field_errors"}:
        return ""
    for f in fields_for(step, case):
        if f.name == name:
            return f.label
    return name.replace("_", " ").capitalize()


# What a serializer says about a choice that no longer exists, in the words of the page.
_GONE = {
    "officer": gettext_lazy("This officer can no longer take cases: choose another."),
    "to_district": gettext_lazy("Choose a district from the list."),
    "provision": gettext_lazy("Choose an offence from the list."),
    "institution": gettext_lazy("Choose a place from the list."),
    "temporary_institution": gettext_lazy("Choose a place from the list."),
}


def _gone(problem: str) -> bool:
    """A related record that is not there (DRF's codes, whatever the page's language)."""
    return getattr(problem, "code", None) in {"does_not_exist", "incorrect_type"}


def readable(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Serializer messages that name objects the way code does ("Object with username=… does
    not exist", "Invalid pk") replaced by what the person should do."""
    out = {}
    for name, problems in errors.items():
        if name in _GONE and any(_gone(p) for p in problems):
            out[name] = [str(_GONE[name])]
        elif name == "version":
            out[name] = [_("Reload the page: the form is missing what it read.")]
        else:
            out[name] = problems
    return out
