"""Row validation against a record type's Table Schema, compiled once per batch.

Each field's type and constraints (required, enum, pattern, minimum, maximum, maxLength)
come from the schema; references (districts, offence sections) are checked against the
reference data and the legal catalogue, loaded once per batch; dates are parsed in the
format the batch declares, never guessed; and the rules no schema can say: no date in the
future, a date of birth before the record date, a child under 18, a valid NADRA number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from cpmis.legal.models import Provision
from cpmis.legal.text import section_key
from cpmis.people.identifiers import normalize_nadra_number
from cpmis.people.services import age_on
from cpmis.reference.models import District

from . import reasons
from .reasons import say
from .standard import DATE_FORMATS, RecordType

COMMON_COLUMNS = {
    "department_record_id",
    "record_date",
    "district",
    "child_name",
    "guardian_relation",
    "guardian_name",
    "sex",
    "date_of_birth",
    "age_years",
    "b_form_number",
}


@dataclass
class RowError:
    row: int  # as in the file: the header is row 1
    column: str
    value: str
    reason: str


@dataclass
class References:
    """What rows are checked against, read once per batch."""

    districts: dict[str, tuple[int, int]]  # pcode -> (district id, jurisdiction id)
    sections: dict[tuple[str, str], str]  # (statute short title, section key) -> citation
    allowed_districts: set[int] | None  # where the submitter may report (None: everywhere)
    today: date = field(default_factory=timezone.localdate)
    # the same sections are written on many rows: parsed once per batch
    parsed_sections: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)

    @classmethod
    def load(cls, allowed_districts: set[int] | None) -> References:
        districts = {
            pcode: (pk, jid)
            for pcode, pk, jid in District.objects.values_list("pcode", "pk", "jurisdiction_id")
        }
        sections: dict[tuple[str, str], str] = {}
        offences = (Provision.Kind.OFFENCE, Provision.Kind.PENALTY)
        for p in Provision.objects.filter(kind__in=offences).select_related("statute"):
            sections[(p.statute.short_title.casefold(), p.section_key)] = p.citation
            sections[(p.statute.code.casefold(), p.section_key)] = p.citation
        return cls(districts, sections, allowed_districts)


_SECTION_ITEM = re.compile(r"^\s*([^\s:]+)\s*[: ]\s*(?:s\.|sec\.|section\s+)?\s*(.+?)\s*$", re.I)


def _sections(value: str, refs: References) -> tuple[list[str], list[str]]:
    known = refs.parsed_sections.get(value)
    if known is None:
        known = refs.parsed_sections[value] = _parse_sections(value, refs)
    return list(known[0]), list(known[1])


def _parse_sections(value: str, refs: References) -> tuple[list[str], list[str]]:
    citations: list[str] = []
    unknown: list[str] = []
    for item in (part for part in value.split(";") if part.strip()):
        match = _SECTION_ITEM.match(item)
        key = (match.group(1).casefold(), section_key(match.group(2))) if match else None
        citation = refs.sections.get(key) if key else None
        if citation is None:
            unknown.append(item.strip())
        elif citation not in citations:
            citations.append(citation)
    return sorted(citations), unknown


Check = Callable[[Any], Any]  # returns the clean value or raises ValueError(reason)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")  # and lone surrogates (JSON)
_DATE_PARTS = {
    # the declared format as a pattern of (day, month, year) groups: no guessing
    "iso": (re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"), (3, 2, 1)),
    "dmy": (re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"), (1, 2, 3)),
    "dmy_short": (re.compile(r"([0-9]{1,2})-([0-9]{1,2})-([0-9]{2})"), (1, 2, 3)),
}


def _text_check(spec: dict[str, Any]) -> Check:
    c = spec.get("constraints", {})
    pattern = re.compile(c["pattern"]) if "pattern" in c else None
    enum = c.get("enum")
    max_length = c.get("maxLength")

    def check(value: Any) -> Any:
        text = str(value).strip()
        if _CONTROL.search(text):
            raise ValueError(reasons.CONTROL_CHARACTERS)
        if max_length is not None and len(text) > max_length:
            raise ValueError(say(reasons.LONGER_THAN, max_length=max_length))
        if enum is not None and text not in enum:
            raise ValueError(say(reasons.NOT_ONE_OF, choices=", ".join(enum)))
        if pattern is not None and not pattern.match(text):
            raise ValueError(reasons.NOT_IN_FORM)
        return text

    return check


_WHOLE_NUMBER = re.compile(r"[0-9]{1,12}")


def _integer_check(spec: dict[str, Any]) -> Check:
    c = spec.get("constraints", {})
    low, high = c.get("minimum"), c.get("maximum")

    def check(value: Any) -> Any:
        text = str(value).strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            raise ValueError(reasons.NOT_WHOLE_NUMBER)
        number = int(text)
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(
                say(
                    reasons.OUTSIDE_RANGE,
                    minimum=low if low is not None else "",
                    maximum=high if high else "",
                )
            )
        return number

    return check


def _boolean_check(spec: dict[str, Any]) -> Check:
    def check(value: Any) -> Any:
        text = str(value).strip().casefold()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise ValueError(reasons.NOT_TRUE_OR_FALSE)

    return check


def _date_check(date_format: str, today: date) -> Check:
    label = DATE_FORMATS[date_format][0]
    regex, (d, m, y) = _DATE_PARTS[date_format]
    century = today.year // 100 * 100

    def check(value: Any) -> Any:
        if isinstance(value, date):  # an XLSX date cell
            day = value
        else:
            match = regex.fullmatch(str(value).strip())
            if match is None:
                raise ValueError(say(reasons.NOT_A_DATE, date_format=label))
            year = int(match.group(y))
            if year < 100:  # DD-MM-YY: this century, or the last one if that is the future
                year += century if century + year <= today.year else century - 100
            try:
                day = date(year, int(match.group(m)), int(match.group(d)))
            except ValueError:
                raise ValueError(say(reasons.NOT_A_DATE, date_format=label)) from None
        if day > today:
            raise ValueError(reasons.IN_THE_FUTURE)
        if day.year < 1990:
            raise ValueError(reasons.BEFORE_1990)
        return day

    return check


@dataclass
class RowValidator:
    rt: RecordType
    date_format: str
    refs: References

    def __post_init__(self) -> None:
        self.checks: dict[str, Check] = {}
        self.required: set[str] = set()
        for spec in self.rt.fields:
            kind = spec["type"]
            if spec.get("constraints", {}).get("required"):
                self.required.add(spec["name"])
            if kind == "date":
                self.checks[spec["name"]] = _date_check(self.date_format, self.refs.today)
            elif kind == "integer":
                self.checks[spec["name"]] = _integer_check(spec)
            elif kind == "boolean":
                self.checks[spec["name"]] = _boolean_check(spec)
            else:
                self.checks[spec["name"]] = _text_check(spec)

    def validate(self, number: int, row: dict[str, Any]) -> tuple[dict[str, Any] | None, list]:
        """The clean row, or None and its errors."""
        errors: list[RowError] = []
        clean: dict[str, Any] = {}

        def fail(column: str, reason: str) -> None:
            errors.append(RowError(number, column, str(row.get(column, ""))[:200], reason))

        for name, check in self.checks.items():
            value = row.get(name, "")
            if value == "" or value is None:
                if name in self.required:
                    fail(name, reasons.REQUIRED)
                clean[name] = None
                continue
            try:
                clean[name] = check(value)
            except ValueError as exc:
                fail(name, str(exc))
        if errors:
            return None, errors
        district = self.refs.districts.get(clean["district"])
        if district is None:
            fail("district", reasons.NO_SUCH_DISTRICT)
        elif self.refs.allowed_districts is not None and district[0] not in (
            self.refs.allowed_districts
        ):
            fail("district", reasons.OUTSIDE_SCOPE)
        else:
            clean["district_id"], clean["jurisdiction_id"] = district
        if clean.get("offence_sections") is not None:
            citations, unknown = _sections(clean["offence_sections"], self.refs)
            if unknown:
                fail(
                    "offence_sections",
                    say(reasons.NOT_IN_CATALOGUE, sections="; ".join(unknown)),
                )
            else:
                clean["offence_sections"] = citations
        dob, record_date = clean.get("date_of_birth"), clean["record_date"]
        if dob is not None:
            if dob > record_date:
                fail("date_of_birth", reasons.AFTER_RECORD_DATE)
            elif age_on(dob, record_date) >= 18:
                fail("date_of_birth", reasons.NOT_A_CHILD)
        if clean.get("b_form_number"):
            try:
                clean["b_form_number"] = normalize_nadra_number(clean["b_form_number"])
            except ValidationError as exc:
                fail("b_form_number", " ".join(exc.messages))
        if clean.get("release_date") is not None and clean["release_date"] < record_date:
            fail("release_date", reasons.BEFORE_ADMISSION)
        return (None, errors) if errors else (clean, [])
