# ruff: noqa: E501 - the texts are kept whole, one a line, as the schemas write them
"""The titles and descriptions of the data standard (``schemas/*.json``), listed so that they
are translated: the schema files, the published standard, stay in English; the documentation
page and the XLSX template show them in the reader's language (``standard.text``).

A new schema's texts are added here (tests/exchange/test_translation.py checks that none is
missing).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

TEXTS: tuple[str, ...] = (
    gettext_noop("Child care institution admission or discharge"),
    gettext_noop(
        "A child admitted to or discharged from a child care institution or shelter (report ¶63–67, ¶89)."
    ),
    gettext_noop("Department record ID"),
    gettext_noop(
        "The department's own identifier of this record (unique within the department). Sending a record with the same ID again corrects that record; it never creates a second one."
    ),
    gettext_noop("Date of admission or discharge"),
    gettext_noop(
        "The date of this admission or discharge. Written as the batch declares: YYYY-MM-DD, DD/MM/YYYY or DD-MM-YY (never guessed)."
    ),
    gettext_noop("District (p-code)"),
    gettext_noop(
        "P-code of the district where it happened or was recorded (e.g. PK617 for Lahore); see /reference/."
    ),
    gettext_noop("Child's name"),
    gettext_noop(
        "The child's name as written in the department's record, in Urdu or Latin script. Both scripts are accepted; the original is kept."
    ),
    gettext_noop("Relation (s/o, d/o)"),
    gettext_noop("How the guardian is named: s/o (son of), d/o (daughter of) or guardian."),
    gettext_noop("Father's or guardian's name"),
    gettext_noop("Father's (or guardian's) name as written, in Urdu or Latin script."),
    gettext_noop("Sex"),
    gettext_noop("female, male, transgender or unknown."),
    gettext_noop("Date of birth"),
    gettext_noop(
        "If known (in the batch's date format). Leave empty and give age_years when only an age is known."
    ),
    gettext_noop("Age in years"),
    gettext_noop(
        "The child's age (estimated if need be) on the record date, when there is no date of birth."
    ),
    gettext_noop("B-form / CNIC number"),
    gettext_noop("NADRA number of the child (B-form / CRC) if known: 13 digits, dashes optional."),
    gettext_noop("Institution"),
    gettext_noop("Name of the child care institution or shelter."),
    gettext_noop("Admission or discharge"),
    gettext_noop("admission or discharge."),
    gettext_noop("Placed by"),
    gettext_noop("court, child_protection_unit, police, family or self."),
    gettext_noop("Discharged to"),
    gettext_noop("For a discharge: family, another_institution, independent_living or absconded."),
    gettext_noop("Prosecution and court outcome"),
    gettext_noop(
        "The stage a prosecution has reached for an offence against a child, and the sentence (report ¶50–53)."
    ),
    gettext_noop("Date of the stage"),
    gettext_noop(
        "The date the case reached this stage (charge, judgment, withdrawal). Written as the batch declares: YYYY-MM-DD, DD/MM/YYYY or DD-MM-YY (never guessed)."
    ),
    gettext_noop("Court case reference"),
    gettext_noop("The court's case number."),
    gettext_noop("Court"),
    gettext_noop("E.g. 'Sessions Court Lahore'."),
    gettext_noop("Offence sections"),
    gettext_noop(
        "The provisions alleged, as in the legal catalogue (/legal/), separated by ';' — e.g. 'PPC s.369-A; PPC s.377-B'. Unknown sections are refused."
    ),
    gettext_noop("Stage"),
    gettext_noop("investigated, prosecuted, convicted, acquitted or withdrawn."),
    gettext_noop("Prison (months)"),
    gettext_noop("For a conviction: the prison term in months (empty if none or life)."),
    gettext_noop("Life imprisonment"),
    gettext_noop("For a conviction: true if the sentence is imprisonment for life."),
    gettext_noop("Fine (rupees)"),
    gettext_noop("For a conviction: the fine in rupees."),
    gettext_noop("School complaint or dropout referral"),
    gettext_noop(
        "A school's complaint about a child's protection, or a referral of a child who dropped out (report ¶80, ¶89)."
    ),
    gettext_noop("Date of the complaint or referral"),
    gettext_noop(
        "The date the school made it. Written as the batch declares: YYYY-MM-DD, DD/MM/YYYY or DD-MM-YY (never guessed)."
    ),
    gettext_noop("School"),
    gettext_noop("Name of the school."),
    gettext_noop("Kind"),
    gettext_noop("complaint or dropout."),
    gettext_noop("Class"),
    gettext_noop("The child's class (grade)."),
    gettext_noop("FIA trafficking or smuggling case"),
    gettext_noop(
        "A Federal Investigation Agency case of human trafficking or migrant smuggling involving a child, with arrests (report ¶58, ¶60)."
    ),
    gettext_noop("Date the case was registered"),
    gettext_noop(
        "The date of registration at the FIA circle. Written as the batch declares: YYYY-MM-DD, DD/MM/YYYY or DD-MM-YY (never guessed)."
    ),
    gettext_noop("FIA case number"),
    gettext_noop("As registered by the FIA circle."),
    gettext_noop("FIA circle or office"),
    gettext_noop("E.g. 'AHTC Lahore'."),
    gettext_noop("Kind of case"),
    gettext_noop("trafficking, smuggling or cybercrime."),
    gettext_noop("Arrests"),
    gettext_noop("Persons arrested in the case so far."),
    gettext_noop("Medico-legal examination or treatment of a child victim"),
    gettext_noop(
        "A medico-legal examination, age determination or treatment of a child victim at a health facility (report ¶53, ¶85). No clinical findings are sent."
    ),
    gettext_noop("Date of examination or treatment"),
    gettext_noop(
        "The date the child was examined or treated. Written as the batch declares: YYYY-MM-DD, DD/MM/YYYY or DD-MM-YY (never guessed)."
    ),
    gettext_noop("Health facility"),
    gettext_noop("E.g. 'Services Hospital Lahore'."),
    gettext_noop("Service"),
    gettext_noop("medico_legal, age_determination or treatment."),
    gettext_noop("Referred by"),
    gettext_noop("police, court, child_protection_unit or self."),
    gettext_noop("Juvenile in prison or borstal"),
    gettext_noop(
        "A child held in a prison, juvenile cell or borstal institution (report ¶86, ¶89)."
    ),
    gettext_noop("Date of admission"),
    gettext_noop(
        "The date the child was admitted. Written as the batch declares: YYYY-MM-DD, DD/MM/YYYY or DD-MM-YY (never guessed)."
    ),
    gettext_noop("Prison or borstal"),
    gettext_noop("Name of the institution."),
    gettext_noop("Custody"),
    gettext_noop("under_trial or convicted."),
    gettext_noop("Date of release"),
    gettext_noop("Empty while the child is held (in the batch's date format)."),
    gettext_noop("Police FIR or report involving a child"),
    gettext_noop(
        "A First Information Report or police report in which a child is a victim (report ¶89)."
    ),
    gettext_noop("Date of the FIR or report"),
    gettext_noop(
        "The date the FIR was registered or the report made. Written as the batch declares: YYYY-MM-DD, DD/MM/YYYY or DD-MM-YY (never guessed)."
    ),
    gettext_noop("FIR / report number"),
    gettext_noop("As registered at the police station."),
    gettext_noop("Police station"),
    gettext_noop("Name of the police station."),
    gettext_noop("Number of accused"),
    gettext_noop("Persons accused in the FIR (0 if none named)."),
    gettext_noop("Probation of a child"),
    gettext_noop("A child placed on probation by a court, and how it is going (report ¶89)."),
    gettext_noop("Date of the probation order"),
    gettext_noop(
        "The date the court placed the child on probation. Written as the batch declares: YYYY-MM-DD, DD/MM/YYYY or DD-MM-YY (never guessed)."
    ),
    gettext_noop("Probation order number"),
    gettext_noop("As recorded by the probation office."),
    gettext_noop("The court that ordered probation."),
    gettext_noop("Period (months)"),
    gettext_noop("Length of probation."),
    gettext_noop("Status"),
    gettext_noop("ongoing, completed or breached."),
)
