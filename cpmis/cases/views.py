"""Pages of case management: caseload, tasks, the case page that follows the workflow, the
supervisor's unassigned cases and transfers inbox. Thin: reads through ``selectors``, writes
through ``services``, validated by the API's serializers (``forms.to_api`` converts what a
person typed)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cpmis import access
from cpmis.core.dates import DATETIME_PLACEHOLDER, DateInputError, parse_datetime
from cpmis.core.errors import Conflict, NotFound
from cpmis.core.forms import run_service, serializer_errors
from cpmis.permissions import capability_required

from . import forms, selectors, services, workflow
from .api import ACTIONS, CaseCreateSerializer, EventCorrectionInput, TransferDecisionInput
from .models import Case, Concern, RiskLevel, Stage

PAGE = 50


def _case(request: HttpRequest, uuid: str) -> Case:
    return selectors.case_get(user=request.user, case_uuid=uuid)


@login_required
@capability_required("case.view")
def caseload(request: HttpRequest) -> HttpResponse:
    stage = request.GET.get("stage", "")
    stage = stage if stage in Stage.values else ""
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    cases = selectors.case_list(user=request.user, stage=stage, query=query)
    page = Paginator(cases, PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # read once; the template lists these objects
    selectors.attach_next_clock(page.object_list)
    return render(
        request,
        "cases/caseload.html",
        {"page": page, "stage": stage, "stages": Stage.choices, "q": query},
    )


@login_required
@capability_required("case.view")
def tasks(request: HttpRequest) -> HttpResponse:
    supervises = access.has_capability(request.user, "case.supervise")
    page = Paginator(
        selectors.task_list(user=request.user, mine_only=not supervises), PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "cases/tasks.html", {"page": page, "supervises": supervises})


@login_required
@capability_required("case.supervise")
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/dashboard.html", selectors.supervisor_home(user=request.user))


# --- transfers -------------------------------------------------------------------------------


@login_required
@capability_required("case.supervise")
def transfers(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.transfer_inbox(user=request.user), 20).get_page(
        request.GET.get("page")
    )
    # the officers who could take each case: one read per receiving district and child's sex
    known: dict[tuple[int, bool], list[tuple[str, str]]] = {}
    officers = {}
    for t in page.object_list:
        key = (t.to_district_id, t.case.child.sex == "female")
        if key not in known:
            known[key] = [
                (u.username, forms.officer_label(u)) for u in selectors.receiving_officers(t)
            ]
        officers[t.pk] = known[key]
    return render(
        request, "cases/transfers.html", {"inbox": page, "page": page, "officers": officers}
    )


@require_POST
@login_required
@capability_required("case.supervise")
def transfer_decide(request: HttpRequest, uuid: str) -> HttpResponse:
    try:
        transfer = selectors.transfer_waiting(user=request.user, case_uuid=uuid)
    except NotFound:
        messages.error(
            request,
            _(
                "This transfer is no longer waiting for you: it was answered already, or it is "
                "not for your district. Nothing was changed."
            ),
        )
        return redirect("cases:transfers")
    decision = request.POST.get("decision", "")
    data = {
        "accept": decision == "accept",
        "note": request.POST.get("note", ""),
        **({"officer": request.POST["officer"]} if request.POST.get("officer") else {}),
    }
    form = TransferDecisionInput(data=data)
    if decision not in {"accept", "decline"}:
        errors: dict[str, list[str]] = {
            "decision": [_("Choose to accept or to decline the transfer.")]
        }
    elif not form.is_valid():
        errors = forms.readable(serializer_errors(form))
    else:
        _done, errors = run_service(
            services.transfer_decide,
            actor=request.user,
            transfer=transfer,
            **dict(form.validated_data),
        )
    accept = decision == "accept"
    if errors:
        for problems in errors.values():
            messages.error(request, " ".join(problems))
        return redirect("cases:transfers")
    if accept:
        messages.success(
            request,
            _("Transfer accepted: case %(number)s is now yours.")
            % {"number": transfer.case.number},
        )
        return redirect("cases:case", uuid=transfer.case.uuid)
    messages.success(
        request, _("Transfer of case %(number)s declined.") % {"number": transfer.case.number}
    )
    return redirect("cases:transfers")


# --- unassigned cases, assigned in bulk ------------------------------------------------------


@login_required
@capability_required("case.supervise")
def unassigned(request: HttpRequest) -> HttpResponse:
    cases = selectors.unassigned_cases(user=request.user)
    page = Paginator(cases, PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # read once; the template lists these objects
    selectors.attach_next_clock(page.object_list)
    officers = selectors.officers_supervised_by(user=request.user)
    if request.method == "POST":
        chosen = request.POST.getlist("case")[:PAGE]
        officer = next((o for o in officers if o.username == request.POST.get("officer")), None)
        picked = list(cases.filter(uuid__in=[c for c in chosen if _is_uuid(c)]))
        if officer is None:
            messages.error(request, _("Choose the officer who takes the cases."))
        elif not picked:
            messages.error(request, _("Tick at least one case to assign."))
        else:
            done, refused = services.case_assign_many(
                actor=request.user, cases=picked, officer=officer
            )
            if done:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s case assigned to %(officer)s.",
                        "%(count)s cases assigned to %(officer)s.",
                        len(done),
                    )
                    % {"count": len(done), "officer": forms.officer_label(officer)},
                )
            for number, why in refused.items():
                messages.error(
                    request,
                    _("Case %(number)s was not assigned: %(why)s") % {"number": number, "why": why},
                )
        return redirect(f"{request.path}?page={page.number}")
    return render(
        request,
        "cases/unassigned.html",
        {
            "page": page,
            "officers": [(u.username, forms.officer_label(u), u.sex) for u in officers],
        },
    )


def _is_uuid(text: str) -> bool:
    import uuid as uuid_lib

    try:
        uuid_lib.UUID(text)
    except ValueError:
        return False
    return True


# --- the case page ---------------------------------------------------------------------------


def _case_context(
    request: HttpRequest,
    case: Case,
    *,
    open_step: str = "",
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
    province: bool = False,
) -> dict[str, Any]:
    events = list(case.events.select_related("recorded_by"))
    pending = selectors.transfer_pending_of(case)
    state = workflow.CaseState.of(
        case,
        events,
        transfer_pending=pending is not None,
        has_offences=case.offences.exists(),
    )
    can_work = access.cases_workable_by(request.user).filter(pk=case.pk).exists()
    can_supervise = access.cases_supervised_by(request.user).filter(pk=case.pk).exists()
    offers = workflow.offers(state, can_work=can_work, can_supervise=can_supervise)
    pickers = forms.Pickers(case, province=province, events=events)
    actions: list[dict[str, Any]] = [
        {
            "step": o.step,
            "why_not": o.why_not,
            "fields": (
                forms.fields_for(o.step.name, case, pickers=pickers) if o.why_not is None else []
            ),
            "open": o.step.name == open_step,
        }
        for o in offers
        # what the case's state does not allow yet is out of sight, except the steps whose
        # reason people need to see (why the plan cannot be approved, why no closure yet)
        if o.why_not is None or o.step.explain
    ]
    main = [a for a in actions if a["step"].primary or a["step"].who == workflow.SUPERVISE]
    more = [a for a in actions if a not in main]
    tasks = list(case.tasks.order_by("due_at"))
    return {
        "case": case,
        "events": events,
        "names": selectors.timeline_names(events),
        "open_tasks": [t for t in tasks if t.done_at is None],
        "done_tasks": [t for t in tasks if t.done_at is not None],
        "offences": case.offences.select_related("provision__statute"),
        "perpetrators": case.perpetrators.all(),
        "references": case.references.all(),
        "pending_transfer": pending,
        "next_step": workflow.next_step(state),
        "main_actions": main,
        "more_actions": more,
        "can_correct": can_work and case.stage in services.OPEN_STAGES,
        "errors": errors or {},
        "values": values or {},
        "open_step": open_step,
        "complaints": access.complaints_visible_to(request.user)
        .filter(Q(case=case) | Q(children__case=case))
        .distinct(),
        "now": selectors.now(),
        # the format the time-correction field reads, as every date field shows it
        "datetime_placeholder": DATETIME_PLACEHOLDER,
    }


@login_required
@capability_required("case.view")
def case_page(request: HttpRequest, uuid: str) -> HttpResponse:
    case = selectors.case_read(user=request.user, case_uuid=uuid)
    province = request.GET.get("places") == "province"
    return render(request, "cases/case.html", _case_context(request, case, province=province))


@require_POST
@login_required
@capability_required("case.work")
def case_action(request: HttpRequest, uuid: str, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    step = workflow.BY_NAME.get(action)
    if spec is None or step is None:
        raise Http404
    case = _case(request, uuid)
    data, errors = forms.to_api(action, case, request.POST)
    if not errors:
        form = spec.input(data=data)
        if not form.is_valid():
            errors = forms.readable(serializer_errors(form))
        else:
            try:
                _done, errors = run_service(
                    spec.service,
                    actor=request.user,
                    case=case,
                    **spec.fixed,
                    **dict(form.validated_data),
                )
            except Conflict:
                errors = {
                    "__all__": [
                        _(
                            "Someone changed this case while you were filling in the form: "
                            "nothing was saved. The page now shows the case as it is; check it "
                            "and submit again."
                        )
                    ]
                }
    if not errors:
        messages.success(request, _("Done: %(step)s.") % {"step": step.label})
        return redirect("cases:case", uuid=case.uuid)
    case = _case(request, uuid)  # as it is now (the service may have refused a stale read)
    readable = {
        name: (forms.label_of(action, case, name), problems) for name, problems in errors.items()
    }
    context = _case_context(
        request,
        case,
        province=True,  # the place chosen, wherever it is, is on the list again
        open_step=action,
        errors={name: problems for name, problems in errors.items()},
        values={k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"},
    )
    context["failed_step"] = step
    context["general_errors"] = [
        message
        for name in ("__all__", "non_field_errors", "stage", "version")
        for message in errors.get(name, [])
    ]
    context["problems"] = [(label, " ".join(problems)) for label, problems in readable.values()]
    return render(request, "cases/case.html", context, status=400)


@require_POST
@login_required
@capability_required("case.work")
def event_correct(request: HttpRequest, uuid: str, event_id: int) -> HttpResponse:
    case = _case(request, uuid)
    event = case.events.filter(pk=event_id).first()
    if event is None:
        raise Http404
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {
        "version": request.POST.get("version", ""),
        "reason": request.POST.get("reason", ""),
    }
    try:
        data["occurred_at"] = parse_datetime(request.POST.get("occurred_at", "")).isoformat()
    except DateInputError as exc:
        errors = {"occurred_at": [str(exc)]}
    if not errors:
        form = EventCorrectionInput(data=data)
        if not form.is_valid():
            errors = serializer_errors(form)
        else:
            try:
                _done, errors = run_service(
                    services.event_correct,
                    actor=request.user,
                    event=event,
                    **dict(form.validated_data),
                )
            except Conflict:
                errors = {"version": [_("Someone changed this case meanwhile: nothing was saved.")]}
    for problems in errors.values():
        messages.error(
            request,
            _("The time was not corrected: %(problems)s") % {"problems": " ".join(problems)},
        )
    if not errors:
        messages.success(request, _("Time corrected; the deadlines that depend on it moved."))
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
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
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
