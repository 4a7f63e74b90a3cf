"""The structure of the State party report under the OPSC, as Pakistan's initial report
(shared reference, ``cpmis/legal/data/opsc-initial-report-pakistan.txt``) is laid out.

Headings are in English, as the report is; ``Section.label`` gives a page's language.

It lives with the law, below the apps that use it: reporting writes the report, while
indicators and oversight (the Committee's recommendations) link their records to its sections.

A section has a stable code (narratives, indicators and the Committee's recommendations are
linked to it), its heading, the OPSC articles it answers and the paragraphs of the initial
report it corresponds to.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop


@dataclass(frozen=True)
class Section:
    code: str
    heading: str
    articles: tuple[int, ...]
    report_paragraphs: tuple[int, int]  # first and last paragraph of the initial report
    opsc_dates: bool = False  # states Pakistan's signature, ratification, entry into force (¶1)

    @property
    def label(self) -> str:
        """The heading in the page's language (the report itself is written in English, with
        ``heading``)."""
        return gettext(self.heading)

    @property
    def paragraphs_label(self) -> str:
        first, last = self.report_paragraphs
        return f"¶{first}–{last}"


SECTIONS: tuple[Section, ...] = (
    Section("introduction", gettext_noop("Introduction"), (), (1, 10), opsc_dates=True),
    Section("process", gettext_noop("Process of report writing"), (), (11, 15)),
    Section(
        "article-1",
        gettext_noop(
            "Article 1 — Prohibition of sale of children, child pornography and child prostitution"
        ),
        (1,),
        (16, 18),
    ),
    Section(
        "article-2",
        gettext_noop(
            "Article 2 — Definition of sale of children, child pornography and child prostitution"
        ),
        (2,),
        (19, 23),
    ),
    Section(
        "article-3",
        gettext_noop(
            "Article 3 — Criminalization of sale of children, child pornography and "
            "child prostitution"
        ),
        (3,),
        (24, 38),
    ),
    Section("article-4", gettext_noop("Article 4 — Jurisdiction"), (4,), (39, 42)),
    Section(
        "articles-5-6",
        gettext_noop("Articles 5 and 6 — Extradition and mutual legal assistance"),
        (5, 6),
        (43, 45),
    ),
    Section("article-7", gettext_noop("Article 7 — Seizure and confiscation"), (7,), (46, 49)),
    Section("article-8", gettext_noop("Article 8 — Protection of child victims"), (8,), (50, 53)),
    Section(
        "articles-9-11",
        gettext_noop("Articles 9, 10 and 11 — All measures to ensure compliance with the OPSC"),
        (9, 10, 11),
        (54, 75),
    ),
    Section(
        "institutions",
        gettext_noop("Institutional support, independent monitoring and evaluation"),
        (),
        (76, 92),
    ),
    Section("prevention", gettext_noop("Preventive measures"), (9,), (93, 97)),
)

SECTION_CODES: frozenset[str] = frozenset(s.code for s in SECTIONS)
BY_CODE: dict[str, Section] = {s.code: s for s in SECTIONS}


def section(code: str) -> Section | None:
    return BY_CODE.get(code)
