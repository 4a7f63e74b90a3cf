"""Writes to the people registry. Each checks permission, validates, runs in one transaction
and writes its audit event in that transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from cpmis import access
from cpmis.actors import Actor, person
from cpmis.audit.services import audit_record
from cpmis.core.text import urdu_letters
from cpmis.reference.models import District

from .identifiers import normalize_nadra_number
from .models import Child, Disability
from .phonetic import is_urdu, split_by_script
from .search import search_key

MAX_CHILD_AGE = 17
# A child is a person under 18: Punjab Destitute and Neglected Children Act 2004 s.3(e);
# report ¶23. The same age bound runs through every provincial child-protection act.
CHILD_AGE_RULE = gettext_lazy("A child is under 18 (Punjab DNCA 2004 s.3(e); OPSC report ¶23).")

EDITABLE_FIELDS = (
    "name_latin",
    "name_urdu",
    "guardian_relation",
    "guardian_name_latin",
    "guardian_name_urdu",
    "sex",
    "date_of_birth",
    "date_of_birth_estimated",
    "b_form_number",
    "cnic",
    "nationality",
    "has_disability",
    "disabilities",
    "address",
    "locality",
    "district",
    "contact_name",
    "contact_phone",
    "owner",
)


# Each name has a field per script; officers type in whichever the family gave them.
NAME_FIELDS = (("name_latin", "name_urdu"), ("guardian_name_latin", "guardian_name_urdu"))
# A plain string (tests look for it in a page); translated where it is used.
URDU_IN_LATIN_FIELD = gettext_noop("This name is written in Urdu: put it in the Urdu-script field.")

# Set by child_register from its own arguments, not from **fields.
_REGISTER_ARGUMENTS = {"district", "sex", "date_of_birth", "date_of_birth_estimated", "owner"}


@dataclass(frozen=True)
class Age:
    date_of_birth: date
    estimated: bool


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def estimated_dob(age_years: int, today: date) -> date:
    """A date of birth half a year before the birthday implied by an estimated age."""
    try:
        anniversary = today.replace(year=today.year - age_years)
    except ValueError:  # 29 February
        anniversary = today.replace(year=today.year - age_years, day=28)
    return anniversary - timedelta(days=182)


def _validate(
    child: Child, *, today: date, registered_on: date, read_database: bool = True
) -> None:
    """The record's rules. Age is judged at registration: a child who has since turned 18
    keeps a record that can still be corrected (follow-up goes on after 18). Without
    ``read_database`` the checks that each cost a query are left to the database's own
    constraints (the uuid's uniqueness, the district's foreign key)."""
    errors: dict[str, list[str]] = {}
    if not (child.name_latin.strip() or child.name_urdu.strip()):
        errors.setdefault("name_latin", []).append(
            _("Give the child's name in Latin or Urdu script (or how the child is known).")
        )
    if child.date_of_birth > today:
        errors.setdefault("date_of_birth", []).append(_("The date of birth is in the future."))
    elif age_on(child.date_of_birth, registered_on) > MAX_CHILD_AGE:
        age = age_on(child.date_of_birth, registered_on)
        if registered_on == today:
            too_old = _("This person is %(age)s years old.") % {"age": age}
        else:
            too_old = _("This person was, when registered, %(age)s years old.") % {"age": age}
        errors.setdefault("date_of_birth", []).append(f"{too_old} {CHILD_AGE_RULE}")
    for field in ("b_form_number", "cnic"):
        value = getattr(child, field)
        if value:
            try:
                setattr(child, field, normalize_nadra_number(value))
            except ValidationError as exc:
                errors.setdefault(field, []).extend(exc.messages)
    unknown = [d for d in child.disabilities or [] if d not in Disability.values]
    if unknown or not isinstance(child.disabilities, list):
        errors.setdefault("disabilities", []).append(
            f"Unknown disability domain; use {', '.join(Disability.values)}."
        )
    elif child.disabilities and child.has_disability is False:
        errors.setdefault("has_disability", []).append(
            _("Disabilities are listed, so this cannot be 'no'.")
        )
    child.nationality = (child.nationality or "").upper()
    if len(child.nationality) != 2 or not child.nationality.isalpha():
        errors.setdefault("nationality", []).append(_("Use a two-letter ISO 3166-1 code, e.g. PK."))
    if errors:
        raise ValidationError(errors)
    exclude = (
        ["registered_by", "owner"] if read_database else ["registered_by", "owner", "district"]
    )
    try:
        child.full_clean(exclude=exclude, validate_unique=read_database)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def child_validate(child: Child, *, today: date, registered_on: date) -> None:
    """The registry's rules for a child registered by cpmis itself (from a department
    record), the same as for one registered by an officer, but for two that would each cost a
    query, for tens of thousands of children in one linkage run: the uuid is a new one, and
    the district is the department record's (validated when it was received); the database's
    constraints still hold both."""
    _validate(child, today=today, registered_on=registered_on, read_database=False)


def _names_in_their_scripts(values: dict[str, Any], current: Child | None = None) -> None:
    """Urdu letters typed into a Latin-script name field go to the Urdu-script field when that
    is empty (the Latin words, if both spellings were typed, stay); when the Urdu field holds a
    name already, the change is refused rather than one name overwriting the other. A name in
    the wrong field is neither shown in its script nor found by a search in it. Urdu names
    typed on an Arabic keyboard are written with Urdu's letters (``core.text.urdu_letters``)."""
    errors: dict[str, str] = {}
    for _latin, urdu_field in NAME_FIELDS:
        if isinstance(values.get(urdu_field), str):
            values[urdu_field] = urdu_letters(values[urdu_field])
    for latin_field, urdu_field in NAME_FIELDS:
        typed = values.get(latin_field)
        if not isinstance(typed, str) or not is_urdu(typed):
            continue
        urdu_now = values.get(urdu_field, getattr(current, urdu_field, "") if current else "")
        if (urdu_now or "").strip():
            errors[latin_field] = _(URDU_IN_LATIN_FIELD)
            continue
        latin, urdu = split_by_script(typed)
        values[latin_field], values[urdu_field] = latin, urdu_letters(urdu)
    if errors:
        raise ValidationError(errors)


def _check_owner(owner: Any, district: District) -> None:
    if owner is None:
        return
    if not access.is_district_cpo(owner, district.pk):
        raise ValidationError(
            {"owner": _("The responsible officer must be a CPO of this district.")}
        )


def _resolve_age(
    *, date_of_birth: date | None, estimated_age_years: int | None, today: date
) -> Age:
    if date_of_birth is not None and estimated_age_years is not None:
        raise ValidationError(
            {"estimated_age_years": _("Give either a date of birth or an estimated age, not both.")}
        )
    if date_of_birth is not None:
        return Age(date_of_birth, estimated=False)
    if estimated_age_years is None:
        raise ValidationError({"date_of_birth": _("Give a date of birth or an estimated age.")})
    if not 0 <= estimated_age_years <= MAX_CHILD_AGE:
        raise ValidationError(
            {
                "estimated_age_years": _("An estimated age is 0 to %(max)s.")
                % {"max": MAX_CHILD_AGE}
                + f" {CHILD_AGE_RULE}"
            }
        )
    return Age(estimated_dob(estimated_age_years, today), estimated=True)


@transaction.atomic
def child_register(
    *,
    actor: Actor,
    district: District,
    sex: str,
    date_of_birth: date | None = None,
    estimated_age_years: int | None = None,
    owner: Any = None,
    uuid: UUID | None = None,
    **fields: Any,
) -> Child:
    """Register a child in ``district``. A CPO becomes the child's responsible officer.
    ``uuid``: the id a phone gave a child it registered offline (a new one when absent)."""
    if not access.can_register_child_in(actor, district):
        raise PermissionDenied(_("You cannot register children in this district."))
    unknown = set(fields) - set(EDITABLE_FIELDS) | (set(fields) & _REGISTER_ARGUMENTS)
    if unknown:
        raise ValidationError({f: "Not a field of a child record." for f in sorted(unknown)})
    _names_in_their_scripts(fields)
    today = timezone.localdate()
    age = _resolve_age(
        date_of_birth=date_of_birth, estimated_age_years=estimated_age_years, today=today
    )
    may_assign = access.can_assign_owner_in(actor, district)
    if owner is None and not may_assign:
        owner = person(actor)
    if owner is not None and owner != actor and not may_assign:
        raise PermissionDenied(_("Only a supervisor can register a child for another officer."))
    _check_owner(owner, district)
    if uuid is not None and Child.objects.filter(uuid=uuid).exists():
        raise ValidationError({"uuid": _("A child with this id exists already.")})
    now = timezone.now()
    child = Child(
        **({"uuid": uuid} if uuid is not None else {}),
        district=district,
        sex=sex,
        date_of_birth=age.date_of_birth,
        date_of_birth_estimated=age.estimated,
        owner=owner,
        registered_by=person(actor),
        registered_at=now,
        updated_at=now,
        **fields,
    )
    _validate(child, today=today, registered_on=today)
    child.name_search = search_key(child.name_latin, child.name_urdu)
    child.save()
    audit_record(
        actor=actor, action="child.register", object_type="people.child", object_id=child.uuid
    )
    return child


@transaction.atomic
def child_update(*, actor: Actor, child: Child, **changes: Any) -> Child:
    """Change fields of a child record the actor may change; audits the field names."""
    locked = access.children_changeable_by(actor).select_for_update().filter(pk=child.pk).first()
    if locked is None:
        raise PermissionDenied(_("You cannot change this child's record."))
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"estimated_age_years"}
    if unknown:
        raise ValidationError({f: _("This field cannot be changed.") for f in sorted(unknown)})
    _names_in_their_scripts(changes, current=locked)
    today = timezone.localdate()
    if "estimated_age_years" in changes:
        age = _resolve_age(
            date_of_birth=changes.pop("date_of_birth", None),
            estimated_age_years=changes.pop("estimated_age_years"),
            today=today,
        )
        changes["date_of_birth"], changes["date_of_birth_estimated"] = age.date_of_birth, True
    elif "date_of_birth" in changes:
        changes.setdefault("date_of_birth_estimated", False)
    if "district" in changes and not access.can_register_child_in(actor, changes["district"]):
        raise PermissionDenied(_("You cannot move a child to a district outside your scope."))
    district = changes.get("district", locked.district)
    if "owner" in changes and changes["owner"] != locked.owner:
        if not access.can_assign_owner_in(actor, district):
            raise PermissionDenied(_("Only a supervisor can change the responsible officer."))
        _check_owner(changes["owner"], district)
    elif "district" in changes:
        _check_owner(locked.owner, district)  # the officer must work where the child now is
    changed = [f for f, v in changes.items() if getattr(locked, f) != v]
    for field in changed:
        setattr(locked, field, changes[field])
    _validate(locked, today=today, registered_on=timezone.localdate(locked.registered_at))
    if not changed:
        return locked
    locked.name_search = search_key(locked.name_latin, locked.name_urdu)
    locked.updated_at = timezone.now()
    locked.save(update_fields=[*changed, "name_search", "updated_at"])
    audit_record(
        actor=actor,
        action="child.update",
        object_type="people.child",
        object_id=locked.uuid,
        detail={"fields": sorted(changed)},
    )
    return locked
