"""Support requests: asking, the due time on working hours, assignment to the least-loaded
desk officer, the thread's states, closing with a guidance article, scoping."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from customs_core.exceptions import FieldErrors, PreconditionFailed, StateConflict
from declarations.testing import DeclarationFactory, pdf_file, publish_rates
from partnership import selectors, services
from partnership.models import Notification, SupportRequest
from partnership.testing import article_make, desk_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(reference_data):
    publish_rates()
    return desk_make()


def ask(user, **overrides):
    fields = {"topic": "procedure", "subject": "Hồ sơ nhập khẩu",
              "message": "Xin hướng dẫn thủ tục nhập khẩu mì ăn liền."}
    fields.update(overrides)
    return services.request_open(user=user, **fields)


def test_asking_goes_to_the_desk_officer_with_fewest_open_requests(desk, declarant_a):
    first = ask(declarant_a)
    second = ask(declarant_a)
    third = ask(declarant_a)
    assert [first.assigned_to, second.assigned_to, third.assigned_to] == [
        desk.officer1, desk.officer2, desk.officer1]
    told = Notification.objects.filter(kind=services.REQUEST_NEW, recipient=desk.officer1)
    assert told.count() == 2


def test_due_time_counts_working_hours(desk, declarant_a, monkeypatch):
    # Friday 16:00 local: 1 hour on Friday, 4 on Saturday morning, 3 on Monday -> Monday 10:30
    friday = timezone.make_aware(datetime(2026, 11, 27, 16, 0))
    monkeypatch.setattr(timezone, "now", lambda: friday)
    request = ask(declarant_a, topic="procedure")
    assert timezone.localtime(request.due_at) == timezone.make_aware(
        datetime(2026, 11, 30, 10, 30))
    assert request.first_due_at == request.due_at


def test_thread_answer_wait_reply_close_with_article(desk, declarant_a):
    article = article_make()
    request = ask(declarant_a)
    services.message_post(request=request, user=desk.officer1, body="Cần thêm hóa đơn.",
                          awaiting_enterprise=True)
    request.refresh_from_db()
    assert request.state == "waiting" and request.due_at is None
    assert request.first_answered_at is not None
    services.message_post(request=request, user=declarant_a, body="Đã gửi hóa đơn.",
                          files=[pdf_file("hoa-don.pdf")])
    request.refresh_from_db()
    assert request.state == "reopened" and request.due_at is not None
    services.message_post(request=request, user=desk.officer1, body="Xem hướng dẫn.",
                          article=article.pk)
    request.refresh_from_db()
    assert request.state == "answered"
    assert Notification.objects.filter(kind=services.REQUEST_ANSWERED,
                                       recipient=declarant_a).count() == 2
    services.request_close(request=request, user=declarant_a, satisfaction=4)
    request.refresh_from_db()
    assert (request.state, request.closing_article, request.satisfaction) == (
        "closed", article, 4)
    assert selectors.closed_counts([article.pk]) == {article.pk: 1}
    with pytest.raises(StateConflict):
        services.message_post(request=request, user=declarant_a, body="again")
    services.request_reopen(request=request, user=declarant_a, body="Chưa rõ.")
    request.refresh_from_db()
    assert request.state == "reopened" and request.closing_article is None


def test_only_the_desk_answers_and_only_leaders_reassign(desk, declarant_a, inspector):
    request = ask(declarant_a)
    with pytest.raises(PermissionDenied):
        services.message_post(request=request, user=inspector, body="not the desk")
    with pytest.raises(PermissionDenied):
        services.request_assign(request=request, user=desk.officer1, officer=desk.officer2)
    services.request_assign(request=request, user=desk.leader, officer=desk.officer2)
    request.refresh_from_db()
    assert request.assigned_to == desk.officer2
    with pytest.raises(FieldErrors):
        services.request_assign(request=request, user=desk.leader, officer=inspector)


def test_stale_if_match_is_refused(desk, declarant_a):
    request = ask(declarant_a)
    stale = request.etag
    services.message_post(request=request, user=desk.officer1, body="Trả lời.")
    with pytest.raises(PreconditionFailed):
        services.request_close(request=request, user=declarant_a, if_match=stale)


def test_bad_input_writes_nothing(desk, declarant_a, declarant_b):
    foreign = DeclarationFactory(state="submitted", user=declarant_b)
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(FieldErrors) as refused:
        ask(declarant_a, topic="gossip", subject="", declaration=foreign.pk, files=[fake])
    assert set(refused.value.fields) == {"topic", "subject", "declaration", "files"}
    assert not SupportRequest.objects.exists()


def test_an_enterprise_sees_only_its_own(desk, declarant_a, declarant_b, inspector):
    request = ask(declarant_a)
    assert list(selectors.requests_visible_to(declarant_b)) == []
    with pytest.raises(Http404):
        selectors.request_get_for(declarant_b, request.pk)
    assert selectors.request_get_for(inspector, request.pk) == request


def test_due_soon_warning_is_sent_once_per_due_time(desk, declarant_a):
    request = ask(declarant_a)
    moment = request.due_at - timedelta(minutes=30)
    assert services.requests_warn_due_soon(now=moment) == 1
    assert services.requests_warn_due_soon(now=moment) == 0
    told = set(Notification.objects.filter(kind=services.REQUEST_DUE_SOON)
               .values_list("recipient_id", flat=True))
    assert told == {request.assigned_to_id, desk.leader.pk}
