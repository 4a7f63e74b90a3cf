"""The common data standard departments submit in: one Frictionless Table Schema per record
type and version (``schemas/<type>.v<major>.json``), the machine-readable source of the
field documentation page, the CSV and XLSX templates and the validation of every row.

A schema file is never edited once published: a change is a new major version beside it,
and ``SUPPORTED`` says which versions are still accepted.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cpmis.legal.exports import safe

# Record type → the major versions still accepted (the last is the current one).
SUPPORTED: dict[str, tuple[int, ...]] = {
    "police_report": (1,),
    "fia_case": (1,),
    "court_outcome": (1,),
    "probation": (1,),
    "juvenile_custody": (1,),
    "cci_admission": (1,),
    "health_examination": (1,),
    "education_referral": (1,),
}
DATE_FORMATS = {
    "iso": ("YYYY-MM-DD", "%Y-%m-%d"),
    "dmy": ("DD/MM/YYYY", "%d/%m/%Y"),
    "dmy_short": ("DD-MM-YY", "%d-%m-%y"),
}


# A field's type as the rules in words name it (the schema keeps Frictionless's names).
TYPE_NAMES = {
    "string": pgettext_lazy("data type", "string"),
    "date": pgettext_lazy("data type", "date"),
    "integer": pgettext_lazy("data type", "integer"),
    "boolean": pgettext_lazy("data type", "boolean"),
}


@dataclass(frozen=True)
class RecordType:
    name: str
    major: int
    descriptor: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.descriptor["title"])

    @property
    def description(self) -> str:
        return str(self.descriptor["description"])

    @property
    def version(self) -> str:
        return str(self.descriptor["version"])

    @property
    def department(self) -> str:
        return str(self.descriptor["x-cpmis-department"])

    @property
    def fields(self) -> list[dict[str, Any]]:
        return list(self.descriptor["fields"])

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    @property
    def current(self) -> bool:
        return self.major == SUPPORTED[self.name][-1]


def schema(name: str, major: int | None = None) -> RecordType | None:
    """A supported record type's schema (the current version when ``major`` is None)."""
    versions = SUPPORTED.get(name)
    if not versions:
        return None
    major = versions[-1] if major is None else major
    if major not in versions:
        return None
    return _load(name, major)  # cached: only supported pairs reach the cache


@cache
def _load(name: str, major: int) -> RecordType:
    text = files("cpmis.exchange").joinpath("schemas", f"{name}.v{major}.json").read_text("utf-8")
    return RecordType(name, major, json.loads(text))


def record_types() -> list[RecordType]:
    """The current version of every record type."""
    return [rt for rt in (schema(name) for name in SUPPORTED) if rt is not None]


def field_constraints(field: dict[str, Any], *, html: bool = False) -> str:
    """The field's rules in words, in the reader's language (for the documentation page and
    the XLSX template); codes, enum values and patterns as the schema writes them (``html``:
    each in a ``<code>``, so that it reads left to right inside Urdu text)."""

    def code(value: str) -> str:
        return format_html("<code>{}</code>", value) if html else value

    c = field.get("constraints", {})
    parts = [
        pgettext("a field", "required") if c.get("required") else pgettext("a field", "optional"),
        str(TYPE_NAMES.get(field["type"], field["type"])),
    ]
    if "enum" in c:
        choices = ", ".join(code(str(v)) for v in c["enum"])
        parts.append(_("one of: %(choices)s") % {"choices": choices})
    if "minimum" in c or "maximum" in c:
        parts.append(f"{c.get('minimum', '')}–{c.get('maximum', '')}")
    if "maxLength" in c:
        parts.append(
            ngettext("at most %(count)s character", "at most %(count)s characters", c["maxLength"])
            % {"count": c["maxLength"]}
        )
    if "pattern" in c:
        parts.append(_("pattern %(pattern)s") % {"pattern": code(c["pattern"])})
    if not html:
        return pgettext("between the rules of a field", "; ").join(parts)
    # Every part comes from the shipped schema (codes escaped by format_html) and the catalog.
    return mark_safe(pgettext("between the rules of a field", "; ").join(parts))  # noqa: S308


def text(value: str) -> str:
    """A title or description of the standard in the reader's language (``schema_text``
    lists them for translation; the schema files stay in English)."""
    return _(value) if value else value


def template_csv(rt: RecordType) -> bytes:
    """The header row, UTF-8 with a byte-order mark so that Excel opens Urdu correctly."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(rt.field_names)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(rt: RecordType) -> bytes:
    """A workbook with a data sheet (header, drop-down lists for coded fields) and a sheet
    that documents every field."""
    book = Workbook()
    data = book.active
    assert data is not None
    data.title = "records"
    data.append(rt.field_names)
    for column, field in enumerate(rt.fields, start=1):
        cell = data.cell(row=1, column=column)
        cell.font = Font(bold=True)
        data.column_dimensions[get_column_letter(column)].width = max(14, len(field["name"]) + 2)
        enum = field.get("constraints", {}).get("enum")
        if enum:
            letter = get_column_letter(column)
            rule = DataValidation(
                type="list", formula1='"' + ",".join(enum) + '"', allow_blank=True
            )
            rule.add(f"{letter}2:{letter}100000")
            data.add_data_validation(rule)
    data.freeze_panes = "A2"
    about = book.create_sheet("fields")
    about.append(
        [
            pgettext("template sheet heading", "field"),
            pgettext("template sheet heading", "title"),
            pgettext("template sheet heading", "rules"),
            pgettext("template sheet heading", "description"),
        ]
    )
    for cell in about[1]:
        cell.font = Font(bold=True)
    for field in rt.fields:
        about.append(
            [
                safe(field["name"]),
                safe(text(field["title"])),
                safe(field_constraints(field)),
                safe(text(field["description"])),
            ]
        )
    about.append([])
    about.append(
        [
            safe(
                _("%(title)s, version %(version)s (%(file)s)")
                % {"title": text(rt.title), "version": rt.version, "file": f"{rt.name}.v{rt.major}"}
            )
        ]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
