"""Loading the reference data shipped in ``data/``: idempotent, atomic and audited."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction

from cpmis import access
from cpmis.actors import DATA_LOAD, Actor
from cpmis.audit.services import audit_record

from .models import Department, District, InstitutionType, Jurisdiction

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class LoadResult:
    created: dict[str, int]
    updated: dict[str, int]


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _upsert(model: Any, key: str, rows: list[dict[str, Any]]) -> tuple[int, int]:
    existing = {getattr(obj, key): obj for obj in model.objects.all()}
    created, updated = [], []
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            created.append(model(**row))
            continue
        changed = [f for f, v in row.items() if getattr(obj, f) != v]
        if changed:
            for f in changed:
                setattr(obj, f, row[f])
            obj.save(update_fields=changed)
            updated.append(obj)
    model.objects.bulk_create(created)
    return len(created), len(updated)


@transaction.atomic
def reference_data_load(*, actor: Actor = DATA_LOAD) -> LoadResult:
    """Create or update every reference row from the shipped files (safe to run again)."""
    if not access.has_capability(actor, "settings.edit"):
        raise PermissionDenied("Only an administrator loads the reference data.")
    created: dict[str, int] = {}
    updated: dict[str, int] = {}

    def run(label: str, model: Any, key: str, rows: list[dict[str, Any]]) -> None:
        created[label], updated[label] = _upsert(model, key, rows)

    run("jurisdictions", Jurisdiction, "iso_code", _rows("jurisdictions.csv"))
    by_pcode = {j.pcode: j for j in Jurisdiction.objects.all()}
    districts = [
        {
            "pcode": r["pcode"],
            "name_en": r["name_en"],
            "name_ur": r["name_ur"],
            "jurisdiction": by_pcode[r["jurisdiction_pcode"]],
        }
        for r in _rows("districts.csv")
    ]
    run("districts", District, "pcode", districts)
    # This process's cached districts (selectors.district_by_pcode); servers' expire.
    cache.delete_many([f"reference:district:{d['pcode']}" for d in districts])
    run("departments", Department, "code", _rows("departments.csv"))
    run("institution_types", InstitutionType, "code", _rows("institution_types.csv"))
    audit_record(
        actor=actor,
        action="reference.load",
        object_type="reference",
        detail={"created": created, "updated": updated},
    )
    return LoadResult(created=created, updated=updated)
