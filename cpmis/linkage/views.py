"""Screens of linkage: the review queue, a review side by side, undoing a link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from cpmis import access
from cpmis.core.errors import Conflict
from cpmis.core.forms import Errors, run_service
from cpmis.people.models import Child
from cpmis.permissions import capability_required

from . import selectors, services
from .api import DecisionInput, ManualLinkInput, UndoInput


@login_required
@capability_required("linkage.review")
def review_queue(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.review_queue(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    waiting = selectors.waiting(user=request.user)
    return render(
        request,
        "linkage/queue.html",
        {"page": page, "waiting": waiting[:50], "waiting_count": waiting.count()},
    )


@login_required
@capability_required("linkage.review")
def review_page(request: HttpRequest, item_id: int) -> HttpResponse:
    review = selectors.review_get(user=request.user, item_id=item_id)
    errors = request.session.pop("linkage_errors", None)
    return render(request, "linkage/review.html", {"review": review, "errors": errors})


@login_required
@capability_required("linkage.review")
@require_POST
def review_decide(request: HttpRequest, item_id: int) -> HttpResponse:
    if not access.review_items_visible_to(request.user).filter(pk=item_id).exists():
        raise Http404
    form = DecisionInput(data=request.POST)
    errors: Errors = {}
    if not form.is_valid():
        errors = {"__all__": [gettext("Choose same or different, from the page as it was shown.")]}
    else:
        try:
            _, errors = run_service(
                services.review_decide,
                actor=request.user,
                item_id=item_id,
                same=form.validated_data["decision"] == "same",
                version=form.validated_data["version"],
            )
        except Conflict as exc:
            errors = {"__all__": [f"{exc} " + gettext("Reload the page.")]}
    if errors:
        request.session["linkage_errors"] = [m for ms in errors.values() for m in ms]
        return redirect("linkage:review", item_id=item_id)
    messages.success(request, gettext("Decided."))
    nxt = selectors.review_queue(user=request.user).first()
    return redirect("linkage:review", item_id=nxt.pk) if nxt else redirect("linkage:queue")


@login_required
@capability_required("linkage.review")
@require_POST
def link_undo(request: HttpRequest, link_id: int) -> HttpResponse:
    link = access.links_undoable_by(request.user).select_related("child").filter(pk=link_id).first()
    if link is None:
        raise Http404
    form = UndoInput(data={k: v for k, v in request.POST.items() if str(v).strip()})
    child: Child = link.child
    right = None
    if form.is_valid() and form.validated_data.get("child"):
        right = (
            access.children_visible_to(request.user)
            .filter(uuid=form.validated_data["child"])
            .first()
        )
    if not form.is_valid():
        messages.error(
            request,
            gettext(
                "Say why the link is wrong (at most 300 characters); the right child's "
                "identifier, if given, is the one on the child's page."
            ),
        )
    elif form.validated_data.get("child") and right is None:
        messages.error(request, gettext("No child with that identifier is in your reach."))
    else:
        try:
            result, errors = run_service(
                services.link_undo,
                actor=request.user,
                link_id=link.pk,
                reason=form.validated_data["reason"],
                child=right,
            )
        except Conflict as exc:
            errors = {"__all__": [str(exc)]}
        if errors:
            for ms in errors.values():
                for m in ms:
                    messages.error(request, m)
        elif right is not None:
            messages.success(
                request, gettext("The link was undone and the record linked to the child.")
            )
            return redirect("people:child-detail", uuid=right.uuid)
        elif getattr(result, "state", "") == "done":
            messages.success(request, gettext("The link was undone; the record was linked again."))
        else:
            messages.success(
                request,
                gettext("The link was undone; the record is being linked again in the background."),
            )
    if access.children_visible_to(request.user).filter(pk=child.pk).exists():
        return redirect("people:child-detail", uuid=child.uuid)
    return redirect("linkage:queue")


@login_required
@capability_required("linkage.review")
@require_POST
def link_by_hand(request: HttpRequest, record_id: int) -> HttpResponse:
    form = ManualLinkInput(data=request.POST)
    if not form.is_valid():
        messages.error(
            request, gettext("Give the child's identifier, as shown on the child's page.")
        )
        return redirect("linkage:queue")
    child = (
        access.children_visible_to(request.user).filter(uuid=form.validated_data["child"]).first()
    )
    if child is None:
        messages.error(request, gettext("No child with that identifier is in your reach."))
        return redirect("linkage:queue")
    try:
        _, errors = run_service(
            services.link_manual, actor=request.user, record_id=record_id, child=child
        )
    except Conflict as exc:
        errors = {"__all__": [str(exc)]}
    if errors:
        for ms in errors.values():
            for m in ms:
                messages.error(request, m)
        return redirect("linkage:queue")
    messages.success(request, gettext("Linked."))
    return redirect("people:child-detail", uuid=child.uuid)
