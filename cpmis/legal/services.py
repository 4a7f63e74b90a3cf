"""Changes to the legal catalogue through the UI and API: permission, validation, one
transaction, history (django-simple-history, with the acting user) and an audit event."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cpmis import access
from cpmis.actors import Actor
from cpmis.audit.services import audit_record

from . import validation
from .models import ComplianceLink, OpscArticle, Penalty, Provision, Statute
from .text import search_document, section_key

CORRECTABLE = ("title", "kind", "report_paragraphs", "opsc_category", "notes", "valid_to")
PENALTY_FIELDS = (
    "prison_term",
    "prison_min_months",
    "prison_max_months",
    "prison_life",
    "death",
    "fine_min_rs",
    "fine_max_rs",
    "combination",
    "penalty_text",
)


def _require_editor(actor: Actor) -> None:
    if not access.has_capability(actor, "legal.edit"):
        raise PermissionDenied(_("Only an administrator of the legal catalogue can change it."))


def _store(obj: Any, actor: Actor) -> None:
    obj._history_user = actor if getattr(actor, "is_authenticated", False) else None
    obj.full_clean()
    obj.save()


def _index(p: Provision) -> None:
    p.section_key = section_key(p.section)
    p.search_text = search_document(
        p.statute.short_title, p.statute.title, p.section, p.section_key, p.title
    )


@transaction.atomic
def provision_create(*, actor: Actor, statute: Statute, section: str, **fields: Any) -> Provision:
    _require_editor(actor)
    fields["report_paragraphs"] = validation.paragraphs(fields.get("report_paragraphs", []))
    provision = Provision(statute=statute, section=section, **fields)
    _index(provision)
    if not provision.section_key:
        raise ValidationError({"section": _("A section number is required.")})
    validation.no_overlap(provision)
    _store(provision, actor)
    audit_record(
        actor=actor,
        action="legal.provision.create",
        object_type="legal.provision",
        object_id=provision.pk,
    )
    return provision


@transaction.atomic
def provision_correct(*, actor: Actor, provision: Provision, **changes: Any) -> Provision:
    """Correct a version in place (a typo, a missing ¶); its history keeps the old values."""
    _require_editor(actor)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationError(
            {f: _("Not correctable; amend the provision instead.") for f in unknown}
        )
    if "report_paragraphs" in changes:
        changes["report_paragraphs"] = validation.paragraphs(changes["report_paragraphs"])
    locked = Provision.objects.select_for_update().select_related("statute").get(pk=provision.pk)
    changed = sorted(f for f, v in changes.items() if getattr(locked, f) != v)
    for f in changed:
        setattr(locked, f, changes[f])
    _index(locked)
    validation.no_overlap(locked)
    if changed:
        _store(locked, actor)
        audit_record(
            actor=actor,
            action="legal.provision.correct",
            object_type="legal.provision",
            object_id=locked.pk,
            detail={"fields": changed},
        )
    return locked


@transaction.atomic
def provision_amend(
    *,
    actor: Actor,
    provision: Provision,
    valid_from: date,
    amended_by: Statute,
    penalty: dict[str, Any] | None = None,
    **changes: Any,
) -> Provision:
    """An amendment: the current version ends where the new one begins (never an overwrite)."""
    _require_editor(actor)
    current = Provision.objects.select_for_update().select_related("statute").get(pk=provision.pk)
    if current.valid_to is not None:
        raise ValidationError({"valid_from": _("Only the version in force can be amended.")})
    if current.valid_from is not None and valid_from <= current.valid_from:
        raise ValidationError(
            {"valid_from": _("An amendment starts after the version it replaces.")}
        )
    if amended_by.year is not None and valid_from.year < amended_by.year:
        raise ValidationError(
            {
                "valid_from": _("%(statute)s cannot take effect before %(year)s.")
                % {"statute": amended_by.short_title, "year": amended_by.year}
            }
        )
    unknown = set(changes) - {"title", "kind", "report_paragraphs", "opsc_category", "notes"}
    if unknown:
        raise ValidationError({f: _("Not a field of a provision.") for f in unknown})
    current.valid_to = valid_from
    _store(current, actor)
    new = Provision(
        statute=current.statute,
        section=current.section,
        title=current.title,
        kind=current.kind,
        opsc_category=current.opsc_category,
        notes="",
        report_paragraphs=current.report_paragraphs,
        valid_from=valid_from,
        amended_by=amended_by,
    )
    for f, v in changes.items():
        setattr(new, f, v)
    new.report_paragraphs = validation.paragraphs(new.report_paragraphs)
    _index(new)
    validation.no_overlap(new)
    _store(new, actor)
    old_penalty = Penalty.objects.filter(provision=current).first()
    values = (
        penalty
        if penalty is not None
        else ({f: getattr(old_penalty, f) for f in PENALTY_FIELDS} if old_penalty else None)
    )
    if values is not None:
        _penalty_write(actor, new, values)
    audit_record(
        actor=actor,
        action="legal.provision.amend",
        object_type="legal.provision",
        object_id=new.pk,
        detail={"replaces": current.pk},
    )
    return new


def _penalty_write(actor: Actor, provision: Provision, values: dict[str, Any]) -> Penalty:
    unknown = set(values) - set(PENALTY_FIELDS)
    if unknown:
        raise ValidationError({f: _("Not a field of a penalty.") for f in unknown})
    penalty = Penalty.objects.filter(provision=provision).first() or Penalty(provision=provision)
    for f, v in values.items():
        setattr(penalty, f, v)
    if values.get("prison_term", True) is None:
        # not said: a term is possible unless the penalty is a fine only
        penalty.prison_term = penalty.combination != Penalty.Combination.FINE_ONLY
    validation.penalty(penalty)
    _store(penalty, actor)
    return penalty


@transaction.atomic
def penalty_set(*, actor: Actor, provision: Provision, **values: Any) -> Penalty:
    _require_editor(actor)
    if provision.kind not in {Provision.Kind.OFFENCE, Provision.Kind.PENALTY}:
        raise ValidationError(
            {"provision": _("Only an offence or penalty provision has a penalty.")}
        )
    penalty = _penalty_write(actor, provision, values)
    audit_record(
        actor=actor,
        action="legal.penalty.set",
        object_type="legal.provision",
        object_id=provision.pk,
        detail={"fields": sorted(values)},
    )
    return penalty


@transaction.atomic
def compliance_link_add(
    *,
    actor: Actor,
    article: OpscArticle,
    statute: Statute,
    provision: Provision | None,
    report_paragraphs: Any,
    notes: str = "",
) -> ComplianceLink:
    _require_editor(actor)
    if provision is not None and provision.statute_id != statute.pk:
        raise ValidationError({"provision": _("The provision is not a section of that statute.")})
    if article.number > 12:
        raise ValidationError({"article": _("The matrix covers Articles 1 to 12.")})
    link = ComplianceLink(
        article=article,
        jurisdiction=statute.jurisdiction,
        statute=statute,
        provision=provision,
        report_paragraphs=validation.paragraphs(report_paragraphs),
        notes=notes,
    )
    _store(link, actor)
    audit_record(
        actor=actor,
        action="legal.compliance.add",
        object_type="legal.compliancelink",
        object_id=link.pk,
    )
    return link


@transaction.atomic
def provision_edit(
    *, actor: Actor, provision: Provision, changes: dict[str, Any], penalty: dict[str, Any] | None
) -> Provision:
    """A correction and, for an offence, its penalty, together (the edit page)."""
    provision = provision_correct(actor=actor, provision=provision, **changes)
    if penalty is not None:
        penalty_set(actor=actor, provision=provision, **penalty)
    return provision


@transaction.atomic
def compliance_link_remove(*, actor: Actor, link: ComplianceLink) -> None:
    _require_editor(actor)
    link._history_user = actor if getattr(actor, "is_authenticated", False) else None  # type: ignore[attr-defined]
    pk = link.pk
    link.delete()
    audit_record(
        actor=actor,
        action="legal.compliance.remove",
        object_type="legal.compliancelink",
        object_id=pk,
    )
