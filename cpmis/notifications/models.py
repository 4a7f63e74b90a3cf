"""Messages to a person inside cpmis ("your transfer was accepted"), shown on their home until
they dismiss them.

A notification names a record by its number and a link, never a child: it may outlive the
reader's access to the record (a transferred case), and the link then answers 404.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from cpmis.core.models import DataClassification


class Notification(DataClassification, models.Model):
    class Kind(models.TextChoices):
        TRANSFER_REQUESTED = "transfer_requested", _("Transfer waiting for you")
        TRANSFER_ACCEPTED = "transfer_accepted", _("Transfer accepted")
        TRANSFER_DECLINED = "transfer_declined", _("Transfer declined")
        TRANSFER_WITHDRAWN = "transfer_withdrawn", _("Transfer withdrawn")
        CASE_ASSIGNED = "case_assigned", _("Case assigned to you")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    message = models.CharField(max_length=300)  # in English, as written (the API's)
    # What the message says, for writing it in the reader's language: the case's number and
    # the districts' names in each language (see MESSAGES).
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    PERSONAL_DATA = ("message", "params")
    NOT_PERSONAL_DATA = ("id", "user", "kind", "link", "created_at", "read_at")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["user", "-created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"

    @property
    def shown(self) -> str:
        """The message in the language of the page that shows it (as stored when it was
        written without its parts, or with parts this version does not know)."""
        template = MESSAGES.get(self.kind)
        if template is None or not self.params:
            return self.message
        language = "ur" if (get_language() or "").startswith("ur") else "en"
        values = {
            k: (v.get(language) or v.get("en", "")) if isinstance(v, dict) else v
            for k, v in self.params.items()
        }
        try:
            return gettext(template) % values
        except (KeyError, TypeError, ValueError):
            return self.message


# Each kind's message, written in the reader's language when shown (``Notification.shown``);
# ``%(district)s`` and ``%(to_district)s`` are names, ``%(number)s`` a case number.
MESSAGES: dict[str, str] = {
    Notification.Kind.TRANSFER_REQUESTED: gettext_noop(
        "Case %(number)s from %(district)s waits for your answer."
    ),
    Notification.Kind.TRANSFER_WITHDRAWN: gettext_noop(
        "%(district)s withdrew the transfer of case %(number)s."
    ),
    Notification.Kind.TRANSFER_DECLINED: gettext_noop(
        "%(to_district)s declined the transfer of case %(number)s; the case stays with "
        "%(district)s."
    ),
    Notification.Kind.TRANSFER_ACCEPTED: gettext_noop(
        "%(to_district)s accepted case %(number)s; it is no longer in your district's caseload."
    ),
    Notification.Kind.CASE_ASSIGNED: gettext_noop("Case %(number)s is assigned to you."),
}


def place(named: object) -> dict[str, str]:
    """A district's (or any reference record's) name in each language, for ``params``."""
    return {"en": getattr(named, "name_en", ""), "ur": getattr(named, "name_ur", "")}
