"""Every route, as every role, on records inside and outside the role's scope.

The routes come from the URL resolver (every pattern, included URLconfs and the API's
included), and each has an entry in ``TABLE``: which methods it answers, the capability each
needs (``AUTH``: any signed-in account; ``PUBLIC``: anyone), and the records it is called on
(``Target``s of ``tests.routes_support``: one inside a role's scope, one or more outside).
``test_every_route_has_an_entry`` fails for a route added without one.

For each route and role the test expects:

* allowed (the role holds the capability, and the record is in its scope): a read answers
  200; a write may answer anything but a server error (an empty or minimal body is sent, so
  most writes are refused as invalid: they need not succeed here);
* refused: 403 or 404 (401 or 403 from the API, and a redirect to the login page, for an
  anonymous request), never 2xx and never 5xx;
* whatever the answer, no word of a record the role may not read (a child's name, a case
  number, a complaint's narrative, a rejected row of a submission, identifiers) appears in its
  body: pages, API lists, searches and exports (XLSX and DOCX are unzipped to be searched).

Where the expectation is not the plain one, the entry says why (``note``): those were
checked by hand. Some refusals are shown as a message or a form's errors (a redirect, a 400,
even a 200): there the target says how to tell whether the write took effect, and that is
what is checked.

A role stopped at a route's gate (it holds no capability for any of the route's methods) is
called on every target, with the first variant and query only. The report's PDF is answered
as its HTML, and its DOCX with the first tables of the annex (``_lighter_report_files``).

All of it runs against one world made once for the module (``build_world``), in a
transaction rolled back at the end; each test runs in a savepoint of it. A leak found is
listed in ``KNOWN_LEAKS`` (an xfail(strict=True) for that route and role) until it is fixed.
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import json
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from cpmis.accounts.roles import CAPABILITIES
from tests.routes_support import ANONYMOUS, ROLE_SPECS, ROLES, Target, World, build_world

# ROUTES_DUMP=<file>: every call and its answer appended as a line (to review the table).
DUMP = os.environ.get("ROUTES_DUMP")
PUBLIC, AUTH = "<public>", "<signed-in>"
LOGIN = "/accounts/login/"
LAST_YEAR = str(timezone.localdate().year - 1)


def _capabilities(role: str) -> frozenset[str]:
    held: set[str] = set()
    for spec in ROLE_SPECS.get(role, ()):
        held |= CAPABILITIES.get(spec["role"], frozenset())
    return frozenset(held)


CAPS = {role: _capabilities(role) for role in ROLES}


@dataclass(frozen=True)
class Op:
    """One method of a route. ``cap``: the capability it needs, or a tuple of which any one
    will do. ``targets`` replaces the route's for this method (a list's POST names records in
    its body). ``refused_to``: a refusal answered by a redirect to this named page (with the
    reason as a message) instead of 403/404; ``refused_400``: a refusal answered as invalid
    input (the form or 400 names the record as not in reach)."""

    method: str
    cap: str | tuple[str, ...]
    data: dict[str, Any] | None = None
    targets: tuple[str, ...] | None = None
    queries: tuple[dict[str, str], ...] = ({},)
    refused_to: str = ""
    refused_400: bool = False
    ok: tuple[int, ...] = (200,)  # what an allowed read answers (where not only 200: a note)


@dataclass(frozen=True)
class Route:
    name: str
    api: bool
    ops: tuple[Op, ...]
    targets: tuple[str, ...] = ("none",)
    variants: tuple[dict[str, Any], ...] = ({},)
    note: str = ""  # why the expectation is what it is, where it is not obvious
    roles: tuple[str, ...] = ROLES


def GET(cap: str | tuple[str, ...], *queries: dict[str, str], **kw: Any) -> Op:
    return Op("GET", cap, queries=queries or ({},), **kw)


def POST(cap: str | tuple[str, ...], data: dict[str, Any] | None = None, **kw: Any) -> Op:
    return Op("POST", cap, data, **kw)


def PUT(cap: str | tuple[str, ...], data: dict[str, Any] | None = None, **kw: Any) -> Op:
    return Op("PUT", cap, data, **kw)


def PATCH(cap: str | tuple[str, ...], data: dict[str, Any] | None = None, **kw: Any) -> Op:
    return Op("PATCH", cap, data, **kw)


def DELETE(cap: str | tuple[str, ...], **kw: Any) -> Op:
    return Op("DELETE", cap, **kw)


def page(name: str, *ops: Op, **kw: Any) -> Route:
    return Route(name, False, ops, **kw)


def api(name: str, *ops: Op, **kw: Any) -> Route:
    return Route(name, True, ops, **kw)


CASE_ACTIONS = (
    "assign",
    "assess",
    "plan",
    "approve-plan",
    "offence",
    "protect",
    "produce",
    "order",
    "place",
    "legal-aid",
    "review",
    "hearing",
    "delay-report",
    "follow-up",
    "visit",
    "release",
    "request-closure",
    "decide-closure",
    "reopen",
    "transfer",
    "withdraw-transfer",
    "perpetrator",
    "reference",
    "refer",
)
COMPLAINT_ACTIONS = ("route", "open-case", "attach", "refer", "follow-up", "close")
CHILDREN = ("child_in", "child_sup", "child_out")
CASES = ("case_in", "case_sup", "case_out", "case_moving")
WORKED = ("case_in", "case_sup", "case_out")
COMPLAINTS = ("complaint_in", "complaint_province", "complaint_out")
SUBMISSIONS = ("submission_in", "submission_health", "submission_kp")
REVIEWS = ("review_in", "review_cross", "review_out")
MERGES = ("merge_in", "merge_out")
USERS = ("user_in", "user_out")
ACTED_ON = ("user_in", "user_out", "user_dual")
ROLES_OF = ("role_in", "role_out", "role_mixed", "role_dual_in", "role_dual_out")
INDICATOR = {"indicator": "CAS01", "period": LAST_YEAR}
REFUSED_ON_FORM = (
    "A record out of the role's scope is refused on the form (its errors re-rendered), so "
    "the refusal is checked by the record not being made, not by the status."
)
STALE = 99  # a version no record has: a write that passes the scope check stops at 409

PER_ACTION = (
    "The gate is the capability shown; which action a role may take on a record in its scope "
    "is the service's decision (tests/cases, tests/complaints). Here: the gate and the scope, "
    "with every action's slug."
)

TABLE_ROUTES: tuple[Route, ...] = (
    # --- public -------------------------------------------------------------------------------
    page("healthz", GET(PUBLIC)),
    page("readyz", GET(PUBLIC)),
    page(
        "metrics",
        GET("<the metrics token>"),
        note="Only the operator's Prometheus, with CPMIS_METRICS_TOKEN (tests/jobs): to every "
        "role and session the page does not exist (404; to anonymous too, tested there).",
        roles=tuple(r for r in ROLES if r != ANONYMOUS),
    ),
    page("accounts:login", GET(PUBLIC), POST(PUBLIC)),
    page(
        "accounts:settings",
        GET(AUTH),
        POST(AUTH, {"language": "ur", "digits": "urdu"}),
        note="a person's own settings: each account changes only its own",
    ),
    page(
        "accounts:language",
        POST(PUBLIC, {"language": "ur", "next": "/"}),
        note="anyone may switch; a signed-in person's own setting changes, no one else's",
    ),
    page(
        "accounts:logout",
        POST(PUBLIC),
        note="Anyone may sign out; an anonymous request is sent to the login page too.",
    ),
    page("public:form", GET(PUBLIC), POST(PUBLIC)),
    page(
        "public:acknowledgement",
        POST(PUBLIC, {"code": "ABCD-1234-XYZ", "format": "pdf"}),
        note="anyone with a code; an unknown one is answered as the status page answers it",
    ),
    page(
        "public:status",
        GET(PUBLIC),
        POST(PUBLIC, targets=("code_public",)),
        note="Whoever has a tracking code reads its status (and nothing else of the complaint: "
        "the KP complaint's narrative and identifiers are checked absent).",
    ),
    api(
        "schema",
        GET(PUBLIC),
        note="The OpenAPI document is served to anyone (drf-spectacular's default); it names "
        "no record. Called as anonymous and one signed-in role only: it costs seconds.",
        roles=(ANONYMOUS, "cpo"),
    ),
    api("api-docs", GET(PUBLIC), note="The Swagger page, public like the schema it shows."),
    # --- accounts -----------------------------------------------------------------------------
    page("core:home", GET(AUTH)),
    page("accounts:2fa-setup", GET(AUTH), POST(AUTH)),
    page("accounts:user-list", GET("users.manage", {}, {"q": "kpofficerqx"})),
    page("accounts:user-create", GET("users.manage"), POST("users.manage")),
    page(
        "accounts:user-detail",
        GET("users.manage", targets=(*USERS, "user_dual_view")),
        POST("users.manage", targets=("grant_in", "grant_out"), refused_400=True),
        note="An account with one role in the province and one outside is seen (not acted "
        "on); giving a role outside the province is refused on the form (400).",
    ),
    page(
        "accounts:role-revoke",
        POST("users.manage"),
        targets=ROLES_OF,
    ),
    page(
        "accounts:user-action",
        POST("users.manage"),
        targets=ACTED_ON,
        variants=({"action": "unlock"}, {"action": "deactivate"}),
    ),
    api(
        "accounts-api:api-token",
        POST(PUBLIC),
        DELETE(PUBLIC),
        note="Sign-in by password (400 without one); DELETE revokes the token of the request, "
        "so a session gets 401.",
    ),
    api("accounts-api:api-me", GET(AUTH)),
    api("users-api:api-users", GET("users.manage"), POST("users.manage")),
    api(
        "users-api:api-user-roles",
        POST("users.manage"),
        targets=("user_in", "user_out", "grant_in", "grant_out"),
    ),
    api(
        "users-api:api-user-role",
        DELETE("users.manage"),
        targets=ROLES_OF,
    ),
    api("users-api:api-user-unlock", POST("users.manage"), targets=ACTED_ON),
    api("users-api:api-user-deactivate", POST("users.manage"), targets=ACTED_ON),
    # --- children -----------------------------------------------------------------------------
    page(
        "people:child-list",
        GET("child.view", {}, {"q": "Gulalaiqx"}, {"district": "PK528"}, {"q": "Bashirqx"}),
    ),
    page(
        "people:child-register",
        GET("child.register"),
        POST("child.register", targets=("none", "child_new_in", "child_new_out")),
        note=REFUSED_ON_FORM,
    ),
    page("people:child-detail", GET("child.view"), targets=CHILDREN),
    page("people:child-edit", GET("child.change"), POST("child.change"), targets=CHILDREN),
    page("people:merge-list", GET("child.merge")),
    page("people:merge", GET("child.merge"), targets=MERGES),
    page("people:merge-decide", POST("child.merge"), targets=MERGES),
    page(
        "people:merge-undo",
        POST("child.merge"),
        targets=MERGES,
        note="The proposal in scope is not merged: undoing it answers 404 to its reviewer too.",
    ),
    api(
        "people-api:api-children",
        GET("child.view", {}, {"q": "Gulalaiqx"}, {"district": "PK528"}, {"q": "Bashirqx"}),
        POST("child.register", targets=("none", "child_new_in", "child_new_out")),
    ),
    api("people-api:api-child", GET("child.view"), PATCH("child.change"), targets=CHILDREN),
    api(
        "merges-api:merges",
        GET("child.merge"),
        POST("child.merge", targets=("pair_in", "pair_out")),
    ),
    api("merges-api:merge", GET("child.merge"), targets=MERGES),
    api(
        "merges-api:decide",
        POST("child.merge", {"decision": "different", "reason": "Two children.", "version": STALE}),
        targets=MERGES,
        note="Sent valid but stale (409 in scope), so the scope is checked, not the input.",
    ),
    api(
        "merges-api:undo",
        POST("child.merge", {"reason": "Not the same child.", "version": STALE}),
        targets=MERGES,
    ),
    # --- cases --------------------------------------------------------------------------------
    page(
        "cases:caseload", GET("case.view", {}, {"q": "Gulalaiqx"}, {"q": "KP-PSH"}, {"q": "PB-LHR"})
    ),
    page("cases:tasks", GET("case.view")),
    page("cases:dashboard", GET("case.supervise")),
    page(
        "cases:unassigned",
        GET("case.supervise"),
        POST("case.supervise"),
    ),
    page("cases:transfers", GET("case.supervise")),
    page(
        "cases:open",
        GET("case.work", {}, {"child": "<child_out>"}),
        POST("case.work", targets=("open_in", "open_out")),
    ),
    page(
        "cases:case",
        GET("case.view"),
        targets=CASES,
        note="A case asked to move into Lahore stays the sending district's until accepted.",
    ),
    page(
        "cases:action",
        POST("case.work"),
        targets=WORKED,
        variants=tuple({"action": a} for a in CASE_ACTIONS),
        note=PER_ACTION,
    ),
    page(
        "cases:event-correct",
        POST("case.work"),
        targets=("event_in", "event_out", "event_mixed"),
    ),
    page(
        "cases:transfer-decide",
        POST("case.supervise"),
        targets=("transfer_in", "transfer_out"),
        note="A transfer not waiting for the supervisor is answered by the inbox with the "
        "message that nothing was changed (302): checked by the transfer still waiting.",
    ),
    api(
        "cases-api:cases",
        GET("case.view", {}, {"q": "Gulalaiqx"}, {"q": "KP-PSH"}, {"q": "PB-LHR"}),
        POST("case.work", targets=("open_in", "open_out"), refused_400=True),
        note="Opening a case for a child out of reach is 400 (no child you can see has this id).",
    ),
    api("cases-api:case", GET("case.view"), targets=CASES),
    api(
        "cases-api:event-correct",
        POST("case.work"),
        targets=("event_in", "event_out", "event_mixed"),
    ),
    *(
        api(
            f"cases-api:action-{a}",
            POST("case.work"),
            targets=WORKED,
            note=PER_ACTION,
        )
        for a in CASE_ACTIONS
    ),
    api("tasks-api:tasks", GET("case.view", {}, {"mine": "true"})),
    api("transfers-api:transfers", GET("case.supervise")),
    api(
        "transfers-api:transfer-decision",
        POST("case.supervise"),
        targets=("transfer_in", "transfer_out"),
    ),
    api(
        "institutions-api:institutions",
        GET("case.view"),
        POST("institution.manage", targets=("none", "institution_in", "institution_out")),
        note="An administrator adds homes in the districts of their own scope only: the "
        "Punjab administrator's home in Peshawar is refused.",
    ),
    # --- the field app (offline casework on a phone) ------------------------------------------
    page("field:app", GET("case.work")),
    page(
        "field:manifest",
        GET(PUBLIC),
        note="The web app manifest names no record; a browser fetches it without cookies.",
    ),
    page(
        "field:service-worker",
        GET(PUBLIC),
        note="The service worker's script names no record; the browser fetches it to update "
        "it, signed in or not (tests/field/test_shell.py).",
    ),
    # --- field devices ------------------------------------------------------------------------
    page("field:devices", GET("case.supervise")),
    page(
        "field:device-revoke",
        POST("case.supervise", {"note": "Lost."}),
        variants=({"uuid": "not-a-uuid"}, {"uuid": "00000000-0000-0000-0000-000000000019"}),
        note="The world has no phone: called with a malformed and an unknown id (404 to a "
        "supervisor, 403 to the others). Phones in and out of a supervisor's scope: "
        "tests/field/test_devices.py.",
    ),
    # --- complaints ---------------------------------------------------------------------------
    page(
        "complaints:queue",
        GET("complaint.view", {}, {"view": "all"}, {"district": "PK528"}, {"district": "none"}),
    ),
    page(
        "complaints:register",
        GET("complaint.register"),
        POST("complaint.register", targets=("none", "complaint_new_in", "complaint_new_out")),
        note=REFUSED_ON_FORM,
    ),
    page("complaints:box", GET("complaint.register"), POST("complaint.register")),
    page("complaints:export", GET("complaint.view", {}, {"view": "all"})),
    page(
        "complaints:find",
        POST(
            "complaint.view",
            targets=("code_in", "code_province", "code_out"),
            refused_to="complaints:queue",
        ),
        note="A code of a complaint out of reach is answered by the queue with 'no complaint "
        "you can see has this tracking code' (302 to complaints:queue).",
    ),
    page("complaints:complaint", GET("complaint.view"), targets=COMPLAINTS),
    page(
        "complaints:action",
        POST("complaint.view"),
        targets=COMPLAINTS,
        variants=tuple({"action": a} for a in COMPLAINT_ACTIONS),
        note=PER_ACTION,
    ),
    api(
        "complaints-api:complaints",
        GET("complaint.view", {}, {"view": "all"}, {"district": "PK528"}),
        POST("complaint.register", targets=("none", "complaint_new_in", "complaint_new_out")),
    ),
    api("complaints-api:box", POST("complaint.register")),
    api(
        "complaints-api:triage-time",
        GET("settings.edit"),
        PUT("settings.edit", targets=("triage_in", "triage_out", "triage_default")),
        note="A provincial administrator sets the triage time of their province only, and not "
        "the national default.",
    ),
    api("complaints-api:complaint", GET("complaint.view"), targets=COMPLAINTS),
    api("complaints-api:matches", GET("complaint.triage"), targets=COMPLAINTS),
    *(
        api(
            f"complaints-api:action-{a}",
            POST("complaint.view"),
            targets=COMPLAINTS,
            note=PER_ACTION,
        )
        for a in COMPLAINT_ACTIONS
    ),
    # --- data exchange ------------------------------------------------------------------------
    page("exchange:standard", GET(AUTH)),
    page("exchange:record-type", GET(AUTH), targets=("record_type",)),
    page("exchange:schema", GET(AUTH), targets=("record_type_v",)),
    page("exchange:template-csv", GET(AUTH), targets=("record_type_v",)),
    page("exchange:template-xlsx", GET(AUTH), targets=("record_type_v",)),
    page("exchange:submit", GET("exchange.submit"), POST("exchange.submit")),
    page("exchange:submissions", GET("exchange.view")),
    page("exchange:submission", GET("exchange.view"), targets=SUBMISSIONS),
    page(
        "exchange:report",
        GET("exchange.view"),
        targets=SUBMISSIONS,
        variants=({"kind": "errors"}, {"kind": "rows"}),
    ),
    api("exchange-api:record-types", GET(AUTH)),
    api("exchange-api:schema", GET(AUTH), targets=("record_type_v",)),
    api(
        "exchange-api:submissions",
        GET("exchange.view"),
        POST("exchange.submit", targets=("none", "batch_health")),
        note="A police focal point sending health records is refused (403).",
    ),
    api("exchange-api:submission", GET("exchange.view"), targets=SUBMISSIONS),
    # --- linkage ------------------------------------------------------------------------------
    page("linkage:queue", GET("linkage.review")),
    page(
        "linkage:review",
        GET("linkage.review"),
        targets=REVIEWS,
        note="review_cross: a record of Lahore whose candidate is a child of Peshawar; its "
        "reviewer sees the record and the agreement, never the child (markers).",
    ),
    page("linkage:decide", POST("linkage.review"), targets=REVIEWS),
    page(
        "linkage:undo",
        POST("linkage.review", {"reason": "Wrong child.", "child": "<child_sup>"}),
        targets=("link_in", "link_out"),
    ),
    page(
        "linkage:link-by-hand",
        POST("linkage.review", {"child": "<child_sup>"}),
        targets=("record_in", "record_out"),
        note="Sent with a child in the reviewer's reach, so that the record's scope is what "
        "decides.",
    ),
    api("linkage-api:reviews", GET("linkage.review")),
    api("linkage-api:review", GET("linkage.review"), targets=REVIEWS),
    api(
        "linkage-api:decision",
        POST("linkage.review", {"decision": "same", "version": STALE}),
        targets=REVIEWS,
        note="Sent valid but stale (409 in scope), so the scope is checked, not the input.",
    ),
    api(
        "linkage-api:undo",
        POST("linkage.review", {"reason": "Wrong child.", "child": "<child_sup>"}),
        targets=("link_in", "link_out"),
    ),
    api("linkage-api:child-records", GET("child.view"), targets=CHILDREN),
    api("linkage-api:models", GET("linkage.manage")),
    api("linkage-api:waiting", GET("linkage.review")),
    api(
        "linkage-api:manual-link",
        POST("linkage.review", {"child": "<child_sup>"}),
        targets=("record_in", "record_out"),
    ),
    # --- audit, reference, notifications ------------------------------------------------------
    page("audit:list", GET("audit.view")),
    api("audit-api:api-events", GET("audit.view")),
    page("reference:page", GET(AUTH)),
    api("reference-api:jurisdictions", GET(AUTH)),
    api("reference-api:districts", GET(AUTH)),
    api("reference-api:departments", GET(AUTH)),
    api("reference-api:institution-types", GET(AUTH)),
    page(
        "notifications:dismiss",
        POST(AUTH),
        targets=("own_notification", "notification_out"),
        note="Anyone's own notification; another's is absent (404).",
    ),
    # --- background jobs ----------------------------------------------------------------------
    page("jobs:list", GET(AUTH)),
    page("jobs:queue", GET("settings.edit")),
    page(
        "jobs:run-now",
        POST("settings.edit"),
        variants=({"name": "housekeeping"},),
        note="Run now: the schedule's kind decides who may ask (403 otherwise).",
    ),
    page(
        "jobs:job",
        GET(AUTH),
        targets=("own_job", "job_out"),
        note="Anyone's own job; another's is absent (404).",
    ),
    page("jobs:result", GET(AUTH), targets=("own_job", "job_out")),
    page(
        "jobs:cancel",
        POST(AUTH),
        targets=("own_job", "job_out"),
        note="An ended job cannot be cancelled: the owner gets a message (302).",
    ),
    api("jobs-api:list", GET(AUTH), POST(AUTH, {"kind": "no.such.kind"})),
    api("jobs-api:detail", GET(AUTH), targets=("own_job", "job_out")),
    api("jobs-api:result", GET(AUTH), targets=("own_job", "job_out")),
    api(
        "jobs-api:cancel",
        POST(AUTH),
        targets=("own_job", "job_out"),
        note="An ended job cannot be cancelled: 400 for its owner.",
    ),
    # --- the law ------------------------------------------------------------------------------
    page("legal:catalogue", GET(AUTH)),
    page("legal:statute", GET(AUTH), targets=("statute",)),
    page("legal:provision", GET(AUTH), POST("legal.edit"), targets=("provision",)),
    page("legal:matrix", GET(AUTH)),
    page(
        "legal:matrix-export",
        GET(AUTH),
        variants=({"export": "xlsx"}, {"export": "docx"}),
    ),
    page("legal:matrix-gaps", GET(AUTH)),
    page(
        "legal:matrix-gaps-export",
        GET(AUTH),
        variants=({"export": "xlsx"}, {"export": "docx"}),
    ),
    page("legal:rules", GET(AUTH)),
    api("legal-api:statutes", GET(AUTH)),
    api("legal-api:provisions", GET(AUTH), POST("legal.edit")),
    api("legal-api:provision", GET(AUTH), PATCH("legal.edit"), targets=("provision",)),
    api("legal-api:provision-amend", POST("legal.edit"), targets=("provision",)),
    api("legal-api:provision-penalty", PUT("legal.edit"), targets=("provision",)),
    api("legal-api:sentence-check", POST(AUTH)),
    api("legal-api:articles", GET(AUTH)),
    api("legal-api:matrix", GET(AUTH)),
    api("legal-api:link-create", POST("legal.edit")),
    api("legal-api:link-delete", DELETE("legal.edit"), targets=("compliance_link",)),
    api("legal-api:rules", GET(AUTH)),
    # --- indicators ---------------------------------------------------------------------------
    page("indicators:browser", GET("aggregates.view")),
    page("indicators:dashboard", GET("aggregates.view", INDICATOR)),
    page(
        "indicators:export",
        GET("aggregates.view", INDICATOR),
        variants=({"fmt": "csv"}, {"fmt": "xlsx"}),
    ),
    page(
        "indicators:pivot",
        GET("aggregates.view", {**INDICATOR, "rows": "sex", "columns": "age_band", "ou": "PK-PB"}),
    ),
    page(
        "indicators:pivot-export",
        GET("aggregates.view", {**INDICATOR, "rows": "sex", "columns": "age_band"}),
        variants=({"fmt": "csv"}, {"fmt": "xlsx"}),
    ),
    page("indicators:annex", GET("aggregates.view", {"year": LAST_YEAR})),
    page("indicators:dhis2", GET("aggregates.view", {"period": LAST_YEAR})),
    page("indicators:dhis2-mapping", GET("indicators.configure"), POST("indicators.configure")),
    api("indicators-api:list", GET("aggregates.view")),
    api("indicators-api:table", GET("aggregates.view", INDICATOR)),
    api("indicators-api:export", GET("aggregates.view", {**INDICATOR, "format": "csv"})),
    api(
        "indicators-api:pivot",
        GET("aggregates.view", {**INDICATOR, "rows": "opsc_category", "columns": "sex"}),
    ),
    api(
        "indicators-api:pivot-export",
        GET("aggregates.view", {**INDICATOR, "rows": "sex", "columns": "total", "format": "csv"}),
    ),
    api("indicators-api:annex", GET("aggregates.view", {"year": LAST_YEAR})),
    api("indicators-api:dhis2", GET("aggregates.view", {"period": LAST_YEAR})),
    api(
        "indicators-api:dhis2-mapping",
        GET("indicators.configure"),
        PUT("indicators.configure"),
    ),
    # --- oversight ----------------------------------------------------------------------------
    page("oversight:index", GET("oversight.view")),
    page("oversight:activities", GET("oversight.view")),
    page("oversight:activity-new", GET("oversight.edit"), POST("oversight.edit")),
    page(
        "oversight:activity", GET("oversight.view"), POST("oversight.edit"), targets=("activity",)
    ),
    page("oversight:legal-requests", GET("oversight.view")),
    page("oversight:legal-request-new", GET("oversight.edit"), POST("oversight.edit")),
    page(
        "oversight:legal-request",
        GET("oversight.view"),
        POST("oversight.edit"),
        targets=("legal_request",),
    ),
    page("oversight:recommendations", GET("oversight.view")),
    page("oversight:recommendation-new", GET("oversight.edit"), POST("oversight.edit")),
    page("oversight:recommendation", GET("oversight.view"), targets=("recommendation",)),
    page(
        "oversight:recommendation-edit",
        GET("oversight.edit"),
        POST("oversight.edit"),
        targets=("recommendation",),
    ),
    page("oversight:assignment-set", POST("oversight.edit"), targets=("recommendation",)),
    page(
        "oversight:assignment-report",
        POST(("oversight.edit", "oversight.respond")),
        targets=("assignment_in", "assignment_out"),
        note="An editor reports on any assignment; a focal point on their department's only.",
    ),
    api("oversight-api:activities", GET("oversight.view"), POST("oversight.edit")),
    api(
        "oversight-api:activity",
        GET("oversight.view"),
        PATCH("oversight.edit"),
        targets=("activity",),
    ),
    api("oversight-api:legal-requests", GET("oversight.view"), POST("oversight.edit")),
    api(
        "oversight-api:legal-request",
        GET("oversight.view"),
        PATCH("oversight.edit"),
        targets=("legal_request",),
    ),
    api("oversight-api:recommendations", GET("oversight.view"), POST("oversight.edit")),
    api(
        "oversight-api:recommendation",
        GET("oversight.view"),
        PATCH("oversight.edit"),
        targets=("recommendation",),
    ),
    api("oversight-api:assignments", POST("oversight.edit"), targets=("recommendation",)),
    api(
        "oversight-api:reports",
        POST(("oversight.edit", "oversight.respond")),
        targets=("assignment_in", "assignment_out"),
        note="An editor reports on any assignment; a focal point on their department's only.",
    ),
    # --- the report -----------------------------------------------------------------------------
    page(
        "reporting:list",
        GET("report.view"),
        POST("report.edit"),
        note="A reader who may not edit is refused a new edition as 404 (the form is not theirs).",
    ),
    page("reporting:edition", GET("report.view"), targets=("edition",)),
    page("reporting:compare", GET("report.view")),
    page("reporting:status", POST("report.edit"), targets=("edition",)),
    page("reporting:edit", GET("report.edit"), POST("report.edit"), targets=("section",)),
    page("reporting:history", GET("report.view"), targets=("section",)),
    page("reporting:comment", POST("report.comment"), targets=("section",)),
    page(
        "reporting:resolve",
        POST("report.edit"),
        targets=("comment",),
        note="The comment is the analyst's: another commenter is refused by the service, shown "
        "as a message on the edition (302): checked by the comment staying open.",
    ),
    page("reporting:docx", GET("report.view"), targets=("edition",)),
    page("reporting:pdf", GET("report.view"), targets=("edition",)),
    page("reporting:annex", GET("report.view"), targets=("edition",)),
    page("reporting:prepare", POST("report.view", {"format": "docx"}), targets=("edition",)),
    api("reporting-api:editions", GET("report.view"), POST("report.edit")),
    api("reporting-api:edition", GET("report.view"), targets=("edition",)),
    api("reporting-api:status", POST("report.edit"), targets=("edition",)),
    api(
        "reporting-api:versions",
        GET("report.view"),
        POST("report.edit"),
        targets=("section",),
    ),
    api("reporting-api:diff", GET("report.view", {"old": "1", "new": "1"}), targets=("section",)),
    api(
        "reporting-api:comments",
        GET("report.view"),
        POST("report.comment"),
        targets=("section",),
    ),
    api(
        "reporting-api:resolve",
        POST("report.edit"),
        targets=("comment",),
        note="The comment is the analyst's: another commenter is refused (403).",
    ),
    api("field-api:devices", POST("case.work")),
    api(
        "field-api:device-status",
        POST(PUBLIC, {"secret": "guess"}),
        variants=({"uuid": "00000000-0000-4000-8000-000000000000"},),
        note="A phone's question, without a session: any id or secret not a device's own is "
        "told to wipe (tests/field/test_sync.py).",
    ),
    api(
        "field-api:device-sign-out",
        POST("case.work"),
        variants=({"uuid": "00000000-0000-4000-8000-000000000000"},),
    ),
    api(
        "field-api:pack",
        GET("case.work", ok=(410,)),
        note="Without the header naming an enrolled phone (the route world enrols none), an "
        "officer is told to wipe (410); the pack's scope is tested in tests/field/test_sync.py.",
    ),
    api("field-api:sync", POST("case.work")),
    api("field-api:resolve", POST("case.work")),
    api("reporting-api:docx", GET("report.view"), targets=("edition",)),
    api("reporting-api:pdf", GET("report.view"), targets=("edition",)),
    api("reporting-api:annex", GET("report.view"), targets=("edition",)),
)
TABLE: dict[str, Route] = {r.name: r for r in TABLE_ROUTES}

# Routes on which a role receives the identifiers (UUIDs, case numbers, usernames) of records
# it may not read, by design (checked by hand); their names and narratives stay checked.
AUDIT_TRAIL = (
    "The audit trail names every record by its identifier and every actor by username; "
    "access.audit_events_visible_to gives a national holder of audit.view (the auditor) all "
    "of it; the Punjab administrator what Punjab's accounts did (tests/audit/test_scope.py). "
    "No name or narrative is in it (checked)."
)
IDS_BY_DESIGN: dict[tuple[str, str], str] = {
    (route, role): AUDIT_TRAIL
    for route in ("audit:list", "audit-api:api-events")
    for role in ("administrator", "auditor")
}

# Known leaks: (route, role) -> reason. Each is an xfail(strict=True): fix it, and remove it.
KNOWN_LEAKS: dict[tuple[str, str], str] = {}


# --- the resolver -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    key: str  # namespace:name, or the pattern where it has no name
    pattern: str
    callback: Any


def resolved_routes() -> list[Resolved]:
    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Resolved]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                pattern = prefix + str(p.pattern)
                key = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else pattern
                yield Resolved(key, pattern, p.callback)

    return list(walk(get_resolver().url_patterns, "", ""))


def view_methods(callback: Any) -> set[str]:
    """The methods a view answers: a DRF view's handlers, the list of Django's
    ``require_http_methods`` (require_GET, require_POST), or for a function that takes any
    method, GET and, when it looks at ``request.method``, POST."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return {
            m.upper()
            for m in view_class.http_method_names
            if m not in {"options", "head"} and hasattr(view_class, m)
        }
    fn = callback
    while fn is not None:
        free = getattr(getattr(fn, "__code__", None), "co_freevars", ())
        if "request_method_list" in free:
            cell = fn.__closure__[free.index("request_method_list")]
            return {m for m in cell.cell_contents if m != "HEAD"}
        fn = getattr(fn, "__wrapped__", None)
    # A function that takes any method: it answers a POST when it reads one.
    source = inspect.getsource(inspect.unwrap(callback))
    return {"GET", "POST"} if "request.method" in source else {"GET"}


# --- the world ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Made once for the module, in a transaction rolled back at its end; each test runs in
    a savepoint of it (the ``db`` fixture), so a write that succeeds is undone."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def sessions(world: World, django_db_blocker: Any) -> dict[str, str]:
    """A signed-in session per role (the API accepts session authentication)."""
    keys = {}
    with django_db_blocker.unblock():
        for role, user in world.users.items():
            client = Client()
            client.force_login(user)
            keys[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


@pytest.fixture(autouse=True)
def _lighter_report_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's PDF is answered as the HTML it would be printed from (WeasyPrint takes
    tens of seconds for the report, and compresses the text beyond a search for markers),
    and its DOCX with the first tables of the annex only (python-docx takes seconds for its
    hundred tables; the HTML has them all). What is checked here is who gets the report and
    what it says; tests/reporting checks the printing."""
    from cpmis.reporting import document

    render_docx = document.render_docx

    def docx(content: Any) -> bytes:
        tables = [b for b in content.blocks if isinstance(b, document.Table)][8:]
        blocks = [b for b in content.blocks if not any(b is t for t in tables)]
        return render_docx(dataclasses.replace(content, blocks=blocks))

    monkeypatch.setattr(document, "render_docx", docx)
    monkeypatch.setattr(
        document, "render_pdf", lambda content: document.render_html(content).encode()
    )


# --- one call -----------------------------------------------------------------------------------


def body_text(response: Any) -> str:
    content = (
        b"".join(response.streaming_content) if response.streaming else bytes(response.content)
    )
    if content[:4] == b"PK\x03\x04":  # XLSX, DOCX: search the XML inside
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"\n".join(archive.read(n) for n in archive.namelist())
    return content.decode("utf-8", "replace")


def _resolve_value(value: Any, world: World, role: str) -> Any:
    if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
        return str(world.objects[value[1:-1]].uuid)
    return value


def _holds(role: str, cap: str | tuple[str, ...]) -> bool:
    if cap == PUBLIC:
        return True
    if role == ANONYMOUS:
        return False
    if cap == AUTH:
        return True
    caps = (cap,) if isinstance(cap, str) else cap
    return any(c in CAPS[role] for c in caps)


@dataclass
class Call:
    route: Route
    op: Op
    role: str
    target_name: str
    target: Target
    url: str
    data: dict[str, Any] | None
    query: dict[str, str] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return _holds(self.role, self.op.cap) and (
            self.op.cap == PUBLIC or self.role in self.target.readers
        )

    def describe(self) -> str:
        q = f"?{urlencode(self.query)}" if self.query else ""
        body = f" body={self.data}" if self.data else ""
        return f"{self.op.method} {self.url}{q} [{self.target_name}]{body}"


def send(client: Client, call: Call) -> Any:
    method = call.op.method.lower()
    if call.op.method == "GET":
        return client.get(call.url, call.query)
    if call.route.api:
        return getattr(client, method)(
            call.url, json.dumps(call.data or {}, default=str), content_type="application/json"
        )
    if call.op.method == "POST":
        return client.post(call.url, call.data or {})
    return getattr(client, method)(call.url)


def expectation_problems(call: Call, response: Any) -> list[str]:
    status = response.status_code
    location = response.get("Location", "")
    if status >= 500:
        return [f"server error {status}"]
    if call.allowed:
        if call.op.method == "GET" and status not in call.op.ok:
            return [f"allowed read answered {status} {location}"]
        return []
    if call.op.method != "GET" and call.target.took_effect is not None:
        if call.target.took_effect():
            return [f"refused write took effect ({status} {location})"]
        if call.role != ANONYMOUS:
            return []  # refused, whether by status, message or form errors
    if call.role == ANONYMOUS:
        if call.route.api and status in (401, 403):
            return []
        if not call.route.api and status == 302 and location.startswith(LOGIN):
            return []
        return [f"anonymous request answered {status} {location}"]
    if status in (403, 404):
        return []
    if status == 405 and call.op.method != "GET":
        return []
    if call.op.refused_400 and status == 400:
        return []
    if (
        call.op.refused_to
        and status == 302
        and resolve(urlsplit(location).path).view_name == call.op.refused_to
    ):
        return []
    return [f"refused request answered {status} {location}"]


def marker_problems(world: World, call: Call, text: str, request_text: str) -> list[str]:
    ids_by_design = (call.route.name, call.role) in IDS_BY_DESIGN
    found = []
    for marker in world.markers:
        if call.role in marker.readers:
            continue
        for word in (*marker.words, *(() if ids_by_design else marker.ids)):
            if word in text and word not in request_text:
                found.append(f"{word!r} ({marker.what})")
    return (
        [f"answer ({call.op.method} {len(text)} chars) holds {', '.join(found)}"] if found else []
    )


def calls(world: World, route: Route, role: str) -> Iterator[Call]:
    # A role stopped at the route's gate (no capability for any of its methods) is called on
    # every target, with the first variant and query only (the first action, say): the gate
    # comes before the slug or the query is read.
    gated = not any(_holds(role, op.cap) for op in route.ops)
    for op in route.ops:
        for target_name in op.targets or route.targets:
            target = world.targets[target_name]
            for variant in route.variants[:1] if gated else route.variants:
                kwargs = {**target.kwargs, **variant}
                if kwargs.get("pk") == "own":
                    owner = role if role != ANONYMOUS else "outsider"
                    kwargs["pk"] = world.objects["notifications"][owner]
                if kwargs.get("job_id") == "own":
                    owner = role if role != ANONYMOUS else "outsider"
                    kwargs["job_id"] = world.objects["jobs"][owner]
                url = reverse(route.name, kwargs=kwargs)
                data = None
                if op.method != "GET":
                    data = {
                        k: _resolve_value(v, world, role)
                        for k, v in {**(op.data or {}), **target.data}.items()
                    }
                queries = op.queries if op.method == "GET" else ({},)
                for query in queries[:1] if gated else queries:
                    query = {k: _resolve_value(v, world, role) for k, v in query.items()}
                    yield Call(route, op, role, target_name, target, url, data, query)


def _params() -> list[Any]:
    params = []
    for route in TABLE_ROUTES:
        for role in route.roles:
            marks = []
            if (route.name, role) in KNOWN_LEAKS:
                marks.append(
                    pytest.mark.xfail(strict=True, reason=f"LEAK: {KNOWN_LEAKS[route.name, role]}")
                )
            params.append(pytest.param(route.name, role, id=f"{route.name}|{role}", marks=marks))
    return params


@pytest.mark.parametrize(("name", "role"), _params())
def test_route_as_role(world: World, sessions: dict[str, str], name: str, role: str) -> None:
    route = TABLE[name]
    client = Client()
    if role != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
    problems = []
    for call in calls(world, route, role):
        response = send(client, call)
        if DUMP:
            with open(DUMP, "a") as out:
                out.write(
                    f"{name}\t{role}\t{call.describe()}\t{call.allowed}\t"
                    f"{response.status_code}\t{response.get('Location', '')}\n"
                )
        request_text = call.url + json.dumps(call.query) + json.dumps(call.data or {}, default=str)
        found = expectation_problems(call, response)
        found += marker_problems(world, call, body_text(response), request_text)
        problems += [f"{call.describe()}: {p}" for p in found]
    note = f"\n  (hand-checked: {route.note})" if route.note else ""
    assert not problems, f"{name} as {role}:\n  " + "\n  ".join(problems) + note


# --- the markers are there to be found -------------------------------------------------------

# (route, target, kwargs added, who reads, a marker word it must show): so that a marker's
# absence elsewhere means something.
SHOWN = (
    ("people:child-detail", "child_in", {}, "cpo", "Qudsiaqx"),
    ("people:child-detail", "child_sup", {}, "supervisor", "Supervised"),
    ("people:child-detail", "child_out", {}, "kp_cpo", "Peshawarout"),
    ("people-api:api-child", "child_out", {}, "kp_cpo", "Gulalaiqx"),
    ("cases:case", "case_out", {}, "kp_cpo", "KP-PSH-"),
    ("cases:transfers", "none", {}, "supervisor", "KP-PSH-"),
    ("complaints:complaint", "complaint_out", {}, "kp_supervisor", "Kpcomplqx"),
    ("complaints:complaint", "complaint_in", {}, "complaint_officer", "Lahcomplqx"),
    ("exchange:report", "submission_in", {"kind": "rows"}, "focal_point", "Rejinqx"),
    ("exchange:report", "submission_kp", {"kind": "rows"}, "kp_police", "Rejkpqx"),
    ("exchange:report", "submission_health", {"kind": "rows"}, "pb_health", "Rejhealthqx"),
    ("linkage:review", "review_out", {}, "kp_supervisor", "Wajidqx"),
    ("linkage:review", "review_in", {}, "supervisor", "Shakeelqx"),
    ("core:home", "none", {}, "kp_cpo", "Notekpqx"),
    ("core:home", "none", {}, "analyst", "PB-LHR-0 for analyst"),
    ("accounts:user-list", "none", {}, "administrator", "dualqx"),
)


@pytest.mark.parametrize(
    ("name", "target", "extra", "reader", "word"), SHOWN, ids=[f"{s[0]}|{s[3]}" for s in SHOWN]
)
def test_markers_reach_who_may_read_them(
    world: World, name: str, target: str, extra: dict[str, Any], reader: str, word: str
) -> None:
    client = Client()
    client.force_login(world.users.get(reader) or world.objects[reader])
    response = client.get(reverse(name, kwargs={**world.targets[target].kwargs, **extra}))
    assert response.status_code == 200
    assert word in body_text(response)
    assert any(word in m.words or any(word in i for i in m.ids) for m in world.markers)


# --- completeness -------------------------------------------------------------------------------


def test_every_route_has_an_entry() -> None:
    resolved = resolved_routes()
    keys = [r.key for r in resolved]
    assert len(keys) == len(set(keys)), "two routes share a name: key the table by pattern"
    missing = [f"{r.key} ({r.pattern})" for r in resolved if r.key not in TABLE]
    assert not missing, "routes without an entry in tests/test_routes.py TABLE:\n  " + "\n  ".join(
        missing
    )
    stale = sorted(set(TABLE) - set(keys))
    assert not stale, f"entries of TABLE that no longer resolve: {stale}"


def test_every_method_a_view_answers_is_called() -> None:
    problems = []
    for r in resolved_routes():
        said = view_methods(r.callback)
        if r.key not in TABLE:
            continue
        called = {op.method for op in TABLE[r.key].ops}
        if called != said:
            problems.append(
                f"{r.key}: the view answers {sorted(said)}, TABLE calls {sorted(called)}"
            )
    assert not problems, "\n".join(problems)


def test_static_files_are_public(client: Client) -> None:
    """Static files are served by WhiteNoise, before the resolver: public, and no record."""
    response = client.get("/static/cpmis/app.css")
    assert response.status_code == 200
    assert "text/css" in response["Content-Type"]


def test_every_role_is_called() -> None:
    from cpmis.accounts.roles import Role

    bound = {spec["role"] for specs in ROLE_SPECS.values() for spec in specs}
    assert bound == set(Role.values), "a role of cpmis.accounts.roles has no persona here"


# --- every page in Urdu ----------------------------------------------------------------------

# Words that are the same in both languages (names of things, formats, units).
SAME_IN_BOTH = frozenset(
    [
        "cpmis",
        "English",
        "DHIS2",
        "API",
        "CSV",
        "XLSX",
        "PDF",
        "DOCX",
        "JSON",
        "OPSC",
        "CNIC",
        "PPC",
        "FIA",
        "OpenAPI",
        "ReDoc",
        "Swagger",
        "UTF",
        "ISO",
        "KB",
        "MB",
        "Nastaliq",
        "Noto",
        "OK",
        "Ctrl",
        "Tab",
        "Enter",
        "Word",
    ]
)
_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_/.@-])[A-Za-z][a-z]+(?:['’][a-z]+)?(?![A-Za-z0-9_/.@-])")


class _ShownText(HTMLParser):
    """The text a reader sees: text nodes, placeholders and labels for assistive technology;
    not scripts, styles, drawings, code, isolated values (<bdi>) or what is marked English."""

    # textarea: what a person edits (a DHIS2 mapping, a report's text) is data
    SKIP = frozenset(
        {"script", "style", "svg", "code", "bdi", "template", "pre", "kbd", "textarea"}
    )
    VOID = frozenset({"input", "br", "img", "meta", "link", "hr", "col", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # for each open element: is its text skipped?
        self.parts: list[str] = []

    BLOCK = frozenset(
        [
            "p",
            "div",
            "li",
            "td",
            "th",
            "tr",
            "dt",
            "dd",
            "br",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "option",
            "label",
            "button",
            "section",
            "nav",
            "header",
            "footer",
            "main",
            "ul",
            "ol",
            "table",
            "caption",
            "figure",
            "figcaption",
            "summary",
            "details",
            "form",
        ]
    )

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCK:
            self.parts.append(" ")
        a = dict(attrs)
        skipped = (self.stack[-1] if self.stack else False) or tag in self.SKIP
        skipped = skipped or a.get("lang") == "en" or "hidden" in a
        if not skipped:
            self.parts += [f" {a[k]} " for k in ("placeholder", "aria-label", "title") if a.get(k)]
        if tag not in self.VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCK:
            self.parts.append(" ")
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def shown_text(html: str) -> str:
    body = html[html.find("<body") :] if "<body" in html else html
    parser = _ShownText()
    parser.feed(body)
    return " ".join("".join(parser.parts).split())


def _data_texts() -> list[str]:
    """Every text value stored in the database (names, notes, the law's titles and text…),
    longest first: what a page shows as it was written, in whatever language it was."""
    from django.apps import apps
    from django.db import models as m

    found: set[str] = set()

    def add(value: Any) -> None:
        if isinstance(value, str):
            if len(value) > 1 and re.search("[A-Za-z]", value):
                found.add(" ".join(value.split()))
        elif isinstance(value, dict):
            for item in value.values():
                add(item)
        elif isinstance(value, list):
            for item in value:
                add(item)

    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (m.CharField, m.TextField, m.JSONField)) and not f.choices
        ]
        if fields:
            for row in model.objects.values_list(*fields):
                for value in row:
                    add(value)
    # The codes of the department data standard (a sex, a relation, a source), written as
    # the standard writes them.
    from cpmis.exchange.standard import record_types

    for rt in record_types():
        for f in rt.fields:
            add(f["name"])
            add(f.get("constraints", {}).get("enum", []))
    return sorted(found, key=len, reverse=True)


# Names that stay as they are in Urdu text: statutes cited (ICT Child Protection Act 2018
# s.28), standards and products.
_CITATION = re.compile(r"(?:\b[A-Z][A-Za-z.'’-]*\s+){1,12}\d{4}\b(?:\s+s\.\s?\d+[\w()-]*)?")
_QUOTED = re.compile(r"“[^”]{1,40}”")  # an example of what to type: “trafficking”
_PROPER_NAMES = ("Frictionless Table Schema", "Table Schema", "Excel", "Windows")


def english_left(text: str, data: list[str]) -> list[str]:
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    text = _CITATION.sub(" ", text)
    text = _QUOTED.sub(" ", text)
    for name in _PROPER_NAMES:
        text = text.replace(name, " ")
    return [
        w
        for w in _LATIN_WORD.findall(text)
        if w not in SAME_IN_BOTH and not (w.isupper() and len(w) <= 6)
    ]


def _urdu_pages() -> list[Any]:
    params = []
    for route in TABLE_ROUTES:
        if route.api or not any(op.method == "GET" for op in route.ops):
            continue
        for role in route.roles:
            if role != ANONYMOUS or any(op.cap == PUBLIC for op in route.ops):
                params.append(pytest.param(route.name, role, id=f"{route.name}|{role}"))
    return params


@pytest.fixture(scope="module")
def data_texts(world: World, django_db_blocker: Any) -> list[str]:
    with django_db_blocker.unblock():
        return _data_texts()


@pytest.mark.parametrize(("name", "role"), _urdu_pages())
def test_every_page_in_urdu_as_role(
    world: World, sessions: dict[str, str], data_texts: list[str], name: str, role: str
) -> None:
    """Each page a role may read, asked for in Urdu: written right to left in Urdu, with no
    English left but what people and the law wrote (names, notes, statutes) and codes."""
    route = TABLE[name]
    client = Client(HTTP_ACCEPT_LANGUAGE="ur")
    if role != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
    problems = []
    for call in calls(world, route, role):
        if call.op.method != "GET" or not call.allowed:
            continue
        response = send(client, call)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = body_text(response)
        if '<html lang="ur" dir="rtl">' not in html:
            problems.append(f"{call.describe()}: not marked lang=ur dir=rtl")
        left = english_left(shown_text(html), data_texts)
        if left:
            problems.append(f"{call.describe()}: English left: {' '.join(dict.fromkeys(left))}")
    assert not problems, f"{name} as {role} in Urdu:\n  " + "\n  ".join(problems)
