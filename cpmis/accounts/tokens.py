"""API token authentication: django-rest-knox tokens (stored hashed), one query per request.

knox's own class re-reads every token of the user on each request to purge expired ones;
here that purge happens when a token is issued, and a request reads only the presented token
(and its user). A malformed token is refused before it reaches the database.
"""

from __future__ import annotations

import re
from hmac import compare_digest
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

from cpmis.audit.services import audit_record

if TYPE_CHECKING:
    from .models import User

_TOKEN = re.compile(r"[0-9a-f]{%d}" % knox_settings.AUTH_TOKEN_CHARACTER_LENGTH)  # noqa: UP031
INVALID = gettext_lazy("Invalid or expired token.")


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token: bytes) -> tuple[Any, AuthToken]:
        try:
            text = token.decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(INVALID) from exc
        if not _TOKEN.fullmatch(text):
            raise exceptions.AuthenticationFailed(INVALID)
        digest = hash_token(text)
        candidates = AuthToken.objects.filter(
            token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH]
        ).select_related("user")
        for auth_token in candidates:
            if compare_digest(digest, auth_token.digest):
                if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                    auth_token.delete()
                    break
                return self.validate_user(auth_token)  # type: ignore[no-any-return]
        raise exceptions.AuthenticationFailed(INVALID)


@transaction.atomic
def token_issue(user: User) -> tuple[AuthToken, str]:
    """A new token, audited with it; the user's expired tokens go, and the oldest beyond the
    limit."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit:
        newest = AuthToken.objects.filter(user=user).order_by("-created")
        keep = list(newest.values_list("pk", flat=True)[: limit - 1])
        AuthToken.objects.filter(user=user).exclude(pk__in=keep).delete()
    instance, token = AuthToken.objects.create(user)
    audit_record(
        actor=user, action="auth.token_issued", object_type="accounts.user", object_id=user.pk
    )
    return instance, token
