"""Routing on real services: a Celery worker on Redis, and a broker outage that delays routing
but never loses a declaration or fails a submission (DESIGN.md §5)."""

import json
import subprocess
import sys

import pytest
from django.conf import settings

from customs_core.testing.services import (
    BASE_DIR,
    CeleryBeat,
    CeleryWorker,
    PrivateRedis,
    database_url_of_test_database,
    redis_server_available,
    require_postgresql,
    service_missing,
    wait_until,
)
from declarations import services
from declarations.models import Declaration
from declarations.risk.defaults import ruleset_install_defaults
from declarations.risk.models import RiskAssessment
from declarations.testing import declaration_payload, parse

# "broker": make test runs these after the parallel run, one at a time (they share the
# broker's Redis database and the private Redis port).
pytestmark = [pytest.mark.services, pytest.mark.broker]
COUNT = 50


def test_real_worker_routes_50_submitted_declarations(celery_worker, declarant_a):
    ruleset_install_defaults()
    for n in range(COUNT):
        draft = services.declaration_create_draft(
            user=declarant_a, data=parse(declaration_payload(invoice_number=f"W-{n}")))
        services.declaration_submit(declaration=draft, user=declarant_a)  # on_commit -> Redis
    wait_until(lambda: not Declaration.objects.filter(state="submitted").exists(), timeout=90,
               what=f"the worker to route {COUNT} declarations\n{celery_worker.log()[-3000:]}")
    assert RiskAssessment.objects.count() == COUNT
    channels = set(Declaration.objects.values_list("channel", flat=True))
    assert channels <= {"green", "yellow", "red"} and channels


SUBMIT_SCRIPT = """
import json, django
django.setup()
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from declarations.testing import declaration_payload
client = APIClient()
token = Token.objects.get(user__username="declarant_a").key
client.credentials(HTTP_AUTHORIZATION="Token " + token)
statuses = []
for n in range(%(count)d):
    created = client.post("/api/v1/declarations/", declaration_payload(invoice_number=f"B-{n}"),
                          format="json")
    submitted = client.post(f"/api/v1/declarations/{created.json()['id']}/submit/")
    statuses.append([created.status_code, submitted.status_code])
print(json.dumps(statuses))
"""


def _every_declaration_yellow() -> None:
    """An active ruleset that sends every declaration of the test (trading country CN) to the
    yellow channel, so each needs an officer."""
    from customs_core.testing.factories import UserFactory
    from declarations.risk.choices import RuleType
    from declarations.risk.models import RiskRuleset
    from declarations.risk.services import rule_save

    ruleset = RiskRuleset.objects.create(version=1, name="outage", min_random_percent=0,
                                         post_audit_random_percent=0)
    rule_save(ruleset=ruleset, by=UserFactory(username="outage_risk", role="risk"),
              data={"code": "cn", "name": "CN", "rule_type": RuleType.TRADING_COUNTRY,
                    "effect": "points", "params": {"countries": ["CN"]}, "points": 35})
    RiskRuleset.objects.filter(pk=ruleset.pk).update(is_active=True)


@pytest.mark.django_db(transaction=True)
def test_broker_outage_delays_routing_but_loses_nothing(declarant_a, reference_data):
    """...and every declaration routed yellow after the outage gets its officer (inspection's
    subscriber runs in the routing transaction, wherever and whenever that happens)."""
    from rest_framework.authtoken.models import Token

    from inspection.choices import OPEN_CHECK_STATES
    from inspection.models import Check
    from inspection.testing import crew_make

    require_postgresql()
    if not redis_server_available():
        service_missing("redis-server is not installed")
    from declarations.testing import publish_rates

    publish_rates()
    _every_declaration_yellow()
    crew = crew_make("GSKT1", prefix="outage", capacity=5000)
    Token.objects.create(user=declarant_a)
    redis = PrivateRedis(port=6390)
    redis.start()
    fast_sweep = {"ROUTING_SWEEP_SECONDS": "2", "ROUTING_SWEEP_AFTER_SECONDS": "1"}
    worker = CeleryWorker(broker=redis.url, name="outage")
    beat = CeleryBeat(broker=redis.url, name="outage-beat", extra_env=fast_sweep)
    worker.start()
    beat.start()
    try:
        redis.stop()  # the broker goes down
        env = {**worker.env(), "ALLOWED_HOSTS": "testserver"}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        result = subprocess.run([sys.executable, "-c", SUBMIT_SCRIPT % {"count": COUNT}],
                                cwd=BASE_DIR, env=env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        statuses = json.loads(result.stdout.strip().splitlines()[-1])
        assert statuses == [[201, 200]] * COUNT
        assert Declaration.objects.filter(state="submitted").count() == COUNT

        redis.start()  # the broker comes back: the sweeper re-queues, the worker routes
        wait_until(lambda: not Declaration.objects.filter(state="submitted").exists(),
                   timeout=120, what=f"routing after the outage\n{worker.log()[-2000:]}"
                                     f"\n{beat.log()[-2000:]}")
        assert RiskAssessment.objects.count() == COUNT
        routed = Declaration.objects.filter(state__in=["yellow", "red"])
        assert routed.count() == COUNT
        checks = Check.objects.filter(declaration__in=routed, state__in=OPEN_CHECK_STATES)
        assert checks.count() == COUNT
        officers = {crew.doc1.pk, crew.doc2.pk, crew.insp1.pk, crew.insp2.pk}
        assert set(checks.values_list("officer_id", flat=True)) <= officers
    finally:
        beat.stop()
        worker.stop()
        redis.stop()


def test_settings_route_routing_to_its_own_queue():
    assert settings.CELERY_TASK_ROUTES["declarations.risk.tasks.declaration_route_task"] == {
        "queue": "risk"}
    assert database_url_of_test_database  # imported for the subprocess helpers
