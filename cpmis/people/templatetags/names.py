"""How a person's name is shown: in the script it was written in, never as "Unknown".

``{% child_name child %}`` shows the Latin-script name and the Urdu-script name (marked
``lang="ur" dir="rtl"`` so it renders right to left in its font), whichever are recorded.
``{% guardian_line child %}`` gives "s/o Muhammad Aslam" or "d/o …" from the guardian fields.
``{% guardian_name child %}`` is the guardian's name alone. ``{% typed_name text %}`` shows a
name typed in one free-text field (a complaint's, a department record's) in its script.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from cpmis.people.phonetic import split_by_script

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()

NO_NAME = _("(no name recorded)")


def _urdu(text: str) -> SafeString:
    return format_html('<span lang="ur" dir="rtl">{}</span>', text)


def _both(latin: str, urdu: str, *, fallback: StrOrPromise = NO_NAME) -> SafeString:
    latin, urdu = (latin or "").strip(), (urdu or "").strip()
    if latin and urdu:
        return format_html("{} · {}", latin, _urdu(urdu))
    if urdu:
        return _urdu(urdu)
    if latin:
        return format_html("{}", latin)
    if not fallback:
        return SafeString("")
    return format_html('<span class="muted">{}</span>', fallback)


@register.simple_tag
def child_name(child: Any, fallback: StrOrPromise = NO_NAME) -> SafeString:
    """Both scripts of a child's name (either one alone when only one is known)."""
    if child is None:
        return _both("", "", fallback=fallback)
    return _both(
        getattr(child, "name_latin", ""), getattr(child, "name_urdu", ""), fallback=fallback
    )


def guardian_prefix(child: Any) -> str:
    relation = getattr(child, "guardian_relation", "father")
    sex = getattr(child, "sex", "")
    if relation == "father":
        # son of, daughter of; neither is right for a child recorded as neither
        if sex == "female":
            return gettext("d/o")
        if sex == "male":
            return gettext("s/o")
        return pgettext("before the name of the father of a child of unknown sex", "child of")
    if relation == "mother":
        return pgettext("before the name of the mother", "child of")
    return gettext("ward of")


@register.simple_tag
def guardian_name(child: Any, fallback: str = "") -> SafeString:
    """Both scripts of the guardian's name, without the relation; ``fallback`` when none."""
    return _both(
        getattr(child, "guardian_name_latin", ""),
        getattr(child, "guardian_name_urdu", ""),
        fallback=fallback,
    )


@register.simple_tag
def guardian_line(child: Any) -> SafeString:
    """'s/o Muhammad Aslam' (or d/o, child of, ward of); empty when no name is known."""
    latin = (getattr(child, "guardian_name_latin", "") or "").strip()
    urdu = (getattr(child, "guardian_name_urdu", "") or "").strip()
    if not latin and not urdu:
        return SafeString("")
    return format_html_join(" ", "{}", [(guardian_prefix(child),), (_both(latin, urdu),)])


@register.simple_tag
def typed_name(text: str, fallback: StrOrPromise = NO_NAME) -> SafeString:
    """A name typed in one field, whichever script it is in: the Urdu words marked as Urdu."""
    latin, urdu = split_by_script(text or "")
    return _both(latin, urdu, fallback=fallback)
