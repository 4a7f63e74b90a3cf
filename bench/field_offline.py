"""The field app offline in Chromium: first load, a case opened, 200 actions synced on Slow 3G.

Issue 19: the first load of the installed app without a connection, a case opened offline,
200 queued actions synced on a throttled connection, and the bytes the phone keeps.

The server is the real one, as ``cpmis serve`` runs it (``bench/_loadserver.py``: gunicorn, one
worker of 4 threads, the production settings, a secret key made for the run), on a SQLite file
in a temporary directory, or on PostgreSQL with ``--database-url`` (its own database,
``<name>_field``; each run adds an officer of its own). A woman CPO of Lahore gets a caseload of
``--cases`` (50) cases made through the case and people services, each with a timeline of about
10 to 15 events with notes of realistic length (synthetic data only): registration,
assessment, protection, production before the Court, a custody order, a placement, the plan
and its approval, hearings, reviews and visits; some cases released and in follow-up, some
worked in the community, some a few days old.

Chromium (Debian's, as the browser tests use) runs with a persistent profile in the temporary
directory, a 360 x 740 viewport, driven through Playwright's sync API:

1. Enrol: the officer signs in, opens ``/field/``, enrols the phone through the form with a
   PIN; the pack is fetched and stored encrypted, the service worker installed with the shell.
   ``window.cpmisField.storedBytes()`` is read (the caseload, nothing queued). Chromium is
   closed.
2. First load offline: the server is stopped, Chromium started again on the same profile
   with Playwright's offline mode (``offline=True``), ``/field/`` opened. Timed in the page
   (``performance.now()``, from the navigation's start): until the next animation frame after
   the unlock screen is in the page; then, from the PIN's submission through the form, until
   the next frame after the caseload's rows are in the page. Again in new pages
   (``--repeats``), each after ``ServiceWorker.stopAllWorkers`` (the app reopened). The
   PBKDF2 derivation alone (the stored iteration count) is timed in the same page.
3. A case opened offline: from the click on its number in the caseload until the next frame
   after its page (the case number in the heading) is drawn; ``--case-opens`` cases spread
   over the caseload, back to the caseload between them.
4. Sync: the server is started again, the session cookie given back (Chromium drops session
   cookies when it closes) and the network switched on (the app syncs its empty queue by
   itself; that is waited for). The pack is read from the server as the phone gets it (its
   bytes with and without gzip; the case versions and the steps each case offers). Then, in
   the same page, twice, ``--actions`` (200) actions are queued with
   ``window.cpmisField.enqueue`` (visits and follow-up visits with notes, assessments, a few
   protections and placements, each on a case's version in the pack, case by case, field
   times in the last hours) and ``window.cpmisField.syncNow()`` is timed until it returns:
   first on the unthrottled loopback (the baseline), then under Chromium's network
   emulation through CDP (``Network.emulateNetworkConditions``: latency 2,000 ms, download and
   upload 50,000 bytes/s: DevTools' "Slow 3G"). After each: the queue must be empty, and on
   the server every key must have its receipt (``FieldAction``) applied and one case event
   each; a lost or duplicated action exits 1 whatever the timings. The bodies of the sync
   answers are read back (``Network.getResponseBody``) and gzipped, to estimate what sending
   them compressed, as the pack is, would save on Slow 3G (printed as an estimate).

Targets (issue 19): the app opens offline in under 1 s (judged on the first load after
Chromium starts: unlock screen + PIN to caseload, the PIN's key derivation included); 200
actions sync in under 20 s on Slow 3G; the data stored offline for 50 cases under 2 MB
(2,000,000 bytes). ``--require`` exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ._loadserver import is_sqlite, prepare
from ._support import BenchError, database_resolve, fail, own_database, run_main, step, table

PIN = "482916"
LAHORE = "PK617"
PHONE = {"width": 360, "height": 740}
# As tests/browser/conftest.py launches Chromium.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# DevTools' "Slow 3G" (latency 400 ms x 5, 500 kbit/s x 0.8 down and up), as the issue names it.
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}
UNTHROTTLED = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
TARGET_OPEN_MS = 1000.0
TARGET_SYNC_S = 20.0
TARGET_STORED_BYTES = 2_000_000
TIMEOUT_MS = 120_000
SERVER_START_TIMEOUT = 60.0
HOME_NAME = "Dar-ul-Atfal Children's Home Lahore (bench)"

# In every page of the app (Playwright's init script: before the page's own scripts, and not
# subject to its CSP): when the first page is drawn in #field-view, and ``until``, which
# resolves at the next animation frame after a condition on the document holds.
PAGE_HELPERS = """
(() => {
  if (location.pathname !== "/field/") return;
  const until = (predicate, timeout) => new Promise((resolve, reject) => {
    let done = false;
    const check = () => {
      if (done || !predicate()) return;
      done = true;
      observer.disconnect();
      clearTimeout(timer);
      requestAnimationFrame(() => resolve(performance.now()));
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { childList: true, subtree: true, characterData: true });
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      observer.disconnect();
      reject(new Error("timed out after " + timeout + " ms"));
    }, timeout);
    check();
  });
  const marks = {};
  Object.defineProperty(window, "__bench", { value: { until, marks } });
  const view = () => document.getElementById("field-view");
  until(() => { const v = view(); return !!(v && v.querySelector("h1")); }, 120000).then(
    (frame) => {
      const v = view();
      const form = v.querySelector("form[data-form]");
      marks.what = form ? form.dataset.form : v.querySelector("h1").textContent.trim();
      marks.frame = frame;
      marks.done = true;
    },
    (error) => { marks.error = String(error); marks.done = true; },
  );
})();
"""
UNLOCK = """
async ({ pin, rows, timeout }) => {
  const view = document.getElementById("field-view");
  const form = view.querySelector('form[data-form="unlock"]');
  if (!form) throw new Error("no unlock form: " + view.innerText.slice(0, 200));
  form.elements.pin.value = pin;
  const drawn = window.__bench.until(() => {
    const body = view.querySelector('tbody[data-slot="rows"]');
    return !!body && body.children.length >= rows;
  }, timeout);
  const started = performance.now();
  form.requestSubmit();
  return (await drawn) - started;
}
"""
OPEN_CASE = """
async ({ uuid, number, timeout }) => {
  const view = document.getElementById("field-view");
  const link = view.querySelector(`a[href="#/case/${uuid}"]`);
  if (!link) throw new Error("case " + number + " is not in the caseload drawn");
  const drawn = window.__bench.until(() => {
    const shown = view.querySelector('.case-head [data-slot="number"]');
    return !!shown && shown.textContent === number;
  }, timeout);
  const started = performance.now();
  link.click();
  const frame = await drawn;
  return { ms: frame - started, events: view.querySelectorAll("ol.timeline > li").length };
}
"""
CASELOAD = """
async ({ rows, timeout }) => {
  const view = document.getElementById("field-view");
  const drawn = window.__bench.until(() => {
    const body = view.querySelector('tbody[data-slot="rows"]');
    return !!body && body.children.length >= rows;
  }, timeout);
  location.hash = "#/";
  await drawn;
}
"""
PBKDF2 = """
async () => {
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open("cpmis-field");
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const stored = await new Promise((resolve, reject) => {
    const r = db.transaction("meta", "readonly").objectStore("meta").get("key");
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  db.close();
  const iterations = stored && stored.iterations;
  if (!iterations) throw new Error("no wrapped key in the store");
  const base = await crypto.subtle.importKey(
    "raw", new TextEncoder().encode("000000"), "PBKDF2", false, ["deriveBits"]);
  const times = [];
  for (let i = 0; i < 3; i += 1) {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const started = performance.now();
    await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt, iterations }, base, 256);
    times.push(performance.now() - started);
  }
  return { iterations, times };
}
"""
STORED = """
async () => {
  const estimate = await navigator.storage.estimate();
  return {
    bytes: await window.cpmisField.storedBytes(),
    usage: estimate.usage,
    details: estimate.usageDetails || {},
  };
}
"""
ENQUEUE = """
async (actions) => {
  const keys = [];
  for (const action of actions) keys.push(await window.cpmisField.enqueue(action));
  return { keys, state: window.cpmisField.state() };
}
"""
SYNC = """
async () => {
  const started = performance.now();
  const summary = await window.cpmisField.syncNow();
  return { ms: performance.now() - started, summary, state: window.cpmisField.state() };
}
"""
# The status bar says "Syncing" while a sync runs (app.js showStatus).
SYNCING = """
() => {
  const texts = JSON.parse(document.getElementById("field-texts").textContent);
  const bar = document.querySelector('#field-status [data-slot="network"]');
  return !!bar && !!texts.syncing && bar.textContent.includes(texts.syncing);
}
"""
STATE = "() => window.cpmisField.state()"
APP_READY = "() => window.cpmisField !== undefined"

# Sentences of the notes (synthetic; a note is three or four of them, 250 to 650 characters).
NOTE_SENTENCES = (
    "Met {name} at home with the mother and the elder sister present; the house has two rooms "
    "and the family shares a kitchen with the neighbours.",
    "{name} says school is going better this month and showed me the copybook; the class "
    "teacher confirmed regular attendance by telephone.",
    "The caregiver reports that {name} still wakes at night and is afraid of the street "
    "outside; a session with the psychologist is arranged for next week.",
    "The family's income is irregular: the father does daily labour at the grain market and "
    "was without work for eight days this month.",
    "Checked the medicine given at the district hospital; the course is finished and the wound "
    "on the arm has healed without infection.",
    "{name} spoke with me alone for about twenty minutes and reported no new harm; I explained "
    "again whom to call, day or night, if anything happens.",
    "According to the neighbours and the mother, the uncle who took {name} to the workshop has "
    "not come back to the house since the last visit.",
    "Reminded the caregiver of the next hearing and of the documents the Court asked for: the "
    "birth registration and the school leaving certificate.",
    "The warden says {name} eats well and joins the afternoon classes, but has quarrelled twice "
    "with older children; the house mother will keep them apart at night.",
    "Discussed a return to the family with the mother; she agrees in principle but wants help "
    "with the school fees and uniform before the new term.",
    "Helped the family fill in the form for the monthly stipend of the Bait-ul-Maal office; it "
    "was submitted during the visit and a receipt given.",
    "No new concerns seen today. Next visit in two weeks, or earlier if the school reports "
    "absences or the family moves.",
)
SCENARIOS = (
    "community",
    "placed",
    "released",
    "placed",
    "new",
    "placed",
    "community",
    "placed",
    "released",
    "placed",
)


def note(rng: random.Random, name: str, low: int = 250) -> str:
    text = ""
    for sentence in rng.sample(NOTE_SENTENCES, k=len(NOTE_SENTENCES)):
        if len(text) >= low:
            break
        text = f"{text} {sentence.format(name=name)}".strip()
    return text


# --- the caseload ----------------------------------------------------------------------------


@dataclass
class Caseload:
    officer: Any
    cases: list[Any]  # Case, in the pack's order (opened_at)
    home_id: int
    events: int  # case events of the caseload


def caseload_create(n: int, seed: int) -> Caseload:
    """A woman CPO of Lahore with ``n`` cases, made through the services with their timelines."""
    from django.utils import timezone

    from cpmis.accounts.models import User
    from cpmis.accounts.roles import Role, ScopeLevel
    from cpmis.accounts.services import role_assign, user_create
    from cpmis.actors import DEMO
    from cpmis.cases import services as s
    from cpmis.cases.models import Case, CaseEvent, EventKind, Institution
    from cpmis.demo import names
    from cpmis.demo.generator import DEFAULT_PASSWORD
    from cpmis.people.services import child_register
    from cpmis.reference.models import District, InstitutionType

    rng = random.Random(seed)
    lahore = District.objects.get(pcode=LAHORE)
    supervisor = User.objects.get(username="supervisor.lahore")
    officer = user_create(
        actor=DEMO,
        username=f"field.bench.{secrets.token_hex(3)}",
        password=DEFAULT_PASSWORD,
        first_name="Samina",
        last_name="Akhtar",
        validate=False,
    )
    officer.sex = User.Sex.FEMALE
    officer.save(update_fields=["sex"])
    role_assign(
        actor=DEMO, user=officer, role=Role.CPO, scope_level=ScopeLevel.DISTRICT, district=lahore
    )
    home, _ = Institution.objects.get_or_create(
        name=HOME_NAME,
        defaults={
            "type": InstitutionType.objects.get(code="child_protection_institution"),
            "district": lahore,
            "accepts": Institution.Accepts.ALL,
            "capacity": 1_000_000,
        },
    )
    families = names.FAMILY_BY_PROVINCE.get(LAHORE[2], [])
    now = timezone.now()
    today = timezone.localdate()
    made = []
    for i in range(n):
        scenario = SCENARIOS[i % len(SCENARIOS)]
        sex = "female" if rng.random() < 0.5 else "male"
        latin_variants, urdu = rng.choice(names.GIRLS if sex == "female" else names.BOYS)
        latin = rng.choice(latin_variants)
        if families and rng.random() < 0.6:
            family_variants, family_urdu = rng.choice(families)
            latin, urdu = f"{latin} {rng.choice(family_variants)}", f"{urdu} {family_urdu}"
        father_variants, _urdu = rng.choice(names.FATHERS)
        first = latin.split()[0]
        child = child_register(
            actor=supervisor,
            district=lahore,
            sex=sex,
            date_of_birth=today - timedelta(days=rng.randint(6 * 365, 16 * 365)),
            name_latin=latin,
            name_urdu=urdu,
            guardian_name_latin=rng.choice(father_variants),
            owner=officer,
        )
        low, high = {
            "community": (30, 200),
            "placed": (20, 150),
            "released": (120, 300),
            "new": (2, 5),
        }[scenario]
        start = now - timedelta(days=rng.uniform(low, high), hours=rng.uniform(0, 8))
        span = now - timedelta(hours=6) - start

        def at(
            day: float = 0.0, share: float = 0.0, start: datetime = start, span: timedelta = span
        ) -> datetime:
            """``day`` days after the opening, or a ``share`` of the way to now."""
            return start + timedelta(days=day) + span * share

        def visits(
            case: Any, *schedule: tuple[float, str], at: Any = at, first: str = first
        ) -> None:
            """Visits and reviews, each a ``share`` of the way from the opening to now."""
            for share, kind in schedule:
                s.simple_event(
                    actor=officer,
                    case=case,
                    kind=kind,
                    occurred_at=at(share=share),
                    note=note(rng, first),
                )

        case = s.case_open(
            actor=supervisor,
            child=child,
            assigned_to=officer,
            initial_risk=rng.choice(["high", "medium", "low"]),
            concerns=[
                rng.choice(["trafficked", "abused", "street_child", "child_labour", "missing"])
            ],
            opened_at=start,
            note=note(rng, first, 200),
        )
        risk = rng.choice(["high", "medium", "low"])
        s.case_assess(
            actor=officer, case=case, risk_level=risk, occurred_at=at(0.3), note=note(rng, first)
        )
        if scenario == "community":
            s.case_plan(
                actor=officer,
                case=case,
                goals=[{"goal": "Keep the child in school"}, {"goal": "Family income support"}],
                occurred_at=at(3),
            )
            s.case_plan_approve(actor=supervisor, case=case)
            visits(
                case,
                (0.2, EventKind.VISIT),
                (0.4, EventKind.REVIEW),
                (0.5, EventKind.VISIT),
                (0.75, EventKind.REVIEW),
                (0.85, EventKind.VISIT),
            )
            s.case_assess(
                actor=officer,
                case=case,
                risk_level="low",
                occurred_at=at(share=0.6),
                note=note(rng, first),
            )
            made.append(case)
            continue
        s.protection_take(actor=officer, case=case, occurred_at=at(0.4))
        s.court_produce(
            actor=officer, case=case, court="Court of the District Judge", occurred_at=at(0.8)
        )
        s.order_record(
            actor=officer,
            case=case,
            kind="custody",
            child_views=note(rng, first, 120),
            occurred_at=at(0.9),
        )
        if scenario == "new":
            s.simple_event(
                actor=officer,
                case=case,
                kind=EventKind.VISIT,
                occurred_at=at(1.2),
                note=note(rng, first),
            )
            made.append(case)
            continue
        if i % 3 == 0:
            s.placement_make(
                actor=officer,
                case=case,
                option="extended_family",
                caregiver_sex="female",
                lower_option_reason="The parents could not be traced; the aunt offered to care.",
                occurred_at=at(1.1),
            )
        else:
            s.placement_make(
                actor=officer,
                case=case,
                option="institution",
                institution=home,
                lower_option_reason="No family member could be found yet.",
                occurred_at=at(1.1),
            )
        s.case_plan(
            actor=officer,
            case=case,
            goals=[{"goal": "Family tracing"}, {"goal": "Return to school"}],
            occurred_at=at(3),
        )
        s.case_plan_approve(actor=supervisor, case=case)
        s.simple_event(
            actor=officer,
            case=case,
            kind=EventKind.HEARING,
            occurred_at=at(share=0.15),
            note=note(rng, first, 150),
        )
        s.simple_event(
            actor=officer,
            case=case,
            kind=EventKind.REVIEW,
            occurred_at=at(share=0.25),
            note=note(rng, first),
        )
        if scenario == "placed":
            visits(case, (0.45, EventKind.VISIT), (0.7, EventKind.REVIEW), (0.9, EventKind.VISIT))
            made.append(case)
            continue
        s.order_record(
            actor=officer, case=case, kind="release", final=True, occurred_at=at(share=0.3)
        )
        s.release(actor=officer, case=case, occurred_at=at(share=0.32), note=note(rng, first))
        s.legal_aid_offer(actor=officer, case=case, accepted=True, occurred_at=at(share=0.33))
        for share in (0.55, 0.85):
            s.simple_event(
                actor=officer,
                case=case,
                kind=EventKind.FOLLOW_UP_VISIT,
                occurred_at=at(share=share),
                note=note(rng, first),
            )
        made.append(case)
    cases = list(Case.objects.filter(pk__in=[c.pk for c in made]).order_by("opened_at", "id"))
    events = CaseEvent.objects.filter(case__in=cases).count()
    return Caseload(officer=officer, cases=cases, home_id=home.pk, events=events)


def plan_actions(
    pack: dict[str, Any], count: int, rng: random.Random, home_id: int
) -> list[dict[str, Any]]:
    """``count`` actions over the pack's cases, case by case as an officer records them on her
    rounds: a visit, an assessment, a follow-up visit where the stage allows it (else a visit),
    and for a few cases a protection or a placement (else a visit), each case starting at
    another of these four, so that a short run has them all; then visits and assessments. Each
    on the case's version in the pack, with field times over the last hours, oldest first."""
    cases = pack["cases"]
    if not cases:
        raise BenchError("The pack holds no case.", code=1)
    per = -(-count // len(cases))
    protect_left = place_left = max(1, count // 40)
    planned: list[dict[str, Any]] = []
    for index, c in enumerate(cases):
        offered = {o["action"] for o in c.get("offers", []) if not o.get("why_not")}
        if "visit" not in offered:
            continue
        name = (c["child"]["name"] or "the child").split()[0]
        ordered = any(e["kind"] == "order" for e in c.get("timeline", []))
        for j in range(per):
            if len(planned) >= count:
                break
            slot = (j + index) % 4 if j < 4 else j % 2
            data: dict[str, Any]
            if slot == 1 and "assess" in offered:
                kind = "assess"
                data = {
                    "risk_level": rng.choice(["high", "medium", "low"]),
                    "note": note(rng, name),
                }
            elif slot == 2 and "follow-up" in offered:
                kind, data = "follow-up", {"note": note(rng, name)}
            elif slot == 3 and protect_left and "protect" in offered and not c["in_protection"]:
                protect_left -= 1
                kind, data = "protect", {"temporary_institution": None}
            elif slot == 3 and place_left and "place" in offered:
                place_left -= 1
                kind = "place"
                if not ordered:  # no Court order: the child stays with the parents
                    option, where, reason = "parental", None, ""
                elif place_left % 2:
                    option, where, reason = (
                        "institution",
                        home_id,
                        "No relative can take the child.",
                    )
                else:
                    option, where, reason = "extended_family", None, "The parents are abroad."
                data = {
                    "option": option,
                    "institution": where,
                    "caregiver_sex": None if where else "female",
                    "lower_option_reason": reason,
                }
            else:
                kind, data = "visit", {"note": note(rng, name)}
            planned.append(
                {"kind": kind, "case": c["uuid"], "base_version": c["version"], "data": data}
            )
    if len(planned) < count:
        raise BenchError(f"Only {len(planned)} actions could be planned on this caseload.", code=1)
    now = datetime.now(UTC)
    for i, action in enumerate(planned):
        action["field_time"] = (now - timedelta(seconds=40 * (count - i))).isoformat()
    return planned


# --- the server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """The application under gunicorn in a subprocess (bench/_loadserver.py), on a fixed port:
    stopped for the offline part, started again on the same origin for the sync."""

    database_url: str
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable, "-m", "bench._loadserver", "serve",
            "--database-url", self.database_url, "--port", str(self.port),
            "--threads", "4", "--workers", "1",
        ]  # fmt: skip
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 (this interpreter, a module of this package)
            command, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            code = self.process.poll()
            if code is not None:
                raise BenchError(f"The server exited ({code}); see {self.log_path}", code=1)
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"The server did not answer; see {self.log_path}", code=1)
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- what the page sent and received ---------------------------------------------------------


@dataclass
class Exchange:
    request_id: str
    endpoint: str
    seconds: float
    up: int  # request body bytes
    down: int  # bytes received (headers and body, as sent: compressed when it was)
    status: int


class Traffic:
    """The app's calls to /api/field/, from the DevTools protocol of its page."""

    def __init__(self, cdp: Any) -> None:
        self.sent: dict[str, tuple[str, float, int]] = {}
        self.status: dict[str, int] = {}
        self.done: list[Exchange] = []
        self.failed: list[str] = []
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)

    def reset(self) -> None:
        self.done, self.failed = [], []

    def _sent(self, event: dict[str, Any]) -> None:
        request = event["request"]
        path = urlsplit(request["url"]).path
        if not path.startswith("/api/field/"):
            return
        entries = request.get("postDataEntries") or []
        if entries:
            up = sum(len(base64.b64decode(e.get("bytes", ""))) for e in entries)
        else:
            up = len((request.get("postData") or "").encode())
        endpoint = path.removeprefix("/api/field/").strip("/").split("/")[-1] or "?"
        self.sent[event["requestId"]] = (endpoint, float(event["timestamp"]), up)

    def _response(self, event: dict[str, Any]) -> None:
        if event["requestId"] in self.sent:
            self.status[event["requestId"]] = int(event["response"]["status"])

    def _finished(self, event: dict[str, Any]) -> None:
        known = self.sent.pop(event["requestId"], None)
        if known is None:
            return
        endpoint, started, up = known
        self.done.append(
            Exchange(
                event["requestId"],
                endpoint,
                float(event["timestamp"]) - started,
                up,
                int(event.get("encodedDataLength") or 0),
                self.status.pop(event["requestId"], 0),
            )
        )

    def _failed(self, event: dict[str, Any]) -> None:
        known = self.sent.pop(event["requestId"], None)
        if known is not None:
            self.failed.append(f"{known[0]}: {event.get('errorText', '')}")


# --- the browser -----------------------------------------------------------------------------


def _launch(playwright: Any, chromium: str, profile: Path, *, offline: bool) -> Any:
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=chromium,
        args=CHROMIUM_ARGS,
        headless=True,
        offline=offline,
        locale="en-GB",
        timezone_id="Asia/Karachi",
        viewport=PHONE,
        service_workers="allow",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    context.add_init_script(script=PAGE_HELPERS)
    return context


def _first_draw(page: Any) -> dict[str, Any]:
    """The page's first drawing of the app: what it was, and when (ms from the navigation's
    start), with the navigation's own timings."""
    page.wait_for_function("() => window.__bench && window.__bench.marks.done")
    marks: dict[str, Any] = page.evaluate(
        """() => {
            const nav = performance.getEntriesByType("navigation")[0];
            return { ...window.__bench.marks, nav: nav ? nav.toJSON() : {},
                     controlled: !!navigator.serviceWorker.controller };
        }"""
    )
    if marks.get("error"):
        raise BenchError(f"The app drew nothing: {marks['error']}", code=1)
    return marks


def _open_app(context: Any, base: str, page: Any = None) -> tuple[Any, dict[str, Any]]:
    page = page or context.new_page()
    page.goto(f"{base}/field/", wait_until="load")
    marks = _first_draw(page)
    page.wait_for_function(APP_READY)
    return page, marks


def _expect_unlock(marks: dict[str, Any], where: str) -> None:
    if marks.get("what") != "unlock":
        raise BenchError(f"{where}: the app drew {marks.get('what')!r}, not the unlock screen.", 1)
    if not marks.get("controlled"):
        raise BenchError(f"{where}: the page is not controlled by the service worker.", code=1)


def _unlock(page: Any, rows: int) -> float:
    return float(page.evaluate(UNLOCK, {"pin": PIN, "rows": rows, "timeout": TIMEOUT_MS}))


def _stop_workers(cdp: Any) -> None:
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")


def _sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Sign in").click()
    if "/accounts/login" in page.url:
        raise BenchError(f"Signing in as {username} failed: {page.inner_text('main')[:300]}")


@dataclass
class Enrolment:
    seconds: float
    cookies: list[dict[str, Any]]
    stored: dict[str, Any]


def enrol(
    playwright: Any, chromium: str, profile: Path, server: Server, load: Caseload
) -> Enrolment:
    from cpmis.demo.generator import DEFAULT_PASSWORD

    context = _launch(playwright, chromium, profile, offline=False)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        _sign_in(page, server.base, load.officer.username, DEFAULT_PASSWORD)
        page, marks = _open_app(context, server.base, page)
        if marks.get("what") != "enrol":
            raise BenchError(f"/field/ drew {marks.get('what')!r}, not the enrolment form.", 1)
        page.fill("#enrol-label", "Samsung A14, Lahore unit (bench)")
        page.fill("#enrol-pin", PIN)
        page.fill("#enrol-pin2", PIN)
        started = time.perf_counter()
        page.click('form[data-form="enrol"] button[type="submit"]')
        page.wait_for_function(
            """(n) => document.querySelectorAll('#field-view tbody[data-slot="rows"] tr').length
                      >= n""",
            arg=len(load.cases),
        )
        seconds = time.perf_counter() - started
        # What a reload offline needs: the worker active, the shell in its cache.
        page.wait_for_function(
            """async () => {
                const ready = await navigator.serviceWorker.ready;
                if (!ready.active) return false;
                for (const name of await caches.keys()) {
                    const cache = await caches.open(name);
                    if (await cache.match("/field/", { ignoreVary: true })) return true;
                }
                return false;
            }""",
            polling=200,
        )
        stored = page.evaluate(STORED)
        return Enrolment(seconds, context.cookies(), stored)
    finally:
        context.close()


@dataclass
class Offline:
    cold: dict[str, Any]  # the first draw after Chromium started
    cold_unlock_ms: float
    warm_draw_ms: list[float]
    warm_unlock_ms: list[float]
    case_ms: list[float]
    case_events: list[int]
    pbkdf2: dict[str, Any]
    stored: dict[str, Any]


def offline_part(
    context: Any, page: Any, base: str, load: Caseload, repeats: int, opens: int
) -> Offline:
    rows = len(load.cases)
    page, cold = _open_app(context, base, page)
    _expect_unlock(cold, "First load offline")
    cold_unlock = _unlock(page, rows)
    state = page.evaluate(STATE)
    if state.get("online") or state.get("locked"):
        raise BenchError(f"After the PIN offline the app says {state}.", code=1)
    # A case opened offline: spread over the caseload, back to the caseload between them.
    picked = sorted({round(i * (rows - 1) / max(opens - 1, 1)) for i in range(opens)})
    case_ms, case_events = [], []
    for index in picked:
        case = load.cases[index]
        opened = page.evaluate(
            OPEN_CASE, {"uuid": str(case.uuid), "number": case.number, "timeout": TIMEOUT_MS}
        )
        case_ms.append(float(opened["ms"]))
        case_events.append(int(opened["events"]))
        page.evaluate(CASELOAD, {"rows": rows, "timeout": TIMEOUT_MS})
    pbkdf2 = page.evaluate(PBKDF2)
    stored = page.evaluate(STORED)
    # The app opened again: a new page each time, the service worker stopped before.
    cdp = context.new_cdp_session(page)
    warm_draw, warm_unlock = [], []
    for _ in range(repeats):
        _stop_workers(cdp)
        other, marks = _open_app(context, base)
        _expect_unlock(marks, "Load offline")
        warm_draw.append(float(marks["frame"]))
        warm_unlock.append(_unlock(other, rows))
        other.close()
    cdp.detach()
    page.bring_to_front()
    return Offline(cold, cold_unlock, warm_draw, warm_unlock, case_ms, case_events, pbkdf2, stored)


@dataclass
class SyncRun:
    label: str
    conditions: dict[str, Any]
    actions: int
    kinds: dict[str, int]
    ms: float
    wall_s: float
    summary: dict[str, int]
    state: dict[str, Any]
    exchanges: list[Exchange]
    failed_requests: list[str]
    receipts: int  # FieldAction rows of the keys
    applied: int  # of which applied
    events_added: int
    stored_queued: int  # storedBytes() with the actions queued
    answers_plain: int = 0  # the sync answers' bodies, as JSON
    answers_gzip: int = 0  # the same gzipped as the pack is (level 6): an estimate

    @property
    def problems(self) -> list[str]:
        out = []
        if self.receipts != self.actions or self.applied != self.actions:
            out.append(
                f"{self.label}: {self.applied} of {self.actions} actions applied on the server "
                f"({self.receipts} receipts)"
            )
        if self.events_added != self.applied:
            out.append(
                f"{self.label}: {self.events_added} case events added for {self.applied} "
                "actions applied (lost or duplicated)"
            )
        if self.state.get("queued") or self.state.get("failed") or self.state.get("conflicts"):
            out.append(f"{self.label}: the queue is not empty after the sync: {self.state}")
        if self.summary.get("applied", 0) + self.summary.get("duplicate", 0) != self.actions:
            out.append(f"{self.label}: syncNow() answered {self.summary}")
        return out


def _settle(page: Any) -> None:
    """Wait until no sync runs (the app syncs by itself when the network comes back)."""
    page.evaluate("() => window.cpmisField.syncNow()")
    quiet_since = time.monotonic()
    deadline = quiet_since + TIMEOUT_MS / 1000
    while time.monotonic() - quiet_since < 1.0:
        if page.evaluate(SYNCING):
            quiet_since = time.monotonic()
        if time.monotonic() > deadline:
            raise BenchError("The app kept syncing for two minutes.", code=1)
        time.sleep(0.1)


def _cookie_header(cookies: Sequence[dict[str, Any]]) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in cookies if c["domain"] == "127.0.0.1")


def pack_fetch(base: str, cookies: Sequence[dict[str, Any]], device: str) -> tuple[int, int, Any]:
    """The pack as the server sends it to the phone: its bytes gzipped, plain, and its JSON."""
    sizes = {}
    data: Any = None
    for encoding in ("gzip", "identity"):
        request = urllib.request.Request(  # noqa: S310 (the local server)
            f"{base}/api/field/pack/",
            headers={
                "Cookie": _cookie_header(cookies),
                "X-CPMIS-Device": device,
                "Accept": "application/json",
                "Accept-Encoding": encoding,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                body = response.read()
                sent = response.headers.get("Content-Encoding", "")
        except urllib.error.HTTPError as exc:
            raise BenchError(f"GET /api/field/pack/ answered {exc.code}", code=1) from exc
        sizes[encoding] = len(body)
        data = json.loads(gzip.decompress(body) if sent == "gzip" else body)
    return sizes["gzip"], sizes["identity"], data


def sync_run(
    page: Any,
    cdp: Any,
    traffic: Traffic,
    label: str,
    conditions: dict[str, Any],
    pack: dict[str, Any],
    count: int,
    rng: random.Random,
    load: Caseload,
) -> SyncRun:
    from collections import Counter

    from cpmis.cases.models import CaseEvent
    from cpmis.field.models import FieldAction

    actions = plan_actions(pack, count, rng, load.home_id)
    cdp.send("Network.emulateNetworkConditions", conditions)
    events_before = CaseEvent.objects.filter(case__assigned_to=load.officer).count()
    queued = page.evaluate(ENQUEUE, actions)
    keys = queued["keys"]
    if queued["state"].get("queued") != count:
        raise BenchError(f"{label}: {count} actions queued, the app counts {queued['state']}", 1)
    stored_queued = int(page.evaluate("() => window.cpmisField.storedBytes()"))
    traffic.reset()
    started = time.perf_counter()
    answer = page.evaluate(SYNC)
    wall = time.perf_counter() - started
    time.sleep(0.2)  # the last DevTools events
    plain = packed = 0
    for exchange in traffic.done:
        if exchange.endpoint != "sync":
            continue
        try:
            got = cdp.send("Network.getResponseBody", {"requestId": exchange.request_id})
        except Exception:  # the body was not kept: no estimate
            plain = packed = 0
            break
        body = base64.b64decode(got["body"]) if got.get("base64Encoded") else got["body"].encode()
        plain += len(body)
        packed += len(gzip.compress(body, compresslevel=6))
    receipts = FieldAction.objects.filter(key__in=keys)
    return SyncRun(
        label=label,
        conditions=conditions,
        actions=count,
        kinds=dict(Counter(a["kind"] for a in actions)),
        ms=float(answer["ms"]),
        wall_s=wall,
        summary=answer["summary"],
        state=answer["state"],
        exchanges=list(traffic.done),
        failed_requests=list(traffic.failed),
        receipts=receipts.count(),
        applied=receipts.filter(status=FieldAction.Status.APPLIED).count(),
        events_added=CaseEvent.objects.filter(case__assigned_to=load.officer).count()
        - events_before,
        stored_queued=stored_queued,
        answers_plain=plain,
        answers_gzip=packed,
    )


@dataclass
class Online:
    shell_ms: list[float]  # the same first draw online (the shell from the server)
    pack_gzip: int
    pack_plain: int
    pack_cases: int
    baseline: SyncRun
    throttled: SyncRun


def online_part(
    context: Any,
    page: Any,
    server: Server,
    cookies: list[dict[str, Any]],
    load: Caseload,
    args: argparse.Namespace,
) -> Online:
    from cpmis.field.models import Device

    server.start()
    context.add_cookies(cookies)  # Chromium dropped the session cookie when it closed
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    traffic = Traffic(cdp)
    context.set_offline(False)
    cdp.send("Network.emulateNetworkConditions", UNTHROTTLED)  # after Playwright's: it wins
    page.wait_for_function("() => navigator.onLine")
    time.sleep(0.3)  # the "online" event starts a sync of the empty queue
    _settle(page)
    state = page.evaluate(STATE)
    if not state.get("online") or state.get("locked") or state.get("queued"):
        raise BenchError(f"Online again, the app says {state}.", code=1)
    # The baseline of the first load: the same, online (the shell from the server).
    shell_ms = []
    other_cdp = context.new_cdp_session(page)
    for _ in range(args.repeats):
        _stop_workers(other_cdp)
        other, marks = _open_app(context, server.base)
        _expect_unlock(marks, "Load online")
        shell_ms.append(float(marks["frame"]))
        other.close()
    other_cdp.detach()
    page.bring_to_front()
    device = str(
        Device.objects.filter(user=load.officer, ended_at__isnull=True)
        .order_by("-enrolled_at")
        .values_list("uuid", flat=True)
        .first()
    )
    pack_gzip, pack_plain, pack = pack_fetch(server.base, context.cookies(), device)
    if len(pack["cases"]) != len(load.cases):
        raise BenchError(f"The pack holds {len(pack['cases'])} cases, not {len(load.cases)}.", 1)
    rng = random.Random(args.seed + 1)
    baseline = sync_run(
        page, cdp, traffic, "unthrottled", UNTHROTTLED, pack, args.actions, rng, load
    )
    _settle(page)
    _gzip, _plain, pack_after = pack_fetch(server.base, context.cookies(), device)
    throttled = sync_run(
        page, cdp, traffic, "Slow 3G", SLOW_3G, pack_after, args.actions, rng, load
    )
    cdp.send("Network.emulateNetworkConditions", UNTHROTTLED)
    if throttled.exchanges and min(e.seconds for e in throttled.exchanges) < 0.9 * (
        SLOW_3G["latency"] / 1000
    ):
        raise BenchError(
            "Some requests of the throttled sync took less than the emulated latency: the "
            "network emulation did not apply to them; the figure would be wrong.",
            code=1,
        )
    return Online(shell_ms, pack_gzip, pack_plain, len(pack["cases"]), baseline, throttled)


# --- the report ------------------------------------------------------------------------------


def _med(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def _ms(value: float) -> str:
    return f"{value:,.0f} ms"


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base > 0 else "-"


def _verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def report(
    args: argparse.Namespace, load: Caseload, enrolled: Enrolment, off: Offline, on: Online
) -> tuple[bool, list[str]]:
    n = len(load.cases)
    cold_draw = float(off.cold["frame"])
    cold_total = cold_draw + off.cold_unlock_ms
    pbkdf2 = _med(off.pbkdf2["times"])
    shell = _med(on.shell_ms)
    warm_draw, warm_unlock = _med(off.warm_draw_ms), _med(off.warm_unlock_ms)
    base_s, slow_s = on.baseline.ms / 1000, on.throttled.ms / 1000
    stored = int(enrolled.stored["bytes"])
    open_ok = cold_total < TARGET_OPEN_MS
    sync_ok = slow_s < TARGET_SYNC_S
    stored_ok = stored < TARGET_STORED_BYTES
    rows = [
        ["offline, cold: navigation -> unlock screen", _ms(cold_draw), "(part of 1 s)", "",
         f"online {_ms(shell)}", _ratio(cold_draw, shell)],
        [f"offline, cold: PIN -> caseload of {n}", _ms(off.cold_unlock_ms), "(part of 1 s)",
         "", f"PBKDF2 alone {_ms(pbkdf2)}", _ratio(off.cold_unlock_ms, pbkdf2)],
        ["opens offline, cold (the two above)", _ms(cold_total), f"< {_ms(TARGET_OPEN_MS)}",
         _verdict(open_ok), "", ""],
        [f"offline, again (median of {len(off.warm_draw_ms)}): -> unlock screen",
         _ms(warm_draw), "", "", f"online {_ms(shell)}", _ratio(warm_draw, shell)],
        [f"offline, again (median of {len(off.warm_unlock_ms)}): PIN -> caseload",
         _ms(warm_unlock), "", "", f"PBKDF2 alone {_ms(pbkdf2)}", _ratio(warm_unlock, pbkdf2)],
        [f"case opened offline (median of {len(off.case_ms)}; max {_ms(max(off.case_ms))})",
         _ms(_med(off.case_ms)), "", "", "", ""],
        [f"sync {on.throttled.actions} actions, Slow 3G", f"{slow_s:,.1f} s",
         f"< {TARGET_SYNC_S:.0f} s", _verdict(sync_ok), f"unthrottled {base_s:,.1f} s",
         _ratio(slow_s, base_s)],
        [f"stored offline, {n} cases (storedBytes)", f"{stored:,} B",
         f"< {TARGET_STORED_BYTES:,} B", _verdict(stored_ok),
         f"pack sent {on.pack_plain:,} B", _ratio(stored, on.pack_plain)],
    ]  # fmt: skip
    print()
    print(table(["figure", "value", "target", "", "baseline", "ratio"], rows))
    nav = off.cold.get("nav") or {}
    print()
    print(
        "First load offline, cold, in the page (ms from the navigation's start): service "
        f"worker started {nav.get('workerStart', 0):,.0f}, shell received "
        f"{nav.get('responseEnd', 0):,.0f}, "
        f"DOMContentLoaded {nav.get('domContentLoadedEventEnd', 0):,.0f}, unlock screen "
        f"{cold_draw:,.0f}; PIN -> caseload {off.cold_unlock_ms:,.0f}, of which PBKDF2-SHA-256 "
        f"({off.pbkdf2['iterations']:,} iterations, alone, median of 3) {pbkdf2:,.0f}."
    )
    print(
        "Enrolment (PIN set -> caseload drawn, the pack fetched and stored): "
        f"{enrolled.seconds:.1f} s."
        f" Timelines: {load.events:,} events over {n} cases ({load.events / n:.1f} a case);"
        f" a case page drew {min(off.case_events)}-{max(off.case_events)} timeline entries."
    )
    details = enrolled.stored.get("details") or {}
    print(
        f"Stored: storedBytes() {stored:,} B after enrolment, {int(off.stored['bytes']):,} B "
        f"offline, {on.throttled.stored_queued:,} B with {on.throttled.actions} actions queued; "
        f"navigator.storage.estimate(): {int(enrolled.stored.get('usage') or 0):,} B in all "
        f"({', '.join(f'{k} {int(v):,}' for k, v in details.items()) or 'no details'}). The pack"
        f" as sent: {on.pack_plain:,} B of JSON, {on.pack_gzip:,} B gzipped "
        f"({on.pack_cases} cases)."
    )
    print()
    sync_rows = []
    for run in (on.baseline, on.throttled):
        by: dict[str, list[Exchange]] = {}
        for e in run.exchanges:
            by.setdefault(e.endpoint, []).append(e)
        calls = ", ".join(f"{len(v)} {k}" for k, v in sorted(by.items()))
        sync_rows.append([
            run.label, f"{run.ms / 1000:,.2f} s", calls,
            f"{sum(e.up for e in run.exchanges):,}", f"{sum(e.down for e in run.exchanges):,}",
            f"{sum(e.down for e in by.get('sync', [])):,}",
            f"{sum(e.down for e in by.get('pack', [])):,}",
            f"{run.applied}/{run.actions}", f"{run.events_added}",
        ])  # fmt: skip
    print(
        table(
            ["sync", "syncNow()", "requests", "bytes up", "bytes down", "of which sync",
             "of which pack", "applied", "events"],
            sync_rows,
        )
    )  # fmt: skip
    slow = on.throttled
    each = ", ".join(f"{e.endpoint} {e.seconds:.1f}" for e in slow.exchanges)
    print(f"Slow 3G, each request in the order sent (s): {each}.")
    wire = sum(e.down for e in slow.exchanges if e.endpoint == "sync")
    if slow.answers_plain and wire < slow.answers_plain:
        print(
            f"The sync answers were compressed on the way: {slow.answers_plain:,} B of JSON "
            f"received as {wire:,} B (headers included)."
        )
    elif slow.answers_plain:
        saved = (slow.answers_plain - slow.answers_gzip) / SLOW_3G["downloadThroughput"]
        print(
            f"The sync answers were sent uncompressed: {slow.answers_plain:,} B of JSON; gzipped "
            f"as the pack is (level 6) they would be {slow.answers_gzip:,} B, "
            f"{saved:.1f} s less at {SLOW_3G['downloadThroughput']:,} B/s: about "
            f"{slow_s - saved:.1f} s instead of {slow_s:.1f} s (an estimate, not measured)."
        )
    kinds = ", ".join(f"{v} {k}" for k, v in sorted(on.throttled.kinds.items()))
    print(
        f"Actions each time: {kinds}. Throttled: latency {SLOW_3G['latency']} ms, "
        f"{SLOW_3G['downloadThroughput']:,} B/s down and {SLOW_3G['uploadThroughput']:,} B/s up "
        "(Network.emulateNetworkConditions)."
    )
    problems = on.baseline.problems + on.throttled.problems
    for run in (on.baseline, on.throttled):
        if run.failed_requests:
            problems.append(f"{run.label}: requests failed: {', '.join(run.failed_requests)}")
    print()
    met = open_ok and sync_ok and stored_ok
    print("Targets:", "all MET" if met else "some MISSED")
    if problems:
        print("Sync INTEGRITY FAILED:")
        for p in problems:
            print(f"  {p}")
    else:
        print(
            f"Sync integrity: every action applied once on the server ({on.baseline.actions} + "
            f"{on.throttled.actions} receipts applied, as many case events), both queues empty."
        )
    return met, problems


# --- entry point -----------------------------------------------------------------------------


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench field_offline",
        description=(__doc__ or "").strip().splitlines()[0],
    )
    parser.add_argument("--cases", type=int, default=50, help="cases in the officer's caseload")
    parser.add_argument("--actions", type=int, default=200, help="actions queued and synced")
    parser.add_argument("--repeats", type=int, default=5, help="loads of the app again, each")
    parser.add_argument("--case-opens", type=int, default=10, help="cases opened offline")
    parser.add_argument(
        "--smoke", action="store_true", help="10 cases, 20 actions, 3 repeats, 5 case opens (CI)"
    )
    parser.add_argument(
        "--require", action="store_true", help="exit 1 when a target is missed (not only errors)"
    )
    parser.add_argument(
        "--database-url", help="PostgreSQL (uses <name>_field); default: SQLite in a temp dir"
    )
    parser.add_argument("--fresh", action="store_true", help="PostgreSQL: recreate the database")
    parser.add_argument("--chromium", default=os.environ.get("CPMIS_CHROMIUM", ""))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory (profile, log, SQLite)"
    )
    args = parser.parse_args(list(argv))
    if args.smoke:
        args.cases, args.actions, args.repeats, args.case_opens = 10, 20, 3, 5
    if args.cases < 1 or args.actions < 1 or args.repeats < 1 or args.case_opens < 1:
        parser.error("--cases, --actions, --repeats and --case-opens must be positive")
    args.case_opens = min(args.case_opens, args.cases)
    return args


def main(argv: Sequence[str]) -> int:
    return run_main(arguments, run, argv)


def run(args: argparse.Namespace) -> int:
    chromium = shutil.which(args.chromium or "chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise BenchError("Chromium is needed (apt-get install chromium, or --chromium PATH).")
    work = Path(tempfile.mkdtemp(prefix="cpmis-field-bench-"))
    if args.database_url and not is_sqlite(args.database_url):
        url = own_database(database_resolve(args.database_url), "field").url
        where = f"PostgreSQL {urlsplit(url).path.lstrip('/')}"
    else:
        url = f"sqlite:///{work / 'field_bench.sqlite3'}"
        where = f"SQLite {work / 'field_bench.sqlite3'}"
    os.environ.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),  # made for this run; the server's too
            "CPMIS_REQUIRE_2FA": "0",  # the field app, not the sign-in, is measured
            "CPMIS_SECURE_COOKIES": "0",  # plain HTTP on loopback
            "ALLOWED_HOSTS": "127.0.0.1",
            "CPMIS_VAR_DIR": str(work),
            "LOG_LEVEL": "WARNING",
        }
    )
    print(f"field_offline: {where}; Chromium {chromium}; load {os.getloadavg()[0]:.2f}")
    ok = False
    try:
        prepare(url, fresh=bool(args.fresh))
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop in this thread
        with step(f"{args.cases} cases of one CPO with their timelines, through the services"):
            load = caseload_create(args.cases, args.seed)
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        server = Server(url, env, work / "server.log")
        from playwright.sync_api import sync_playwright

        profile = work / "profile"
        try:
            with step("server started"):
                server.start()
            with sync_playwright() as playwright:
                with step("signed in, phone enrolled, pack stored, service worker installed"):
                    enrolled = enrol(playwright, chromium, profile, server, load)
                server.stop()
                context = _launch(playwright, chromium, profile, offline=True)
                try:
                    page = context.pages[0] if context.pages else context.new_page()
                    with step("offline: first load, PIN, cases opened, loads again"):
                        off = offline_part(
                            context, page, server.base, load, args.repeats, args.case_opens
                        )
                    with step(f"online: {args.actions} actions synced unthrottled, then Slow 3G"):
                        on = online_part(context, page, server, enrolled.cookies, load, args)
                finally:
                    context.close()
        finally:
            server.stop()
        met, problems = report(args, load, enrolled, off, on)
        ok = not problems
        print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 shared cores)")
        if problems:
            return 1
        return 1 if args.require and not met else 0
    finally:
        if args.keep or not ok:
            fail(f"kept {work} (profile, server log, SQLite)")
        else:
            shutil.rmtree(work, ignore_errors=True)
