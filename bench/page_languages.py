"""What a first visit downloads in English and in Urdu, against the same pages with the fonts
as they were, and the server time of a page in Urdu against the same page in English.

Pages: the public complaint form (no one signed in), the CPO's home and a case page (as
``cpo.lahore``, whose caseload holds one case, of a child recorded with a Latin name only), and
a case page of a child with an Urdu name (as ``supervisor.lahore``). Each is loaded by Chromium
(Debian's, as the browser tests use) in a fresh context: no cache, the session's and the
language's cookies only; every byte the page's requests received (the DevTools protocol's
``encodedDataLength``: headers and bodies) is counted, by kind (document, stylesheets,
scripts, fonts), once the page's fonts are ready.

Baseline, in the same run: the same page with the fonts as before issue 17 (``fonts.css``
answered by the old rules: the TrueType Nastaliq, regular and bold, without unicode-range, and
the old font stacks, the system's faces first, on staff pages; no web font on the public
pages, which is why their Urdu showed boxes on a machine without an Urdu font).

Server time: Django's test client in this process, English and Urdu requests alternating,
``--requests`` of each after a warm-up. Targets: an Urdu page under 250 KB (250,000 bytes)
in all on a first visit, an English page with no Urdu text under 100 KB, and the p50 server
time of a page in Urdu within 1.1 x the same page in English.
"""

from __future__ import annotations

import argparse
import os
import shutil
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._support import (
    BenchError,
    database_resolve,
    open_database,
    own_database,
    percentile,
    run_main,
    step,
    table,
)

# The fonts as app.css and public.css had them before issue 17 (faces and font stacks).
OLD_STAFF_FONTS = """
@font-face { font-family: "Noto Nastaliq Urdu"; src: url("/static/cpmis/fonts/NotoNastaliqUrdu-Regular.ttf") format("truetype"); font-weight: 400; font-display: swap; }
@font-face { font-family: "Noto Nastaliq Urdu"; src: url("/static/cpmis/fonts/NotoNastaliqUrdu-Bold.ttf") format("truetype"); font-weight: 700; font-display: swap; }
body { font-family: system-ui, "Segoe UI", Roboto, "Noto Sans", "Noto Nastaliq Urdu", sans-serif !important; }
[lang="ur"] { font-family: "Noto Nastaliq Urdu", "Jameel Noori Nastaleeq", "Noto Naskh Arabic", serif !important; }
form.language { display: none !important; } /* staff pages had no language switch */
"""  # noqa: E501
OLD_PUBLIC_FONTS = """
body.public, html[lang=ur] body.public, .public .langs a[lang=ur] { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Nastaliq Urdu", "Jameel Noori Nastaleeq", sans-serif !important; }
"""  # noqa: E501
URDU_LIMIT, ENGLISH_LIMIT, TIME_RATIO = 250_000, 100_000, 1.1


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    user: str | None  # signed in as; None: the public
    urdu_text_in_english: bool  # does the English page show Urdu text (a name)?


@dataclass
class Visit:
    by_kind: dict[str, int]
    fonts: list[str]

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def _cases() -> tuple[Any, Any]:
    """One case of cpo.lahore (a child with a Latin name only) and one of another Lahore CPO
    (a girl with her Urdu name), both opened by the supervisor; made once, then reused."""
    from datetime import date

    from cpmis.accounts.models import User
    from cpmis.cases import services as s
    from cpmis.cases.models import Case
    from cpmis.people.services import child_register
    from cpmis.reference.models import District

    cpo, supervisor = (User.objects.get(username=u) for u in ("cpo.lahore", "supervisor.lahore"))
    latin = Case.objects.filter(assigned_to=cpo).order_by("pk").first()
    urdu = Case.objects.filter(child__name_urdu="زینب علی").order_by("pk").first()
    if latin and urdu:
        return latin, urdu
    lahore = District.objects.get(pcode="PK617")
    boy = child_register(
        actor=supervisor, district=lahore, sex="male", date_of_birth=date(2014, 3, 4),
        name_latin="Bilal Ahmed", guardian_name_latin="Ahmed Khan",
    )  # fmt: skip
    girl = child_register(
        actor=supervisor, district=lahore, sex="female", date_of_birth=date(2013, 5, 1),
        name_latin="Zainab Ali", name_urdu="زینب علی", guardian_name_latin="Ali Raza",
    )  # fmt: skip
    latin = s.case_open(
        actor=supervisor, child=boy, assigned_to=cpo, initial_risk="high", concerns=["begging"]
    )
    urdu = s.case_open(actor=supervisor, child=girl, initial_risk="high", concerns=["trafficked"])
    return latin, urdu


def _serve() -> tuple[Any, str]:
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _session_cookie(username: str) -> str:
    from django.conf import settings
    from django.test import Client

    from cpmis.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def visit(browser: Any, base: str, page: Page, language: str, old_fonts: str | None) -> Visit:
    from django.conf import settings

    context = browser.new_context(locale="en-GB")
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    if page.user:
        cookies.append(
            {"name": settings.SESSION_COOKIE_NAME, "value": _session_cookie(page.user), "url": base}
        )
    context.add_cookies(cookies)
    tab = context.new_page()
    if old_fonts is not None:
        tab.route(
            "**/static/cpmis/fonts.css",
            lambda route: route.fulfill(status=200, content_type="text/css", body=old_fonts),
        )
    cdp = context.new_cdp_session(tab)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    kinds: dict[str, tuple[str, str]] = {}
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.responseReceived",
        lambda e: kinds.__setitem__(e["requestId"], (e["type"], e["response"]["url"])),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    response = tab.goto(base + page.path, wait_until="load")
    if response is None or response.status != 200:
        raise BenchError(f"{page.path} ({language}) answered {response and response.status}")
    tab.evaluate("document.fonts.ready.then(() => true)")
    tab.wait_for_load_state("networkidle")
    by_kind: dict[str, int] = defaultdict(int)
    fonts = []
    for request, size in sizes.items():
        kind, url = kinds.get(request, ("Other", ""))
        by_kind[kind] += size
        if kind == "Font":
            fonts.append(url.rsplit("/", 1)[-1])
    context.close()
    return Visit(dict(by_kind), sorted(fonts))


def server_times(page: Page, requests: int, warmup: int) -> dict[str, list[float]]:
    import time

    from django.conf import settings
    from django.test import Client

    from cpmis.accounts.models import User

    clients = {}
    for language in ("en", "ur"):
        client = Client()
        if page.user:
            client.force_login(User.objects.get(username=page.user))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        clients[language] = client
    out: dict[str, list[float]] = {"en": [], "ur": []}
    for i in range(warmup + requests):
        for language, client in clients.items():
            started = time.perf_counter()
            response = client.get(page.path)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise BenchError(f"{page.path} ({language}) answered {response.status_code}")
            if i >= warmup:
                out[language].append(elapsed)
    return out


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench page_languages",
        description=(__doc__ or "").strip().splitlines()[0],
    )
    parser.add_argument("--requests", type=int, default=60, help="server-time requests a page")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument(
        "--database-url", help="the server's bench database (uses <name>_languages)"
    )
    parser.add_argument("--chromium", default=os.environ.get("CPMIS_CHROMIUM", ""))
    args = parser.parse_args(list(argv))
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be positive")
    return args


def main(argv: Sequence[str]) -> int:
    return run_main(arguments, run, argv)


def run(args: argparse.Namespace) -> int:
    chromium = shutil.which(args.chromium or "chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise BenchError("Chromium is needed (apt-get install chromium, or --chromium PATH).")
    os.environ["CPMIS_REQUIRE_2FA"] = "0"  # the pages, not the sign-in, are measured
    os.environ["CPMIS_SECURE_COOKIES"] = "0"  # plain HTTP on this machine
    db = own_database(database_resolve(args.database_url), "languages")
    print(f"page_languages: {db.describe()}")
    open_database(db)
    with step("two children and their cases"):
        latin, urdu = _cases()
    pages = [
        Page("complaint form", "/complaint/", None, False),
        Page("CPO home", "/", "cpo.lahore", False),
        Page("case page", f"/cases/{latin.uuid}/", "cpo.lahore", False),
        Page("case page, Urdu name", f"/cases/{urdu.uuid}/", "supervisor.lahore", True),
    ]
    from playwright.sync_api import sync_playwright

    server, base = _serve()
    rows, fonts_rows, met = [], [], True
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop in this thread
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            for page in pages:
                for language in ("en", "ur"):
                    old = visit(
                        browser, base, page, language,
                        OLD_PUBLIC_FONTS if page.user is None else OLD_STAFF_FONTS,
                    )  # fmt: skip
                    new = visit(browser, base, page, language, None)
                    limit = URDU_LIMIT if language == "ur" else ENGLISH_LIMIT
                    judged = language == "ur" or not page.urdu_text_in_english
                    ok = new.total <= limit
                    met &= ok or not judged
                    rows.append([
                        page.label, language, f"{old.total:,}", f"{new.total:,}",
                        f"{new.total / old.total:.2f}x", f"{new.by_kind.get('Font', 0):,}",
                        f"{new.by_kind.get('Document', 0):,}",
                        f"{new.by_kind.get('Stylesheet', 0) + new.by_kind.get('Script', 0):,}",
                        ("MET" if ok else "MISSED") + f" (<= {limit:,})" if judged else "-",
                    ])  # fmt: skip
                    fonts_rows.append([page.label, language, " ".join(new.fonts) or "-"])
            browser.close()
    finally:
        server.shutdown()
    print()
    print("First visit, bytes received (headers and bodies):")
    print(
        table(
            ["page", "lang", "before", "now", "now/before", "fonts", "html", "css+js", "target"],
            rows,
        )
    )
    print()
    print(table(["page", "lang", "fonts downloaded now"], fonts_rows))
    print()
    time_rows = []
    for page in pages:
        times = server_times(page, args.requests, args.warmup)
        en50, ur50 = percentile(times["en"], 50), percentile(times["ur"], 50)
        en95, ur95 = percentile(times["en"], 95), percentile(times["ur"], 95)
        ok = ur50 <= TIME_RATIO * en50
        met &= ok
        time_rows.append([
            page.label, f"{en50:.1f}", f"{ur50:.1f}", f"{ur50 / en50:.2f}x",
            f"{en95:.1f}", f"{ur95:.1f}", "MET" if ok else "MISSED",
        ])  # fmt: skip
    print(f"Server time (ms, {args.requests} requests each, alternating):")
    print(
        table(["page", "en p50", "ur p50", "ur/en", "en p95", "ur p95", "target 1.1x"], time_rows)
    )
    print()
    print("Targets:", "all MET" if met else "some MISSED")
    return 0
