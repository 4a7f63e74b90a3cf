"""The source: Pakistan's initial report under the OPSC, shipped with cpmis
(``data/opsc-initial-report-pakistan.txt``), read into its numbered paragraphs.

Citations (``report_paragraphs``) are checked against it, and pages show the cited text as
evidence. A paragraph starts a line with its number, a full stop and a tab ("25.\\t...");
indented sub-items ("(a)\\t...") belong to the paragraph before them.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

REPORT_FILE = Path(__file__).resolve().parent / "data" / "opsc-initial-report-pakistan.txt"
_START = re.compile(r"^(?:\[bookmark:[^\]]*\])?(\d{1,3})\.\t(.*)$")


@cache
def paragraphs() -> dict[int, str]:
    found: dict[int, list[str]] = {}
    current: int | None = None
    for line in REPORT_FILE.read_text(encoding="utf-8").splitlines():
        match = _START.match(line)
        if match and int(match.group(1)) == (current or 0) + 1:
            current = int(match.group(1))
            found[current] = [match.group(2)]
        elif current is not None and line.startswith("\t") and not line.startswith("\t\t"):
            found[current].append(line.strip())  # a sub-item; headings are indented twice
    return {n: " ".join(parts) for n, parts in found.items()}


def text(number: int) -> str:
    return paragraphs().get(number, "")
