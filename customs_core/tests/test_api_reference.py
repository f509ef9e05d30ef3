from datetime import date
from decimal import Decimal

import pytest

from customs_core.models import TariffLine
from customs_core.services import exchange_rate_publish

pytestmark = pytest.mark.django_db

REFERENCE_LISTS = ["/api/v1/tariff-lines/", "/api/v1/regimes/", "/api/v1/border-gates/",
                   "/api/v1/exchange-rates/", "/api/v1/countries/", "/api/v1/currencies/",
                   "/api/v1/customs-offices/", "/api/v1/bonded-warehouses/"]


@pytest.mark.parametrize("url", REFERENCE_LISTS)
def test_anonymous_caller_gets_401(api_client, url):
    assert api_client.get(url).status_code == 401


@pytest.mark.parametrize("url", REFERENCE_LISTS)
def test_enterprise_token_reads_reference_lists(api_as, declarant_a, url):
    response = api_as(declarant_a).get(url)
    assert response.status_code == 200
    assert {"count", "next", "previous", "results"} <= set(response.json())


def test_token_is_issued_for_valid_credentials(api_client, declarant_a, password):
    response = api_client.post("/api/v1/auth/token/",
                               {"username": "declarant_a", "password": password})
    assert response.status_code == 200 and len(response.json()["token"]) == 40


def test_token_refused_for_wrong_password(api_client, declarant_a):
    response = api_client.post("/api/v1/auth/token/", {"username": "declarant_a", "password": "x"})
    assert response.status_code == 400


def test_tariff_search_by_code_prefix(api_as, doc_checker):
    line = TariffLine.objects.order_by("hs_code").first()
    response = api_as(doc_checker).get("/api/v1/tariff-lines/", {"q": line.hs_code[:4]})
    codes = [row["hs_code"] for row in response.json()["results"]]
    assert line.hs_code in codes
    assert all(code.startswith(line.hs_code[:4]) for code in codes)


def test_tariff_search_accepts_dotted_codes(api_as, doc_checker):
    line = TariffLine.objects.order_by("hs_code").first()
    dotted = f"{line.hs_code[:4]}.{line.hs_code[4:6]}"
    response = api_as(doc_checker).get("/api/v1/tariff-lines/", {"q": dotted})
    assert line.hs_code in [row["hs_code"] for row in response.json()["results"]]


def test_tariff_search_by_vietnamese_and_english_words(api_as, doc_checker):
    client = api_as(doc_checker)
    vi = client.get("/api/v1/tariff-lines/", {"q": "sầu riêng"}).json()
    en = client.get("/api/v1/tariff-lines/", {"q": "durian"}).json()
    assert vi["count"] >= 1 and en["count"] >= 1
    assert {r["hs_code"] for r in vi["results"]} == {r["hs_code"] for r in en["results"]}


def test_tariff_line_detail_shows_rates_in_force(api_as, doc_checker):
    line = TariffLine.objects.order_by("hs_code").first()
    body = api_as(doc_checker).get(f"/api/v1/tariff-lines/{line.hs_code}/").json()
    assert body["hs_code"] == line.hs_code
    assert Decimal(body["rates"]["mfn_rate"]) >= 0


def test_tariff_list_query_count_does_not_grow_with_page_size(api_as, doc_checker,
                                                              django_assert_max_num_queries):
    client = api_as(doc_checker)
    with django_assert_max_num_queries(8):
        client.get("/api/v1/tariff-lines/", {"page_size": 200})


def test_regimes_filter_by_flow(api_as, doc_checker):
    rows = api_as(doc_checker).get("/api/v1/regimes/", {"flow": "export",
                                                        "page_size": 200}).json()["results"]
    codes = {row["code"] for row in rows}
    assert {"B11", "C12", "E52"} <= codes
    assert all(row["flow"] == "export" for row in rows)


def test_exchange_rate_in_force_on_a_date(api_as, doc_checker):
    exchange_rate_publish(currency="USD", week=date(2026, 11, 23), rate_vnd=Decimal("26250"))
    rows = api_as(doc_checker).get("/api/v1/exchange-rates/",
                                   {"currency": "USD", "on": "2026-11-27"}).json()["results"]
    assert [(r["week_start"], r["rate_vnd"]) for r in rows] == [("2026-11-23", "26250.0000")]


@pytest.mark.parametrize("url, params", [
    ("/api/v1/regimes/", {"flow": "sideways"}),
    ("/api/v1/tariff-lines/", {"code": "08x"}),
    ("/api/v1/tariff-lines/", {"chapter": "8"}),
    ("/api/v1/tariff-lines/", {"page": "abc"}),
    ("/api/v1/tariff-lines/", {"page": "0"}),
    ("/api/v1/tariff-lines/", {"page_size": "-5"}),
    ("/api/v1/exchange-rates/", {"on": "2026-13-45"}),
    ("/api/v1/exchange-rates/", {"currency": "dollars"}),
])
def test_bad_filter_or_paging_input_is_400_with_the_field(api_as, doc_checker, url, params):
    response = api_as(doc_checker).get(url, params)
    assert response.status_code == 400
    assert set(params) & set(response.json())


def test_huge_page_size_is_clamped_to_the_maximum(api_as, doc_checker, settings):
    response = api_as(doc_checker).get("/api/v1/tariff-lines/", {"page_size": "100000000"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(settings.API_MAX_PAGE_SIZE,
                                                  TariffLine.objects.count())


def test_page_past_the_end_is_empty_not_an_error(api_as, doc_checker):
    response = api_as(doc_checker).get("/api/v1/tariff-lines/", {"page": "99999"})
    assert response.status_code == 200
    assert response.json()["results"] == [] and response.json()["count"] > 0


@pytest.mark.parametrize("url", ["/api/v1/tariff-lines/0810/", "/api/v1/tariff-lines/abcdefgh/",
                                 "/api/v1/tariff-lines/99999999/", "/api/v1/regimes/ZZZ/",
                                 "/api/v1/border-gates/NOPE/", "/api/v1/exchange-rates/0/"])
def test_malformed_or_unknown_codes_are_404(api_as, doc_checker, url):
    response = api_as(doc_checker).get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."} or "detail" in response.json()


def test_search_with_sql_metacharacters_is_just_a_search(api_as, doc_checker):
    response = api_as(doc_checker).get("/api/v1/tariff-lines/", {"q": "'; DROP TABLE x; --%_"})
    assert response.status_code == 200 and response.json()["count"] == 0
