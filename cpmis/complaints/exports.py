"""The complaint queue as CSV, for a person to take away: references, channels, dates,
places by code, concerns and states; never a narrative, a name or a place in words, and every
value guarded against formulas. Written by a worker (``jobs``), so that a national queue of
any length is not held in a web request."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from cpmis.actors import Actor
from cpmis.legal.exports import safe

from . import selectors

# The column headings a person reads (in the language active when the file is written).
HEADER = (
    gettext_lazy("reference"),
    gettext_lazy("channel"),
    gettext_lazy("received_at"),
    gettext_lazy("jurisdiction"),
    gettext_lazy("district"),
    gettext_lazy("concerns"),
    gettext_lazy("status"),
    gettext_lazy("triage_due_at"),
    gettext_lazy("overdue"),
)
# How often (rows) the job's progress is told.
PROGRESS_EVERY = 5_000


def queue_csv(*, user: Actor, view: str, progress: Any = None) -> bytes:
    """The ``view`` of the queue that ``user`` sees, as UTF-8 CSV with a byte-order mark
    (so that Excel reads Urdu and dates right)."""
    qs = selectors.complaint_queue(user=user, view=view)
    total = qs.count()
    if progress is not None:
        progress.update(gettext("writing the rows"), done=0, total=total)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([str(h) for h in HEADER])
    for done, c in enumerate(qs.iterator(chunk_size=2_000), start=1):
        writer.writerow(
            [
                safe(v)
                for v in (
                    c.short_ref,
                    c.channel,
                    c.received_at.isoformat(),
                    c.jurisdiction.iso_code,
                    c.district.pcode if c.district else "",
                    " ".join(c.concerns),
                    c.status,
                    c.triage_due_at.isoformat(),
                    "yes" if c.overdue else "no",
                )
            ]
        )
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress.update(done=done)
    if progress is not None:
        progress.update("done", done=total, total=total)
    return buffer.getvalue().encode("utf-8")
