"""Enterprise B never reaches enterprise A's declarations: every API route, every page.

The routes are read from the URL configuration itself: every route under
/api/v1/declarations/{pk}/ of any app (declarations, risk, and the apps above that add their
own actions on a declaration), so an action added later is covered without editing this
file; the meta-test fails if a route has no request body recipe.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from declarations.documents import document_attach
from declarations.testing import declaration_payload, pdf_file

pytestmark = pytest.mark.django_db

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
}


def _their_document(declaration) -> list:
    document = document_attach(declaration=declaration, user=declaration.declarant,
                                        doc_type="invoice", file=pdf_file("invoice.pdf"))
    return [document.pk]


# Routes that name more than the declaration: the extra URL arguments, made on theirs.
URL_ARGS = {"document_file": _their_document}


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
    extra = URL_ARGS.get(action, lambda declaration: [])(theirs)
    theirs.refresh_from_db()
    before = (theirs.version, theirs.state, theirs.documents.count(), theirs.payments.count())
    client = api_as(declarant_b)
    body = BODIES[action]()
    url = reverse(name, args=[theirs.pk, *extra])
    if body is None:
        response = getattr(client, method)(url)
    else:
        response = getattr(client, method)(url, body[1], format=body[0])
    assert response.status_code == 404, (action, response.content[:200])
    assert str(theirs.pk) not in response.content.decode().replace(url, "")
    theirs.refresh_from_db()
    assert before == (theirs.version, theirs.state, theirs.documents.count(),
                      theirs.payments.count())


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
         "declarations:pay", "declarations:document-upload", "declarations:document-file"]
PAGES_READ = {"declarations:detail", "declarations:edit", "declarations:document-file"}
PAGE_ARGS = {"declarations:document-file": _their_document}


@pytest.mark.parametrize("name", PAGES)
def test_other_enterprise_gets_404_on_every_page(client, declarant_b, make_declaration, name):
    theirs = make_declaration(state="submitted")
    extra = PAGE_ARGS.get(name, lambda declaration: [])(theirs)
    client.force_login(declarant_b)
    url = reverse(name, args=[theirs.pk, *extra])
    response = client.get(url) if name in PAGES_READ else client.post(url, {"reason": "x"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == "submitted"


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
