"""The daily e-mail digest of open tasks. It names no child: mail leaves the system, so it
carries counts, task kinds, due times and links into cpmis, where access is checked."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cpmis import access
from cpmis.accounts.models import User

from .selectors import task_list


@dataclass(frozen=True)
class Digest:
    user: User
    subject: str
    body: str


def digest_for(user: User, *, base_url: str) -> Digest | None:
    supervises = access.has_capability(user, "case.supervise")
    tasks = list(task_list(user=user, mine_only=not supervises)[:200])
    if not tasks:
        return None
    now = timezone.now()
    overdue = [t for t in tasks if t.due_at < now]
    counts = {"open": len(tasks), "overdue": len(overdue)}
    lines = [
        (
            _("%(open)s open task(s), %(overdue)s overdue in your district.")
            if supervises
            else _("%(open)s open task(s), %(overdue)s overdue in your cases.")
        )
        % counts,
        "",
    ]
    for t in tasks:
        line = (
            _("OVERDUE %(kind)s, case %(number)s, due %(due)s: %(link)s")
            if t.due_at < now
            else _("%(kind)s, case %(number)s, due %(due)s: %(link)s")
        )
        values = {
            "kind": t.get_kind_display(),
            "number": t.case.number,
            "due": date_format(timezone.localtime(t.due_at), "DATETIME_FORMAT"),
            "link": f"{base_url}/cases/{t.case.uuid}/",
        }
        lines.append(f"- {line % values}")
    lines += ["", _("Open cpmis to see the cases; this message names no child by design.")]
    subject = (
        ngettext(
            "cpmis: %(overdue)s overdue, %(open)s open task",
            "cpmis: %(overdue)s overdue, %(open)s open tasks",
            len(tasks),
        )
        % counts
    )
    return Digest(user=user, subject=subject, body="\n".join(lines))


def digests_send(*, base_url: str) -> int:
    sent = 0
    for user in User.objects.filter(is_active=True).exclude(email=""):
        if not access.has_capability(user, "case.view"):
            continue
        # Written in the person's own language (English where they chose none).
        with translation.override(user.language or settings.LANGUAGE_CODE):
            digest = digest_for(user, base_url=base_url)
        if digest is None:
            continue
        send_mail(digest.subject, digest.body, settings.DEFAULT_FROM_EMAIL, [user.email])
        sent += 1
    return sent
