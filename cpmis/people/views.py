"""Pages of the people registry; they validate with the API's serializers and call the same
selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpmis import access
from cpmis.core.errors import Conflict
from cpmis.core.forms import Errors, run_service, serializer_errors
from cpmis.permissions import capability_required

from . import hooks, merging, selectors, services
from .api import ChildInputSerializer, ChildQuerySerializer, MergeDecisionInput, MergeUndoInput
from .models import Child, ChildMerge, Disability, GuardianRelation, Locality, Sex


@login_required
@capability_required("child.view")
def child_list(request: HttpRequest) -> HttpResponse:
    query = ChildQuerySerializer(data={k: v for k, v in request.GET.items() if k != "page"})
    filters = {"q": "", "district": "", "sex": ""}
    errors: dict[str, Any] = {}
    if query.is_valid():
        filters.update({k: query.validated_data.get(k, "") for k in filters})
    else:
        errors = query.errors
    qs = selectors.child_search(user=request.user, **filters)
    if errors:
        qs = qs.none()
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    if not errors:
        selectors.children_listed(user=request.user, children=page.object_list, query=filters)
    return render(
        request,
        "people/child_list.html",
        {
            "page": page,
            "filters": filters,
            "errors": errors,
            "districts": access.districts_where(request.user, "child.view"),
            "sexes": Sex.choices,
            "today": timezone.localdate(),
            "can_register": access.has_capability(request.user, "child.register"),
        },
    )


@login_required
@capability_required("child.view")
def child_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    child = selectors.child_read(user=request.user, child_uuid=uuid)
    return render(
        request,
        "people/child_detail.html",
        {
            "child": child,
            "age": services.age_on(child.date_of_birth, timezone.localdate()),
            "can_change": access.children_changeable_by(request.user).filter(pk=child.pk).exists(),
            "links": hooks.hooks.child_links(request.user, child),  # lent by linkage
            "merges": selectors.child_merges(user=request.user, child=child),
        },
    )


def _payload(request: HttpRequest) -> Any:
    payload = request.POST.copy()
    for optional in ("date_of_birth", "estimated_age_years", "has_disability", "owner"):
        if not payload.get(optional):
            payload.pop(optional, None)
    return payload


def _form(
    request: HttpRequest,
    *,
    errors: dict[str, Any],
    values: Any,
    checked: list[str],
    child: Child | None = None,
) -> HttpResponse:
    labels = {name: field.label or name for name, field in ChildInputSerializer().fields.items()}
    capability = "child.change" if child else "child.register"
    return render(
        request,
        "people/child_form.html",
        {
            "child": child,
            "errors": errors,
            "error_list": [(labels.get(f, f), m) for f, m in errors.items()],
            "checked_disabilities": checked,
            "values": values,
            "districts": access.districts_where(request.user, capability),
            "sexes": Sex.choices,
            "relations": GuardianRelation.choices,
            "disabilities": Disability.choices,
            "localities": Locality.choices,
        },
        status=400 if errors else 200,
    )


@login_required
@capability_required("child.register")
def child_register(request: HttpRequest) -> HttpResponse:
    errors: dict[str, Any] = {}
    if request.method == "POST":
        data = ChildInputSerializer(data=_payload(request))
        if not data.is_valid():
            errors = serializer_errors(data)
        else:
            child, errors = run_service(
                services.child_register,
                refused_field="district",
                actor=request.user,
                **data.validated_data,
            )
            if child is not None:
                return redirect("people:child-detail", uuid=child.uuid)
    return _form(
        request, errors=errors, values=request.POST, checked=request.POST.getlist("disabilities")
    )


@login_required
@capability_required("child.change")
def child_edit(request: HttpRequest, uuid: str) -> HttpResponse:
    child = selectors.child_read(user=request.user, child_uuid=uuid, purpose="change")
    if not access.children_changeable_by(request.user).filter(pk=child.pk).exists():
        raise PermissionDenied
    errors: dict[str, Any] = {}
    if request.method == "POST":
        payload = _payload(request)
        if payload.get("date_of_birth") == child.date_of_birth.isoformat():
            payload.pop("date_of_birth")  # unchanged: keep whether it was estimated
        data = ChildInputSerializer(data=payload, partial=True)
        if not data.is_valid():
            errors = serializer_errors(data)
        else:
            changes = dict(data.validated_data)
            # A form sends nothing for unticked boxes and an empty choice: both mean "clear".
            changes.setdefault("disabilities", [])
            if request.POST.get("has_disability") == "":
                changes["has_disability"] = None
            _, errors = run_service(
                services.child_update,
                refused_field="district",
                actor=request.user,
                child=child,
                **changes,
            )
            if not errors:
                return redirect("people:child-detail", uuid=child.uuid)
        return _form(
            request,
            errors=errors,
            values=request.POST,
            checked=request.POST.getlist("disabilities"),
            child=child,
        )
    values = {f: getattr(child, f) for f in services.EDITABLE_FIELDS if f != "owner"}
    values["district"] = child.district.pcode
    values["date_of_birth"] = child.date_of_birth.isoformat()
    values["has_disability"] = {None: "", True: "true", False: "false"}[child.has_disability]
    return _form(request, errors=errors, values=values, checked=child.disabilities, child=child)


# --- merges --------------------------------------------------------------------------------


@login_required
@capability_required("child.merge")
def merge_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.merge_queue(user=request.user), 50).get_page(request.GET.get("page"))
    selectors.children_listed(
        user=request.user,
        children=[c for m in page.object_list for c in m.children],
        query={"merges": "open"},
    )
    return render(request, "people/merge_list.html", {"page": page})


@login_required
@capability_required("child.merge")
def merge_page(request: HttpRequest, merge_id: int) -> HttpResponse:
    view = selectors.merge_read(user=request.user, merge_id=merge_id)
    errors = request.session.pop("merge_errors", None)
    return render(
        request,
        "people/merge.html",
        {
            "view": view,
            "merge": view.merge,
            "errors": errors,
            "features": [
                (label, view.merge.evidence.get(code))
                for code, label in merging.FEATURE_LABELS.items()
            ],
            # Keep by default the child more is known of (then the one registered first).
            "default_keep": max(
                view.sides, key=lambda side: (sum(side.references.values()), -side.child.pk)
            ).child.pk,
        },
    )


def _run(service: Any, **kwargs: Any) -> tuple[ChildMerge | None, Errors]:
    try:
        return run_service(service, **kwargs)
    except Conflict as exc:
        return None, {"__all__": [f"{exc} " + _("Reload the page.")]}


def _flat(errors: Errors) -> list[str]:
    return [m for ms in errors.values() for m in ms]


@login_required
@capability_required("child.merge")
@require_POST
def merge_decide(request: HttpRequest, merge_id: int) -> HttpResponse:
    if not access.merges_decidable_by(request.user).filter(pk=merge_id).exists():
        raise Http404
    form = MergeDecisionInput(data={k: v for k, v in request.POST.items() if str(v).strip()})
    errors: Errors = {}
    proposal = None
    if not form.is_valid():
        errors = {
            "__all__": [
                _(
                    "Say why, and for a merge choose which child is kept, from the page as it "
                    "was shown."
                )
            ]
        }
    else:
        proposal, errors = _run(
            merging.merge_decide,
            actor=request.user,
            merge_id=merge_id,
            merge=form.validated_data["decision"] == "merge",
            keep=form.validated_data.get("keep"),
            reason=form.validated_data["reason"],
            version=form.validated_data["version"],
        )
    if errors or proposal is None:
        request.session["merge_errors"] = _flat(errors)
        return redirect("people:merge", merge_id=merge_id)
    if proposal.status == ChildMerge.Status.MERGED:
        assert proposal.kept is not None
        messages.success(
            request,
            _("Merged: the other child's records, cases and complaints are now this child's."),
        )
        return redirect("people:child-detail", uuid=proposal.kept.uuid)
    messages.success(request, _("Decided: these are two different children."))
    nxt = selectors.merge_queue(user=request.user).first()
    return redirect("people:merge", merge_id=nxt.pk) if nxt else redirect("people:merge-list")


@login_required
@capability_required("child.merge")
@require_POST
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    proposal = (
        access.merges_decidable_by(request.user)
        .select_related("merged")
        .filter(pk=merge_id)
        .first()
    )
    if proposal is None or proposal.merged is None:
        raise Http404
    form = MergeUndoInput(data=request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the merge is wrong (at most 300 characters)."))
    else:
        _done, errors = _run(
            merging.merge_undo,
            actor=request.user,
            merge_id=merge_id,
            reason=form.validated_data["reason"],
            version=form.validated_data["version"],
        )
        for message in _flat(errors):
            messages.error(request, message)
        if not errors:
            messages.success(
                request,
                _("The merge was undone: this child is in the registry again with what was moved."),
            )
    return redirect("people:child-detail", uuid=proposal.merged.uuid)
