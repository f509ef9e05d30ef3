"""Operations (issue 20): the request id in responses, logs and Celery tasks; the Prometheus
series on /metrics, which only the operator reads."""

import io
import json
import logging
import subprocess
import sys
from contextlib import contextmanager
from datetime import timedelta

import pytest
from celery import signals
from celery.app.trace import build_tracer
from django.http import HttpResponse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from customs_core.celery import app as celery_app
from customs_core.observability import metrics
from customs_core.observability.context import current_request_id, request_id_var, task_var
from customs_core.observability.logs import JsonFormatter, RequestContextFilter, text_formatter
from customs_core.observability.middleware import RequestObservabilityMiddleware
from customs_core.observability.task_signals import HEADER
from customs_core.testing.services import BASE_DIR

TOKEN = "s3cret-scraper-token"


@celery_app.task(name="customs_core.tests.observability_echo")
def echo_task():
    """What a task sees of its context: the request id and its own name."""
    task = task_var.get()
    return current_request_id(), task[0] if task else None


@celery_app.task(name="customs_core.tests.observability_fail")
def failing_task():
    raise RuntimeError("this task always fails")


@pytest.fixture(autouse=True)
def _no_request_id_left():
    request_id_var.set(None)
    yield
    request_id_var.set(None)


@contextmanager
def json_log_lines():
    """The JSON lines the root logger writes meanwhile, through the filter and formatter
    settings.LOGGING gives the console handler."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    lines = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


def samples(text: bytes) -> dict[tuple, float]:
    """{(sample name, sorted labels): value} of an exposition text."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text.decode())
            for sample in family.samples}


def scrape(client) -> dict[tuple, float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return samples(response.content)


@pytest.fixture
def scraper(client, settings):
    settings.METRICS_TOKEN = TOKEN
    return client


# --- Request id ------------------------------------------------------------------------------
def test_a_well_formed_request_id_is_echoed(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.01_x")
    assert response["X-Request-ID"] == "lb-7f3a.01_x"


def test_a_request_without_an_id_gets_a_new_one(client, db):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32 and int(first["X-Request-ID"], 16) >= 0
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize("bad", ["a" * 65, "two words", "id\nforged log line", "mã-số", "{}"])
def test_a_malformed_request_id_is_replaced(client, db, bad):
    returned = client.get("/healthz", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
    assert returned != bad and len(returned) == 32


def test_the_access_log_line_names_the_request_and_the_user(client, declarant_a):
    client.force_login(declarant_a)
    with json_log_lines() as lines:
        response = client.get("/healthz", HTTP_X_REQUEST_ID="access-1")
    [line] = [line for line in lines if line["logger"] == "customs_core.requests"]
    assert line["request_id"] == response["X-Request-ID"] == "access-1"
    assert {key: line[key] for key in ("level", "method", "path", "route", "status",
                                       "user_id")} == {
        "level": "INFO", "method": "GET", "path": "/healthz", "route": "/healthz",
        "status": 200, "user_id": declarant_a.pk}
    assert line["duration_ms"] >= 0 and line["timestamp"].endswith("+00:00")


def test_every_line_logged_for_a_request_carries_its_id(client, db):
    """Django logs a 404 after the middleware has returned: still the request's id."""
    with json_log_lines() as lines:
        client.get("/no/such/page/", HTTP_X_REQUEST_ID="lost-1")
    warning = next(line for line in lines if line["logger"] == "django.request")
    assert warning["message"] == "Not Found: /no/such/page/"
    assert warning["request_id"] == "lost-1"
    assert current_request_id() is None  # and none is left over for the next request


def test_the_text_format_shows_the_id_or_a_dash():
    formatter, context = text_formatter(), RequestContextFilter()
    record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "outside"})
    context.filter(record)
    assert formatter.format(record).endswith("INFO x [-] outside")
    request_id_var.set("abc")
    record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "inside"})
    context.filter(record)
    assert formatter.format(record).endswith("INFO x [abc] inside")


def test_a_server_error_under_api_reports_the_request_id(api_as, declarant_a, monkeypatch):
    from declarations import services
    from declarations.testing import declaration_payload

    def broken(**kwargs):
        raise RuntimeError("a bug nobody foresaw")

    monkeypatch.setattr(services, "duties_preview", broken)
    client = api_as(declarant_a)
    client.raise_request_exception = False
    with json_log_lines() as lines:
        response = client.post("/api/v1/declarations/duty-preview/", declaration_payload(),
                               format="json", HTTP_X_REQUEST_ID="boom-1")
    assert response.status_code == 500 and response.json()["error_id"] == "boom-1"
    error = next(line for line in lines if line["logger"] == "customs_core.api")
    assert error["request_id"] == "boom-1" and "RuntimeError" in error["exc_info"]


# --- The request id in Celery tasks ------------------------------------------------------------
def test_a_task_run_eagerly_in_a_request_sees_the_request_id(rf):
    seen = []

    def view(request):
        # An eager result is already there: nothing blocks (and a process where a worker
        # started earlier in the run would otherwise refuse the .get()).
        seen.append(echo_task.delay().get(disable_sync_subtasks=False))
        return HttpResponse()

    RequestObservabilityMiddleware(view)(rf.get("/", HTTP_X_REQUEST_ID="eager-1"))
    assert seen == [("eager-1", "customs_core.tests.observability_echo")]


def test_a_published_task_carries_the_id_and_the_worker_runs_under_it():
    published = {}

    def capture(headers=None, **kwargs):
        published.update(headers)

    signals.before_task_publish.connect(capture, weak=False)
    celery_app.conf.task_always_eager = False  # the autouse fixture restores it
    request_id_var.set("queued-1")
    try:
        with celery_app.connection_for_write("memory://") as connection:
            echo_task.apply_async(connection=connection)
    finally:
        signals.before_task_publish.disconnect(capture)
    assert published[HEADER] == "queued-1"

    # The worker's side: the message's headers are the task's request, as in a worker.
    request_id_var.set(None)
    run = build_tracer(echo_task.name, echo_task, app=celery_app, propagate=True)
    result = run(published["id"], [], {}, {**published, "delivery_info": {}})
    assert result.retval == ("queued-1", "customs_core.tests.observability_echo")
    assert current_request_id() is None and task_var.get() is None  # cleared after the run


def test_a_task_queued_without_an_id_runs_under_its_own():
    run = build_tracer(echo_task.name, echo_task, app=celery_app, propagate=True)
    result = run("task-1", [], {}, {"id": "task-1", "task": echo_task.name,
                                    "delivery_info": {}})
    request_id, _name = result.retval
    assert len(request_id) == 32


# --- /metrics: the operator only -------------------------------------------------------------
def test_metrics_refuse_an_anonymous_caller_with_401(client, db):
    response = client.get("/metrics")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("persona", ["declarant_a", "doc_checker", "leader"])
def test_metrics_refuse_a_signed_in_user_who_is_not_the_operator(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/metrics").status_code == 403


def test_metrics_answer_a_signed_in_administrator(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")


def test_metrics_answer_the_scraper_token(scraper, db):
    assert scraper.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


@pytest.mark.parametrize("header", [f"Bearer {TOKEN}x", "Bearer ", f"Token {TOKEN}", TOKEN])
def test_metrics_refuse_a_wrong_token_with_401(scraper, db, header):
    assert scraper.get("/metrics", HTTP_AUTHORIZATION=header).status_code == 401


def test_no_token_is_accepted_while_none_is_configured(client, db, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


# --- The series --------------------------------------------------------------------------------
def test_a_request_is_counted_and_timed_by_its_route(scraper, db):
    labels = (("method", "GET"), ("route", "/healthz"), ("status", "200"))
    before = scrape(scraper).get(("customs_http_requests_total", labels), 0)
    scraper.get("/healthz")
    after = scrape(scraper)
    assert after[("customs_http_requests_total", labels)] == before + 1
    assert after[("customs_http_request_duration_seconds_count", labels)] >= 1


def test_the_route_label_is_the_url_pattern_never_the_path(scraper, db):
    scraper.get("/declarations/987654/")  # anonymous: a redirect to sign in
    after = scrape(scraper)
    routes = {dict(labels)["route"] for name, labels in after
              if name == "customs_http_requests_total"}
    assert "/declarations/<int:pk>/" in routes
    assert not any("987654" in route for route in routes)


def test_a_task_run_is_timed_and_a_failure_counted(scraper, db):
    timed = ("customs_celery_task_duration_seconds_count",
             (("task", "customs_core.tests.observability_echo"),))
    failed = ("customs_celery_task_failures_total",
              (("task", "customs_core.tests.observability_fail"),))
    before = scrape(scraper)
    echo_task.delay()
    failing_task.apply(throw=False)
    after = scrape(scraper)
    assert after[timed] == before.get(timed, 0) + 1
    assert after[failed] == before.get(failed, 0) + 1


def test_the_routing_backlog_counts_declarations_waiting_for_routing(scraper, reference_data):
    from declarations.testing import DeclarationFactory, publish_rates

    publish_rates()
    assert scrape(scraper)[("customs_routing_backlog", ())] == 0
    DeclarationFactory(state="submitted")  # no commit in this test: routing is never queued
    DeclarationFactory(state="draft")
    assert scrape(scraper)[("customs_routing_backlog", ())] == 1


def test_the_rollup_lag_is_the_age_of_the_oldest_stale_mark(scraper, db):
    from reporting.models import StaleDeclaration

    StaleDeclaration.objects.all().delete()
    assert scrape(scraper)[("customs_rollup_lag_seconds", ())] == 0
    mark = StaleDeclaration.objects.create(declaration_id=1)
    StaleDeclaration.objects.filter(pk=mark.pk).update(
        marked_at=timezone.now() - timedelta(hours=1))
    StaleDeclaration.objects.create(declaration_id=2)  # a newer one changes nothing
    assert 3600 <= scrape(scraper)[("customs_rollup_lag_seconds", ())] < 3600 + 300


def test_a_failing_gauge_leaves_the_others(scraper, db, monkeypatch):
    def broken():
        raise RuntimeError("database gone")

    monkeypatch.setitem(metrics.GAUGES, "customs_broken",
                        metrics.ScrapeGauge("customs_broken", "Broken.", broken))
    after = scrape(scraper)
    assert ("customs_routing_backlog", ()) in after
    assert not any(name == "customs_broken" for name, _ in after)


def test_queue_depth_is_left_out_when_tasks_run_eagerly(scraper, db):
    assert celery_app.conf.task_always_eager
    assert not any(name == "customs_celery_queue_depth" for name, _ in scrape(scraper))


@pytest.mark.services
@pytest.mark.broker
def test_queue_depth_counts_the_messages_waiting_in_redis(scraper, db, settings):
    from kombu import Queue

    from customs_core.testing.services import require_redis

    require_redis()
    queue = f"observability-test-{timezone.now().timestamp():.0f}"
    settings.CELERY_TASK_QUEUES = [Queue(queue)]
    settings.CELERY_TASK_ROUTES = {}
    celery_app.conf.task_always_eager = False  # the autouse fixture restores it
    try:
        echo_task.apply_async(queue=queue)
        echo_task.apply_async(queue=queue)
        after = scrape(scraper)
        assert after[("customs_celery_queue_depth", (("queue", queue),))] == 2
        assert after[("customs_celery_queue_depth", (("queue", "celery"),))] >= 0
    finally:
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)


MULTIPROCESS = """
import os, sys
from customs_core.observability import metrics

metrics.HTTP_REQUESTS.labels("/x", "GET", 200).inc()
child = os.fork()
if child == 0:
    metrics.HTTP_REQUESTS.labels("/x", "GET", 200).inc(2)
    os._exit(0)
os.waitpid(child, 0)
metrics.GAUGES.clear()
sys.stdout.buffer.write(metrics.metrics_text())
sys.stdout.buffer.write(b"removed %d\\n" % metrics.stale_files_remove())
sys.stdout.buffer.write(metrics.metrics_text())
"""


def test_multiprocess_mode_sums_the_processes_and_forgets_dead_ones_on_start(tmp_path):
    """PROMETHEUS_MULTIPROC_DIR: each process writes its own file, a scrape merges them; at a
    (re)start the files of this host's dead processes are removed."""
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": "/usr/bin:/bin",
           "DJANGO_SETTINGS_MODULE": "customs_core.settings", "CELERY_BROKER_URL": ""}
    out = subprocess.run([sys.executable, "-c", MULTIPROCESS], cwd=BASE_DIR, env=env,
                         capture_output=True, check=True, timeout=60).stdout.decode()
    merged, _, after_restart = out.partition("removed 1\n")
    key = ("customs_http_requests_total", (("method", "GET"), ("route", "/x"), ("status", "200")))
    assert samples(merged.encode())[key] == 3
    assert samples(after_restart.encode())[key] == 1
    assert len(list(tmp_path.glob("counter_*-*.db"))) == 1


# --- End to end: a real worker on Redis -------------------------------------------------
@pytest.mark.services
@pytest.mark.broker
def test_a_real_worker_logs_the_routing_under_the_submitting_request_id(celery_worker,
                                                                       declarant_a, api_as):
    from customs_core.testing.services import wait_until
    from declarations.risk.defaults import ruleset_install_defaults
    from declarations.testing import DeclarationFactory, publish_rates

    publish_rates()
    ruleset_install_defaults()
    draft = DeclarationFactory(user=declarant_a)
    response = api_as(declarant_a).post(f"/api/v1/declarations/{draft.pk}/submit/",
                                        HTTP_X_REQUEST_ID="submit-e2e-1")
    assert response.status_code == 200

    def routed_line():
        for text in celery_worker.log().splitlines():
            try:
                line = json.loads(text)
            except ValueError:
                continue  # the banner
            if (line.get("request_id") == "submit-e2e-1"
                    and line.get("task_name") == "declarations.risk.tasks.declaration_route_task"
                    and "succeeded" in line["message"]):
                return line
        return None

    line = wait_until(routed_line, timeout=60,
                      what=f"the worker's JSON line\n{celery_worker.log()[-3000:]}")
    assert line["logger"] == "celery.app.trace"
