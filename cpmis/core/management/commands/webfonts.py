"""``cpmis manage webfonts``: write the WOFF2 subsets and fonts.css (see cpmis/core/webfonts.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cpmis.core import webfonts


class Command(BaseCommand):
    help = "Write the web fonts (WOFF2 subsets of the shipped Noto faces) and fonts.css."

    def handle(self, *args: Any, **options: Any) -> None:
        for path in webfonts.build():
            name = path.relative_to(webfonts.FONTS.parent)
            self.stdout.write(f"{name}  {path.stat().st_size:,} bytes")
