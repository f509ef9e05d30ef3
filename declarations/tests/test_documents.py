"""Attached documents: officers and the declarant open them through a scoped view (never a
public media URL); a declarant adds documents while a document check asks for them."""

import pytest
from django.conf import settings
from django.urls import reverse

from customs_core.exceptions import StateConflict
from declarations.documents import document_attach
from declarations.testing import declaration_make, pdf_file

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def with_document(make_declaration):
    declaration = make_declaration(state="submitted", preferential=True)
    return declaration, declaration.documents.get()


def file_url(declaration, document):
    return reverse("declarations:document-file", args=[declaration.pk, document.pk])


def test_declarant_opens_its_document_inline_with_its_name(client, declarant_a, with_document):
    declaration, document = with_document
    client.force_login(declarant_a)
    response = client.get(file_url(declaration, document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="co-form-e.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_officer_opens_the_document(client, doc_checker, with_document):
    client.force_login(doc_checker)
    assert client.get(file_url(*with_document)).status_code == 200


def test_another_enterprise_gets_404(client, declarant_b, with_document):
    client.force_login(declarant_b)
    assert client.get(file_url(*with_document)).status_code == 404


def test_a_document_of_another_declaration_is_404(client, declarant_a, make_declaration,
                                                  with_document):
    _declaration, document = with_document
    other = make_declaration()
    client.force_login(declarant_a)
    assert client.get(file_url(other, document)).status_code == 404


def test_anonymous_is_sent_to_login(client, with_document):
    response = client.get(file_url(*with_document))
    assert response.status_code == 302 and reverse("login") in response.url


def test_uploaded_files_are_not_served_from_the_media_url(client, declarant_a, with_document):
    _declaration, document = with_document
    client.force_login(declarant_a)
    assert client.get(f"/{settings.MEDIA_URL}{document.file.name}").status_code == 404


def test_detail_page_links_every_document(client, doc_checker, with_document):
    declaration, document = with_document
    client.force_login(doc_checker)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert f'href="{file_url(declaration, document)}"' in page
    assert settings.MEDIA_URL + document.file.name not in page


def test_api_downloads_a_document(api_as, declarant_a, doc_checker, with_document):
    declaration, document = with_document
    url = f"/api/v1/declarations/{declaration.pk}/documents/{document.pk}/file/"
    for user in (declarant_a, doc_checker):
        response = api_as(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"] == 'inline; filename="co-form-e.pdf"'
    assert api_as(declarant_a).get(url, HTTP_ACCEPT="application/pdf").status_code == 200


def test_api_schema_documents_the_download_as_binary():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    content = paths["/api/v1/declarations/{id}/documents/{document_id}/file/"]["get"][
        "responses"]["200"]["content"]
    assert content["application/pdf"]["schema"] == {"type": "string", "format": "binary"}


def test_api_document_of_another_declaration_is_404(api_as, declarant_a, make_declaration,
                                                    with_document):
    _declaration, document = with_document
    other = make_declaration()
    url = f"/api/v1/declarations/{other.pk}/documents/{document.pk}/file/"
    assert api_as(declarant_a).get(url).status_code == 404


@pytest.mark.parametrize("state", ["yellow", "doc_check"])
def test_declarant_adds_a_document_during_the_document_check(client, declarant_a,
                                                             make_declaration, state):
    declaration = declaration_make(state=state, user=declarant_a)
    client.force_login(declarant_a)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert reverse("declarations:document-upload", args=[declaration.pk]) in page
    client.post(reverse("declarations:document-upload", args=[declaration.pk]),
                {"doc_type": "packing_list", "reference": "PL-7", "file": pdf_file("pl.pdf")})
    assert declaration.documents.get().original_name == "pl.pdf"


@pytest.mark.parametrize("state", ["green", "inspection"])
def test_documents_cannot_be_added_in_other_states(client, declarant_a, make_declaration,
                                                   state):
    declaration = declaration_make(state=state, user=declarant_a)
    with pytest.raises(StateConflict):
        document_attach(declaration=declaration, user=declarant_a,
                                 doc_type="invoice", file=pdf_file())
    client.force_login(declarant_a)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert reverse("declarations:document-upload", args=[declaration.pk]) not in page
