"""Pages of the indicators: the catalogue, the dashboard (filters, charts, table), downloads
(CSV, XLSX, DHIS2, the annex) and the DHIS2 mapping. Thin: parsing in ``selectors``, figures
through ``tabulate`` and disclosure control, exports audited by ``services``."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods

from cpmis.jobs import services as job_services
from cpmis.jobs.views import file_or_follow
from cpmis.legal.report_structure import BY_CODE
from cpmis.permissions import capability_required

from . import charts, dhis2, exports, orgunits, pickers, selectors, services, tabulate
from .catalogue import FIXED_CATEGORIES, catalogue, dimension_label, joined
from .tables import PublishedTable

CAP = selectors.CAPABILITY


# The fields a selection names, as its errors print them.
FIELDS = {
    "indicator": pgettext_lazy("a field of the selection of figures", "indicator"),
    "period": pgettext_lazy("a field of the selection of figures", "period"),
    "breakdown": pgettext_lazy("a field of the selection of figures", "breakdown"),
    "jurisdiction": pgettext_lazy("a field of the selection of figures", "jurisdiction"),
    "district": pgettext_lazy("a field of the selection of figures", "district"),
    "category": pgettext_lazy("a field of the selection of figures", "category"),
    "year": pgettext_lazy("a field of the selection of figures", "year"),
    "ou": pgettext_lazy("a field of the selection of figures", "place"),
    "rows": pgettext_lazy("a field of the selection of figures", "rows"),
    "columns": pgettext_lazy("a field of the selection of figures", "columns"),
    "sort": pgettext_lazy("a field of the selection of figures", "sort"),
}


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{FIELDS.get(field, field)}: {m}" for field, ms in exc.message_dict.items() for m in ms
        ]
    return list(exc.messages)


def _default_period() -> str:
    return str(timezone.localdate().year - 1)


@login_required
@capability_required(CAP)
def browser(request: HttpRequest) -> HttpResponse:
    from cpmis.legal.selectors import rule_for

    items = []
    for indicator in selectors.indicator_list(request.user):
        basis = ""
        if indicator.rule:
            try:
                basis = rule_for(indicator.rule, None).rule.text
            except LookupError:
                basis = ""
        items.append(
            {
                "indicator": indicator,
                "section": BY_CODE[indicator.report_section].label,
                "breakdowns": joined(dimension_label(d) for d in indicator.all_disaggregations),
                "basis": basis,
            }
        )
    return render(
        request,
        "indicators/browser.html",
        {"items": items, "period": _default_period(), "threshold": tabulate.threshold()},
    )


def _chart(table: PublishedTable | None) -> str | None:
    if table is None:
        return None
    svg = charts.chart_svg(table)
    # matplotlib's own SVG of published figures only: no user text is drawn unescaped
    return mark_safe(svg) if svg else None  # noqa: S308


def _pickers(request: HttpRequest, params: Any, selection: Any) -> dict[str, Any]:
    """The org-unit and period pickers, showing what the page shows (a legacy
    ``jurisdiction``/``district`` link picks its unit)."""
    if selection is not None and selection.orgunit is not None:
        ou = selection.orgunit.code
    else:
        ou = params.get("ou") or params.get("district") or params.get("jurisdiction") or ""
    period = selection.period.choice if selection is not None else params.get("period", "")
    found = pickers.context(request.user, ou=ou, period=period)
    if selection is not None and selection.orgunit is not None:
        found["ou_path"] = orgunits.path(selection.orgunit, request.user)
    return found


def _link(params: Any, **changed: str) -> str:
    """The page's query with some parameters changed (a breadcrumb's links)."""
    query = params.copy()
    for name in ("jurisdiction", "district"):  # the org unit is ``ou`` from here on
        query.pop(name, None)
    for name, value in changed.items():
        query[name] = value
    return str(query.urlencode())


@login_required
@capability_required(CAP)
def dashboard(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params.setdefault("indicator", "CAS01")
    params.setdefault("period", _default_period())
    errors: list[str] = []
    context: dict[str, Any] = {"params": params}
    try:
        selection = selectors.selection_parse(request.user, params)
    except ValidationError as exc:
        errors = _errors(exc)
        selection = None
    if selection is not None:
        shapes = [
            selectors.breakdown_shape(selection, selection.breakdown),
            selectors.trend_shape(selection),
        ]
        where = selectors.places_shape(selection)
        if where is not None:
            shapes.append(where)
        found = selectors.selection_tables(request.user, selection, shapes)
        table, trend = found[0], found[1]
        places = found[2] if where is not None else None
        context.update(
            selection=selection,
            table=table,
            trend_chart=_chart(trend),
            table_chart=_chart(table),
            places=places,
            places_chart=_chart(places),
            empty=table.cell("*", "*").value == 0,
            query=_link(params, ou=selection.orgunit.code if selection.orgunit else "national"),
            crumbs=[
                (unit, _link(params, ou=unit.code))
                for unit in orgunits.path(selection.orgunit, request.user)
            ]
            if selection.orgunit
            else [],
            pivot_query=_link(
                params,
                ou=selection.orgunit.code if selection.orgunit else "national",
                rows=selection.breakdown,
            ),
        )
    indicator = selection.indicator if selection else None
    context.update(
        errors=errors,
        indicators=catalogue().values(),
        breakdowns=[("total", _("No breakdown"))]
        + [(d, dimension_label(d)) for d in (indicator.all_disaggregations if indicator else ())],
        categories=FIXED_CATEGORIES["opsc_category"],
        **_pickers(request, params, selection),
    )
    return render(request, "indicators/dashboard.html", context, status=400 if errors else 200)


def _bad(request: HttpRequest, errors: list[str]) -> HttpResponse:
    return render(request, "indicators/error.html", {"errors": errors}, status=400)


def _file(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_stem(selection: selectors.Selection, *parts: str) -> str:
    """cpmis-CAS01-2025-PK-PB-sex: the indicator, the period, the place (when one is chosen)
    and what the table shows."""
    place = (
        [selection.orgunit.code]
        if selection.orgunit and selection.orgunit.code != "national"
        else []
    )
    stem = "-".join(["cpmis", selection.indicator.code, selection.period.code, *place, *parts])
    return stem.replace("..", "_")


@login_required
@capability_required(CAP)
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        selection = selectors.selection_parse(request.user, request.GET)
    except ValidationError as exc:
        return _bad(request, _errors(exc))
    shapes = [selectors.breakdown_shape(selection, selection.breakdown)]
    if selection.breakdown != "month" and not selection.period.month:
        shapes.append(selectors.trend_shape(selection))
    where = selectors.places_shape(selection)
    if where is not None:
        shapes.append(where)
    tables = selectors.selection_tables(request.user, selection, shapes)
    services.export_audit(
        actor=request.user,
        what=selection.indicator.code,
        fmt=fmt,
        detail=_audit_detail(selection, breakdown=selection.breakdown),
    )
    name = file_stem(selection, selection.breakdown)
    if fmt == "csv":
        return _file(exports.table_csv(tables), f"{name}.csv", "text/csv; charset=utf-8")
    return _file(exports.table_xlsx(tables), f"{name}.xlsx", XLSX)


def _audit_detail(selection: selectors.Selection, **more: str) -> dict[str, str]:
    detail = {"period": selection.period.code, **more}
    if selection.period.asked:
        detail["period_asked"] = selection.period.asked
    if selection.orgunit is not None and selection.orgunit.code != "national":
        detail["ou"] = selection.orgunit.code
    return detail


@login_required
@capability_required(CAP)
def pivot(request: HttpRequest) -> HttpResponse:
    """A table of one's own: an indicator's disaggregations on rows and columns."""
    params = request.GET.copy()
    params.setdefault("indicator", "CAS01")
    params.setdefault("period", _default_period())
    params.setdefault("rows", "opsc_category")
    params.setdefault("columns", "sex")
    errors: list[str] = []
    context: dict[str, Any] = {"params": params}
    try:
        found = selectors.pivot_parse(request.user, params)
    except ValidationError as exc:
        errors = _errors(exc)
        found = None
    selection = found.selection if found is not None else None
    if found is not None:
        try:
            table = selectors.pivot_table(request.user, found)
        except ValidationError as exc:  # no pattern protects it
            errors = _errors(exc)
        else:
            context.update(
                pivot=found,
                table=table,
                query=_link(
                    params,
                    ou=selection.orgunit.code if selection and selection.orgunit else "national",
                ),
            )
    indicator = (
        selection.indicator
        if selection
        else catalogue().get(str(params.get("indicator", "")).upper())
    )
    # every disaggregation of any indicator, those of the chosen one enabled: the page's
    # script enables another indicator's when it is chosen (without it, the page is sent)
    dims = set(indicator.all_disaggregations if indicator else ())
    known = dict.fromkeys(d for i in catalogue().values() for d in i.all_disaggregations)
    context.update(
        errors=errors,
        indicators=catalogue().values(),
        dimensions=[("total", _("None"), True)]
        + [(d, dimension_label(d), d in dims) for d in known],
        sorts=[
            ("natural", _("In the categories' order")),
            ("label", _("By label")),
            ("total", _("By total, largest first")),
        ],
        limit=selectors.PIVOT_LIMIT,
        **_pickers(request, params, selection),
    )
    return render(request, "indicators/pivot.html", context, status=400 if errors else 200)


@login_required
@capability_required(CAP)
def pivot_export(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        found = selectors.pivot_parse(request.user, request.GET)
        table = selectors.pivot_table(request.user, found)
    except ValidationError as exc:
        return _bad(request, _errors(exc))
    selection = found.selection
    services.export_audit(
        actor=request.user,
        what=selection.indicator.code,
        fmt=fmt,
        detail=_audit_detail(selection, rows=found.rows, columns=found.columns),
    )
    name = file_stem(selection, found.rows, found.columns)
    if fmt == "csv":
        return _file(exports.table_csv([table]), f"{name}.csv", "text/csv; charset=utf-8")
    return _file(exports.table_xlsx([table]), f"{name}.xlsx", XLSX)


def _in_background(request: HttpRequest, kind: str, params: dict[str, Any]) -> HttpResponse:
    """Count in a worker: the file at once if the job was done at once (no queue), else the
    job's page, which follows it and then offers the file."""
    try:
        job = job_services.job_submit(actor=request.user, kind=kind, params=params)
    except ValidationError as exc:
        return _bad(request, _errors(exc))
    if job.state == job.State.FAILED:
        return _bad(request, [job.shown_message])
    return file_or_follow(request, job)


@login_required
@capability_required(CAP)
def annex_xlsx(request: HttpRequest) -> HttpResponse:
    return _in_background(
        request, "indicators.annex", {"year": request.GET.get("year", _default_period())}
    )


@login_required
@capability_required(CAP)
def dhis2_export(request: HttpRequest) -> HttpResponse:
    return _in_background(
        request, "indicators.dhis2", {"period": request.GET.get("period", _default_period())}
    )


@login_required
@capability_required("indicators.configure")
@require_http_methods(["GET", "POST"])
def dhis2_mapping(request: HttpRequest) -> HttpResponse:
    config = services.dhis2_mapping_current()
    errors: list[str] = []
    text = json.dumps(config, indent=1, ensure_ascii=False)
    saved = False
    if request.method == "POST":
        text = request.POST.get("config", "")
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            errors = [
                _("The mapping is not valid JSON: %(error)s (line %(line)s).")
                % {"error": exc.msg, "line": exc.lineno}
            ]
        else:
            try:
                services.dhis2_mapping_set(
                    actor=request.user, config=parsed, note=request.POST.get("note", "")
                )
                config, saved = parsed, True  # the problems shown below are the new one's
            except ValidationError as exc:
                errors = [m for ms in exc.message_dict.values() for m in ms]
    return render(
        request,
        "indicators/dhis2_mapping.html",
        {
            "text": text,
            "errors": errors,
            "saved": saved,
            "problems": [] if errors else dhis2.mapping_problems(config),
        },
        status=400 if errors else 200,
    )
