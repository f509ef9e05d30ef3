"""The officers' actions: document check (checklist, amendment that comes back to the same
officer, escalation, clearance), physical inspection (schedule, findings, violation with the
duties recomputed, settle or seize), post-clearance audit, gate-out; refusals write nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from customs_core import notifications
from customs_core.exceptions import PreconditionFailed, StateConflict
from customs_core.models import InspectionSite
from customs_core.testing.factories import DeclarantFactory, EnterpriseFactory
from declarations import services as declaration_services
from declarations.models import CheckOutcome, Declaration, DeclarationEvent, Violation
from declarations.risk.defaults import ruleset_install_defaults
from declarations.risk.services import declaration_route
from declarations.testing import declaration_payload, parse
from inspection import services
from inspection.choices import CheckEventKind, CheckKind, CheckState
from inspection.models import AmendmentIssue, Check, CheckEvent, GateExit
from inspection.selectors import clock_of, enterprise_view_of, gate_lookup
from inspection.testing import open_check_of

pytestmark = pytest.mark.django_db


def _footprint(declaration):
    """Everything an action may write, to show a refused one wrote nothing."""
    return (Declaration.objects.filter(pk=declaration.pk).values_list("state", "version").get(),
            DeclarationEvent.objects.filter(declaration=declaration).count(),
            CheckEvent.objects.filter(work__declaration=declaration).count(),
            list(Check.objects.filter(declaration=declaration).values_list("state", "version")),
            Violation.objects.filter(declaration=declaration).count(),
            GateExit.objects.filter(declaration=declaration).count())


def _pay(declaration, user):
    declaration.refresh_from_db()
    if declaration.outstanding_vnd > 0:
        paid = declaration.payments.count()
        declaration_services.declaration_pay(declaration=declaration, user=user,
                                             amount_vnd=declaration.outstanding_vnd,
                                             reference=f"KB{declaration.pk:08d}-{paid + 1}")


# --- document check ------------------------------------------------------------------------------
def test_amendment_comes_back_to_the_same_officer_then_clears_and_gates_out(crew, make,
                                                                           declarant_a):
    ruleset_install_defaults()
    declaration = make("yellow")
    check = open_check_of(declaration)
    officer = check.officer
    services.checklist_save(check=check, by=officer, items=[
        {"document": None, "doc_type": "packing_list", "status": "missing",
         "note": "Không có phiếu đóng gói"}])
    services.check_request_amendment(check=check, by=officer, issues=[
        {"text": "Bổ sung phiếu đóng gói", "line_no": None},
        {"text": "Sai số lượng dòng 2", "line_no": 2}])
    declaration.refresh_from_db()
    assert declaration.state == "amend_requested"
    view = enterprise_view_of(declaration)
    assert [i["text"] for i in view["issues"]] == ["Bổ sung phiếu đóng gói", "Sai số lượng dòng 2"]

    declaration_services.declaration_amend(
        declaration=declaration, user=declarant_a, reason="Bổ sung theo yêu cầu",
        data=parse(declaration_payload(invoice_number="HX-2026-118")))
    declaration_route(declaration_id=declaration.pk)  # at least yellow again (the floor)
    declaration.refresh_from_db()
    assert declaration.state == "yellow"
    back = open_check_of(declaration)
    assert (back.pk, back.officer, back.state) == (check.pk, officer, CheckState.OPEN)
    assert not enterprise_view_of(declaration)["issues"]  # answered
    assert AmendmentIssue.objects.filter(work=check, resolved_at__isnull=False).count() == 2

    services.check_clear(check=back, by=officer, conclusion="Hồ sơ đầy đủ")
    declaration.refresh_from_db()
    assert declaration.state == "cleared" and declaration.cleared_at
    outcome = CheckOutcome.objects.get(declaration=declaration)
    assert (outcome.check_kind, outcome.outcome, outcome.examined) == (
        "doc_check", "conform", "documents")

    _pay(declaration, declarant_a)
    declaration.refresh_from_db()
    with pytest.raises(StateConflict) as wrong:
        services.gate_exit_confirm(declaration=declaration, by=officer, container="MSCU1234565")
    assert wrong.value.code == "wrong_container"
    services.gate_exit_confirm(declaration=declaration, by=officer,
                               container=declaration.containers[0])
    declaration.refresh_from_db()
    assert declaration.state == "gate_out"
    with pytest.raises(StateConflict) as again:
        services.gate_exit_confirm(declaration=declaration, by=officer)
    assert again.value.code == "already_out"


def test_a_checklist_names_documents_of_this_declaration_only(crew, make):
    check = open_check_of(make("yellow"))
    with pytest.raises(ValidationError):
        services.checklist_save(check=check, by=check.officer,
                                items=[{"document": 999999, "status": "present"}])
    with pytest.raises(ValidationError):
        services.checklist_save(check=check, by=check.officer,
                                items=[{"document": None, "doc_type": "", "status": "missing"}])
    assert not check.items.exists()


# --- illegal actions answer 403 / 409 and write nothing -------------------------------------------
def test_clearing_twice_is_refused_and_writes_nothing(crew, make):
    check = open_check_of(make("yellow"))
    services.check_clear(check=check, by=check.officer)
    before = _footprint(check.declaration)
    with pytest.raises(StateConflict) as info:
        services.check_clear(check=check, by=check.officer)
    assert info.value.current_state == "done"
    assert _footprint(check.declaration) == before


def test_inspecting_a_green_declaration_is_refused(crew, make):
    declaration = make("green")
    assert not Check.objects.filter(declaration=declaration).exists()
    before = _footprint(declaration)
    with pytest.raises(StateConflict):
        services.gate_exit_confirm(declaration=declaration, by=crew.insp1)  # not cleared
    assert _footprint(declaration) == before


def test_an_officer_of_the_other_team_may_not_act_without_assignment(crew, crew2, make):
    check = open_check_of(make("yellow"))
    before = _footprint(check.declaration)
    for action in (lambda: services.check_clear(check=check, by=crew2.doc1),
                   lambda: services.check_claim(check=check, by=crew2.doc1),
                   lambda: services.check_start(check=check, by=crew2.leader)):
        with pytest.raises(PermissionDenied):
            action()
    assert _footprint(check.declaration) == before


def test_an_inspector_may_not_do_a_document_check_nor_an_enterprise_anything(crew, make,
                                                                              declarant_a):
    check = open_check_of(make("yellow"))
    before = _footprint(check.declaration)
    with pytest.raises(PermissionDenied):
        services.check_clear(check=check, by=crew.insp1)
    with pytest.raises(PermissionDenied):
        services.check_claim(check=check, by=declarant_a)
    assert _footprint(check.declaration) == before


def test_a_stale_version_is_refused_with_412(crew, make):
    check = open_check_of(make("yellow"))
    stale = check.etag
    services.checklist_save(check=check, by=check.officer, items=[])
    with pytest.raises(PreconditionFailed):
        services.check_clear(check=check, by=check.officer, if_match=stale)
    assert Declaration.objects.get(pk=check.declaration_id).state == "doc_check"


def test_the_team_leader_reassigns_with_a_reason_and_the_event_says_why(crew, make):
    check = open_check_of(make("yellow"))
    target = crew.doc2 if check.officer == crew.doc1 else crew.doc1
    with pytest.raises(ValidationError):
        services.check_reassign(check=check, officer=target, by=crew.leader, reason=" ")
    with pytest.raises(PermissionDenied):
        services.check_reassign(check=check, officer=target, by=check.officer, reason="x")
    with pytest.raises(ValidationError):  # an inspector does not check documents
        services.check_reassign(check=check, officer=crew.insp1, by=crew.leader, reason="x")
    services.check_reassign(check=check, officer=target, by=crew.leader,
                            reason="Cân bằng khối lượng")
    check.refresh_from_db()
    assert check.officer == target
    event = CheckEvent.objects.get(work=check, kind=CheckEventKind.REASSIGNED)
    assert event.reason == "Cân bằng khối lượng" and event.actor == crew.leader


# --- physical inspection -------------------------------------------------------------------------
@pytest.fixture
def told():
    """The notifications sent, as a delivery handler sees them."""
    sent = []
    notifications.register_handler("test-capture", sent.append)
    yield sent
    notifications.unregister_handler("test-capture")


def test_inspection_conform_clears_with_what_was_examined(crew, make, declarant_a, told):
    check = open_check_of(make("red"))
    site = InspectionSite.objects.get(code="DKT-BL1")
    with pytest.raises(ValidationError):  # clear before the examination is recorded
        services.check_clear(check=check, by=check.officer)
    when = timezone.now() + timedelta(hours=2)
    services.inspection_schedule(check=check, by=check.officer, method="partial",
                                 share_percent=30, site=site, scheduled_at=when)
    assert [(n.kind, n.recipients) for n in told] == [("inspection_scheduled", (declarant_a,))]
    view = enterprise_view_of(check.declaration)["checks"][0]
    assert (view["method"], view["site"], view["scheduled_at"]) == ("partial", site, when)
    with pytest.raises(ValidationError):  # a site of the other team
        services.inspection_schedule(check=check, by=check.officer, method="full",
                                     site=InspectionSite.objects.get(code="DKT-VG"),
                                     scheduled_at=when)
    services.check_clear(check=check, by=check.officer, conclusion="Hàng phù hợp")
    outcome = CheckOutcome.objects.get(declaration=check.declaration)
    assert (outcome.check_kind, outcome.outcome, outcome.examined, outcome.share_percent) == (
        "inspection", "conform", "partial", 30)


def test_a_violation_recomputes_duties_from_the_values_found_and_is_settled(crew, make,
                                                                            declarant_a):
    declaration = make("red")
    _pay(declaration, declarant_a)
    check = open_check_of(declaration)
    officer = check.officer
    line = declaration.lines.order_by("line_no").first()
    services.findings_save(check=check, by=officer, findings=[
        {"line_no": line.line_no, "found_quantity": line.quantity * 2,
         "found_unit_price": line.unit_price}])
    violation = services.check_record_violation(
        check=check, by=officer, violation_type="quantity",
        description="Số lượng thực tế gấp đôi khai báo", penalty_vnd=Decimal(15_000_000),
        penalty_decision_number="125/QĐ-XPHC", line_no=line.line_no)
    declaration.refresh_from_db()
    check.refresh_from_db()
    assert declaration.state == "violation"
    assert check.duties_found_vnd > check.duties_before_vnd
    assert declaration.total_duty_vnd == check.duties_found_vnd
    assert declaration.outstanding_vnd == check.duties_found_vnd - check.duties_before_vnd
    assert CheckOutcome.objects.get(declaration=declaration).outcome == "violation"
    assert violation.line_no == line.line_no

    before = _footprint(declaration)
    with pytest.raises(StateConflict) as unpaid:
        services.check_settle(check=check, by=officer)
    assert unpaid.value.code == "penalty_due"
    with pytest.raises(StateConflict) as duties:
        services.check_settle(check=check, by=officer, penalty_reference="KB-PHAT-0001")
    assert duties.value.code == "duties_due"
    assert _footprint(declaration) == before  # the penalty payment rolled back with it
    _pay(declaration, declarant_a)
    services.check_settle(check=check, by=officer, penalty_reference="KB-PHAT-0001")
    declaration.refresh_from_db()
    check.refresh_from_db()
    assert declaration.state == "cleared" and check.state == "done"
    assert Violation.objects.get(pk=violation.pk).penalty_paid_reference == "KB-PHAT-0001"


def test_goods_are_seized_after_a_violation(crew, make):
    check = open_check_of(make("red"))
    services.check_record_violation(check=check, by=check.officer, violation_type="licence",
                                    description="Hàng cấm nhập khẩu", penalty_vnd=Decimal(0))
    with pytest.raises(ValidationError):
        services.check_seize(check=check, by=check.officer, reason="")
    services.check_seize(check=check, by=check.officer, reason="QĐ tạm giữ 12/QĐ-TGHH")
    assert Declaration.objects.get(pk=check.declaration_id).state == "seized"
    with pytest.raises(StateConflict):
        services.gate_exit_confirm(declaration=check.declaration, by=check.officer)


def test_findings_name_real_lines_codes_and_countries(crew, make):
    check = open_check_of(make("red"))
    for finding, field in (({"line_no": 99}, "line_no"),
                           ({"line_no": 1, "found_hs_code": "99999999"}, "found_hs_code"),
                           ({"line_no": 1, "found_origin": "XX"}, "found_origin")):
        with pytest.raises(ValidationError) as info:
            services.findings_save(check=check, by=check.officer, findings=[finding])
        assert field in str(info.value)
    assert not check.findings.exists()


def test_a_goods_line_found_twice_is_a_field_error_not_a_server_error(crew, make):
    """Found by the schema fuzzing: the same line twice hit the (check, line) unique index."""
    check = open_check_of(make("red"))
    with pytest.raises(ValidationError) as info:
        services.findings_save(check=check, by=check.officer,
                               findings=[{"line_no": 1}, {"line_no": 1, "found_quantity": 3}])
    assert "line_no" in str(info.value)
    assert not check.findings.exists()


def test_attachments_are_checked_by_content_not_by_name(crew, make):
    check = open_check_of(make("red"))
    fake = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.attachment_add(check=check, by=check.officer, file=fake)
    photo = SimpleUploadedFile("IMG_0001.bin", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
                               content_type="application/octet-stream")
    attachment = services.attachment_add(check=check, by=check.officer, file=photo,
                                         caption="Container mở niêm phong")
    assert attachment.content_type == "image/png"


# --- outcomes feed the compliance history ---------------------------------------------------------
def test_a_violation_found_makes_the_enterprises_next_declaration_score_higher(crew, make,
                                                                                declarant_a):
    from declarations.risk.models import RiskAssessment

    ruleset_install_defaults()
    first = make("submitted", invoice_number="HX-BEFORE")
    declaration_route(declaration_id=first.pk)
    before = RiskAssessment.objects.get(declaration=first)
    assert "compliance_history" not in {hit.get("type") for hit in before.fired}

    check = open_check_of(make("red"))
    services.check_record_violation(check=check, by=check.officer, violation_type="hs_code",
                                    description="Sai mã HS", penalty_vnd=Decimal(5_000_000))
    found_on = timezone.localdate()

    nxt = make("submitted", invoice_number="HX-AFTER")
    declaration_route(declaration_id=nxt.pk)
    after = RiskAssessment.objects.get(declaration=nxt)
    hits = [hit for hit in after.fired if hit.get("type") == "compliance_history"]
    assert hits, after.fired
    assert after.score > before.score
    assert hits[0]["args"]["latest"] == found_on.isoformat()


# --- post-clearance audit ------------------------------------------------------------------------
def test_a_flagged_green_declaration_joins_the_audit_queue_once_cleared(crew, make,
                                                                        declarant_a):
    declaration = make("green")
    Declaration.objects.filter(pk=declaration.pk).update(post_clearance_audit=True)
    _pay(declaration, declarant_a)  # duties paid: green clears itself
    declaration.refresh_from_db()
    assert declaration.state == "cleared"
    audit = open_check_of(declaration, CheckKind.AUDIT)
    assert audit.officer in {crew.doc1, crew.doc2}
    services.check_record_violation(check=audit, by=audit.officer, violation_type="value",
                                    description="Giá khai thấp hơn chứng từ thanh toán",
                                    penalty_vnd=Decimal(20_000_000))
    services.audit_conclude(check=audit, by=audit.officer, conclusion="Truy thu thuế")
    audit.refresh_from_db()
    assert (audit.state, audit.outcome) == ("done", "violation")
    assert Declaration.objects.get(pk=declaration.pk).state == "cleared"  # the goods are gone
    assert Violation.objects.filter(enterprise=declarant_a.enterprise,
                                    found_during="post_clearance_audit").count() == 1


# --- the gate and the clock ----------------------------------------------------------------------
def test_the_gate_finds_a_declaration_by_number_plate_or_container(crew, make, declarant_a):
    declaration = make("green", vehicles=["14C-215.36"])
    _pay(declaration, declarant_a)
    declaration.refresh_from_db()
    assert declaration in gate_lookup(declaration.number)
    assert declaration in gate_lookup("14c21536")
    assert declaration in gate_lookup(declaration.containers[0].lower())
    with pytest.raises(StateConflict) as info:
        services.gate_exit_confirm(declaration=declaration, by=crew.insp1, vehicle="14C-999.99")
    assert info.value.code == "wrong_vehicle"
    services.gate_exit_confirm(declaration=declaration, by=crew.insp1, vehicle="14C 215.36")
    assert GateExit.objects.get(declaration=declaration).vehicle == "14C21536"


def test_gate_out_with_duties_due_is_refused(crew, make):
    declaration = make("yellow")
    check = open_check_of(declaration)
    services.check_clear(check=check, by=check.officer)
    declaration.refresh_from_db()
    assert declaration.outstanding_vnd > 0
    with pytest.raises(StateConflict) as info:
        services.gate_exit_confirm(declaration=declaration, by=crew.insp1)
    assert info.value.code == "duties_due"


def test_the_clock_counts_working_time_against_the_legal_limit(crew, make):
    check = open_check_of(make("yellow"))
    assert check.limit_seconds == 2 * 3600
    red = open_check_of(make("red", user=DeclarantFactory(enterprise=EnterpriseFactory())))
    assert red.limit_seconds == 8 * 3600
    clock = clock_of(check, now=check.opened_at)
    assert clock.used_seconds == 0 and clock.colour == "ok"
    assert clock_of(check, now=check.due_at + timedelta(minutes=1)).colour == "late"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_gate_lookup_by_plate_or_container_is_served_by_its_indexes(reference_data):
    """At a million declarations a scan would take seconds: the partial GIN indexes of
    migration 0002 must be able to serve the lookup (their predicate implied by the query's
    states, their operator class matching its `@>`)."""
    from django.db import connection, transaction

    from customs_core.testing.services import require_postgresql
    from inspection.selectors import GATE_STATES, _carrying

    require_postgresql()
    query = (Declaration.objects.filter(_carrying("14C21536", "CSQU3054383"),
                                        state__in=GATE_STATES).values("id"))
    sql, params = query.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Rolled back below: without sequential scans and the state index (which an empty
        # table makes look as good as anything), only the gate indexes remain to serve it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("DROP INDEX decl_state_created")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    assert "decl_vehicles_at_gate" in plan and "decl_containers_at_gate" in plan, plan
