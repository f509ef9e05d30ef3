"""Fixtures shared by every app's tests: reference data, personas, Celery mode, the browser."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from customs_core.testing.factories import (  # noqa: E402
    PASSWORD,
    DeclarantFactory,
    EnterpriseFactory,
    UserFactory,
)
from customs_core.testing.shared import ENTERPRISE_NAMES, OFFICER_ROLES  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    from django.conf import settings

    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))  # uploads never land in the repo
    settings.AXES_ENABLED = False  # lockout has its own test that turns it back on
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped reference data once; tests roll back their own rows on top of it."""
    from customs_core.reference_data import reference_data_load
    from customs_core.testing.snapshot import reference_snapshot_take

    with django_db_blocker.unblock():
        reference_data_load()
        reference_snapshot_take()


@pytest.fixture
def reference_data(db):
    """Reference data, put back where a transactional test flushed the database."""
    from customs_core.testing.snapshot import reference_ensure

    reference_ensure()


@pytest.fixture(autouse=True)
def _celery_mode(request, settings):
    """Tasks run eagerly in-process, except in tests that start a real worker."""
    from customs_core.celery import app

    real = any(name.endswith("celery_worker") for name in request.fixturenames)
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = not real
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _second_factor_passed(monkeypatch):
    """`client.force_login(officer)` signs in as an officer does: password and second factor.
    Tests of the second factor itself use `password_only_force_login` (issue 20)."""
    from django.test.client import ClientMixin

    from customs_core.testing.second_factor import force_login_with_second_factor

    monkeypatch.setattr(ClientMixin, "force_login", force_login_with_second_factor)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters live in the cache, reference rows in the process: each test starts
    from zero (a transactional test reloads reference data under new primary keys)."""
    from django.core.cache import cache

    from customs_core import reference_cache, working_hours
    from declarations.risk import cache as risk_cache
    from declarations.risk.tasks import routed_here

    cache.clear()
    reference_cache.clear()
    risk_cache.clear()
    working_hours.clear()
    routed_here.clear()  # SQLite reuses the primary keys of rolled-back rows
    yield
    reference_cache.clear()
    risk_cache.clear()
    working_hours.clear()


# --- Personas (STYLE.md): declarant_b must never see anything of declarant_a's ----------------
@pytest.fixture
def enterprise_a(reference_data):
    return EnterpriseFactory(name=ENTERPRISE_NAMES["enterprise_a"])


@pytest.fixture
def enterprise_b(reference_data):
    return EnterpriseFactory(name=ENTERPRISE_NAMES["enterprise_b"])


@pytest.fixture
def declarant_a(enterprise_a):
    return DeclarantFactory(username="declarant_a", enterprise=enterprise_a)


@pytest.fixture
def declarant_b(enterprise_b):
    return DeclarantFactory(username="declarant_b", enterprise=enterprise_b)


def _officer(username):
    return UserFactory(username=username, role=OFFICER_ROLES[username])


@pytest.fixture
def doc_checker(reference_data):
    return _officer("doc_checker")


@pytest.fixture
def inspector(reference_data):
    return _officer("inspector")


@pytest.fixture
def risk_officer(reference_data):
    return _officer("risk_officer")


@pytest.fixture
def team_leader(reference_data):
    return _officer("team_leader")


@pytest.fixture
def leader(reference_data):
    return _officer("leader")


@pytest.fixture
def admin_user(reference_data):
    return UserFactory(username="administrator", role="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def api_as(api_client):
    """api_as(user) -> an APIClient authenticated with that user's token."""
    from customs_core.testing.second_factor import api_token

    def login(user):
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        return api_client

    return login


@pytest.fixture
def password():
    return PASSWORD


# --- Browser (RECIPES.md): Debian's Chromium, never `playwright install` ----------------------
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    from customs_core.testing.services import service_missing

    if not os.path.exists(CHROMIUM):
        service_missing(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update",
                     "--no-first-run", "--disable-quic", "--disable-sync"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US"}


# --- Real services ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def _celery_worker_session(django_db_setup, django_db_blocker):
    from django.db import connection

    from customs_core.testing.services import CeleryWorker, require_postgresql, require_redis

    with django_db_blocker.unblock():
        connection.ensure_connection()
        require_postgresql()
    broker = require_redis()
    worker = CeleryWorker(broker=broker)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(_celery_worker_session, transactional_db, reference_data):
    """A real Celery worker (subprocess) on Redis and the test database; rows must be committed."""
    return _celery_worker_session


@pytest.fixture
def plain_celery_worker(transactional_db, reference_data):
    """A real worker started as an operator would, with no -Q: it must consume every queue."""
    from django.db import connection

    from customs_core.testing.services import CeleryWorker, require_postgresql, require_redis

    connection.ensure_connection()
    require_postgresql()
    worker = CeleryWorker(broker=require_redis(), queues=None, name="plain")
    worker.start()
    yield worker
    worker.stop()


# --- Declarations (used by declarations/tests and the cross-app tests in tests/) -------------
@pytest.fixture
def make_declaration(declarant_a):
    """make_declaration(state="draft"|"submitted", user=..., preferential=..., **payload)."""
    from declarations import services
    from declarations.testing import declaration_payload, parse, pdf_file

    def make(*, user=None, state="draft", preferential=False, **overrides):
        user = user or declarant_a
        data = parse(declaration_payload(preferential=preferential, **overrides))
        documents = ([{"doc_type": "certificate_of_origin", "co_form": "E",
                       "reference": "E26VN0001", "file": pdf_file()}] if preferential else [])
        declaration = services.declaration_create_draft(user=user, data=data,
                                                        documents=documents)
        if state == "submitted":
            declaration = services.declaration_submit(declaration=declaration, user=user)
        declaration.refresh_from_db()
        return declaration

    return make

