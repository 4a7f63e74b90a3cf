"""Loading the shipped catalogue (``data/*.csv``, format in ``data/FORMAT.md``).

Every row is validated before anything is written; then all rows land in one transaction,
so a bad file changes nothing. Loading again changes nothing; rows are matched on their
natural keys and changed rows keep their history.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cpmis import access
from cpmis.actors import DATA_LOAD, Actor
from cpmis.audit.services import audit_record
from cpmis.reference.models import Jurisdiction

from . import report as source
from . import validation
from .models import (
    ComplianceLink,
    OpscArticle,
    OpscDate,
    Penalty,
    ProceduralRule,
    Provision,
    Statute,
    StatuteExtent,
)
from .text import search_document, section_key

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)

    def count(self, label: str, created: bool, changed: bool) -> None:
        self.created.setdefault(label, 0)
        self.updated.setdefault(label, 0)
        if created:
            self.created[label] += 1
        elif changed:
            self.updated[label] += 1


class RowError(ValidationError):
    pass


def _rows(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return [
            {k: (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(handle)
        ]


def _where(name: str, line: int, exc: ValidationError) -> RowError:
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"row": exc.messages}
    text = "; ".join(f"{k}: {' '.join(v)}" for k, v in messages.items())
    return RowError(f"{name} line {line}: {text}")


def _jurisdiction(value: str, jurisdictions: dict[str, Jurisdiction]) -> Jurisdiction | None:
    if value == "federal":
        return None
    if value not in jurisdictions:
        raise ValidationError({"jurisdiction": f"Unknown jurisdiction {value!r}."})
    return jurisdictions[value]


def _int(value: str, name: str) -> int | None:
    if not value:
        return None
    try:
        number = int(value.replace(",", ""))
    except ValueError:
        raise ValidationError({name: f"{value!r} is not a whole number."}) from None
    if number < 0:
        raise ValidationError({name: "Cannot be negative."})
    return number


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: f"{value!r} is not a date (YYYY-MM-DD)."}) from None


def _yes(value: str) -> bool:
    return value.lower() in {"yes", "true", "1"}


def _yes_no(value: str, name: str) -> bool:
    """A flag the data must state either way (nothing is guessed)."""
    if value.lower() not in {"yes", "no"}:
        raise ValidationError({name: f"{value!r}: say yes or no."})
    return value.lower() == "yes"


def _choice(value: str, choices: Any, name: str, *, blank: bool = False) -> str:
    if blank and not value:
        return ""
    if value not in choices.values:
        raise ValidationError({name: f"{value!r} is not one of {', '.join(choices.values)}."})
    return value


def _save(obj: Any, values: dict[str, Any], report: LoadReport, label: str) -> Any:
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for k in changed:
        setattr(obj, k, values[k])
    created = obj.pk is None
    if created or changed:
        obj.full_clean()
        obj.save()
    report.count(label, created, bool(changed))
    return obj


@transaction.atomic
def legal_data_load(*, actor: Actor = DATA_LOAD, directory: Path = DATA_DIR) -> LoadReport:
    if not access.has_capability(actor, "legal.edit"):
        raise PermissionDenied("Only an administrator loads the legal catalogue.")
    report = LoadReport()
    jurisdictions = {j.iso_code: j for j in Jurisdiction.objects.all()}
    statutes = {s.code: s for s in Statute.objects.all()}

    values: dict[str, Any]
    for line, row in enumerate(_rows(directory, "statutes.csv"), start=2):
        try:
            values = {
                "title": row["title"],
                "short_title": row["short_title"],
                "year": _int(row["year"], "year"),
                "jurisdiction": _jurisdiction(row["jurisdiction"], jurisdictions),
                "kind": _choice(row["kind"], Statute.Kind, "kind"),
                "report_paragraphs": validation.paragraphs(row["report_paragraphs"]),
                "notes": row.get("notes", ""),
            }
            statute = statutes.get(row["code"]) or Statute(code=row["code"])
            statutes[row["code"]] = _save(statute, values, report, "statutes")
        except ValidationError as exc:
            raise _where("statutes.csv", line, exc) from exc

    def statute_of(code: str, name: str = "statute") -> Statute:
        if code not in statutes:
            raise ValidationError({name: f"Unknown statute {code!r}."})
        return statutes[code]

    provisions: dict[tuple[int, str], list[Provision]] = {}
    for p in Provision.objects.all():
        provisions.setdefault((p.statute_id, p.section_key), []).append(p)
    for line, row in enumerate(_rows(directory, "provisions.csv"), start=2):
        try:
            statute = statute_of(row["statute"])
            key = section_key(row["section"])
            if not key:
                raise ValidationError({"section": "A section number is required."})
            valid_from = _date(row["valid_from"], "valid_from")
            versions = provisions.setdefault((statute.pk, key), [])
            provision = next((v for v in versions if v.valid_from == valid_from), None)
            values = {
                "section": row["section"],
                "section_key": key,
                "title": row["title"],
                "kind": _choice(row["kind"], Provision.Kind, "kind"),
                "valid_from": valid_from,
                "valid_to": _date(row["valid_to"], "valid_to"),
                "amended_by": statute_of(row["amended_by"], "amended_by")
                if row["amended_by"]
                else None,
                "report_paragraphs": validation.paragraphs(row["report_paragraphs"]),
                "opsc_category": _category(row["opsc_category"]),
                "notes": row.get("notes", ""),
                "search_text": search_document(
                    statute.short_title, statute.title, row["section"], key, row["title"]
                ),
            }
            if provision is None:
                provision = Provision(statute=statute)
                versions.append(provision)
            _save(provision, values, report, "provisions")
            validation.no_overlap(provision)
            _penalty(provision, row, report)
        except ValidationError as exc:
            raise _where("provisions.csv", line, exc) from exc

    articles = {a.number: a for a in OpscArticle.objects.all()}
    for line, row in enumerate(_rows(directory, "opsc_articles.csv"), start=2):
        try:
            number = _int(row["number"], "number")
            if number is None or not 1 <= number <= 17:
                raise ValidationError({"number": "OPSC articles are numbered 1 to 17."})
            values = {
                "title": row["title"],
                "obligation": row.get("obligation", ""),
                "report_paragraphs": validation.paragraphs(
                    row.get("report_paragraphs", ""), required=False
                ),
            }
            articles[number] = _save(
                articles.get(number) or OpscArticle(number=number), values, report, "articles"
            )
        except ValidationError as exc:
            raise _where("opsc_articles.csv", line, exc) from exc

    _opsc_dates(directory, report)

    for line, row in enumerate(_rows(directory, "compliance.csv"), start=2):
        try:
            number = _int(row["article"], "article")
            if number not in articles or number > 12:
                raise ValidationError({"article": f"{row['article']!r} is not an article 1–12."})
            statute = statute_of(row["statute"])
            provision = None
            if row["section"]:
                versions = provisions.get((statute.pk, section_key(row["section"])), [])
                if not versions:
                    cited = f"{statute.short_title} s.{row['section']}"
                    raise ValidationError({"section": f"{cited} is not in provisions.csv."})
                provision = max(versions, key=lambda v: v.valid_from or date.min)
            jurisdiction = _jurisdiction(row["jurisdiction"], jurisdictions)
            if jurisdiction != statute.jurisdiction:
                where = row["jurisdiction"]
                raise ValidationError(
                    {"jurisdiction": f"{statute.short_title} is not the law of {where}."}
                )
            link = ComplianceLink.objects.filter(
                article=articles[number],
                jurisdiction=jurisdiction,
                statute=statute,
                provision=provision,
            ).first() or ComplianceLink(
                article=articles[number],
                jurisdiction=jurisdiction,
                statute=statute,
                provision=provision,
            )
            values = {
                "report_paragraphs": validation.paragraphs(row["report_paragraphs"]),
                "notes": row.get("notes", ""),
            }
            _save(link, values, report, "compliance links")
        except ValidationError as exc:
            raise _where("compliance.csv", line, exc) from exc

    _extent(directory, statutes, jurisdictions, report)

    for line, row in enumerate(_rows(directory, "rules.csv"), start=2):
        try:
            _rule(row, statute_of, jurisdictions, report)
        except ValidationError as exc:
            raise _where("rules.csv", line, exc) from exc

    audit_record(
        actor=actor,
        action="legal.load",
        object_type="legal",
        detail={"created": report.created, "updated": report.updated, "removed": report.removed},
    )
    return report


def _category(value: str) -> str:
    from .models import OpscCategory

    return _choice(value, OpscCategory, "opsc_category", blank=True)


def _opsc_dates(directory: Path, report: LoadReport) -> None:
    """Pakistan's signature, ratification and entry into force of the OPSC: each once, in
    that order, in the words of the paragraph cited."""
    dates = {d.event: d for d in OpscDate.objects.all()}
    seen: dict[str, date] = {}
    for line, row in enumerate(_rows(directory, "opsc_dates.csv"), start=2):
        try:
            event = _choice(row["event"], OpscDate.Event, "event")
            if event in seen:
                raise ValidationError({"event": f"{event!r} is given twice."})
            day = _date(row["date"], "date")
            if day is None:
                raise ValidationError({"date": "A date is required."})
            cited = validation.paragraphs(row["report_paragraphs"])
            text = row.get("text", "")
            if not text or not any(text in source.text(n) for n in cited):
                where = ", ".join(f"¶{n}" for n in cited)
                raise ValidationError({"text": f"Quote the report: the text is not in {where}."})
            seen[event] = day
            order = [seen[e] for e in OpscDate.Event.values if e in seen]
            if order != sorted(order):
                raise ValidationError(
                    {"date": "Signature, ratification and entry into force come in that order."}
                )
            values = {"date": day, "report_paragraphs": cited, "text": text}
            dates[event] = _save(
                dates.get(event) or OpscDate(event=event), values, report, "OPSC dates"
            )
        except ValidationError as exc:
            raise _where("opsc_dates.csv", line, exc) from exc


def _extent(
    directory: Path,
    statutes: dict[str, Statute],
    jurisdictions: dict[str, Jurisdiction],
    report: LoadReport,
) -> None:
    """Where federal statutes apply (``extent.csv``). The file is the whole record: a row taken
    out of it is removed (with its history), so that an exception a lawyer deletes no longer
    takes coverage away."""
    existing = {(e.statute_id, e.jurisdiction_id): e for e in StatuteExtent.objects.all()}
    kept: set[int] = set()
    seen: set[tuple[int | None, int]] = set()
    for line, row in enumerate(_rows(directory, "extent.csv"), start=2):
        try:
            code = row.get("statute", "")
            if not code:
                raise ValidationError({"statute": "Give a statute code, or * for every one."})
            statute = None
            if code != "*":
                if code not in statutes:
                    raise ValidationError({"statute": f"Unknown statute {code!r}."})
                statute = statutes[code]
            where = row.get("jurisdiction", "")
            if where in {"federal", ""}:
                raise ValidationError(
                    {"jurisdiction": "Name a province or territory (an ISO code such as PK-PB)."}
                )
            jurisdiction = _jurisdiction(where, jurisdictions)
            assert jurisdiction is not None
            key = (statute.pk if statute else None, jurisdiction.pk)
            if key in seen:
                raise ValidationError({"statute": f"{code} in {where} is given twice."})
            seen.add(key)
            values = {
                "applies": _yes_no(row.get("applies", ""), "applies"),
                "reason": _choice(row.get("reason", ""), StatuteExtent.Reason, "reason"),
                "report_paragraphs": validation.paragraphs(row.get("report_paragraphs", "")),
                "notes": row.get("notes", ""),
            }
            validation.extent(StatuteExtent(statute=statute, jurisdiction=jurisdiction, **values))
            extent = existing.get(key) or StatuteExtent(statute=statute, jurisdiction=jurisdiction)
            kept.add(_save(extent, values, report, "extent").pk)
        except ValidationError as exc:
            raise _where("extent.csv", line, exc) from exc
    for stale in (e for e in existing.values() if e.pk not in kept):
        stale.delete()
        report.removed["extent"] = report.removed.get("extent", 0) + 1


def _penalty(provision: Provision, row: dict[str, str], report: LoadReport) -> None:
    fields = ("prison_min_months", "prison_max_months", "fine_min_rs", "fine_max_rs")
    if not row.get("combination") and not any(row.get(f) for f in fields):
        return
    values: dict[str, Any] = {f: _int(row.get(f, ""), f) for f in fields}
    values.update(
        prison_term=_yes_no(row.get("prison_term", ""), "prison_term"),
        prison_life=_yes(row.get("prison_life", "")),
        death=_yes(row.get("death", "")),
        combination=_choice(row.get("combination", ""), Penalty.Combination, "combination"),
        penalty_text=row.get("penalty_text", ""),
    )
    penalty = Penalty.objects.filter(provision=provision).first() or Penalty(provision=provision)
    for k, v in values.items():
        setattr(penalty, k, v)
    validation.penalty(penalty)
    _save(penalty, values, report, "penalties")


def _rule(
    row: dict[str, str], statute_of: Any, jurisdictions: dict[str, Jurisdiction], report: LoadReport
) -> None:
    where = row["jurisdiction"]
    basis = _choice(row["basis"], ProceduralRule.Basis, "basis")
    if where == "default":
        scope, jurisdiction = ProceduralRule.Scope.DEFAULT, None
        if basis != ProceduralRule.Basis.POLICY or row.get("statute"):
            raise ValidationError({"basis": "A default is policy, without a statute."})
    else:
        jurisdiction = _jurisdiction(where, jurisdictions)
        scope = (
            ProceduralRule.Scope.FEDERAL
            if jurisdiction is None
            else ProceduralRule.Scope.JURISDICTION
        )
        if basis == ProceduralRule.Basis.LAW and not row.get("statute"):
            raise ValidationError({"statute": "A rule of law cites its statute."})
    statute = statute_of(row["statute"]) if row.get("statute") else None
    rule = ProceduralRule.objects.filter(
        code=row["code"], scope=scope, jurisdiction=jurisdiction
    ).first()
    values = {
        "basis": basis,
        "statute": statute,
        "section": row.get("section", ""),
        "hours": _int(row.get("hours", ""), "hours"),
        "days": _int(row.get("days", ""), "days"),
        "months": _int(row.get("months", ""), "months"),
        "value": row.get("value", ""),
        "report_paragraphs": validation.paragraphs(row["report_paragraphs"]),
        "text": row["text"],
    }
    _save(
        rule or ProceduralRule(code=row["code"], scope=scope, jurisdiction=jurisdiction),
        values,
        report,
        "rules",
    )
