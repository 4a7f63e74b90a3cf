"""The offline field app: its shell page, its web app manifest and its service worker.

The shell is one page translated here; its scripts (cpmis/static/cpmis/field/) render the
officer's pages from the pack kept encrypted on the phone. The service worker caches the shell
and the static files only: personal data never goes to the browser's Cache Storage.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from cpmis.core.language import asked_in_address
from cpmis.permissions import capability_required

from .models import FieldAction

# The accent blue and the page background of app.css (:root --accent and --bg).
THEME_COLOUR = "#0b5cad"
BACKGROUND_COLOUR = "#f7f8fa"
ICONS = (("cpmis/field/icon-192.png", 192), ("cpmis/field/icon-512.png", 512))
SCRIPTS = ("cpmis/field/app.js", "cpmis/field/vault.js", "cpmis/field/sync.js")
# What the service worker keeps for the app to open without a connection (besides the shell).
ASSETS = (
    "cpmis/fonts.css",
    "cpmis/app.css",
    "cpmis/menu.js",
    "cpmis/field/field.css",
    *SCRIPTS,
    *(path for path, _size in ICONS),
)
FONTS_DIR = "cpmis/fonts/web"
SW_SOURCE = "cpmis/field/sw.js"
# The templates the shell is made of: a change to them is a new version of the app too.
SHELL_TEMPLATES = ("field/app.html", "base.html")


def _fonts() -> list[str]:
    """The web fonts that fonts.css names (the Latin and the Urdu faces, ~200 KB)."""
    folder = finders.find(FONTS_DIR)
    if not folder:
        return []
    from pathlib import Path

    return sorted(f"{FONTS_DIR}/{p.name}" for p in Path(str(folder)).glob("*.woff2"))


@cache
def _worker() -> tuple[str, str]:
    """The service worker's script and its cache version (computed once per process): the
    version is a hash of every file the worker caches, of its own source and of the shell's
    templates, so that a new release replaces the cached copies."""
    digest = hashlib.sha256()
    paths = [*ASSETS, *_fonts(), SW_SOURCE]
    for path in paths:
        found = finders.find(path)
        digest.update(path.encode())
        if found:
            with open(str(found), "rb") as f:
                digest.update(f.read())
    for name in SHELL_TEMPLATES:
        origin = get_template(name).origin.name  # type: ignore[attr-defined]
        with open(origin, "rb") as f:
            digest.update(f.read())
    version = digest.hexdigest()[:16]
    found = finders.find(SW_SOURCE)
    with open(str(found), encoding="utf-8") as f:
        source = f.read()
    config = {
        "version": version,
        "shell": reverse("field:app"),
        "manifest": reverse("field:manifest"),
        "static": static(""),
        "assets": [static(p) for p in (*ASSETS, *_fonts())],
    }
    header = (
        "// Written by cpmis/field/views.py: the version of the cached files and their list.\n"
        f"self.CPMIS_FIELD = {json.dumps(config)};\n"
    )
    return header + source, version


def _texts() -> dict[str, str]:
    """What the app's scripts show in words, in the page's language (placeholders as in
    Python: ``%(name)s``). Counts come in two forms, picked by the number (one, other)."""
    t: dict[str, str] = {
        "online": _("Online"),
        "offline": _("Offline"),
        "locked": _("Locked"),
        "not_enrolled": _("This phone is not set up for offline work"),
        "waiting": _("%(n)s waiting to sync"),
        "attention_one": ngettext("%(n)s needs your attention", "%(n)s need your attention", 1),
        "attention_other": ngettext("%(n)s needs your attention", "%(n)s need your attention", 2),
        "syncing": _("Sending…"),
        "last_synced": _("Data last synced: %(when)s (%(ago)s)."),
        "never_synced": _("The data on this phone has not been synced yet."),
        "ago_minutes": _("%(n)s minutes ago"),
        "ago_hours_one": ngettext("%(n)s hour ago", "%(n)s hours ago", 1),
        "ago_hours_other": ngettext("%(n)s hour ago", "%(n)s hours ago", 2),
        "ago_days_one": ngettext("%(n)s day ago", "%(n)s days ago", 1),
        "ago_days_other": ngettext("%(n)s day ago", "%(n)s days ago", 2),
        "just_now": _("just now"),
        # Countdowns, as on the casework pages.
        "due_in": _("Due in %(span)s"),
        "overdue_by": _("Overdue by %(span)s"),
        "due_at": _("Due %(when)s"),
        "span_days_one": ngettext("%(days)s day", "%(days)s days", 1),
        "span_days_other": ngettext("%(days)s day", "%(days)s days", 2),
        "span_1day_hours": _("1 day %(hours)s h"),
        "span_1day": _("1 day"),
        "span_hours_minutes": _("%(hours)s h %(minutes)s min"),
        "span_hours": _("%(hours)s h"),
        "span_minutes": _("%(minutes)s min"),
        # Enrolment and the lock.
        "pin_short": _("The PIN must be at least 6 digits, and digits only."),
        "pin_mismatch": _("The two PINs are not the same."),
        "label_missing": _("Give this phone a name you will recognise."),
        "enrol_offline": _("Connect to the internet to set up this phone for offline work."),
        "enrol_failed": _("This phone could not be set up: %(detail)s"),
        "no_connection": _("No connection: try again when you are online."),
        "pin_wrong_one": ngettext(
            "Wrong PIN: %(n)s try left before the cases on this phone are deleted.",
            "Wrong PIN: %(n)s tries left before the cases on this phone are deleted.",
            1,
        ),
        "pin_wrong_other": ngettext(
            "Wrong PIN: %(n)s try left before the cases on this phone are deleted.",
            "Wrong PIN: %(n)s tries left before the cases on this phone are deleted.",
            2,
        ),
        "wiped_pins": _(
            "The PIN was wrong too many times: the cases kept on this phone were deleted. "
            "Set up the phone again to work offline."
        ),
        "wiped_revoked": _(
            "Your supervisor removed this phone: the cases kept on it were deleted."
        ),
        "wiped_account_disabled": _(
            "Your account is disabled: the cases kept on this phone were deleted."
        ),
        "wiped_signed_out": _("You signed out on this phone: the cases kept on it were deleted."),
        "wiped_unknown": _("cpmis no longer knows this phone: the cases kept on it were deleted."),
        "other_user": _(
            "This phone is set up for the account %(username)s: sign in as %(username)s to "
            "use it offline."
        ),
        # Pages.
        "waiting_badge": _("waiting to sync"),
        "conflict_badge": _("changed meanwhile: your decision"),
        "refused_badge": _("not recorded"),
        "held_badge": _("waiting for an earlier action"),
        "new_case": _("New case"),
        "in_protection": _("In protection"),
        "not_in_protection": _("Not in protection"),
        "in_protection_short": _("in protection"),
        "not_found": _("This case is not kept on this phone."),
        "not_yet": _("Not yet: %(why_not)s."),
        "queued_done": _("Kept on this phone, to send at the next sync: %(label)s."),
        "recorded_by": _("recorded by %(who)s"),
        "you": _("you"),
        "age_years": _("%(age)s years"),
        "provisional_production": _(
            "Produce before the Court by %(when)s (provisional: counted from the time you "
            "recorded, confirmed at the sync)"
        ),
        "production_basis": _("Within %(hours)s hours of taking the child into protection."),
        "list_separator": pgettext("list separator", ", "),
        "none": _("None recorded"),
        "choose": _("Choose…"),
        "institution_label": _("%(name)s (%(free)s free)"),
        # Checks before an action is kept.
        "required": _("This field is required."),
        "future_time": _(
            "The time is in the future: record when it happened (this phone's clock says %(now)s)."
        ),
        "bad_time": _("Give the day and the time it happened."),
        "name_missing": _("Give the child's name in English or Urdu letters."),
        "age_missing": _("Give the date of birth or an estimated age."),
        "age_bad": _("The estimated age is a number of years, 0 to 17."),
        "concerns_missing": _("Choose at least one concern."),
        "locked_out": _("The phone is locked: unlock it first."),
        # Sync.
        "sync_done": _(
            "Synced: %(applied)s recorded, %(conflict)s changed meanwhile, %(refused)s not "
            "recorded, %(held)s waiting."
        ),
        "sync_nothing": _("Synced: nothing was waiting. The data on this phone is up to date."),
        "sync_offline": _("You are offline: the actions stay on this phone until you connect."),
        "sync_failed": _(
            "The sync did not finish (%(detail)s): the actions stay on this phone. Try again."
        ),
        "sign_in_again_one": ngettext(
            "Sign in again to send; your %(n)s action stays on this phone.",
            "Sign in again to send; your %(n)s actions stay on this phone.",
            1,
        ),
        "sign_in_again_other": ngettext(
            "Sign in again to send; your %(n)s action stays on this phone.",
            "Sign in again to send; your %(n)s actions stay on this phone.",
            2,
        ),
        "tampered": _(
            "Something on this phone was altered and could not be read: it was not sent."
        ),
        "changed_by": _("%(label)s, by %(by)s, %(when)s"),
        "resolve_offline": _("Connect to the internet to send your decision."),
        "for_case": _("Case %(number)s"),
        "field_time": _("happened %(when)s"),
        "confirm_sign_out_one": ngettext(
            "%(n)s action on this phone has not been sent. If you sign out now it is lost. "
            "Sign out anyway?",
            "%(n)s actions on this phone have not been sent. If you sign out now they are "
            "lost. Sign out anyway?",
            1,
        ),
        "confirm_sign_out_other": ngettext(
            "%(n)s action on this phone has not been sent. If you sign out now it is lost. "
            "Sign out anyway?",
            "%(n)s actions on this phone have not been sent. If you sign out now they are "
            "lost. Sign out anyway?",
            2,
        ),
        "sign_out_offline": _("Connect to the internet to sign out."),
        "storage_failed": _("This phone could not keep the data (%(detail)s)."),
    }
    t.update({f"kind_{kind}": str(label) for kind, label in FieldAction.Kind.choices})
    return {key: str(value) for key, value in t.items()}


@login_required
@capability_required("case.work")
def shell(request: HttpRequest) -> HttpResponse:
    """The field app (its pages are drawn on the phone from the encrypted pack)."""
    device_url = reverse("field-api:device-status", args=["DEVICE"]).replace("status/", "")
    urls = {
        "enrol": reverse("field-api:devices"),
        "device": device_url,  # + "status/" or "sign-out/"
        "pack": reverse("field-api:pack"),
        "sync": reverse("field-api:sync"),
        "resolve": reverse("field-api:resolve"),
        "worker": reverse("field:service-worker"),
        "scope": reverse("field:app"),
        "login": f"{reverse('accounts:login')}?next={reverse('field:app')}",
        "logout": reverse("accounts:logout"),
    }
    return render(
        request,
        "field/app.html",
        {
            "field_texts": _texts(),
            "field_urls": urls,
            "theme_colour": THEME_COLOUR,
            "max_wrong_pins": settings.CPMIS_FIELD_MAX_WRONG_PINS,
        },
    )


def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest, in the language asked (``?lang=``: a browser fetches the manifest
    without cookies, so the shell names its language in the link)."""
    language = asked_in_address(request) or translation.get_language()
    with translation.override(language):
        body = {
            "name": _("cpmis — casework offline"),
            "short_name": _("cpmis field"),
            "description": _(
                "Your caseload and tasks on your phone, with or without a connection."
            ),
            "lang": language,
            "dir": "rtl" if translation.get_language_bidi() else "ltr",
            "id": reverse("field:app"),
            "start_url": reverse("field:app"),
            "scope": reverse("field:app"),
            "display": "standalone",
            "orientation": "portrait",
            "theme_color": THEME_COLOUR,
            "background_color": BACKGROUND_COLOUR,
            # The drawing keeps inside the maskable safe zone (a circle of 80 %), so the
            # largest icon serves as the maskable one too.
            "icons": [
                *(
                    {"src": static(path), "sizes": f"{size}x{size}", "type": "image/png"}
                    for path, size in ICONS
                ),
                {
                    "src": static(ICONS[-1][0]),
                    "sizes": f"{ICONS[-1][1]}x{ICONS[-1][1]}",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )
    response["Content-Language"] = language
    return response


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker: may control /field/ and no more; never cached by the browser's HTTP
    cache, so that a new release is found at the next start."""
    source, version = _worker()
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("field:app")
    response["Cache-Control"] = "no-cache"
    response["X-CPMIS-Field-Version"] = version
    return response
