"""POST /api/v1/auth/token/: a token for a username and password (and the authenticator code
where the account has a second factor), with the lockout and the throttle that the sign-in page
has (issues: hardening, 20)."""

from django.conf import settings
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

from ..accounts import second_factor
from .parsers import JSONParser


class TokenInputSerializer(AuthTokenSerializer):
    otp_code = serializers.CharField(
        required=False, help_text="The authenticator's 6-digit code or a recovery code: "
                                  "required for officers and for accounts with a second factor.")


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires = serializers.DateTimeField()


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
        request=TokenInputSerializer,
        responses={200: TokenOutputSerializer,
                   400: OpenApiResponse(description="Wrong credentials, a wrong or used "
                                                    "authenticator code, or missing fields."),
                   403: OpenApiResponse(description="An officer without a second factor: "
                                                    "enrol on the website first."),
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
        user = serializer.validated_data["user"]
        if second_factor.required_for(user):
            refused = self._second_factor_refusal(user, request.data.get("otp_code"))
            if refused is not None:
                return refused
        token, _created = Token.objects.get_or_create(user=user)
        if token.created <= timezone.now() - settings.USER_TOKEN_LIFETIME:
            token.delete()  # expired: a new key, not the old one revived
            token = Token.objects.create(user=user)
        return Response({"token": token.key,
                         "expires": token.created + settings.USER_TOKEN_LIFETIME})

    @staticmethod
    def _second_factor_refusal(user, code) -> Response | None:
        if second_factor.authenticator(user) is None:
            return Response({"detail": _("Set up the second factor on the website before "
                                         "using the API."),
                             "code": "second_factor_enrolment_required"},
                            status=status.HTTP_403_FORBIDDEN)
        if not isinstance(code, str) or not code.strip():
            return Response({"otp_code": [_("Your account has a second factor: send the "
                                            "authenticator's code.")]},
                            status=status.HTTP_400_BAD_REQUEST)
        verdict = second_factor.check(user, code)
        if not verdict.ok:
            return Response({"otp_code": [verdict.error]}, status=status.HTTP_400_BAD_REQUEST)
        return None
