"""``{% render_panel panel %}``: one panel of the home, rendered with its own values."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context: template.Context, panel: dict[str, Any]) -> SafeString:
    values = {k: v for k, v in panel.items() if k != "template"}
    html = render_to_string(panel["template"], values, request=context.get("request"))
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, escaped there
