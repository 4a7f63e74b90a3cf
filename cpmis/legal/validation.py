"""Rules every legal record obeys, shared by the loader and the services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from . import report
from .models import Penalty, Provision, StatuteExtent


def paragraphs(value: Any, *, field: str = "report_paragraphs", required: bool = True) -> list[int]:
    """A list of report paragraph numbers, each one that exists (¶1–¶97)."""
    if isinstance(value, str):
        items: list[Any] = [v.strip() for v in value.replace(",", ";").split(";") if v.strip()]
    elif isinstance(value, list):
        items = value
    else:
        raise ValidationError({field: _("Give the report paragraphs as a list of numbers.")})
    numbers = []
    for item in items:
        try:
            number = int(item)
        except (TypeError, ValueError):
            raise ValidationError(
                {field: _("%(item)s is not a paragraph number.") % {"item": repr(item)}}
            ) from None
        if number not in report.paragraphs():
            last = max(report.paragraphs())
            raise ValidationError(
                {
                    field: _("¶%(number)s does not exist: the report has ¶1 to ¶%(last)s.")
                    % {"number": number, "last": last}
                }
            )
        numbers.append(number)
    if required and not numbers:
        raise ValidationError({field: _("Cite at least one paragraph of the report.")})
    return sorted(set(numbers))


def penalty(p: Penalty) -> None:
    errors: dict[str, str] = {}
    low, high = p.prison_min_months, p.prison_max_months
    if low is not None and high is not None and low > high:
        errors["prison_min_months"] = _("The minimum imprisonment is above the maximum.")
    if p.fine_min_rs is not None and p.fine_max_rs is not None and p.fine_min_rs > p.fine_max_rs:
        errors["fine_min_rs"] = _("The minimum fine is above the maximum.")
    months = low is not None or high is not None
    has_prison = months or p.prison_term or p.prison_life or p.death
    has_fine = p.fine_min_rs is not None or p.fine_max_rs is not None
    if months and not p.prison_term:
        errors["prison_term"] = _(
            "A range in months is a term of imprisonment: imprisonment for life is recorded as "
            "life, not as a number of months."
        )
    if p.combination == Penalty.Combination.FINE_ONLY and has_prison:
        errors["combination"] = _("A fine-only penalty has no imprisonment.")
    elif p.combination and p.combination != Penalty.Combination.FINE_ONLY and not has_prison:
        errors["prison_term"] = _(
            "The penalty includes imprisonment: allow a term, imprisonment for life or death."
        )
    if p.combination == Penalty.Combination.PRISON_ONLY and has_fine:
        errors["combination"] = _("An imprisonment-only penalty has no fine.")
    if not (p.penalty_text or "").strip():
        errors["penalty_text"] = _("Give the words of the law (or of the report) for the penalty.")
    if errors:
        raise ValidationError(errors)


def no_overlap(p: Provision) -> None:
    """Versions of one section may not be in force at the same time."""
    others = Provision.objects.filter(statute_id=p.statute_id, section_key=p.section_key)
    if p.pk:
        others = others.exclude(pk=p.pk)
    # [from, to) intervals overlap unless one ends before the other starts (open ends: infinite)
    overlapping = others
    if p.valid_to is not None:
        overlapping = overlapping.filter(Q(valid_from__isnull=True) | Q(valid_from__lt=p.valid_to))
    if p.valid_from is not None:
        overlapping = overlapping.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=p.valid_from))
    if overlapping.exists():
        raise ValidationError(
            {
                "valid_from": _("Another version of %(section)s is in force in this period.")
                % {"section": f"s.{p.section}"}
            }
        )


def extent(e: StatuteExtent) -> None:
    """Where a federal statute applies: only federal law has an extent (a province's law is its
    own), ``applies`` agrees with the reason, and a row that keeps the default for want of
    evidence says in its notes what the report does not say."""
    errors: dict[str, str] = {}
    if e.statute is not None and e.statute.jurisdiction_id is not None:
        errors["statute"] = _(
            "%(statute)s is the law of one province or territory: only federal law has an "
            "extent to record."
        ) % {"statute": e.statute.short_title}
    if e.reason in StatuteExtent.Reason.values:
        if e.applies and e.reason not in StatuteExtent.APPLYING:
            errors["applies"] = _("The reason says the law does not apply: say no.")
        elif not e.applies and e.reason in StatuteExtent.APPLYING:
            errors["applies"] = _("The reason says the law applies: say yes.")
    if (
        e.reason == StatuteExtent.Reason.FEDERAL_TERRITORY
        and e.jurisdiction.kind != e.jurisdiction.Kind.FEDERAL_TERRITORY
    ):
        errors["reason"] = _("%(jurisdiction)s is not a federal territory.") % {
            "jurisdiction": e.jurisdiction.name_en
        }
    if e.reason == StatuteExtent.Reason.NOT_STATED and not (e.notes or "").strip():
        errors["notes"] = _(
            "Say what the report does and does not say about this law in this jurisdiction."
        )
    if errors:
        raise ValidationError(errors)
