"""Pages of complaints.

Public (no account, English and Urdu, no JavaScript): the complaint form and the status page.
Staff: the triage queue, a complaint with its history, possible matches and triage actions,
the office form and the complaint-box batch form, and a CSV export of the queue. Pages
validate with the API's serializers and call the same services.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited
from rest_framework import serializers

from cpmis import access
from cpmis.cases.models import Concern, RiskLevel
from cpmis.core.errors import Conflict
from cpmis.core.forms import Errors, run_service, serializer_errors
from cpmis.jobs import services as job_services
from cpmis.jobs.views import file_or_follow
from cpmis.people.models import Sex
from cpmis.people.phonetic import split_by_script
from cpmis.permissions import capability_required
from cpmis.reference.models import District, Jurisdiction
from cpmis.reference.selectors import district_by_pcode

from . import acknowledgement, public, selectors, services, tracking
from .api import SAFE_TEXT_ERROR, BoxBatchInput, ComplaintInput, TextField, run_action
from .models import (
    Channel,
    ClosureReason,
    Complaint,
    ComplaintEvent,
    ReferralBody,
    ReporterKind,
    Status,
)

log = logging.getLogger(__name__)

HONEYPOT = "website"
OPEN_FOR_CASES = (Status.RECEIVED, Status.CASE_OPENED, Status.ATTACHED)
DONT_KNOW = "dont_know"


# --- public pages -----------------------------------------------------------------------------


def _language(request: HttpRequest) -> str:
    asked = request.POST.get("language") or request.GET.get("lang") or ""
    if asked in ("en", "ur"):
        return asked
    return "ur" if getattr(request, "LANGUAGE_CODE", "en") == "ur" else "en"


def _limited(request: HttpRequest, group: str, rate: str, key: Any = "ip") -> bool:
    return bool(is_ratelimited(request, group=group, key=key, rate=rate, increment=True))


def _everyone(group: str, request: HttpRequest) -> str:
    return "everyone"


class PublicComplaintForm(serializers.Serializer):
    language = serializers.ChoiceField(["en", "ur"], default="en")
    # Codes, checked against the reference data in validate() with one query.
    jurisdiction = serializers.RegexField(r"^PK-[A-Z]{2}$", max_length=8)
    district = serializers.RegexField(rf"^(PK[0-9]{{1,8}}|{DONT_KNOW})$", max_length=20)
    concerns = serializers.ListField(
        child=serializers.ChoiceField(Concern.choices), min_length=1, max_length=len(Concern.values)
    )
    narrative = TextField(max_length=services.NARRATIVE_MAX)
    place = TextField(required=False, allow_blank=True, max_length=200, default="")
    child_name = TextField(required=False, allow_blank=True, max_length=150, default="")
    child_age = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=17)
    child_sex = serializers.ChoiceField(Sex.choices, required=False, default=Sex.UNKNOWN)
    reporter_kind = serializers.ChoiceField(ReporterKind.choices, default=ReporterKind.ANONYMOUS)
    reporter_name = TextField(required=False, allow_blank=True, max_length=150, default="")
    reporter_phone = TextField(required=False, allow_blank=True, max_length=20, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["district"] == DONT_KNOW:
            attrs["district"] = None
            attrs["jurisdiction"] = Jurisdiction.objects.filter(
                iso_code=attrs["jurisdiction"]
            ).first()
            if attrs["jurisdiction"] is None:
                raise serializers.ValidationError({"jurisdiction": gettext("Unknown province.")})
        else:
            district = district_by_pcode(attrs["district"])  # shape checked by the regex
            if district is None:
                raise serializers.ValidationError(
                    {"district": gettext("Choose a district from the list.")}
                )
            if district.jurisdiction.iso_code != attrs["jurisdiction"]:
                raise serializers.ValidationError(
                    {"district": gettext("This district is not in the province you chose.")}
                )
            attrs["district"], attrs["jurisdiction"] = district, district.jurisdiction
        if attrs["reporter_kind"] == ReporterKind.ANONYMOUS:
            attrs["reporter_name"] = attrs["reporter_phone"] = ""
        return attrs

    def to_input(self) -> services.ComplaintInput:
        v = self.validated_data
        child = services.ChildInput(
            name=v["child_name"], sex=v["child_sex"], age_years=v.get("child_age")
        )
        return services.ComplaintInput(
            channel=Channel.ONLINE,
            jurisdiction=v["jurisdiction"],
            district=v["district"],
            narrative=v["narrative"],
            concerns=v["concerns"],
            place=v["place"],
            reporter_kind=v["reporter_kind"],
            reporter_name=v["reporter_name"],
            reporter_phone=v["reporter_phone"],
            language=v["language"],
            children=[child],
        )


def _public_context(lang: str) -> dict[str, Any]:
    return {
        "lang": lang,
        "jurisdictions": Jurisdiction.objects.order_by("name_en"),
        "districts": District.objects.select_related("jurisdiction").order_by(
            "jurisdiction__name_en", "name_en"
        ),
        "concern_choices": public.CONCERNS,
        "reporter_choices": public.REPORTERS,
        "sex_choices": public.SEXES,
        "max_narrative": services.NARRATIVE_MAX,
        "DONT_KNOW": DONT_KNOW,
    }


def _public_errors(errors: Errors) -> Errors:
    # Messages in the person's language for the fields they can get wrong.
    from django.utils.translation import gettext as _

    plain = {
        "jurisdiction": _("Choose the province or territory."),
        "district": _("Choose the district, or “I don't know”."),
        "concerns": _("Choose at least one thing that is happening."),
        "narrative": _("Tell us what happened (up to %(max)s letters).")
        % {"max": services.NARRATIVE_MAX},
        "child_age": _("A child's age is a number from 0 to 17."),
        "reporter_phone": _("A phone number has only digits."),
    }
    # Said as it is, whatever the field: not "up to 5000 letters" for a NUL in the narrative.
    control = _(
        "What you typed has control characters (invisible characters such as NUL), which are "
        "not allowed: delete them and send again."
    )
    return {
        name: [control if SAFE_TEXT_ERROR in msgs else plain.get(name, " ".join(msgs))]
        for name, msgs in errors.items()
    }


def _busy_message() -> str:
    from django.utils.translation import gettext as _

    return _(
        "Too many complaints were sent from this connection just now. Wait a few minutes "
        "and press Send again: what you wrote is still here."
    )


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_form(request: HttpRequest) -> HttpResponse:
    """The public complaint form: anyone, no account, no JavaScript."""
    lang = _language(request)
    with translation.override(lang):
        context = _public_context(lang)
        if request.method == "GET":
            return render(request, "complaints/public_form.html", context)
        context.update(values=request.POST, checked_concerns=request.POST.getlist("concerns"))
        if _limited(request, "complaint-submit", settings.CPMIS_PUBLIC_RATE_LIMIT) or _limited(
            request, "complaint-submit-all", settings.CPMIS_PUBLIC_GLOBAL_RATE_LIMIT, _everyone
        ):
            # The form comes back filled in, so nothing typed is lost.
            context["errors"] = {"__all__": [_busy_message()]}
            return render(request, "complaints/public_form.html", context, status=429)
        if request.POST.get(HONEYPOT):
            # Filled in by a robot: nothing is stored, and it is not told so.
            log.info("complaint form: honeypot filled; submission dropped")
            return render(request, "complaints/public_thanks.html", context)
        data: dict[str, Any] = {k: v for k, v in request.POST.items() if k != "concerns"}
        data["concerns"] = request.POST.getlist("concerns")
        if data.get("child_age") == "":
            data["child_age"] = None
        form = PublicComplaintForm(data=data)
        if not form.is_valid():
            context["errors"] = _public_errors(serializer_errors(form))
            return render(request, "complaints/public_form.html", context, status=400)
        try:
            registered = services.complaint_submit_public(data=form.to_input())
        except ValidationError as exc:
            context["errors"] = _public_errors(exc.message_dict)
            return render(request, "complaints/public_form.html", context, status=400)
        context["code"] = registered.display_code
        return render(request, "complaints/public_thanks.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_status(request: HttpRequest) -> HttpResponse:
    """The status behind a tracking code (asked by POST, so codes stay out of logs and
    browser history). Unknown, mistyped and malformed codes get the same answer."""
    lang = _language(request)
    with translation.override(lang):
        context: dict[str, Any] = {"lang": lang}
        if request.method == "POST":
            if _limited(request, "complaint-status", settings.CPMIS_STATUS_RATE_LIMIT):
                from django.utils.translation import gettext as _

                context["errors"] = {
                    "__all__": [
                        _(
                            "Too many checks from this connection just now. "
                            "Wait a few minutes and try again."
                        )
                    ]
                }
                return render(request, "complaints/public_status.html", context, status=429)
            code = request.POST.get("code", "")[:40]
            context["asked"] = True
            context["status"] = selectors.public_status(code)
            canonical = tracking.canonical(code)
            if context["status"] is not None and canonical is not None:
                context["code"] = tracking.display(canonical)  # for the acknowledgement
        return render(request, "complaints/public_status.html", context)


@never_cache
@require_POST
def complaint_acknowledgement(request: HttpRequest) -> HttpResponse:
    """The acknowledgement behind a tracking code as PDF or Word, in the person's language
    (asked by POST, as the status is; the same limit on checks). An unknown code gets the
    status page's answer."""
    lang = _language(request)
    with translation.override(lang):
        context: dict[str, Any] = {"lang": lang, "asked": True}
        if _limited(request, "complaint-status", settings.CPMIS_STATUS_RATE_LIMIT):
            context["errors"] = {
                "__all__": [
                    gettext(
                        "Too many checks from this connection just now. "
                        "Wait a few minutes and try again."
                    )
                ]
            }
            return render(request, "complaints/public_status.html", context, status=429)
        code = request.POST.get("code", "")[:40]
        fmt = request.POST.get("format", "pdf")
        status = selectors.public_status(code)
        canonical = tracking.canonical(code)
        if status is None or canonical is None or fmt not in acknowledgement.FORMATS:
            context["status"] = None
            return render(request, "complaints/public_status.html", context, status=404)
        ack = acknowledgement.acknowledgement(status, tracking.display(canonical))
        data = acknowledgement.as_pdf(ack) if fmt == "pdf" else acknowledgement.as_docx(ack)
    response = HttpResponse(data, content_type=acknowledgement.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="complaint-acknowledgement.{fmt}"'
    return response


# --- staff pages ------------------------------------------------------------------------------


@login_required
@capability_required("complaint.view")
def queue(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "open")
    view = view if view in selectors.QUEUE_VIEWS else "open"
    channel = request.GET.get("channel", "")
    channel = channel if channel in Channel.values else ""
    districts = access.districts_where(request.user, "complaint.view").order_by("name_en")
    district = request.GET.get("district", "")
    if district != "none" and not (
        district.isascii() and district.isalnum() and districts.filter(pcode=district).exists()
    ):
        district = ""
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.complaint_queue(
        user=request.user, view=view, channel=channel, district=district, overdue=overdue
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/queue.html",
        {
            "page": page,
            "view": view,
            "views": selectors.QUEUE_VIEWS,
            "channel": channel,
            "channels": Channel.choices,
            "district": district,
            "districts": districts,
            "overdue": overdue,
            "now": timezone.now(),
        },
    )


@require_POST
@login_required
@capability_required("complaint.view")
def find_by_code(request: HttpRequest) -> HttpResponse:
    """A caller reads out their tracking code (by POST: codes stay out of URLs and history)."""
    code = request.POST.get("code", "").strip()[:40]
    found = selectors.complaint_by_code(user=request.user, code=code) if code else None
    if found is not None:
        return redirect("complaints:complaint", uuid=found.uuid)
    messages.error(request, gettext("No complaint you can see has this tracking code."))
    return redirect("complaints:queue")


def _staff_jurisdictions(request: HttpRequest) -> Any:
    ids = access.jurisdictions_where(request.user, "complaint.register")
    qs = Jurisdiction.objects.order_by("name_en")
    return qs if ids is None else qs.filter(pk__in=ids)


@login_required
@capability_required("complaint.register")
def register(request: HttpRequest) -> HttpResponse:
    """The office and helpline form: fields in the order a call goes, keyboard first."""
    errors: Errors = {}
    if request.method == "POST":
        payload: dict[str, Any] = {
            k: v
            for k, v in request.POST.items()
            if v and k not in ("concerns", "csrfmiddlewaretoken") and not k.startswith("child_")
        }
        payload["concerns"] = request.POST.getlist("concerns")
        children = []
        for i in range(3):
            name = request.POST.get(f"child_{i}_name", "")
            age = request.POST.get(f"child_{i}_age", "")
            description = request.POST.get(f"child_{i}_description", "")
            if name or age or description:
                children.append(
                    {
                        "name": name,
                        "age_years": age or None,
                        "sex": request.POST.get(f"child_{i}_sex") or Sex.UNKNOWN,
                        "description": description,
                    }
                )
        payload["children"] = children
        form = ComplaintInput(data=payload)
        if not form.is_valid():
            errors = serializer_errors(form)
        else:
            registered, errors = run_service(
                services.complaint_register, actor=request.user, data=form.to_input()
            )
            if registered is not None:
                request.session["complaint_channel"] = registered.complaint.channel
                messages.success(
                    request,
                    gettext(
                        "Complaint registered. Give the caller the tracking code %(code)s "
                        "(it is shown only now)."
                    )
                    % {"code": registered.display_code},
                )
                return redirect("complaints:complaint", uuid=registered.complaint.uuid)
    return render(
        request,
        "complaints/register.html",
        {
            "errors": errors,
            "values": request.POST,
            "channels": [c for c in Channel.choices if c[0] != Channel.ONLINE],
            "default_channel": request.session.get("complaint_channel", Channel.HELPLINE),
            "jurisdictions": _staff_jurisdictions(request),
            "districts": access.districts_where(request.user, "complaint.register")
            .select_related("jurisdiction")
            .order_by("name_en"),
            "concerns": Concern.choices,
            "checked_concerns": request.POST.getlist("concerns"),
            "reporters": ReporterKind.choices,
            "sexes": Sex.choices,
            "child_rows": [
                {
                    f: request.POST.get(f"child_{i}_{f}", "")
                    for f in ("name", "age", "sex", "description")
                }
                | {"i": i}
                for i in range(3)
            ],
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )


SLIP_ROWS = 15


@login_required
@capability_required("complaint.register")
def box_batch(request: HttpRequest) -> HttpResponse:
    """The slips of one school's complaint box in one go (empty rows are skipped)."""
    errors: Errors = {}
    if request.method == "POST":
        slips = []
        for i in range(SLIP_ROWS):
            narrative = request.POST.get(f"slip_{i}_narrative", "").strip()
            if not narrative:
                continue
            child = {
                "name": request.POST.get(f"slip_{i}_name", ""),
                "sex": request.POST.get(f"slip_{i}_sex") or Sex.UNKNOWN,
                "age_years": request.POST.get(f"slip_{i}_age") or None,
                "description": request.POST.get(f"slip_{i}_class", ""),
            }
            slips.append(
                {
                    "narrative": narrative,
                    "concerns": [request.POST.get(f"slip_{i}_concern", "")],
                    "child": child,
                }
            )
        payload = {
            "jurisdiction": request.POST.get("jurisdiction", ""),
            "district": request.POST.get("district") or None,
            "school": request.POST.get("school", ""),
            "opened_at": request.POST.get("opened_at", ""),
            "slips": slips,
        }
        form = BoxBatchInput(data=payload)
        if not form.is_valid():
            errors = serializer_errors(form)
        else:
            v = form.validated_data
            registered, errors = run_service(
                services.complaint_box_batch,
                actor=request.user,
                jurisdiction=v["jurisdiction"],
                district=v.get("district"),
                school=v["school"],
                opened_at=v["opened_at"],
                slips=form.slips_input(),
            )
            if registered is not None:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s complaint-box slip registered.",
                        "%(count)s complaint-box slips registered.",
                        len(registered),
                    )
                    % {"count": len(registered)},
                )
                return redirect("complaints:queue")
    return render(
        request,
        "complaints/box_batch.html",
        {
            "errors": errors,
            "values": request.POST,
            "jurisdictions": _staff_jurisdictions(request),
            "districts": access.districts_where(request.user, "complaint.register").order_by(
                "name_en"
            ),
            "concerns": Concern.choices,
            "sexes": Sex.choices,
            "rows": [
                {
                    f: request.POST.get(f"slip_{i}_{f}", "")
                    for f in ("narrative", "concern", "name", "age", "sex", "class")
                }
                | {"i": i}
                for i in range(SLIP_ROWS)
            ],
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )


@login_required
@capability_required("complaint.view")
def complaint_page(request: HttpRequest, uuid: str) -> HttpResponse:
    complaint = selectors.complaint_get(user=request.user, complaint_uuid=uuid)
    triages = access.has_capability(request.user, "complaint.triage")
    children = list(complaint.children.select_related("child", "case"))
    waiting = [c for c in children if c.case_id is None]  # children still without a case
    open_for_cases = complaint.status in OPEN_FOR_CASES and (waiting or not children)
    child_matches: list[Any] = []
    complaint_matches: list[Any] = []
    if triages and open_for_cases:
        child_matches, complaint_matches = selectors.possible_matches(
            user=request.user, complaint=complaint
        )
        child_matches = [m for m in child_matches if m.about.case_id is None]
    next_child = waiting[0] if waiting else None
    # The reporter typed the name in one field: pre-fill the registry's field of its script.
    prefill_latin, prefill_urdu = split_by_script(next_child.name if next_child else "")
    return render(
        request,
        "complaints/complaint.html",
        {
            "complaint": complaint,
            "children": children,
            "next_child": next_child,
            "prefill": {"name_latin": prefill_latin, "name_urdu": prefill_urdu},
            "open_for_cases": open_for_cases,
            "history": _history(complaint),
            "triages": triages,
            "routes": triages or access.has_capability(request.user, "complaint.route"),
            "child_matches": child_matches,
            "complaint_matches": complaint_matches,
            "risks": RiskLevel.choices,
            "concerns": Concern.choices,
            "bodies": ReferralBody.choices,
            "reasons": [c for c in ClosureReason.choices if c[0] != "referral_completed"],
            "sexes": Sex.choices,
            "route_districts": District.objects.select_related("jurisdiction").order_by(
                "jurisdiction__name_en", "name_en"
            ),
            "today": timezone.localdate().isoformat(),
            "errors": request.session.pop("complaint_errors", {}),
        },
    )


def _history(complaint: Complaint) -> list[tuple[ComplaintEvent, str]]:
    """The complaint's events with what each did in words: the events store codes (a
    district's pcode, a body, a reason), the page shows their names."""
    events = list(complaint.events.select_related("actor"))
    pcodes = {str(e.details["to"]) for e in events if e.details.get("to")}
    districts = dict(
        District.objects.filter(pcode__in=pcodes).values_list("pcode", "name_en") if pcodes else []
    )
    bodies, reasons = dict(ReferralBody.choices), dict(ClosureReason.choices)
    history = []
    for e in events:
        d = e.details or {}
        words = []
        if d.get("to"):
            words.append(f"→ {districts.get(d['to'], d['to'])}")
        if d.get("body"):
            words.append(f"→ {bodies.get(d['body'], d['body'])}")
        if d.get("reason"):
            words.append(f"({reasons.get(d['reason'], d['reason'])})")
        if d.get("next_follow_up_on"):
            words.append(gettext("(check again on %(date)s)") % {"date": d["next_follow_up_on"]})
        history.append((e, " ".join(words)))
    return history


def _form_payload(request: HttpRequest, action: str) -> dict[str, Any]:
    payload: dict[str, Any] = {
        k: v
        for k, v in request.POST.items()
        if v and k != "csrfmiddlewaretoken" and k != "concerns" and not k.startswith("register_")
    }
    if request.POST.getlist("concerns"):
        payload["concerns"] = request.POST.getlist("concerns")
    if action == "open-case" and "child" not in payload:
        register = {
            k.removeprefix("register_"): v
            for k, v in request.POST.items()
            if k.startswith("register_") and v
        }
        if register:
            payload["register"] = register
    return payload


@require_POST
@login_required
@capability_required("complaint.view")
def complaint_action(request: HttpRequest, uuid: str, action: str) -> HttpResponse:
    complaint = selectors.complaint_get(user=request.user, complaint_uuid=uuid)
    errors: Errors = {}
    result = None
    try:
        result = run_action(request.user, complaint, action, _form_payload(request, action))
    except serializers.ValidationError as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {"__all__": exc.detail}
        errors = {
            k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()
        }
    except ValidationError as exc:
        errors = getattr(exc, "message_dict", {"__all__": exc.messages})
    except PermissionDenied as exc:
        errors = {"__all__": [str(exc) or gettext("You cannot do this.")]}
    except Conflict as exc:
        reload = gettext("Reload the page and try again.")
        errors = {"__all__": [f"{exc} {reload}"]}
    if errors:
        request.session["complaint_errors"] = {"action": action, "fields": errors}
        return redirect("complaints:complaint", uuid=complaint.uuid)
    messages.success(request, gettext("Done."))
    if action == "open-case" and result is not None:
        return redirect("cases:case", uuid=result.uuid)
    if (
        action == "route"
        and not access.complaints_visible_to(request.user).filter(pk=complaint.pk).exists()
    ):
        return redirect("complaints:queue")
    return redirect("complaints:complaint", uuid=complaint.uuid)


@login_required
@capability_required("complaint.view")
def export_csv(request: HttpRequest) -> HttpResponse:
    """The queue as CSV (no narratives, names or places), written by a worker: the file at
    once if the job ran at once (no queue), else the job's page, which follows it and then
    offers the file."""
    view = request.GET.get("view", "all")
    try:
        job = job_services.job_submit(
            actor=request.user, kind="complaints.export", params={"view": view}
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("complaints:queue")
    if job.state == job.State.FAILED:
        messages.error(request, job.shown_message)
        return redirect("complaints:queue")
    return file_or_follow(request, job)
