"""Pages of case management: caseload, tasks, the case with its timeline, and each action
(validated by the API's serializers and carried out by the same services)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rest_framework import serializers

from cpmis import access
from cpmis.accounts.permissions import capability_required
from cpmis.audit.services import audit_record
from cpmis.core.errors import Conflict
from cpmis.core.forms import run_service, serializer_errors

from . import selectors, services
from .api import ACTIONS, CaseCreateSerializer, EventCorrectionInput
from .models import Case, Concern, RiskLevel, Stage

# Actions shown on the case page, in the order of the work; supervisors see theirs too.
WORKER_ACTIONS = (
    "assess",
    "plan",
    "protect",
    "produce",
    "hearing",
    "order",
    "place",
    "legal-aid",
    "refer",
    "perpetrator",
    "reference",
    "review",
    "delay-report",
    "release",
    "follow-up",
    "request-closure",
    "transfer",
)
SUPERVISOR_ACTIONS = ("assign", "approve-plan", "decide-closure", "reopen")


def _case(request: HttpRequest, uuid: str) -> Case:
    return selectors.case_get(user=request.user, case_uuid=uuid)


@login_required
@capability_required("case.view")
def caseload(request: HttpRequest) -> HttpResponse:
    stage = request.GET.get("stage", "")
    stage = stage if stage in Stage.values else ""
    cases = selectors.case_list(user=request.user, stage=stage)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(
        request, "cases/caseload.html", {"page": page, "stage": stage, "stages": Stage.choices}
    )


@login_required
@capability_required("case.view")
def tasks(request: HttpRequest) -> HttpResponse:
    supervises = access.has_capability(request.user, "case.supervise")
    page = Paginator(selectors.task_list(user=request.user, mine_only=not supervises), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/tasks.html", {"page": page, "supervises": supervises})


@login_required
@capability_required("case.supervise")
def dashboard(request: HttpRequest) -> HttpResponse:
    context = selectors.supervisor_dashboard(user=request.user)
    context["transfers"] = services.transfers_waiting_for(request.user)
    return render(request, "cases/dashboard.html", context)


@require_POST
@login_required
@capability_required("case.supervise")
def transfer_decide(request: HttpRequest, uuid: str) -> HttpResponse:
    case = next(
        (c for c in services.transfers_waiting_for(request.user) if str(c.uuid) == uuid), None
    )
    if case is None:
        raise Http404
    accept = request.POST.get("accept") == "yes"
    _, errors = run_service(
        services.transfer_decide,
        actor=request.user,
        case=case,
        accept=accept,
        note=request.POST.get("note", "")[:4000],
    )
    for name, problems in errors.items():
        messages.error(request, f"transfer: {name}: {' '.join(problems)}")
    if not errors:
        messages.success(request, "Transfer accepted." if accept else "Transfer refused.")
        if accept:
            return redirect("cases:case", uuid=case.uuid)
    return redirect("cases:dashboard")


@require_POST
@login_required
@capability_required("case.work")
def event_correct(request: HttpRequest, uuid: str, event_id: int) -> HttpResponse:
    case = _case(request, uuid)
    event = case.events.filter(pk=event_id).first()
    if event is None:
        raise Http404
    form = EventCorrectionInput(data={k: v for k, v in request.POST.items() if v})
    if not form.is_valid():
        errors = serializer_errors(form)
    else:
        try:
            _, errors = run_service(
                services.event_correct, actor=request.user, event=event, **dict(form.validated_data)
            )
        except Conflict as exc:
            errors = {"version": [str(exc)]}
    for name, problems in errors.items():
        messages.error(request, f"correction: {name}: {' '.join(problems)}")
    if not errors:
        messages.success(request, "Time corrected; the deadlines follow.")
    return redirect("cases:case", uuid=case.uuid)


def _fields(serializer_class: type[serializers.Serializer]) -> list[dict[str, Any]]:
    """A plain description of an action's inputs, for the generic form."""
    out = []
    for name, field in serializer_class().fields.items():
        if name in {"version"}:
            continue
        kind = "text"
        choices: list[tuple[Any, str]] = []
        if isinstance(field, serializers.BooleanField):
            kind = "checkbox"
        elif isinstance(field, serializers.ChoiceField):
            kind, choices = "select", list(field.choices.items())
        elif isinstance(field, serializers.RelatedField):
            kind = "select"
            queryset = field.get_queryset()
            choices = [
                (obj.pk, str(obj)) for obj in (queryset[:500] if queryset is not None else [])
            ]
        elif isinstance(field, serializers.DateTimeField):
            kind = "datetime-local"
        elif isinstance(field, serializers.IntegerField):
            kind = "number"
        elif isinstance(field, serializers.ListSerializer | serializers.ListField):
            kind = "textarea"
        out.append(
            {
                "name": name,
                "label": (field.label or name).replace("_", " "),
                "kind": kind,
                "choices": choices,
                "required": field.required,
            }
        )
    return out


@login_required
@capability_required("case.view")
def case_page(request: HttpRequest, uuid: str) -> HttpResponse:
    case = _case(request, uuid)
    audit_record(
        actor=request.user, action="case.read", object_type="cases.case", object_id=case.uuid
    )
    can_work = access.cases_workable_by(request.user).filter(pk=case.pk).exists()
    can_supervise = access.cases_supervised_by(request.user).filter(pk=case.pk).exists()
    names = [*(WORKER_ACTIONS if can_work else ()), *(SUPERVISOR_ACTIONS if can_supervise else ())]
    return render(
        request,
        "cases/case.html",
        {
            "case": case,
            "events": case.events.select_related("recorded_by"),
            "tasks": case.tasks.order_by("due_at"),
            "offences": case.offences.select_related("provision__statute"),
            "actions": [{"name": n, "fields": _fields(ACTIONS[n].input)} for n in names],
            "complaints": access.complaints_visible_to(request.user)
            .filter(Q(case=case) | Q(children__case=case))
            .distinct(),
        },
    )


@require_POST
@login_required
@capability_required("case.work")
def case_action(request: HttpRequest, uuid: str, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    case = _case(request, uuid)
    data: dict[str, Any] = {
        k: v for k, v in request.POST.items() if v != "" and k != "csrfmiddlewaretoken"
    }
    if "goals" in data:  # the form has one goal per line
        data["goals"] = [
            {"goal": line.strip()} for line in data["goals"].splitlines() if line.strip()
        ]
    for name, field in spec.input().fields.items():
        if isinstance(field, serializers.BooleanField):
            data[name] = name in request.POST
    form = spec.input(data=data)
    if not form.is_valid():
        errors = serializer_errors(form)
    else:
        try:
            _, errors = run_service(
                spec.service,
                actor=request.user,
                case=case,
                **spec.fixed,
                **dict(form.validated_data),
            )
        except Conflict as exc:
            errors = {"version": [str(exc) + " Reload the page to see what changed."]}
    if errors:
        for name, problems in errors.items():
            messages.error(request, f"{action}: {name}: {' '.join(problems)}")
    else:
        messages.success(request, f"Recorded: {action.replace('-', ' ')}.")
    return redirect("cases:case", uuid=case.uuid)


@login_required
@capability_required("case.work")
def case_open(request: HttpRequest) -> HttpResponse:
    errors: dict[str, Any] = {}
    child_uuid = request.GET.get("child") or request.POST.get("child", "")
    if request.method == "POST":
        payload = {
            "child": child_uuid,
            "initial_risk": request.POST.get("initial_risk", ""),
            "concerns": request.POST.getlist("concerns"),
            "note": request.POST.get("note", ""),
        }
        form = CaseCreateSerializer(data=payload)
        if not form.is_valid():
            errors = serializer_errors(form)
        else:
            values = dict(form.validated_data)
            child = (
                access.children_visible_to(request.user).filter(uuid=values.pop("child")).first()
            )
            if child is None:
                raise Http404
            case, errors = run_service(
                services.case_open, actor=request.user, child=child, **values
            )
            if case is not None:
                return redirect("cases:case", uuid=case.uuid)
    return render(
        request,
        "cases/open.html",
        {
            "child_uuid": child_uuid,
            "errors": errors,
            "risks": RiskLevel.choices,
            "concerns": Concern.choices,
        },
        status=400 if errors else 200,
    )
