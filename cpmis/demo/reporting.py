"""A synthetic zero draft of the second periodic report under the OPSC for the demo, written
through the reporting services (so versions, comments and the audit trail are real)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from cpmis.accounts.models import User
from cpmis.actors import DEMO, Actor
from cpmis.reporting import services
from cpmis.reporting.models import ReportEdition

TITLE = "Second periodic report under the OPSC — zero draft"
SLOGAN = "«بچوں کی حفاظت، ہم سب کی ذمہ داری»"

# Synthetic text: plausible in shape, invented in substance. {year} is the reporting year.
NARRATIVES: dict[str, list[str]] = {
    "introduction": [
        "Pakistan submits this second periodic report under the Optional Protocol to the "
        "Convention on the Rights of the Child on the sale of children, child prostitution "
        "and child pornography. It covers the period since the consideration of the initial "
        "report and uses the statistics of {year}.",
        "The report follows the structure of the initial report: the measures taken under "
        "each article, the institutions that implement them, and preventive measures. Each "
        "section answers the Committee's concluding observations that concern it.",
    ],
    "process": [
        "The report was prepared by the National Commission on the Rights of the Child with "
        "the ministries concerned and the provincial child protection authorities.",
        "Statistics were drawn from the case management system of the child protection "
        "units, the department data exchange and the complaint offices, and published after "
        "disclosure control.",
        "A zero draft was shared with stakeholders, including civil society organisations, "
        "for comments before the report was finalised.",
    ],
    "article-1": [
        "The sale of children, child prostitution and child pornography are prohibited by "
        "federal law and by the laws of the provinces, as set out in the legal framework "
        "below.",
        "No provision of law permits any of the practices the Protocol prohibits.",
    ],
    "article-2": [
        "The definitions of the Pakistan Penal Code cover the sale of children for any "
        "purpose, and child pornography in any medium, including electronic ones.",
        "Provincial child protection laws define a child as a person under eighteen.",
    ],
    "article-3": [
        "The offences of the Protocol are criminalised in the Pakistan Penal Code, and the "
        "penalties were increased by recent amendments.",
        "Attempts, complicity and participation are punishable as the offences themselves.",
        "The statistics below show the cases registered and the child victims identified "
        "during {year}.",
    ],
    "article-4": [
        "Pakistani courts have jurisdiction over the offences committed on its territory "
        "and on board its ships and aircraft, and over offences committed abroad by its "
        "nationals.",
    ],
    "articles-5-6": [
        "The offences are extraditable under the Extradition Act, and mutual legal "
        "assistance is given under the bilateral agreements in force.",
        "Requests received and made during the period are reported in the annex.",
    ],
    "article-7": [
        "Goods, proceeds and premises used to commit the offences may be seized and "
        "confiscated under the Code of Criminal Procedure and the anti-money laundering law.",
    ],
    "article-8": [
        "Child victims are protected at every stage of criminal proceedings: their identity "
        "is not disclosed, and they may testify by video link.",
        "Child protection officers accompany child victims, and every case is assessed and "
        "followed up by a child protection unit.",
        "Children's views are recorded in their care plans.",
    ],
    "articles-9-11": [
        "Awareness, training and international cooperation measures are described in this "
        "section and in the section on prevention.",
        "Police, prosecutors, judges and social workers received specialised training on "
        "the Protocol during the period.",
    ],
    "institutions": [
        "The National Commission on the Rights of the Child monitors the implementation of "
        "the Protocol independently, and receives complaints from children.",
        "Provincial child protection authorities run child protection units in the districts.",
    ],
    "prevention": [
        "Awareness campaigns reached schools, mosques and communities in every province. "
        "The campaign's slogan, printed on posters and broadcast on radio, was:",
        SLOGAN,
        "Helplines and the online complaint form allow anyone to report a child at risk.",
    ],
}

# Earlier versions of some sections: (section, text of version 1, summary of version 2)
EARLIER: list[tuple[str, str, str]] = [
    (
        "process",
        "The report was prepared by the National Commission on the Rights of the Child.",
        "Named the data sources and the consultation.",
    ),
    (
        "article-3",
        "The offences of the Protocol are criminalised in the Pakistan Penal Code.",
        "Added penalties and attempts.",
    ),
    (
        "prevention",
        "Awareness campaigns reached schools in every province.",
        "Added the campaign's slogan and helplines.",
    ),
]

COMMENTS: list[tuple[str, str, bool]] = [
    ("process", "Please list the civil society organisations consulted on the zero draft.", False),
    ("article-3", "Cite the amendment that increased the penalties, with its year.", True),
    ("article-8", "Say how many child victims testified by video link in {year}.", False),
    ("prevention", "Give the number of schools the campaign reached.", True),
]


def _user(username: str) -> Actor:
    """The demo account, or the demo generator itself where it does not exist."""
    return User.objects.filter(username=username, is_active=True).first() or DEMO


@transaction.atomic
def report_demo_generate(*, year: int) -> int:
    """Create the demo zero draft covering ``year`` (once: an existing one is kept) and return
    its id. Written by the demo analyst and commented on by the demo supervisor when they
    exist, else by the system."""
    existing = ReportEdition.objects.filter(title=TITLE, reporting_year=year).first()
    if existing is not None:
        return existing.pk
    analyst = _user("analyst.national")
    reviewer = _user("supervisor.lahore") or analyst
    edition = services.edition_create(
        actor=analyst,
        title=TITLE,
        reporting_year=year,
        period_from=date(year, 1, 1),
        period_to=date(year, 12, 31),
    )
    earlier = {code: (text, summary) for code, text, summary in EARLIER}
    for code, paragraphs in NARRATIVES.items():
        text = "\n\n".join(p.format(year=year) for p in paragraphs)
        base = 0
        if code in earlier:
            first, _ = earlier[code]
            services.narrative_save(
                actor=analyst,
                edition=edition,
                section=code,
                text=first,
                base_number=0,
                summary="First text.",
            )
            base = 1
        services.narrative_save(
            actor=analyst,
            edition=edition,
            section=code,
            text=text,
            base_number=base,
            summary=earlier[code][1] if code in earlier else "First text.",
        )
    for code, text, resolved in COMMENTS:
        comment = services.comment_add(
            actor=reviewer, edition=edition, section=code, text=text.format(year=year)
        )
        if resolved:
            services.comment_add(
                actor=analyst, edition=edition, section=code, text="Done.", reply_to=comment
            )
            services.comment_resolve(actor=analyst, comment=comment)
    services.edition_status_set(actor=analyst, edition=edition, status="zero_draft")
    return edition.pk
