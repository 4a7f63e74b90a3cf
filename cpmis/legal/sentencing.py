"""Whether a recorded sentence lies inside the range the statute sets (for conviction
statistics: sentences inside and outside the statutory range). A term in months, imprisonment
for life and death are different kinds of sentence, each allowed or not by the provision."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Penalty


@dataclass(frozen=True)
class Sentence:
    prison_months: int | None = None
    life: bool = False
    death: bool = False
    fine_rs: int | None = None


@dataclass(frozen=True)
class Verdict:
    within: bool | None  # None: the statute's range is not known from the catalogue
    reasons: list[str] = field(default_factory=list)


def sentence_within_range(penalty: Penalty | None, sentence: Sentence) -> Verdict:
    if penalty is None:
        return Verdict(None, [_("The catalogue holds no penalty for this provision.")])
    reasons: list[str] = []
    has_prison = sentence.prison_months is not None or sentence.life or sentence.death
    has_fine = sentence.fine_rs is not None
    if not (has_prison or has_fine):
        return Verdict(False, [_("The sentence has neither imprisonment nor a fine.")])
    if sentence.death and not penalty.death:
        reasons.append(_("Death is not a sentence this provision allows."))
    if sentence.life and not penalty.prison_life:
        reasons.append(_("Imprisonment for life is not a sentence this provision allows."))
    if sentence.prison_months is not None:
        if penalty.combination == Penalty.Combination.FINE_ONLY:
            reasons.append(_("The provision allows a fine only."))
        elif not penalty.prison_term:
            paragraphs = penalty.provision.report_paragraphs
            reasons.append(
                (
                    ngettext(
                        "A term of %(months)s month is outside the law: %(citation)s allows "
                        "%(kinds)s only (report %(paragraphs)s).",
                        "A term of %(months)s months is outside the law: %(citation)s allows "
                        "%(kinds)s only (report %(paragraphs)s).",
                        sentence.prison_months,
                    )
                    if paragraphs
                    else ngettext(
                        "A term of %(months)s month is outside the law: %(citation)s allows "
                        "%(kinds)s only.",
                        "A term of %(months)s months is outside the law: %(citation)s allows "
                        "%(kinds)s only.",
                        sentence.prison_months,
                    )
                )
                % {
                    "months": sentence.prison_months,
                    "citation": penalty.provision.citation,
                    "kinds": penalty.custodial_kinds,
                    "paragraphs": ", ".join(f"¶{n}" for n in paragraphs),
                }
            )
        if (
            penalty.prison_min_months is not None
            and sentence.prison_months < penalty.prison_min_months
        ):
            reasons.append(
                ngettext(
                    "Below the minimum of %(months)s month.",
                    "Below the minimum of %(months)s months.",
                    penalty.prison_min_months,
                )
                % {"months": penalty.prison_min_months}
            )
        # the range bounds the term alone: where life (or death) may also be imposed, a term
        # above the range is still not a sentence the law allows
        if (
            penalty.prison_max_months is not None
            and sentence.prison_months > penalty.prison_max_months
        ):
            reasons.append(
                ngettext(
                    "Above the maximum of %(months)s month.",
                    "Above the maximum of %(months)s months.",
                    penalty.prison_max_months,
                )
                % {"months": penalty.prison_max_months}
            )
    if has_fine:
        assert sentence.fine_rs is not None
        if penalty.combination == Penalty.Combination.PRISON_ONLY:
            reasons.append(_("The provision allows no fine."))
        if penalty.fine_min_rs is not None and sentence.fine_rs < penalty.fine_min_rs:
            reasons.append(
                _("Fine below the minimum of Rs %(amount)s.")
                % {"amount": f"{penalty.fine_min_rs:,}"}
            )
        if penalty.fine_max_rs is not None and sentence.fine_rs > penalty.fine_max_rs:
            reasons.append(
                _("Fine above the maximum of Rs %(amount)s.")
                % {"amount": f"{penalty.fine_max_rs:,}"}
            )
    combination = penalty.combination
    if combination == Penalty.Combination.AND and not (has_prison and has_fine):
        reasons.append(_("The provision requires both imprisonment and a fine."))
    if combination == Penalty.Combination.OR and has_prison and has_fine:
        reasons.append(_("The provision allows imprisonment or a fine, not both."))
    if combination == Penalty.Combination.AND_LIABLE_TO_FINE and not has_prison:
        reasons.append(_("The provision requires imprisonment (a fine may be added)."))
    if combination == Penalty.Combination.PRISON_ONLY and not has_prison:
        reasons.append(_("The provision requires imprisonment."))
    if combination == Penalty.Combination.FINE_ONLY and not has_fine:
        reasons.append(_("The provision requires a fine."))
    return Verdict(not reasons, reasons)
