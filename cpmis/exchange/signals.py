"""What exchange announces to the apps above it, so that it imports none of them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``actor`` and ``submission`` after a new submission is committed (not for a
# repeated batch). Linkage links its records (``linkage.services.on_submission_received``).
submission_received = Signal()
