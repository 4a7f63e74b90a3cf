"""What accounts announces to the apps above it, so that it imports none of them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``actor`` and ``user`` when an account is deactivated, inside the deactivation's
# transaction (``services.user_deactivate``): a receiver's writes commit or roll back with it,
# and a receiver that fails undoes the deactivation. The field app ends the account's phones
# (``field.services.devices_end_for_disabled``): each deletes its offline store at its next
# contact.
user_deactivated = Signal()
