"""The risk models moved from the declarations app to their own with a state-only migration:
on a database that holds demo data at the previous head, migrating keeps every row, the
content types follow the models, and each violation event becomes a Violation row."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("declarations", "0002_risk_routing"), ("risk", None)]
RISK_MODELS = {"channelchangerequest", "referenceprice", "riskassessment", "riskrule",
               "riskruleset", "routingfailure"}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def _counts():
    with connection.cursor() as cursor:
        counts = {}
        for table in ("riskruleset", "riskrule", "riskassessment"):
            cursor.execute(f"SELECT count(*) FROM declarations_{table}")
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM declarations_declarationevent "
                       "WHERE to_state = 'violation'")
        counts["violation events"] = cursor.fetchone()[0]
        cursor.execute("SELECT app_label, model FROM django_content_type")
        counts["content types"] = {model: label for label, model in cursor.fetchall()
                                   if model in RISK_MODELS}
    return counts


def _as_the_previous_head_wrote_it() -> None:
    """The state `seized` came after that head (declarations 0004): its demo history left a
    violation in `violation`. Seized declarations of today's history are put back there, and
    the learned criteria (risk 0003) taken out, or migrating back would meet rows its
    constraints refuse."""
    with connection.cursor() as cursor:
        # Learned criteria (risk 0003) came after it too: the demo's draft ruleset has two.
        cursor.execute("DELETE FROM declarations_riskrule WHERE rule_type IN "
                       "('profile', 'model')")
        cursor.execute("DELETE FROM declarations_declarationevent WHERE to_state = 'seized'")
        cursor.execute("UPDATE declarations_declaration SET state = 'violation' "
                       "WHERE state = 'seized'")


def test_the_move_keeps_every_row_on_a_database_with_demo_data(reference_data):
    call_command("seed_demo", declarations=400, verbosity=0)
    _as_the_previous_head_wrote_it()
    try:
        _migrate(BEFORE)  # the database as it was at the previous head, data in it
        before = _counts()
        assert before["riskassessment"] > 300 and before["riskrule"] > 5
        assert set(before["content types"].values()) == {"declarations"}
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    finally:
        call_command("migrate", verbosity=0)
    after = _counts()
    assert {k: after[k] for k in ("riskruleset", "riskrule", "riskassessment")} == {
        k: before[k] for k in ("riskruleset", "riskrule", "riskassessment")}
    assert after["content types"] == dict.fromkeys(RISK_MODELS, "risk")
    from declarations.models import Violation
    from declarations.risk.models import RiskAssessment, RiskRule

    assert Violation.objects.count() == before["violation events"]
    assert RiskAssessment.objects.count() == before["riskassessment"]
    assert RiskRule.objects.filter(ruleset__is_active=True).exists()
