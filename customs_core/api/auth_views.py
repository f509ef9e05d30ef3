"""POST /api/v1/auth/token/: a token for a username and password, with the lockout and the
throttle that the sign-in page has (issue: hardening)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .parsers import JSONParser


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


def lockout_seconds_left(request, username: str) -> int | None:
    """Seconds until django-axes lets this username and address try again, or None."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    django_request = getattr(request, "_request", request)
    if not AxesProxyHandler.is_locked(django_request, {"username": username}):
        return None
    cool_off = get_cool_off(django_request)
    latest = (AccessAttempt.objects.filter(username=username,
                                           ip_address=django_request.axes_ip_address)
              .order_by("-attempt_time").values_list("attempt_time", flat=True).first())
    if cool_off is None:
        return 0
    if latest is None:
        return int(cool_off.total_seconds())
    return max(int((latest + cool_off - timezone.now()).total_seconds()), 1)


def locked_out(seconds: int) -> Response:
    minutes = max((seconds + 59) // 60, 1)
    return Response({"detail": _("Too many failed sign-ins: this account is locked from your "
                                 "address for %(minutes)d more minutes.") % {"minutes": minutes},
                     "code": "locked_out"},
                    status=status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": seconds})


class TokenObtainView(APIView):
    """A token for API clients. Five wrong passwords lock the username from that address for
    30 minutes (429 with Retry-After, like the sign-in page); the endpoint is throttled."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Obtain an API token with a username and password",
        request=AuthTokenSerializer,
        responses={200: TokenOutputSerializer,
                   400: OpenApiResponse(description="Wrong credentials or missing fields."),
                   429: OpenApiResponse(description="Locked out after failed attempts, or "
                                                    "throttled: see Retry-After.")},
        auth=[])
    def post(self, request):
        username = str(request.data.get("username", ""))[:150]
        seconds = lockout_seconds_left(request, username)
        if seconds is not None:
            return locked_out(seconds)
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            seconds = lockout_seconds_left(request, username)  # this failure may be the 5th
            if seconds is not None:
                return locked_out(seconds)
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
