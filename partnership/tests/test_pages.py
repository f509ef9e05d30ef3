"""The partnership pages, as the API: another enterprise's request and its files are 404,
only the desk answers, a form's refusal comes back on the form and writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from declarations.testing import DeclarationFactory, pdf_file, publish_rates
from partnership import services
from partnership.models import Attachment, Message, Rating, SupportRequest
from partnership.testing import article_make, desk_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reference_data, declarant_a):
    publish_rates()
    desk = desk_make()
    request = services.request_open(user=declarant_a, topic="procedure", subject="Hồ sơ",
                                    message="Câu hỏi", files=[pdf_file("hoa-don.pdf")])
    return desk, request


def test_another_enterprise_gets_404_on_the_request_and_its_file(client, world, declarant_b):
    _desk, request = world
    attachment = Attachment.objects.get()
    client.force_login(declarant_b)
    for url in (reverse("partnership:request", args=[request.pk]),
                reverse("partnership:attachment", args=[attachment.pk])):
        assert client.get(url).status_code == 404
    response = client.post(reverse("partnership:request-message", args=[request.pk]),
                           {"body": "xin chào"})
    assert response.status_code == 404
    assert Message.objects.count() == 1


def test_the_owner_downloads_its_file(client, world, declarant_a):
    client.force_login(declarant_a)
    response = client.get(reverse("partnership:attachment", args=[Attachment.objects.get().pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_officer_off_the_desk_reads_but_may_not_answer(client, world, inspector):
    _desk, request = world
    client.force_login(inspector)
    assert client.get(reverse("partnership:request", args=[request.pk])).status_code == 200
    response = client.post(reverse("partnership:request-message", args=[request.pk]),
                           {"body": "not the desk"})
    assert response.status_code == 403
    assert Message.objects.count() == 1


def test_the_desk_answers_with_an_article_and_a_bad_file_is_refused(client, world):
    desk, request = world
    article = article_make()
    client.force_login(request.assigned_to)
    url = reverse("partnership:request-message", args=[request.pk])
    fake = SimpleUploadedFile("x.pdf", b"GIF89a", content_type="application/pdf")
    refused = client.post(url, {"body": "Xem tệp", "files": [fake]})
    assert refused.status_code == 400
    assert Message.objects.count() == 1
    done = client.post(url, {"body": "Xem hướng dẫn", "article": article.pk})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.state == "answered"
    assert Message.objects.filter(article=article).exists()


def test_rating_page_refuses_a_declaration_not_cleared(client, world, declarant_a):
    declaration = DeclarationFactory(state="yellow", user=declarant_a)
    client.force_login(declarant_a)
    response = client.post(reverse("partnership:rate", args=[declaration.pk]),
                           {"timeliness": 5, "transparency": 5, "attitude": 5})
    assert response.status_code == 409
    assert not Rating.objects.exists()


def test_every_page_opens_for_each_kind_of_user(client, world, declarant_a, leader, inspector):
    _desk, request = world
    article = article_make()
    pages = [reverse("partnership:requests"), reverse("partnership:request", args=[request.pk]),
             reverse("partnership:satisfaction"), reverse("partnership:articles"),
             reverse("partnership:articles") + "?q=thu+tuc",
             reverse("partnership:article", args=[article.pk]),
             reverse("partnership:notifications"), reverse("partnership:notification-settings"),
             reverse("partnership:bell")]
    for user in (declarant_a, leader, inspector, request.assigned_to):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 200, (user.username, url)
    client.force_login(declarant_a)
    assert client.get(reverse("partnership:request-new")).status_code == 200
    client.force_login(inspector)
    assert client.get(reverse("partnership:request-new")).status_code == 403
    assert SupportRequest.objects.count() == 1
