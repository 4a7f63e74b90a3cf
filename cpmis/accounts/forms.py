from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

otp_code_validator = RegexValidator(r"^\d{6}$", _("Enter the 6-digit code from your app."))


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    password = forms.CharField(
        label=_("Password"), max_length=1024, strip=False, widget=forms.PasswordInput
    )
    otp_code = forms.CharField(
        label=_("Authentication code"),
        required=False,
        max_length=6,
        validators=[otp_code_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        help_text=_("Only if you have set up two-factor authentication."),
    )


class TotpConfirmForm(forms.Form):
    otp_code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=6,
        validators=[otp_code_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
