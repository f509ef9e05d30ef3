"""Violations have a home: every checker records one through one service, it counts in the
enterprise's compliance history whatever the declaration's state, and the risk engine reads
it through a declarations selector."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from customs_core.exceptions import StateConflict
from declarations.choices import FoundDuring, ViolationType
from declarations.models import Violation
from declarations.selectors import enterprise_violations_since
from declarations.testing import declaration_make
from declarations.violations import violation_record

pytestmark = pytest.mark.django_db


def _record(declaration, by, during, **extra):
    return violation_record(declaration=declaration, found_by=by, found_during=during,
                            violation_type=ViolationType.HS_CODE,
                            description="Mã HS khai 19023040, thực tế 19023090", **extra)


@pytest.mark.parametrize("state, during, role_fixture", [
    ("doc_check", FoundDuring.DOC_CHECK, "doc_checker"),
    ("inspection", FoundDuring.INSPECTION, "inspector"),
    ("cleared", FoundDuring.POST_CLEARANCE_AUDIT, "inspector"),
    ("gate_out", FoundDuring.POST_CLEARANCE_AUDIT, "doc_checker"),
])
def test_each_check_records_a_violation_that_counts_in_the_history(request, declarant_a, state,
                                                                   during, role_fixture):
    declaration = declaration_make(state=state, user=declarant_a)
    officer = request.getfixturevalue(role_fixture)
    line = declaration.lines.get(line_no=2)
    violation = _record(declaration, officer, during, goods_line=line,
                        penalty_vnd=Decimal("15000000"), penalty_decision_number="123/QĐ-XPHC")
    assert (violation.enterprise_id, violation.line_no, violation.found_during) == (
        declarant_a.enterprise_id, 2, during)
    history = enterprise_violations_since([declarant_a.enterprise_id],
                                          timezone.now() - timedelta(days=1))
    assert history == {declarant_a.enterprise_id: [violation.found_at]}
    declaration.refresh_from_db()
    assert declaration.state == state  # recording moves nothing: the checker's service does


def test_a_violation_cannot_be_recorded_by_the_wrong_check_or_role(declarant_a, doc_checker,
                                                                  inspector):
    in_doc_check = declaration_make(state="doc_check", user=declarant_a)
    with pytest.raises(StateConflict):
        _record(in_doc_check, inspector, FoundDuring.INSPECTION)
    with pytest.raises(PermissionDenied):
        _record(in_doc_check, declarant_a, FoundDuring.DOC_CHECK)
    with pytest.raises(ValidationError) as refused:
        _record(in_doc_check, doc_checker, FoundDuring.DOC_CHECK, penalty_vnd=Decimal("-1"))
    assert "penalty_vnd" in refused.value.message_dict
    other = declaration_make(state="doc_check", user=declarant_a)
    with pytest.raises(ValidationError):
        _record(in_doc_check, doc_checker, FoundDuring.DOC_CHECK,
                goods_line=other.lines.first())
    assert not Violation.objects.exists()


def test_the_compliance_history_criterion_fires_on_a_violation_found_at_document_check(
        declarant_a, doc_checker):
    """The next declaration of the enterprise scores higher, with the violation's date."""
    from declarations.risk.choices import RuleEffect, RuleType
    from declarations.risk.models import RiskRuleset
    from declarations.risk.services import declaration_route, rule_save

    ruleset = RiskRuleset.objects.create(version=1, name="t", min_random_percent=0,
                                         post_audit_random_percent=0)
    rule_save(ruleset=ruleset, by=doc_checker.__class__.objects.create(
        username="riskofficer", role="risk"), data={
        "code": "history", "name": "Vi phạm 12 tháng", "rule_type": RuleType.COMPLIANCE_HISTORY,
        "effect": RuleEffect.POINTS, "params": {"months": 12, "min_violations": 1},
        "points": 40})
    RiskRuleset.objects.filter(pk=ruleset.pk).update(is_active=True)
    checked = declaration_make(state="doc_check", user=declarant_a)
    _record(checked, doc_checker, FoundDuring.DOC_CHECK)
    from unittest import mock

    with mock.patch("declarations.risk.tasks.routing_enqueue"):
        following = declaration_make(state="submitted", user=declarant_a)
    assessment = declaration_route(declaration_id=following.pk)
    fired = {hit["code"]: hit for hit in assessment.fired}
    assert assessment.score >= 40 and "history" in fired
    assert fired["history"]["args"]["count"] == 1
