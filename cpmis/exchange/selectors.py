"""Reads of submissions and department records, through cpmis.access."""

from __future__ import annotations

import uuid as uuid_lib

from django.db.models import QuerySet

from cpmis import access
from cpmis.actors import Actor
from cpmis.audit.services import audit_record
from cpmis.core.errors import NotFound

from .models import Submission


def submission_list(*, user: Actor) -> QuerySet[Submission]:
    """Submissions with their counts; the rejected rows (personal data) stay unread."""
    return (
        access.submissions_visible_to(user)
        .select_related("department", "submitted_by")
        .defer("row_errors", "rejected_rows")
    )


def submission_get(*, user: Actor, submission_uuid: str | uuid_lib.UUID) -> Submission:
    try:
        key = uuid_lib.UUID(str(submission_uuid))
    except ValueError as exc:
        raise NotFound from exc
    submission = (
        access.submissions_visible_to(user)
        .select_related("department", "submitted_by")
        .filter(uuid=key)
        .first()
    )
    if submission is None:
        raise NotFound
    audit_record(
        actor=user,
        action="exchange.submission_read",
        object_type="exchange.submission",
        object_id=submission.uuid,
    )
    return submission
