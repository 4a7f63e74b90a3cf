"""What the public pages offer, in words a child can follow (translated to Urdu in
cpmis/locale): the concerns a person can choose, and who they are."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cpmis.cases.models import Concern

from .models import ReporterKind

CONCERNS = [
    (Concern.SEXUALLY_ABUSED, _("Someone touched a child in a sexual way")),
    (Concern.SEXUALLY_EXPLOITED, _("A child is made to do sexual things for money or gifts")),
    (Concern.PORNOGRAPHY, _("Someone made sexual photos or videos of a child")),
    (Concern.TRAFFICKED, _("A child was sold, or taken away to work or live somewhere else")),
    (Concern.ABUSED, _("A child is beaten, hurt or threatened")),
    (Concern.NEGLECTED, _("A child has nobody to look after them")),
    (Concern.CHILD_LABOUR, _("A child is made to work")),
    (Concern.BEGGING, _("A child is made to beg")),
    (Concern.STREET_CHILD, _("A child lives on the street")),
    (Concern.MISSING, _("A child is missing or ran away")),
    (Concern.CHILD_MARRIAGE, _("A child is being married")),
]

REPORTERS = [
    (ReporterKind.CHILD, _("I am the child this is about")),
    (ReporterKind.PARENT, _("I am a parent or family member")),
    (ReporterKind.TEACHER, _("I am a teacher")),
    (ReporterKind.OTHER, _("Someone else")),
    (ReporterKind.ANONYMOUS, _("I do not want to say who I am")),
]

SEXES = [("female", _("Girl")), ("male", _("Boy")), ("unknown", _("Not sure"))]
