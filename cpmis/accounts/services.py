"""Account writes: users, role assignments, second factors, and sign-in events."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from cpmis import access
from cpmis.actors import Actor
from cpmis.audit.services import audit_record
from cpmis.reference.models import Department, District, Jurisdiction

from .models import RoleAssignment, User
from .roles import CAPABILITIES, Role, ScopeLevel
from .signals import user_deactivated


def _require_user_manager(actor: Actor) -> None:
    if not access.has_capability(actor, "users.manage"):
        raise PermissionDenied(_("Only an administrator can manage accounts."))


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    validate: bool = True,
) -> User:
    _require_user_manager(actor)
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(actor=actor, action="user.create", object_type="accounts.user", object_id=user.pk)
    return user


@transaction.atomic
def role_assign(
    *,
    actor: Actor,
    user: User,
    role: str,
    scope_level: str,
    jurisdiction: Jurisdiction | None = None,
    district: District | None = None,
    department: Department | None = None,
) -> RoleAssignment:
    _require_user_manager(actor)
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if scope_level not in ScopeLevel.values:
        raise ValidationError({"scope_level": f"Unknown scope {scope_level!r}."})
    assignment = RoleAssignment(
        user=user,
        role=role,
        scope_level=scope_level,
        jurisdiction=jurisdiction,
        district=district,
        department=department,
    )
    assignment.full_clean()
    if not access.can_manage_scope(
        actor, jurisdiction_id=assignment.jurisdiction_id, district_id=assignment.district_id
    ):
        raise PermissionDenied(_("You cannot give a role outside your own scope."))
    assignment.save()
    access.forget(user)
    audit_record(
        actor=actor,
        action="role.assign",
        object_type="accounts.user",
        object_id=user.pk,
        detail={"assignment": assignment.label},
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor: Actor, assignment: RoleAssignment) -> None:
    _require_user_manager(actor)
    if not access.can_manage_scope(
        actor, jurisdiction_id=assignment.jurisdiction_id, district_id=assignment.district_id
    ):
        raise PermissionDenied(_("You cannot remove a role outside your own scope."))
    if assignment.user_id == actor.pk and "users.manage" in CAPABILITIES.get(
        assignment.role, frozenset()
    ):
        raise PermissionDenied(
            _("You cannot remove your own administrator role: ask another administrator.")
        )
    label, user = assignment.label, assignment.user
    assignment.delete()
    access.forget(user)
    audit_record(
        actor=actor,
        action="role.revoke",
        object_type="accounts.user",
        object_id=user.pk,
        detail={"assignment": label},
    )


@transaction.atomic
def user_deactivate(*, actor: Actor, user: User) -> User:
    """Accounts are deactivated, never deleted, so the audit trail keeps its meaning."""
    _require_user_manager(actor)
    if not access.can_manage_user(actor, user):
        raise PermissionDenied(_("This account holds roles outside your scope."))
    if user.pk == actor.pk:
        raise PermissionDenied(
            _("You cannot deactivate your own account: ask another administrator.")
        )
    user.is_active = False
    user.save(update_fields=["is_active"])
    from knox.models import AuthToken

    AuthToken.objects.filter(user=user).delete()
    audit_record(
        actor=actor, action="user.deactivate", object_type="accounts.user", object_id=user.pk
    )
    # The apps above accounts act in this transaction (the field app ends the account's
    # phones); a signal, since accounts imports none of them (tests/test_architecture.py).
    user_deactivated.send(sender=User, actor=actor, user=user)
    return user


@transaction.atomic
def user_unlock(*, actor: Actor, user: User) -> None:
    """Lift a sign-in lockout (django-axes) before it expires."""
    from axes.utils import reset

    _require_user_manager(actor)
    if not access.can_manage_user(actor, user):
        raise PermissionDenied(_("This account holds roles outside your scope."))
    reset(username=user.username)
    audit_record(actor=actor, action="user.unlock", object_type="accounts.user", object_id=user.pk)


def totp_device_for(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """An unconfirmed device for the user to scan; replaces any earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    audit_record(
        actor=user,
        action="auth.2fa_enrolment_started",
        object_type="accounts.user",
        object_id=user.pk,
    )
    return device


@transaction.atomic
def totp_enrolment_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    audit_record(
        actor=user, action="auth.2fa_enrolled", object_type="accounts.user", object_id=user.pk
    )
    return True


def sign_in_recorded(*, user: User | None, action: str, username: str = "", **detail: Any) -> None:
    """Audit a sign-in, sign-out or refusal (never the password or the code)."""
    audit_record(
        actor=user if user is not None else AnonymousUser(),
        action=action,
        object_type="accounts.user",
        object_id=user.pk if user else username[:64],
        detail=detail,
    )


@transaction.atomic
def preferences_set(*, actor: User, language: str | None = None, digits: str | None = None) -> User:
    """``actor``'s own settings, in one transaction: the language of their pages (one of
    ``settings.LANGUAGES``' codes, or "" for the browser's) and the digits of Urdu pages
    (``User.Digits``); None leaves a setting as it is. A person sets only their own; each
    change is audited (``user.language``, ``user.digits``)."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Sign in to keep a setting."))
    errors: dict[str, list[str]] = {}
    if language is not None and language not in ["", *dict(settings.LANGUAGES)]:
        errors["language"] = [_("Choose English or Urdu.")]
    if digits is not None and digits not in User.Digits.values:
        errors["digits"] = [_("Choose Western or Urdu digits.")]
    if errors:
        raise ValidationError(errors, code="invalid_choice")
    user = User.objects.select_for_update().get(pk=actor.pk)
    for field, value in (("language", language), ("digits", digits)):
        before = getattr(user, field)
        if value is None or value == before:
            continue
        setattr(user, field, value)
        user.save(update_fields=[field])
        audit_record(
            actor=actor,
            action=f"user.{field}",
            object_type="accounts.user",
            object_id=user.pk,
            detail={"from": before, "to": value},
        )
        setattr(actor, field, value)
    return user
