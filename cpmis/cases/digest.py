"""The daily e-mail digest of open tasks. It names no child: mail leaves the system, so it
carries counts, task kinds, due times and links into cpmis, where access is checked."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.formats import date_format

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
    lines = [
        f"{len(tasks)} open task(s), {len(overdue)} overdue"
        + (" in your district." if supervises else " in your cases."),
        "",
    ]
    for t in tasks:
        flag = "OVERDUE " if t.due_at < now else ""
        due = date_format(timezone.localtime(t.due_at), "DATETIME_FORMAT")
        lines.append(
            f"- {flag}{t.get_kind_display()}, case {t.case.number}, due {due}: "
            f"{base_url}/cases/{t.case.uuid}/"
        )
    lines += ["", "Open cpmis to see the cases; this message names no child by design."]
    subject = f"cpmis: {len(overdue)} overdue, {len(tasks)} open tasks"
    return Digest(user=user, subject=subject, body="\n".join(lines))


def digests_send(*, base_url: str) -> int:
    sent = 0
    for user in User.objects.filter(is_active=True).exclude(email=""):
        if not access.has_capability(user, "case.view"):
            continue
        digest = digest_for(user, base_url=base_url)
        if digest is None:
            continue
        send_mail(digest.subject, digest.body, settings.DEFAULT_FROM_EMAIL, [user.email])
        sent += 1
    return sent
