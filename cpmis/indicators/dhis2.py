"""Indicators as a DHIS2 ``dataValueSets`` payload, through a mapping configuration.

The mapping names, for each indicator sent, its DHIS2 data element, the disaggregation sent as
category option combinations (one combination per category), the organisation unit of each
province or territory and of the country, and carries the DHIS2 metadata it refers to (as
exported from the DHIS2 instance), so that every identifier can be checked before anything is
sent. Suppressed cells are left out: DHIS2 receives only published figures.

DHIS2 periods: 2025 (year), 2025Q1 (quarter), 202503 (month).
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from django.utils.translation import gettext

from .catalogue import FIXED_CATEGORIES, catalogue
from .tables import TOTAL, PublishedTable

UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
UID_PATTERN = UID.pattern
PERIOD_PATTERN = r"^[0-9]{4}([0-9]{2}|Q[1-4])?$"
EXAMPLE = Path(__file__).resolve().parent / "data" / "dhis2_mapping.example.json"

# The dataValueSets format (DHIS2 Web API, /api/dataValueSets), as far as cpmis writes it.
DATA_VALUE_SET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["dataValues"],
    "additionalProperties": False,
    "properties": {
        "dataSet": {"type": "string", "pattern": UID_PATTERN},
        "completeDate": {"type": "string", "format": "date"},
        "period": {"type": "string", "pattern": PERIOD_PATTERN},
        "orgUnit": {"type": "string", "pattern": UID_PATTERN},
        "dataValues": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["dataElement", "period", "orgUnit", "value"],
                "additionalProperties": False,
                "properties": {
                    "dataElement": {"type": "string", "pattern": UID_PATTERN},
                    "period": {"type": "string", "pattern": PERIOD_PATTERN},
                    "orgUnit": {"type": "string", "pattern": UID_PATTERN},
                    "categoryOptionCombo": {"type": "string", "pattern": UID_PATTERN},
                    "attributeOptionCombo": {"type": "string", "pattern": UID_PATTERN},
                    "value": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"},
                    "comment": {"type": "string", "maxLength": 50000},
                },
            },
        },
    },
}

MAPPING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["metadata", "orgUnits", "dataElements", "defaultCategoryOptionCombo"],
    "properties": {
        "dataSet": {"type": "string"},
        "defaultCategoryOptionCombo": {"type": "string"},
        "metadata": {
            "type": "object",
            "required": ["dataElements", "categoryOptionCombos", "organisationUnits"],
            "properties": {
                kind: {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id"],
                        "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
                    },
                }
                for kind in ("dataElements", "categoryOptionCombos", "organisationUnits")
            },
        },
        "orgUnits": {"type": "object", "additionalProperties": {"type": "string"}},
        "dataElements": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["dataElement", "disaggregation"],
                "properties": {
                    "dataElement": {"type": "string"},
                    "disaggregation": {"type": "string"},
                    "categoryOptionCombos": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                    },
                },
            },
        },
    },
}


class MappingError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def mapping_problems(config: Any) -> list[str]:
    """Everything wrong with a mapping, in words an administrator can act on (empty: fine)."""
    try:
        jsonschema.validate(config, MAPPING_SCHEMA)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or gettext("the mapping")
        return [f"{where}: {exc.message}"]
    from cpmis.reference.models import Jurisdiction

    problems: list[str] = []
    meta = config["metadata"]
    known = {kind: {item["id"] for item in meta[kind]} for kind in meta}

    def check(uid: str, kind: str, where: str) -> None:
        if not UID.match(uid):
            problems.append(
                gettext("%(where)s: %(uid)r is not a DHIS2 identifier (11 letters or digits).")
                % {"where": where, "uid": uid}
            )
        elif uid not in known.get(kind, set()):
            problems.append(
                gettext("%(where)s: %(uid)r is not among the DHIS2 %(kind)s of the metadata.")
                % {"where": where, "uid": uid, "kind": kind}
            )

    check(
        config["defaultCategoryOptionCombo"], "categoryOptionCombos", "defaultCategoryOptionCombo"
    )
    if config.get("dataSet") and not UID.match(config["dataSet"]):
        problems.append(
            gettext("dataSet: %(uid)r is not a DHIS2 identifier.") % {"uid": config["dataSet"]}
        )
    units = config["orgUnits"]
    if "national" not in units:
        problems.append(gettext("orgUnits: no organisation unit for the country ('national')."))
    for code in Jurisdiction.objects.values_list("iso_code", flat=True):
        if code not in units:
            problems.append(
                gettext("orgUnits: no organisation unit for %(code)s.") % {"code": code}
            )
    for code, uid in units.items():
        check(uid, "organisationUnits", f"orgUnits/{code}")
    indicators = catalogue()
    for code, entry in config["dataElements"].items():
        indicator = indicators.get(code)
        if indicator is None:
            problems.append(
                gettext("dataElements/%(code)s: no indicator has this code.") % {"code": code}
            )
            continue
        check(entry["dataElement"], "dataElements", f"dataElements/{code}")
        disaggregation = entry["disaggregation"]
        if disaggregation == "total":
            continue
        if disaggregation not in FIXED_CATEGORIES or disaggregation not in (
            indicator.all_disaggregations
        ):
            problems.append(
                gettext("dataElements/%(code)s: %(indicator)s cannot be sent by %(breakdown)r.")
                % {"code": code, "indicator": indicator.code, "breakdown": disaggregation}
            )
            continue
        combos = entry.get("categoryOptionCombos", {})
        for category, _ in FIXED_CATEGORIES[disaggregation]:
            if category not in combos:
                problems.append(
                    gettext(
                        "dataElements/%(code)s: no categoryOptionCombo for %(breakdown)s "
                        "%(category)r (its figures would be lost)."
                    )
                    % {"code": code, "breakdown": disaggregation, "category": category}
                )
        for category, uid in combos.items():
            check(uid, "categoryOptionCombos", f"dataElements/{code}/{category}")
    return problems


@cache
def example_mapping() -> dict[str, Any]:
    return dict(json.loads(EXAMPLE.read_text(encoding="utf-8")))


def data_values(
    tables: dict[str, PublishedTable],
    config: dict[str, Any],
    period: str,
    *,
    national: bool = True,
) -> dict[str, Any]:
    """The dataValueSet of ``tables`` (indicator code -> its table by the mapped
    disaggregation and by jurisdiction), checked against the format."""
    from cpmis.reference.models import Jurisdiction

    iso = {str(pk): code for pk, code in Jurisdiction.objects.values_list("pk", "iso_code")}
    units = config["orgUnits"]
    values: list[dict[str, str]] = []
    for code, table in tables.items():
        entry = config["dataElements"][code]
        combos = entry.get("categoryOptionCombos", {})
        for row in table.rows:
            if entry["disaggregation"] == "total":
                if row.key != TOTAL:
                    continue
                combo = config["defaultCategoryOptionCombo"]
            else:
                if row.key == TOTAL or row.key not in combos:
                    continue
                combo = combos[row.key]
            for column in table.columns:
                if column.key == TOTAL and not national:
                    continue  # the sum of a user's provinces is not the country's figure
                unit = units.get("national" if column.key == TOTAL else iso.get(column.key, ""))
                cell = table.cell(row.key, column.key)
                if unit is None or cell.suppressed or cell.value is None:
                    continue
                value = (
                    f"{100 * cell.value:.1f}" if table.measure == "share" else str(int(cell.value))
                )
                values.append(
                    {
                        "dataElement": entry["dataElement"],
                        "period": period,
                        "orgUnit": unit,
                        "categoryOptionCombo": combo,
                        "value": value,
                    }
                )
    payload: dict[str, Any] = {"dataValues": values}
    if config.get("dataSet"):
        payload = {"dataSet": config["dataSet"], "period": period, **payload}
    jsonschema.validate(payload, DATA_VALUE_SET_SCHEMA)
    return payload


def uid_for(name: str) -> str:
    """A stable DHIS2-shaped identifier for the example metadata."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    n = int(digest, 16)
    chars = [alphabet[n % 52]]
    n //= 52
    for _ in range(10):
        chars.append(alphabet[n % 62])
        n //= 62
    return "".join(chars)
