"""The API the offline app on an officer's phone talks to (ADR 0020).

Every answer carries ``server_now``, so the phone can tell its clock from the server's. The
phone names itself with the header ``X-CPMIS-Device``; a device that was removed, signed out or
whose account was disabled is answered 410 with ``"wipe": true`` wherever it calls.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from cpmis import access
from cpmis.accounts.models import User
from cpmis.core.openapi import ErrorSerializer, ValidationErrorSerializer, errors
from cpmis.permissions import HasCapability

from . import pack, services, sync
from .models import FieldAction

DEVICE_HEADER = "X-CPMIS-Device"
DEVICE = OpenApiParameter(
    DEVICE_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The uuid of the phone, as enrolment gave it.",
)


def _officer(request: Request) -> User:
    """The signed-in officer (the permission classes have let no one else in)."""
    assert isinstance(request.user, User)
    return request.user


def _answer(data: dict[str, Any], code: int = status.HTTP_200_OK) -> Response:
    return Response({**data, "server_now": timezone.now().isoformat()}, status=code)


class WipeSerializer(serializers.Serializer):
    wipe = serializers.BooleanField()
    reason = serializers.ChoiceField(["revoked", "signed_out", "account_disabled", "unknown"])
    detail = serializers.CharField()
    server_now = serializers.DateTimeField()


def _wipe(reason: str) -> Response:
    messages = {
        "revoked": _("Your supervisor removed this phone."),
        "signed_out": _("You signed out on this phone."),
        "account_disabled": _("Your account was disabled."),
        "unknown": _("This phone is not enrolled."),
    }
    detail = messages.get(reason, messages["unknown"])
    return _answer(
        {
            "wipe": True,
            "reason": reason if reason in messages else "unknown",
            "detail": " ".join([detail, _("Its offline data was deleted.")]),
        },
        status.HTTP_410_GONE,
    )


class DeviceRequired(GenericAPIView):
    """An officer's call from an enrolled phone."""

    permission_classes = [HasCapability.of("case.work")]

    def device(self, request: Request) -> Any:
        return sync.active_device(_officer(request), request.headers.get(DEVICE_HEADER, ""))

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, sync.DeviceEnded):
            return _wipe(exc.reason)
        return super().handle_exception(exc)


# --- enrolment and the phone's questions -----------------------------------------------------


class EnrolInput(serializers.Serializer):
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=80, help_text="A name the officer gives the phone."
    )


class EnrolmentSerializer(serializers.Serializer):
    device = serializers.UUIDField()
    secret = serializers.CharField(help_text="Shown once: the phone keeps it, the server a hash.")
    server_now = serializers.DateTimeField()


class DeviceEnrol(GenericAPIView):
    """``POST /api/field/devices/``: enrol the browser the officer is using."""

    permission_classes = [HasCapability.of("case.work")]
    serializer_class = EnrolInput

    @extend_schema(responses={201: EnrolmentSerializer, **errors(400, 403)})
    def post(self, request: Request) -> Response:
        data = EnrolInput(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = services.device_enrol(
            actor=request.user,
            label=data.validated_data["label"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return _answer(
            {"device": str(enrolment.device.uuid), "secret": enrolment.secret},
            status.HTTP_201_CREATED,
        )


class DeviceStatusInput(serializers.Serializer):
    secret = serializers.CharField(max_length=100)
    wiped = serializers.BooleanField(required=False, default=False)


class DeviceStatusSerializer(serializers.Serializer):
    state = serializers.ChoiceField(["active", "wipe"])
    reason = serializers.CharField(allow_blank=True)
    server_now = serializers.DateTimeField()


class DeviceStatus(GenericAPIView):
    """``POST /api/field/devices/{uuid}/status/``: may this phone keep its store? No session
    needed: a disabled account's phone must be told even when its session is gone. Answers only
    to the device's own secret."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "field_status"
    serializer_class = DeviceStatusInput

    @extend_schema(
        responses={
            200: DeviceStatusSerializer,
            400: OpenApiResponse(ValidationErrorSerializer, description="The input is invalid."),
            429: OpenApiResponse(ErrorSerializer, description="Too many requests."),
        }
    )
    def post(self, request: Request, uuid: str) -> Response:
        data = DeviceStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        answer = services.device_status(
            device_uuid=uuid,
            secret=data.validated_data["secret"],
            wiped=data.validated_data["wiped"],
        )
        return _answer({"state": answer.state, "reason": answer.reason})


class SignOutInput(serializers.Serializer):
    """Nothing: the phone is named in the path."""


class DeviceSignOut(GenericAPIView):
    """``POST /api/field/devices/{uuid}/sign-out/``: the officer signs out on the phone."""

    permission_classes = [HasCapability.of("case.work")]
    serializer_class = SignOutInput

    @extend_schema(request=None, responses={200: DeviceStatusSerializer, **errors(403, 404)})
    def post(self, request: Request, uuid: str) -> Response:
        device = (
            access.devices_of(request.user).filter(uuid=uuid).first()
            if services.is_uuid(uuid)
            else None
        )
        if device is None:
            return Response({"detail": _("This is not one of your phones.")}, status=404)
        services.device_sign_out(actor=request.user, device=device)
        return _answer({"state": "wipe", "reason": "signed_out"})


# --- the pack --------------------------------------------------------------------------------


class PackSerializer(serializers.Serializer):
    """The officer's own open cases as the phone shows them (ADR 0020)."""

    server_now = serializers.DateTimeField()
    device = serializers.UUIDField()
    language = serializers.CharField()
    user = serializers.DictField()
    settings = serializers.DictField()
    choices = serializers.DictField()
    institutions = serializers.ListField(child=serializers.DictField())
    cases = serializers.ListField(child=serializers.DictField())


@method_decorator(gzip_page, name="get")
class Pack(DeviceRequired):
    """``GET /api/field/pack/``: what the phone stores (compressed on the way)."""

    @extend_schema(
        parameters=[DEVICE],
        responses={
            200: PackSerializer,
            410: OpenApiResponse(WipeSerializer, description="The phone must wipe its store."),
            **errors(403),
        },
    )
    def get(self, request: Request) -> Response:
        device = self.device(request)
        data = pack.build(_officer(request), str(device.uuid))
        services.touch(device)
        return Response(data)


# --- sync ------------------------------------------------------------------------------------


class ActionInput(serializers.Serializer):
    key = serializers.UUIDField(help_text="The idempotency key the phone gave the action.")
    seq = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    kind = serializers.ChoiceField(FieldAction.Kind.choices)
    case = serializers.UUIDField(help_text="The case (for register: the new case's uuid).")
    base_version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True
    )
    field_time = serializers.DateTimeField()
    queued_at = serializers.DateTimeField()
    data = serializers.DictField()  # type: ignore[assignment]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["kind"] != FieldAction.Kind.REGISTER and not attrs.get("base_version"):
            raise serializers.ValidationError(
                {"base_version": _("Give the version of the case the action was recorded on.")}
            )
        return attrs


class SyncInput(serializers.Serializer):
    device_now = serializers.DateTimeField(help_text="The phone's clock when it sends.")
    actions = ActionInput(many=True, max_length=sync.MAX_ACTIONS)  # type: ignore[call-arg]


class ResultSerializer(serializers.Serializer):
    key = serializers.UUIDField()
    status = serializers.ChoiceField(["applied", "duplicate", "conflict", "refused", "held"])
    message = serializers.CharField()
    errors = serializers.DictField()  # type: ignore[assignment]
    changes = serializers.ListField(child=serializers.DictField())
    case = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)


class SyncSerializer(serializers.Serializer):
    """The answer to each action, and the cases it named that left the officer's caseload. No
    case records: the phone takes the whole pack once after its last batch (on a slow line,
    one compressed pack costs less than the touched cases with every batch)."""

    server_now = serializers.DateTimeField()
    results = ResultSerializer(many=True)
    removed = serializers.ListField(child=serializers.UUIDField())


class ClockOffSerializer(serializers.Serializer):
    code = serializers.ChoiceField(["clock_off"])
    skew_seconds = serializers.IntegerField(help_text="Server time minus the phone's.")
    detail = serializers.CharField()
    server_now = serializers.DateTimeField()


def _cases_after(
    request: Request, results: list[sync.Result], *, records: bool = True
) -> dict[str, Any]:
    kept, removed = sync.touched_cases(_officer(request), results)
    if not records:
        return {"removed": removed}
    return {"cases": pack.case_records(_officer(request), kept), "removed": removed}


@method_decorator(gzip_page, name="post")
class Sync(DeviceRequired):
    """``POST /api/field/sync/``: the phone's queued actions, in its order."""

    serializer_class = SyncInput

    @extend_schema(
        parameters=[DEVICE],
        responses={
            200: SyncSerializer,
            409: OpenApiResponse(ClockOffSerializer, description="The phone's clock is off."),
            410: OpenApiResponse(WipeSerializer, description="The phone must wipe its store."),
            **errors(400, 403),
        },
    )
    def post(self, request: Request) -> Response:
        device = self.device(request)
        data = SyncInput(data=request.data)
        data.is_valid(raise_exception=True)
        actions = [sync.Action(**a) for a in data.validated_data["actions"]]
        try:
            results = sync.sync(
                actor=_officer(request),
                device=device,
                device_now=data.validated_data["device_now"],
                actions=actions,
            )
        except sync.ClockOff as exc:
            return _answer(
                {"code": "clock_off", "skew_seconds": exc.skew_seconds, "detail": exc.message},
                status.HTTP_409_CONFLICT,
            )
        return _answer(
            {
                "results": [r.as_dict() for r in results],
                **_cases_after(request, results, records=False),
            }
        )


class ResolveInput(serializers.Serializer):
    key = serializers.UUIDField()
    decision = serializers.ChoiceField(
        [("apply", "Record mine anyway"), ("discard", "Set mine aside")]
    )


class ResolveSerializer(serializers.Serializer):
    server_now = serializers.DateTimeField()
    result = ResultSerializer()  # type: ignore[assignment]
    cases = serializers.ListField(child=serializers.DictField())
    removed = serializers.ListField(child=serializers.UUIDField())


@method_decorator(gzip_page, name="post")
class Resolve(DeviceRequired):
    """``POST /api/field/resolve/``: the officer's decision on a conflict."""

    serializer_class = ResolveInput

    @extend_schema(
        parameters=[DEVICE],
        responses={
            200: ResolveSerializer,
            410: OpenApiResponse(WipeSerializer, description="The phone must wipe its store."),
            **errors(400, 403),
        },
    )
    def post(self, request: Request) -> Response:
        device = self.device(request)
        data = ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = sync.resolve(actor=_officer(request), device=device, **data.validated_data)
        services.touch(device, synced=True)
        return _answer({"result": result.as_dict(), **_cases_after(request, [result])})
