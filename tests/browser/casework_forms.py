"""The forms of the casework pages, by their ``data-form`` name, and which of them the browser
tests submitted in this run.

``tests/cases/test_form_coverage.py`` renders every casework page in every state and fails when
a page has a form whose name is not in ``COVERED``; the last test of
``tests/browser/test_casework.py`` fails when a name in ``COVERED`` was not submitted in a real
browser. A new form therefore needs a browser test that submits it.
"""

from __future__ import annotations

from typing import Any

COVERED = frozenset(
    {
        "cases:open",
        "cases:search",
        "cases:assign-many",
        "cases:transfer-accept",
        "cases:transfer-decline",
        "notifications:dismiss",
        "case:correct-time",
        *(
            f"case:{step}"
            for step in (
                "assign",
                "assess",
                "plan",
                "protect",
                "produce",
                "order",
                "hearing",
                "delay-report",
                "place",
                "review",
                "release",
                "follow-up",
                "visit",
                "request-closure",
                "legal-aid",
                "refer",
                "offence",
                "perpetrator",
                "reference",
                "transfer",
                "withdraw-transfer",
                "approve-plan",
                "decide-closure",
                "reopen",
            )
        ),
    }
)

SUBMITTED: set[str] = set()


def submit_form(page: Any, submit: Any, form: Any, button: Any = None) -> Any:
    """Submit one form by clicking its button (or ``button``), recording its name."""
    name = form.get_attribute("data-form")
    assert name, "every casework form carries data-form"
    response = submit(page, button if button is not None else form.locator("button[type=submit]"))
    SUBMITTED.add(name)
    return response
