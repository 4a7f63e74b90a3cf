"""The law as reviewable data: statutes, provisions (versioned), penalties, OPSC articles, the dates
of Pakistan's signature, ratification and entry into force of the OPSC, the compliance matrix,
where each federal statute applies (``StatuteExtent``) and procedural rules per jurisdiction.

Every row cites the paragraphs of Pakistan's initial OPSC report it comes from
(``report_paragraphs``). A jurisdiction of None means federal law, which applies in every
province and territory unless a ``StatuteExtent`` row says otherwise. Changes keep their
history (django-simple-history) and are audited by the services.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cpmis.core.models import DataClassification
from cpmis.reference.models import Jurisdiction


class OpscCategory(models.TextChoices):
    SALE = "sale", _("Sale of children / trafficking (Art. 2(a))")
    PROSTITUTION = "prostitution", _("Child prostitution (Art. 2(b))")
    PORNOGRAPHY = "pornography", _("Child pornography (Art. 2(c))")
    RELATED = "related", _("Related offence")


class Statute(DataClassification, models.Model):
    class Kind(models.TextChoices):
        CONSTITUTION = "constitution", _("Constitution")
        CODE = "code", pgettext_lazy("a kind of statute", "Code")
        ACT = "act", _("Act")
        ORDINANCE = "ordinance", _("Ordinance")
        RULES = "rules", _("Rules")
        POLICY = "policy", _("Policy")

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=300)
    short_title = models.CharField(max_length=80)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for federal law.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    report_paragraphs = models.JSONField(default=list)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    NOT_PERSONAL_DATA = (
        "id",
        "code",
        "title",
        "short_title",
        "year",
        "jurisdiction",
        "kind",
        "report_paragraphs",
        "notes",
    )

    class Meta:
        ordering = ["jurisdiction__name_en", "title"]

    def __str__(self) -> str:
        return self.short_title


class Provision(DataClassification, models.Model):
    """One version of a section of a statute; an amendment is a new version."""

    class Kind(models.TextChoices):
        DEFINITION = "definition", _("Definition")
        OFFENCE = "offence", _("Offence")
        PENALTY = "penalty", _("Penalty")
        PROCEDURE = "procedure", _("Procedure")
        PROTECTION = "protection", _("Protection")
        JURISDICTION = "jurisdiction", _("Jurisdiction")
        INSTITUTION = "institution", _("Institution")

    statute = models.ForeignKey(Statute, on_delete=models.PROTECT, related_name="provisions")
    section = models.CharField(max_length=40, help_text='As written: "369-A", "3(e)", "4(5)"')
    section_key = models.CharField(max_length=40, editable=False, db_index=True)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    amended_by = models.ForeignKey(
        Statute, null=True, blank=True, on_delete=models.PROTECT, related_name="amendments"
    )
    report_paragraphs = models.JSONField(default=list)
    opsc_category = models.CharField(max_length=20, choices=OpscCategory.choices, blank=True)
    notes = models.TextField(blank=True)
    search_text = models.TextField(blank=True, editable=False)
    history = HistoricalRecords()

    NOT_PERSONAL_DATA = (
        "id",
        "statute",
        "section",
        "section_key",
        "title",
        "kind",
        "valid_from",
        "valid_to",
        "amended_by",
        "report_paragraphs",
        "opsc_category",
        "notes",
        "search_text",
    )

    class Meta:
        ordering = ["statute__short_title", "section_key", "valid_from"]
        constraints = [
            models.CheckConstraint(
                name="provision_validity_ordered",
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.statute.short_title} s.{self.section}"

    @property
    def citation(self) -> str:
        prefix = "Art." if self.statute.kind == Statute.Kind.CONSTITUTION else "s."
        return f"{self.statute.short_title} {prefix}{self.section}"


class Penalty(DataClassification, models.Model):
    class Combination(models.TextChoices):
        OR = "or", _("imprisonment or fine")
        AND = "and", _("imprisonment and fine")
        OR_BOTH = "or_both", _("imprisonment, or fine, or both")
        AND_LIABLE_TO_FINE = "and_liable_to_fine", _("imprisonment, and liable to fine")
        PRISON_ONLY = "prison_only", _("imprisonment only")
        FINE_ONLY = "fine_only", _("fine only")

    provision = models.OneToOneField(Provision, on_delete=models.CASCADE, related_name="penalty")
    # The kinds of sentence the law allows are flags; only a term has a range in months. Life
    # is its own kind, never a large number of months: an offence punished with life only has
    # prison_term False, so a term of years for it is outside the law.
    prison_term = models.BooleanField(
        default=True,
        help_text="A term of imprisonment is a possible sentence (False where the only "
        "imprisonment is for life, or death, or the penalty is a fine only).",
    )
    prison_min_months = models.PositiveIntegerField(null=True, blank=True)
    prison_max_months = models.PositiveIntegerField(null=True, blank=True)
    prison_life = models.BooleanField(default=False)
    death = models.BooleanField(default=False)
    fine_min_rs = models.PositiveBigIntegerField(null=True, blank=True)
    fine_max_rs = models.PositiveBigIntegerField(null=True, blank=True)
    combination = models.CharField(max_length=24, choices=Combination.choices)
    penalty_text = models.TextField(help_text="The report's words for the penalty.")
    history = HistoricalRecords()

    NOT_PERSONAL_DATA = (
        "id",
        "provision",
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

    def __str__(self) -> str:
        return f"Penalty of {self.provision}"

    @property
    def custodial_kinds(self) -> str:
        """The sentences other than a fine that the law allows, in words ("imprisonment for
        life", "death or imprisonment for life", "a term of imprisonment"), in the reader's
        language."""
        kinds = [
            kind
            for kind, allowed in (
                (gettext("death"), self.death),
                (gettext("imprisonment for life"), self.prison_life),
                (gettext("a term of imprisonment"), self.prison_term),
            )
            if allowed
        ]
        if not kinds:
            return ""
        words = kinds[0]
        for kind in kinds[1:]:
            words = gettext("%(first)s or %(second)s") % {"first": words, "second": kind}
        return words


class OpscArticle(DataClassification, models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=200)
    obligation = models.TextField(blank=True)
    report_paragraphs = models.JSONField(default=list, blank=True)

    NOT_PERSONAL_DATA = ("id", "number", "title", "obligation", "report_paragraphs")

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Article {self.number}: {self.title}"


class OpscDate(DataClassification, models.Model):
    """A date of Pakistan's status under the OPSC (signature, ratification, entry into force),
    as the report states it."""

    class Event(models.TextChoices):
        SIGNED = "signed", _("Signed by Pakistan")
        RATIFIED = "ratified", _("Ratified by Pakistan")
        IN_FORCE = "in_force", _("Entered into force for Pakistan")

    event = models.CharField(max_length=16, choices=Event.choices, unique=True)
    date = models.DateField()
    report_paragraphs = models.JSONField(default=list)
    text = models.TextField(help_text="The report's words for it, verbatim.")
    history = HistoricalRecords()

    NOT_PERSONAL_DATA = ("id", "event", "date", "report_paragraphs", "text")

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.get_event_display()}: {self.date_label}"

    @property
    def date_label(self) -> str:
        return f"{self.date.day} {self.date:%B %Y}"  # "5 July 2011", as the report writes it

    @property
    def paragraphs_label(self) -> str:
        return ", ".join(f"¶{p}" for p in self.report_paragraphs)  # "¶1, ¶2"

    @property
    def citation(self) -> str:
        return gettext("initial report %(paragraphs)s") % {"paragraphs": self.paragraphs_label}


class StatuteExtent(DataClassification, models.Model):
    """Whether a federal statute applies in one province or territory, as the report supports.

    Federal law applies everywhere unless a row says otherwise (``applies`` False). A row with
    no statute speaks for every federal statute in that jurisdiction; a row for the statute
    itself takes precedence over it. Where the report is silent, the row keeps the default
    (``applies`` True) with the reason ``not_stated``, and its notes say what the report does
    and does not say: nothing is guessed.
    """

    class Reason(models.TextChoices):
        NATIONAL = "national", _("Federal law in force in the whole country")
        FEDERAL_TERRITORY = "federal_territory", _("Parliament legislates for the territory")
        NOT_STATED = "not_stated", _("The report does not say; presumed to apply until reviewed")
        DEVOLVED = "devolved", _("Subject devolved to the provinces (18th Amendment)")
        PROVINCIAL_LAW = "provincial_law", _("Replaced by the province's own law")
        NOT_EXTENDED = "not_extended", _("Not extended to the territory")

    # which reasons say the law applies, and which that it does not
    APPLYING = frozenset({Reason.NATIONAL, Reason.FEDERAL_TERRITORY, Reason.NOT_STATED})

    statute = models.ForeignKey(
        Statute,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="extent",
        help_text="Empty: every federal statute (a row for the statute itself comes first).",
    )
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    applies = models.BooleanField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    report_paragraphs = models.JSONField(default=list)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    NOT_PERSONAL_DATA = (
        "id",
        "statute",
        "jurisdiction",
        "applies",
        "reason",
        "report_paragraphs",
        "notes",
    )

    class Meta:
        ordering = ["jurisdiction__name_en", "statute__short_title"]
        constraints = [
            models.UniqueConstraint(
                fields=["statute", "jurisdiction"],
                name="extent_once_per_statute_and_jurisdiction",
                condition=models.Q(statute__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["jurisdiction"],
                name="extent_once_for_all_statutes_of_a_jurisdiction",
                condition=models.Q(statute__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        what = self.statute.short_title if self.statute else "federal law"
        return f"{what} in {self.jurisdiction.short_name}: {'applies' if self.applies else 'no'}"

    @property
    def paragraphs_label(self) -> str:
        return ", ".join(f"¶{p}" for p in self.report_paragraphs)

    @property
    def unconfirmed(self) -> bool:
        """Shown as applying only because the report records no exception."""
        return self.reason == self.Reason.NOT_STATED


class ComplianceLink(DataClassification, models.Model):
    """A cell entry of the matrix: this provision (or statute) of this jurisdiction's law
    implements this article, as the report's paragraphs show."""

    article = models.ForeignKey(OpscArticle, on_delete=models.PROTECT, related_name="links")
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for federal law.",
    )
    statute = models.ForeignKey(Statute, on_delete=models.PROTECT, related_name="+")
    provision = models.ForeignKey(
        Provision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report_paragraphs = models.JSONField(default=list)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    NOT_PERSONAL_DATA = (
        "id",
        "article",
        "jurisdiction",
        "statute",
        "provision",
        "report_paragraphs",
        "notes",
    )

    def __str__(self) -> str:
        return f"Art. {self.article.number}: {self.provision or self.statute}"


class ProceduralRule(DataClassification, models.Model):
    """A procedural rule as one jurisdiction's law (or federal law) sets it, or the policy
    default applied where the law of a jurisdiction is silent."""

    class Scope(models.TextChoices):
        FEDERAL = "federal", _("Federal law")
        JURISDICTION = "jurisdiction", _("Law of a province or territory")
        DEFAULT = "default", _("Policy default")

    class Basis(models.TextChoices):
        LAW = "law", _("Law")
        POLICY = "policy", _("Policy")

    code = models.SlugField(max_length=60)
    scope = models.CharField(max_length=16, choices=Scope.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    basis = models.CharField(max_length=8, choices=Basis.choices)
    statute = models.ForeignKey(
        Statute, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    section = models.CharField(max_length=40, blank=True)
    hours = models.PositiveIntegerField(null=True, blank=True)
    days = models.PositiveIntegerField(null=True, blank=True)
    months = models.PositiveIntegerField(null=True, blank=True)
    value = models.CharField(max_length=200, blank=True)
    report_paragraphs = models.JSONField(default=list)
    text = models.TextField()
    history = HistoricalRecords()

    NOT_PERSONAL_DATA = (
        "id",
        "code",
        "scope",
        "jurisdiction",
        "basis",
        "statute",
        "section",
        "hours",
        "days",
        "months",
        "value",
        "report_paragraphs",
        "text",
    )

    class Meta:
        ordering = ["code", "scope", "jurisdiction__name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "jurisdiction"],
                name="rule_once_per_jurisdiction",
                condition=models.Q(scope="jurisdiction"),
            ),
            models.UniqueConstraint(
                fields=["code", "scope"],
                name="rule_once_federal_or_default",
                condition=~models.Q(scope="jurisdiction"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.scope})"

    @property
    def citation(self) -> str:
        paragraphs = ", ".join(f"¶{p}" for p in self.report_paragraphs)
        if self.basis == self.Basis.POLICY:
            return gettext("policy default; report %(paragraphs)s") % {"paragraphs": paragraphs}
        assert self.statute is not None
        if not self.section:
            return gettext(
                "%(statute)s (section not cited in the report); report %(paragraphs)s"
            ) % {"statute": self.statute.short_title, "paragraphs": paragraphs}
        return gettext("%(citation)s; report %(paragraphs)s") % {
            "citation": f"{self.statute.short_title} s.{self.section}",
            "paragraphs": paragraphs,
        }
