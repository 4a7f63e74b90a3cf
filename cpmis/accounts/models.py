"""Users and their role assignments (role × scope)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpmis.core.models import DataClassification
from cpmis.reference.models import Department, District, Jurisdiction

from .roles import Role, ScopeLevel


class User(DataClassification, AbstractUser):
    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        UNSPECIFIED = "unspecified", _("Not stated")

    # Needed by a safeguard: a girl child is never in the care of a male officer (ICT CPA s.20).
    sex = models.CharField(max_length=12, choices=Sex.choices, default=Sex.UNSPECIFIED)
    # The language of every page this person sees; empty: the browser's (cpmis/core/language.py).
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True, default="")

    class Digits(models.TextChoices):
        WESTERN = "western", _("Western (0 1 2 3)")
        URDU = "urdu", _("Urdu (۰ ۱ ۲ ۳)")

    # Numbers on Urdu pages: Western digits (as official correspondence writes them) or
    # Urdu ones (cpmis/core/digits.py). Codes, case numbers and CNICs keep Western digits.
    digits = models.CharField(max_length=8, choices=Digits.choices, default=Digits.WESTERN)

    PERSONAL_DATA = ("username", "first_name", "last_name", "email", "last_login", "sex")
    NOT_PERSONAL_DATA = (
        "id",
        "language",
        "digits",
        "password",
        "is_superuser",
        "is_staff",
        "is_active",
        "date_joined",
    )

    def __str__(self) -> str:
        return self.username


class RoleAssignment(DataClassification, models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    scope_level = models.CharField(max_length=16, choices=ScopeLevel.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    NOT_PERSONAL_DATA = (
        "id",
        "user",
        "role",
        "scope_level",
        "jurisdiction",
        "district",
        "department",
        "created_at",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="role_scope_consistent",
                condition=(
                    models.Q(
                        scope_level="national", jurisdiction__isnull=True, district__isnull=True
                    )
                    | models.Q(
                        scope_level="jurisdiction",
                        jurisdiction__isnull=False,
                        district__isnull=True,
                    )
                    | models.Q(scope_level="district", district__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def scope_code(self) -> str:
        if self.scope_level == ScopeLevel.DISTRICT and self.district is not None:
            return self.district.pcode
        if self.scope_level == ScopeLevel.JURISDICTION and self.jurisdiction is not None:
            return self.jurisdiction.iso_code
        return "national"

    @property
    def label(self) -> str:
        label = f"{self.role}@{self.scope_code}"
        if self.department is not None:
            label += f"/{self.department.code}"
        return label

    def clean(self) -> None:
        if self.scope_level == ScopeLevel.DISTRICT:
            if self.district is None:
                raise ValidationError({"district": _("A district scope needs a district.")})
            self.jurisdiction_id = self.district.jurisdiction_id
        elif self.scope_level == ScopeLevel.JURISDICTION:
            if not self.jurisdiction_id:
                raise ValidationError({"jurisdiction": _("A jurisdiction scope needs one.")})
            self.district = None
        else:
            self.jurisdiction = None
            self.district = None
        if self.role == Role.CPO and self.scope_level != ScopeLevel.DISTRICT:
            raise ValidationError(
                {"scope_level": _("A Child Protection Officer works in a district.")}
            )
