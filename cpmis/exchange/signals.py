"""What exchange announces to the apps above it, so that it imports none of them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``actor`` and ``submission`` after a new submission is committed (not for a
# repeated batch). Linkage links its records (``linkage.services.on_submission_received``):
# all of them when ``whole`` (a background job, waiting for any run at work), else only a
# small batch and only if no other run is at work (the scheduled run takes the rest).
submission_received = Signal()
