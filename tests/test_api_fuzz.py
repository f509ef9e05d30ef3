"""schemathesis over the whole OpenAPI schema: no 5xx, every response matches the schema.

Every endpoint added later is fuzzed too, as an officer and as an enterprise.
"""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from customs_core.wsgi import application

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance,
          status_code_conformance]


def _openapi() -> dict:
    """The schema /api/schema/ serves, generated in-process (no database needed)."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(json.loads(json.dumps(_openapi(), default=str)))
schema.app = application


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Calling the WSGI app directly fires request_finished, whose close_old_connections would
    close the test's open transaction; Django's own test client disconnects it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _token(user) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


@pytest.fixture
def officer_token(doc_checker):
    return _token(doc_checker)


@pytest.fixture
def enterprise_token(declarant_a):
    return _token(declarant_a)


FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_api_as_an_officer_never_fails_and_matches_its_schema(case, officer_token):
    case.call_and_validate(headers={"Authorization": f"Token {officer_token}"}, checks=CHECKS)


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_api_as_an_enterprise_never_fails_and_matches_its_schema(case, enterprise_token):
    case.call_and_validate(headers={"Authorization": f"Token {enterprise_token}"}, checks=CHECKS)
