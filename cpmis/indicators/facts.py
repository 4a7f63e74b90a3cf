"""The records each indicator counts, as rows with one column per disaggregation.

A source is a queryset (counted by the database) or, where the record keeps what is counted in
a list (the offences a department record cites), a stream of rows counted in Python. Every
source starts from ``cpmis.access``: an analyst's figures cover the districts of their scope.

Age is the child's age on the day of the counted event, in whole years; the period is that
day in Pakistan's time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractQuarter, ExtractYear
from django.db.models.lookups import IsNull, LessThan
from django.utils import timezone

from cpmis import access
from cpmis.actors import Actor

from . import justice

# The most serious concern decides a case's OPSC category (one category per case).
CONCERN_CATEGORY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sale", ("trafficked",)),
    ("prostitution", ("sexually_exploited",)),
    ("pornography", ("pornography",)),
    ("related", ("sexually_abused", "child_marriage", "child_labour", "begging")),
)
CATEGORY_ORDER = ("sale", "prostitution", "pornography", "related", "other")
SERVICE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("medical", ("medic", "health", "hospital", "doctor")),
    ("psychosocial", ("psycho", "counsel", "trauma", "mental")),
    ("legal_aid", ("legal", "lawyer")),
    ("education", ("school", "educat")),
    ("shelter", ("shelter", "home", "dar-ul", "darul")),
    ("family_tracing", ("tracing", "reunif", "family")),
    ("vocational", ("vocation", "skill", "livelihood")),
)
NONE_KEY = "none"  # a record with no district yet, or a register entry for the federation


@dataclass(frozen=True)
class Window:
    """A period: from ``start`` (inclusive) to ``end`` (exclusive), dates in Pakistan's time."""

    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end, time.min, tzinfo=tz),
        )


@dataclass
class Source:
    name: str
    date_field: str  # the day that places a row in a period
    dated: str  # "datetime" or "date"
    unit: str  # the field whose distinct values are counted (a row per unit when "pk")
    child: str  # the field of the counted child, for "count_children"
    dimensions: dict[str, Callable[[], Any]]
    base: Callable[[Any, Window], QuerySet[Any]] | None = None
    rows: Callable[[Any, Window], Iterator[dict[str, Any]]] | None = None
    # the same rows as one PostgreSQL query (columns u, d_*), where the ORM cannot write them
    sql: Callable[[Any, Window], tuple[str, list[Any]] | None] | None = None
    flag: Callable[[], Any] | None = None  # share: 1 when on time
    amount: str = ""  # sum: the field summed
    district_prefix: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def in_python(self) -> bool:
        return self.rows is not None


def _period_q(source: Source, window: Window) -> Q:
    if source.dated == "datetime":
        start, end = window.bounds()
    else:
        start, end = window.start, window.end  # type: ignore[assignment]
    return Q(**{f"{source.date_field}__gte": start, f"{source.date_field}__lt": end})


def _scoped(user: Actor, queryset: QuerySet[Any], district_path: str) -> QuerySet[Any]:
    q = access.scope_filter(user, "aggregates.view", district_path=district_path)
    return queryset.none() if q is None else queryset.filter(q)


# --- expressions shared by the sources --------------------------------------------------------


def _ymd(path: str) -> Any:
    return ExtractYear(path) * 10000 + ExtractMonth(path) * 100 + ExtractDay(path)


class _AgeBandPg(Func):
    """PostgreSQL: the age band from one evaluation of the day gap (``to_char`` and
    ``width_bucket``), where the portable form repeats it in every branch."""

    output_field = CharField()

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        dob_sql, dob_params = compiler.compile(self.source_expressions[0])
        on_sql, on_params = compiler.compile(self.source_expressions[1])
        sql = (
            "COALESCE((ARRAY['unknown', '0-4', '5-9', '10-14', '15-17', 'unknown'])["
            f"width_bucket(to_char(({on_sql}) AT TIME ZONE %s, 'YYYYMMDD')::int"
            f" - to_char({dob_sql}, 'YYYYMMDD')::int, ARRAY[0, 50000, 100000, 150000, 180000])"
            " + 1], 'unknown')"
        )
        return sql, [*on_params, timezone.get_current_timezone_name(), *dob_params]


class _OpscCategoryPg(Func):
    """PostgreSQL: the most serious concern through jsonb's ``?|`` (a case's concerns are a
    list of codes)."""

    output_field = CharField()

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        concerns_sql, params = compiler.compile(self.source_expressions[0])
        whens, values = [], []
        for key, found in CONCERN_CATEGORY:
            whens.append(f"WHEN ({concerns_sql}) ?| %s THEN %s")
            values.extend([*params, list(found), key])
        return f"CASE {' '.join(whens)} ELSE 'other' END", values


def age_band(dob: str, on: str) -> Any:
    """0–4, 5–9, 10–14, 15–17 from the birth date and the event's day (whole years): the gap
    between the two days written YYYYMMDD, in Pakistan's time."""
    if connection.vendor == "postgresql":
        return _AgeBandPg(F(dob), F(on))
    gap = ExpressionWrapper(_ymd(on) - _ymd(dob), output_field=IntegerField())
    bands = [(0, "unknown"), (50000, "0-4"), (100000, "5-9"), (150000, "10-14"), (180000, "15-17")]
    return Case(
        When(IsNull(F(dob), True), then=Value("unknown")),
        *(When(LessThan(gap, Value(limit)), then=Value(band)) for limit, band in bands),
        default=Value("unknown"),
    )


def opsc_category(concerns: str) -> Any:
    if connection.vendor == "postgresql":
        return _OpscCategoryPg(F(concerns))
    whens = [
        When(
            Q.create([(f"{concerns}__icontains", f'"{c}"') for c in found], connector=Q.OR),
            then=Value(key),
        )
        for key, found in CONCERN_CATEGORY
    ]
    return Case(*whens, default=Value("other"))


def _nationality(path: str) -> Any:
    return Case(
        When(**{path: "PK"}, then=Value("PK")),
        When(**{path: "AF"}, then=Value("AF")),
        default=Value("other"),
    )


def _disability(path: str) -> Any:
    return Case(
        When(**{path: True}, then=Value("yes")),
        When(**{path: False}, then=Value("no")),
        default=Value("unknown"),
    )


def _child_dimensions(prefix: str, on: str) -> dict[str, Callable[[], Any]]:
    """The disaggregations of a child's case, with ``prefix`` the path to the case."""
    child = f"{prefix}child__"
    return {
        "jurisdiction": lambda: F(f"{prefix}district__jurisdiction_id"),
        "district": lambda: F(f"{prefix}district_id"),
        "sex": lambda: F(f"{child}sex"),
        "age_band": lambda: age_band(f"{child}date_of_birth", on),
        "locality": lambda: F(f"{child}locality"),
        "nationality": lambda: _nationality(f"{child}nationality"),
        "disability": lambda: _disability(f"{child}has_disability"),
        "opsc_category": lambda: opsc_category(f"{prefix}concerns"),
    }


def _period_dimensions(path: str) -> dict[str, Callable[[], Any]]:
    return {"quarter": lambda: ExtractQuarter(path), "month": lambda: ExtractMonth(path)}


def spans_years(window: Window) -> bool:
    """Whether ``window`` covers days of more than one calendar year (the last 12 months, a
    reporting period of several years): then a month or a quarter of the year names more than
    one stretch of time, and the period dimensions carry the year (``year_qualified``)."""
    return window.start.year != (window.end - timedelta(days=1)).year


def year_qualified(name: str, path: str) -> Any:
    """The month as 202503 and the quarter as 20251 (year and quarter), for windows that span
    years: March 2025 and March 2026 are two categories, never one."""
    if name == "month":
        return ExtractYear(path) * 100 + ExtractMonth(path)
    return ExtractYear(path) * 10 + ExtractQuarter(path)


# --- the sources -----------------------------------------------------------------------------


def _complaints(user: Actor, window: Window) -> QuerySet[Any]:
    q = access.complaint_scope(user, "aggregates.view")
    from cpmis.complaints.models import Complaint

    if q is None:
        return Complaint.objects.none()
    return Complaint.objects.filter(q, duplicate_of__isnull=True)


def _cases(user: Actor, window: Window) -> QuerySet[Any]:
    from cpmis.cases.models import Case as CaseModel

    return _scoped(user, CaseModel.objects.all(), "district")


def _tasks(kind: str) -> Callable[[Any, Window], QuerySet[Any]]:
    def base(user: Actor, window: Window) -> QuerySet[Any]:
        from cpmis.cases.models import Task

        # due in the period, and either done or overdue by now: a task still running is
        # neither on time nor late yet
        done_or_due = Q(done_at__isnull=False) | Q(due_at__lte=timezone.now())
        return _scoped(user, Task.objects.filter(done_or_due, kind=kind), "case__district")

    return base


def _on_time() -> Any:
    return Case(
        When(Q(done_at__isnull=False) & Q(done_at__lte=F("due_at")), then=Value(1)),
        default=Value(0),
    )


def _events(kind: str) -> Callable[[Any, Window], QuerySet[Any]]:
    def base(user: Actor, window: Window) -> QuerySet[Any]:
        from cpmis.cases.models import CaseEvent

        events = CaseEvent.objects.filter(kind=kind)
        if kind == "follow_up_visit":
            # within six months after a release of the same case (the follow-up the law sets)
            released = CaseEvent.objects.filter(
                case_id=OuterRef("case_id"),
                kind="released",
                occurred_at__lte=OuterRef("occurred_at"),
                occurred_at__gte=OuterRef("occurred_at") - timedelta(days=183),
            )
            events = events.filter(Exists(released))
        return _scoped(user, events, "case__district")

    return base


def _service_type() -> Any:
    whens = [
        When(
            Q.create([("_service__icontains", w) for w in words], connector=Q.OR),
            then=Value(key),
        )
        for key, words in SERVICE_KEYWORDS
    ]
    return Case(*whens, default=Value("other"))


def _register(model: str, **filters: Any) -> Callable[[Any, Window], QuerySet[Any]]:
    """A register of national oversight (not about children): every holder of
    ``aggregates.view`` sees all of it."""

    def base(user: Actor, window: Window) -> QuerySet[Any]:
        manager = apps.get_model("oversight", model).objects
        if not access.has_capability(user, "aggregates.view"):
            return manager.none()  # type: ignore[no-any-return]
        return manager.filter(**filters)  # type: ignore[no-any-return]

    return base


def _register_jurisdiction(path: str) -> Callable[[], Any]:
    return lambda: F(path)


def _register_source(
    name: str,
    date_field: str,
    dimensions: dict[str, Callable[[], Any]],
    model: str,
    kind: str,
    amount: str = "",
) -> Source:
    """Activities of one kind in the prevention register (or their participants)."""
    path = "kind" if model == "PreventionActivity" else "activity__kind"
    return Source(
        name=name,
        date_field=date_field,
        dated="date",
        unit="pk",
        child="",
        dimensions=dimensions,
        base=_register(model, **{path: kind}),
        amount=amount,
    )


def _case_source(
    name: str, base: Callable[[Any, Window], QuerySet[Any]], on: str, prefix: str, **kw: Any
) -> Source:
    return Source(
        name=name,
        date_field=on,
        dated="datetime",
        unit=kw.pop("unit", "pk"),
        child=f"{prefix}child_id",
        dimensions={
            **_period_dimensions(on),
            **_child_dimensions(prefix, on),
            **kw.pop("dims", {}),
        },
        base=base,
        district_prefix=prefix,
        **kw,
    )


def _justice_source(name: str, *, per_offence: bool) -> Source:
    dims = [
        *("quarter", "month", "jurisdiction", "district", "sex", "age_band"),
        *("stage", "opsc_category", "sentence_range"),
    ]
    if per_offence:
        dims.append("offence")
    return Source(
        name=name,
        date_field="record_date",
        dated="date",
        unit="pk",
        child="",
        dimensions={d: (lambda: None) for d in dims},
        rows=lambda user, window: justice.rows(user, window, per_offence=per_offence),
        sql=lambda user, window: justice.rows_sql(user, window, per_offence=per_offence),
        extra={"repeats": per_offence},  # a record citing two offences is two rows
    )


def _sources() -> dict[str, Source]:
    activity_dims = {
        **_period_dimensions("held_on"),
        "jurisdiction": _register_jurisdiction("jurisdiction_id"),
        "topic": lambda: F("topic"),
    }
    participant_dims = {
        **_period_dimensions("activity__held_on"),
        "jurisdiction": _register_jurisdiction("activity__jurisdiction_id"),
        "topic": lambda: F("activity__topic"),
        "profession": lambda: F("profession"),
        "participant_sex": lambda: F("sex"),
    }
    sources = [
        Source(
            name="complaints",
            date_field="received_at",
            dated="datetime",
            unit="pk",
            child="",
            dimensions={
                **_period_dimensions("received_at"),
                "jurisdiction": lambda: F("jurisdiction_id"),
                "district": lambda: F("district_id"),
                "channel": lambda: F("channel"),
            },
            base=_complaints,
        ),
        _case_source("cases", _cases, "opened_at", ""),
        _case_source(
            "production",
            _tasks("production"),
            "due_at",
            "case__",
            unit="case__child_id",
            flag=_on_time,
            dims=_child_dimensions("case__", "case__opened_at"),
        ),
        _case_source(
            "decision",
            _tasks("decision"),
            "due_at",
            "case__",
            unit="case_id",
            flag=_on_time,
            dims=_child_dimensions("case__", "case__opened_at"),
        ),
        _case_source(
            "placements",
            _events("placement"),
            "occurred_at",
            "case__",
            dims={"placement_type": lambda: KT("details__option")},
        ),
        _case_source(
            "services",
            _events("referred"),
            "occurred_at",
            "case__",
            dims={"service_type": _service_type},
            extra={"annotate": {"_service": KT("details__service")}},
        ),
        _case_source("follow_up", _events("follow_up_visit"), "occurred_at", "case__"),
        _justice_source("justice", per_offence=False),
        _justice_source("justice_offences", per_offence=True),
        Source(
            name="legal_requests",
            date_field="dated_on",
            dated="date",
            unit="pk",
            child="",
            dimensions={
                **_period_dimensions("dated_on"),
                "jurisdiction": _register_jurisdiction("jurisdiction_id"),
                "request_kind": lambda: F("kind"),
                "direction": lambda: F("direction"),
                "request_status": lambda: F("status"),
                "opsc_category": lambda: F("opsc_category"),
            },
            base=_register("LegalAssistanceRequest"),
        ),
        _register_source("trainings", "held_on", activity_dims, "PreventionActivity", "training"),
        _register_source(
            "awareness_events", "held_on", activity_dims, "PreventionActivity", "awareness_event"
        ),
        _register_source(
            "materials",
            "held_on",
            activity_dims,
            "PreventionActivity",
            "material",
            amount="materials_distributed",
        ),
        _register_source(
            "training_participants",
            "activity__held_on",
            participant_dims,
            "ActivityParticipants",
            "training",
            amount="count",
        ),
        _register_source(
            "awareness_participants",
            "activity__held_on",
            participant_dims,
            "ActivityParticipants",
            "awareness_event",
            amount="count",
        ),
    ]
    return {s.name: s for s in sources}


_SOURCES: dict[str, Source] = {}


def source(name: str) -> Source:
    if not _SOURCES:
        _SOURCES.update(_sources())
    return _SOURCES[name]


def queryset(
    user: Actor, src: Source, window: Window, filters: dict[str, Any], dims: list[str]
) -> QuerySet[Any]:
    """The rows of ``src`` in ``window`` as ``values()`` with the columns the counts need:
    ``u`` (the counted unit), ``ok`` (shares), ``amt`` (sums) and one per disaggregation."""
    assert src.base is not None
    qs = src.base(user, window).filter(_period_q(src, window))
    hidden: dict[str, Any] = dict(src.extra.get("annotate", {}))
    shown: dict[str, Any] = {"u": F(src.unit)}
    qualified = spans_years(window)
    for name in {*dims, *filters}:
        if qualified and name in {"month", "quarter"}:
            shown[f"d_{name}"] = year_qualified(name, src.date_field)
        else:
            shown[f"d_{name}"] = src.dimensions[name]()
    if src.flag is not None:
        shown["ok"] = src.flag()
    if src.amount:
        shown["amt"] = F(src.amount)
    if src.child:
        shown["c"] = F(src.child)
    if hidden:
        qs = qs.annotate(**hidden)
    qs = qs.annotate(**shown)
    for name, wanted in filters.items():
        lookup = f"d_{name}__in" if isinstance(wanted, list | tuple | set) else f"d_{name}"
        qs = qs.filter(**{lookup: wanted})
    keep = ["u", *(k for k in ("ok", "amt", "c") if k in shown), *(f"d_{d}" for d in dims)]
    return qs.values(*keep)
