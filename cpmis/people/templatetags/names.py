"""How a person's name is shown: in the script it was written in, never as "Unknown".

``{% child_name child %}`` shows the Latin-script name and the Urdu-script name (marked
``lang="ur" dir="rtl"`` so it renders right to left in its font), whichever are recorded.
``{% guardian_line child %}`` gives "s/o Muhammad Aslam" or "d/o …" from the guardian fields.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

NO_NAME = "(no name recorded)"


def _urdu(text: str) -> SafeString:
    return format_html('<span lang="ur" dir="rtl">{}</span>', text)


def _both(latin: str, urdu: str, *, fallback: str = NO_NAME) -> SafeString:
    latin, urdu = (latin or "").strip(), (urdu or "").strip()
    if latin and urdu:
        return format_html("{} · {}", latin, _urdu(urdu))
    if urdu:
        return _urdu(urdu)
    if latin:
        return format_html("{}", latin)
    return format_html('<span class="muted">{}</span>', fallback)


@register.simple_tag
def child_name(child: Any, fallback: str = NO_NAME) -> SafeString:
    """Both scripts of a child's name (either one alone when only one is known)."""
    if child is None:
        return format_html('<span class="muted">{}</span>', fallback)
    return _both(
        getattr(child, "name_latin", ""), getattr(child, "name_urdu", ""), fallback=fallback
    )


def guardian_prefix(child: Any) -> str:
    relation = getattr(child, "guardian_relation", "father")
    sex = getattr(child, "sex", "")
    if relation == "father":
        return "d/o" if sex == "female" else "s/o"
    if relation == "mother":
        return "child of"
    return "ward of"


@register.simple_tag
def guardian_line(child: Any) -> SafeString:
    """'s/o Muhammad Aslam' (or d/o, child of, ward of); empty when no name is known."""
    latin = (getattr(child, "guardian_name_latin", "") or "").strip()
    urdu = (getattr(child, "guardian_name_urdu", "") or "").strip()
    if not latin and not urdu:
        return format_html("")
    return format_html_join(
        " ", "{}", [(guardian_prefix(child),), (_both(latin, urdu),)]
    )
