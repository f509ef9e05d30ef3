"""Enterprise B never reaches enterprise A's declarations: every API route, every page.

The routes are read from the URL configuration itself: every route under
/api/v1/declarations/{pk}/ of any app (declarations, risk, and the apps above that add their
own actions on a declaration), so an action added later is covered without editing this
file; the meta-test fails if a route has no request body recipe. Anonymous is 401 on each,
and a refused request writes nothing (no line, document, payment, nor a new declaration).
Officers and the owner on the declarant's tools: tests/test_api_declarant_tools_routes.py.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from declarations.documents import document_attach
from declarations.models import Declaration
from declarations.spreadsheet import COLUMNS
from declarations.testing import LINES, declaration_payload, pdf_file

pytestmark = pytest.mark.django_db


def lines_sheet(count: int = 2) -> SimpleUploadedFile:
    """A valid goods-line spreadsheet (CSV in the template's columns) of `count` rows."""
    rows = [",".join(column.heading for column in COLUMNS)]
    for n in range(count):
        line = LINES[n % len(LINES)]
        rows.append(",".join([line["hs_code"], f"Hàng {n + 1}", line["origin_country"],
                              line["quantity"], "", line["unit_price"], "", ""]))
    return SimpleUploadedFile("lines.csv", "\r\n".join(rows).encode("utf-8"),
                              content_type="text/csv")


BODIES = {
    "retrieve": lambda: None,
    "update": lambda: ("json", declaration_payload()),
    "submit": lambda: ("json", {}),
    "amend": lambda: ("json", {**declaration_payload(), "reason": "x"}),
    "cancel": lambda: ("json", {"reason": "x"}),
    "pay": lambda: ("json", {"amount_vnd": "1000", "reference": "KB-0001"}),
    "documents": lambda: ("multipart", {"doc_type": "invoice", "file": pdf_file()}),
    "document_file": lambda: None,
    "risk": lambda: None,
    "checks": lambda: None,  # inspection: what the enterprise may read of its checks
    "stock_draws": lambda: ("json", {"draws": []}),  # warehouses: the lots an exit draws on
    "raise_channel": lambda: ("json", {"channel": "red", "reason": "x"}),
    "channel_requests": lambda: ("json", {"channel": "green", "reason": "x"}),
    # Declarant tools: a new draft from this one, goods lines from/to a spreadsheet, the PDFs.
    "copy": lambda: ("json", {}),
    "lines_import": lambda: ("multipart", {"file": lines_sheet(), "replace": "true"}),
    "lines_export": lambda: None,
    "print_pdf": lambda: None,
    "receipt": lambda: None,
}


def paid(declaration):
    """A submitted declaration with its duties paid (a receipt to print)."""
    from declarations import services

    services.declaration_pay(declaration=declaration, user=declaration.declarant,
                             amount_vnd=declaration.outstanding_vnd,
                             reference=f"KB-S{declaration.pk:06d}")
    declaration.refresh_from_db()
    return declaration


def _their_document(declaration) -> list:
    document = document_attach(declaration=declaration, user=declaration.declarant,
                                        doc_type="invoice", file=pdf_file("invoice.pdf"))
    return [document.pk]


# Routes that name more than the declaration: the extra URL arguments, made on theirs.
URL_ARGS = {"document_file": _their_document}


def snapshot(declaration) -> tuple:
    """What any refused request must leave as it was: the declaration, its lines, documents
    and payments, and how many declarations exist (a copy is a new one)."""
    declaration.refresh_from_db()
    return (declaration.version, declaration.state, declaration.documents_expected,
            declaration.total_invoice_value, declaration.documents.count(),
            declaration.payments.count(), Declaration.objects.count(),
            list(declaration.lines.order_by("line_no").values_list(
                "pk", "tariff_line_id", "description", "quantity", "unit_price")))


def _patterns(resolvers, prefix=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def detail_routes():
    """(url_name, http method, action) for every API route on one declaration, whatever app
    registered it."""
    routes = []
    for path, pattern in _patterns(get_resolver().url_patterns):
        actions = getattr(pattern.callback, "actions", None)
        if not path.startswith("api/v1/") or "declarations/(?P<pk>" not in path or not actions:
            continue
        if "\\.(?P<format>" in path:
            continue
        for method, action in actions.items():
            routes.append((pattern.name, method, action))
    return sorted(set(routes))


def test_every_detail_route_has_a_recipe():
    assert {action for _, _, action in detail_routes()} == set(BODIES)


@pytest.mark.parametrize("name, method, action", detail_routes())
@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_other_enterprise_gets_404_on_every_route(api_as, declarant_b, make_declaration,
                                                  name, method, action, state):
    theirs = make_declaration(state=state)
    if state == "submitted" and action == "receipt":  # a receipt exists: who asks is refused
        theirs = paid(theirs)
    extra = URL_ARGS.get(action, lambda declaration: [])(theirs)
    before = snapshot(theirs)
    client = api_as(declarant_b)
    body = BODIES[action]()
    url = reverse(name, args=[theirs.pk, *extra])
    if body is None:
        response = getattr(client, method)(url)
    else:
        response = getattr(client, method)(url, body[1], format=body[0])
    assert response.status_code == 404, (action, response.content[:200])
    assert str(theirs.pk) not in response.content.decode().replace(url, "")
    assert snapshot(theirs) == before


@pytest.mark.parametrize("name, method, action", detail_routes())
def test_anonymous_gets_401_on_every_route(api_client, make_declaration, name, method, action):
    theirs = make_declaration(state="submitted")
    if action == "receipt":
        theirs = paid(theirs)
    extra = URL_ARGS.get(action, lambda declaration: [])(theirs)
    before = snapshot(theirs)
    body = BODIES[action]()
    url = reverse(name, args=[theirs.pk, *extra])
    if body is None:
        response = getattr(api_client, method)(url)
    else:
        response = getattr(api_client, method)(url, body[1], format=body[0])
    assert response.status_code == 401, (action, response.status_code, response.content[:200])
    assert theirs.number not in response.content.decode()
    assert snapshot(theirs) == before


FILTERS = [{}, {"state": "draft"}, {"state": "submitted"}, {"flow": "import"},
           {"regime": "A11"}, {"hs_code": "19"}, {"number": "10"}, {"page_size": "200"},
           {"date_from": "2000-01-01"}]


@pytest.mark.parametrize("params", FILTERS)
def test_other_enterprise_never_lists_a_foreign_id(api_as, declarant_a, declarant_b,
                                                   make_declaration, params):
    theirs = {make_declaration(state="submitted").pk, make_declaration().pk}
    mine = make_declaration(user=declarant_b).pk
    client = api_as(declarant_b)
    ids = {row["id"] for row in client.get("/api/v1/declarations/", params).json()["results"]}
    assert not ids & theirs
    assert ids <= {mine}
    by_tax_code = client.get("/api/v1/declarations/",
                             {**params, "enterprise": declarant_a.enterprise.tax_code}).json()
    assert by_tax_code["count"] == 0


PAGES = ["declarations:detail", "declarations:edit", "declarations:submit", "declarations:cancel",
         "declarations:pay", "declarations:document-upload", "declarations:document-file",
         "declarations:copy", "declarations:expected-remove", "declarations:lines-export",
         "declarations:print", "declarations:receipt"]
PAGES_READ = {"declarations:detail", "declarations:edit", "declarations:document-file",
              "declarations:lines-export", "declarations:print", "declarations:receipt"}
# A copied draft's list of the documents still to attach (what expected-remove strikes off).
EXPECTED = [{"doc_type": "invoice", "co_form": "", "reference": "HX-1"},
            {"doc_type": "packing_list", "co_form": "", "reference": ""}]
PAGE_ARGS = {"declarations:document-file": _their_document,
             "declarations:expected-remove": lambda declaration: [0],
             "declarations:lines-export": lambda declaration: ["xlsx"]}


@pytest.mark.parametrize("name", PAGES)
def test_other_enterprise_gets_404_on_every_page(client, declarant_b, make_declaration, name):
    theirs = make_declaration(state="submitted")
    if name == "declarations:receipt":
        theirs = paid(theirs)
    extra = PAGE_ARGS.get(name, lambda declaration: [])(theirs)
    before = snapshot(theirs)
    client.force_login(declarant_b)
    url = reverse(name, args=[theirs.pk, *extra])
    response = client.get(url) if name in PAGES_READ else client.post(url, {"reason": "x"})
    assert response.status_code == 404
    assert snapshot(theirs) == before


@pytest.mark.parametrize("name", ["declarations:copy", "declarations:expected-remove"])
def test_other_enterprise_gets_404_on_a_drafts_pages(client, declarant_b, make_declaration,
                                                     name):
    """The draft-only pages, on a draft (with an expected document to strike off)."""
    theirs = make_declaration(state="draft")
    Declaration.objects.filter(pk=theirs.pk).update(
        documents_expected=EXPECTED)
    before = snapshot(theirs)
    client.force_login(declarant_b)
    response = client.post(reverse(name, args=[theirs.pk, *PAGE_ARGS.get(
        name, lambda declaration: [])(theirs)]))
    assert response.status_code == 404
    assert snapshot(theirs) == before


def test_page_routes_are_all_covered():
    from declarations import urls

    with_pk = {f"declarations:{p.name}" for p in urls.urlpatterns
               if "<int:pk>" in str(p.pattern)}
    assert with_pk == set(PAGES)


def test_other_enterprise_list_page_shows_nothing_of_theirs(client, declarant_b,
                                                            make_declaration):
    theirs = make_declaration(state="submitted")
    client.force_login(declarant_b)
    page = client.get(reverse("declarations:list")).content.decode()
    assert theirs.number not in page and reverse("declarations:detail",
                                                 args=[theirs.pk]) not in page
