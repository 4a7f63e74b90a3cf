"""Urdu digits on the Urdu pages of a person who chose them (``User.digits``).

Applied to the HTML of the page as it leaves (``UrduDigitsMiddleware``), in one place, to the
text people read: numbers, counts, dates and times. Left as they are: markup and attribute
values (links, form values), what a form holds (``<input>``, ``<textarea>``), scripts and
styles, ``<code>``, ``<kbd>``, ``<pre>`` and anything marked ``translate="no"``; and any word
that is a code rather than a number — it holds a Latin letter (a case number PB-LHR-2026-000123,
a tracking code, a p-code PK617, a citation s.20) or is shaped like an identifier (a CNIC
35202-1234567-1, a B-form number, a phone number): those are typed and compared with Western
digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

_URDU = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_SKIP = ("script", "style", "textarea", "code", "kbd", "pre", "svg", "bdi")
_VOID = ("br", "img", "input", "meta", "link", "hr", "wbr", "source", "col")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>")
_WORD = re.compile(r"[^\s<>]+")
_LATIN = re.compile(r"[A-Za-z]")
_IDENTIFIER = re.compile(r"\d{5}-?\d{7}-?\d|\+?\d[\d-]{8,}")


def _number(word: re.Match[str]) -> str:
    text = word.group(0)
    if _LATIN.search(text) or _IDENTIFIER.search(text):
        return text
    return text.translate(_URDU)


def urdu_digits(html: str) -> str:
    """``html`` with the digits of its readable numbers written in Urdu (see the module)."""
    out: list[str] = []
    skipping: list[str] = []  # the elements whose text is left alone, innermost last
    at = 0
    for tag in _TAG.finditer(html):
        text = html[at : tag.start()]
        out.append(text if skipping else _WORD.sub(_number, text))
        out.append(tag.group(0))
        closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
        if closing:
            if skipping and skipping[-1] == name:
                skipping.pop()
        elif (
            name not in _VOID
            and not attributes.rstrip().endswith("/")
            and (name in _SKIP or 'translate="no"' in attributes or skipping)
        ):
            skipping.append(name)
        at = tag.end()
    text = html[at:]
    out.append(text if skipping else _WORD.sub(_number, text))
    return "".join(out)


class UrduDigitsMiddleware:
    """Urdu digits on the Urdu HTML pages of a person whose setting asks for them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "digits", "") == "urdu"
            and (get_language() or "").startswith("ur")
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
        ):
            body = urdu_digits(response.content.decode("utf-8"))
            response.content = body.encode("utf-8")
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
