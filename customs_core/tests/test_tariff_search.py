"""HS search while typing: words with or without diacritics, English, digits; ranking by
relevance and by the enterprise's habits (customs_core.tariff_search)."""

from types import SimpleNamespace

import pytest

from customs_core.tariff_search import TariffIndex, tariff_suggest


def _line(code, vi, en):
    return SimpleNamespace(hs_code=code, description_vi=vi, description_en=en)


NOMENCLATURE = {"0202": "Meat of bovine animals; frozen", "020230": "Boneless",
                "1902": "Pasta; whether or not cooked", "190230": "Other pasta",
                "2103": "Sauces and preparations therefor", "210390": "Other"}
LINES = [
    _line("02023000", "Thịt trâu, bò không xương, đông lạnh", "Frozen boneless meat"),
    _line("19023040", "Mì ăn liền", "Instant noodles"),
    _line("19023090", "Loại khác, mì", "Other noodles"),
    _line("21039013", "Nước mắm", "Fish sauce"),
]


@pytest.fixture
def index():
    return TariffIndex(LINES, NOMENCLATURE)


def codes(suggestions):
    return [s.hs_code for s in suggestions]


def test_vietnamese_words_with_or_without_diacritics_find_the_same_lines(index):
    assert codes(index.search("nước mắm")) == ["21039013"]
    assert codes(index.search("nuoc mam")) == ["21039013"]
    assert codes(index.search("THIT BO")) == ["02023000"]


def test_a_half_typed_last_word_already_matches(index):
    assert codes(index.search("nuoc ma")) == ["21039013"]
    assert codes(index.search("instant nood")) == ["19023040"]


def test_english_words_and_the_hs_headings_match(index):
    assert codes(index.search("fish sauce")) == ["21039013"]
    # "bovine" is only in the nomenclature's heading 02.02, not in the line's own words
    assert codes(index.search("bovine")) == ["02023000"]


def test_every_word_must_match(index):
    assert index.search("noodles sauce") == []
    assert index.search("zzz") == []


def test_digits_are_a_code_prefix_with_dots_ignored(index):
    assert codes(index.search("1902")) == ["19023040", "19023090"]
    assert codes(index.search("1902.30.4")) == ["19023040"]
    assert index.search("99") == []


def test_own_words_rank_above_headings_and_the_phrase_above_scattered_words(index):
    ranked = codes(index.search("noodles"))
    assert set(ranked) == {"19023040", "19023090"}
    # "mì" is the first line's own word and the second's too: the exact phrase decides
    assert codes(index.search("mi an lien"))[0] == "19023040"


def test_the_enterprises_habits_lift_a_line(index):
    assert codes(index.search("noodles"))[0] == "19023040"
    lifted = index.search("noodles", usage={"19023090": 30})
    assert codes(lifted)[0] == "19023090"
    assert lifted[0].declared_before == 30
    assert codes(index.search("1902", usage={"19023090": 2}))[0] == "19023090"


def test_limits_hold_the_answer_and_the_query(index):
    assert len(index.search("o", limit=2)) == 2
    assert index.search("   ") == []
    assert index.search("x" * 5000) == []  # long words are cut, nothing blows up


@pytest.mark.django_db
def test_the_real_tariff_is_searched_from_the_cache(reference_data):
    assert "21039013" in codes(tariff_suggest("nuoc mam"))
    assert codes(tariff_suggest("02023000")) == ["02023000"]


@pytest.mark.django_db
def test_the_tariff_api_filter_ignores_diacritics_too(reference_data, client):
    from customs_core.testing.factories import DeclarantFactory

    client.force_login(DeclarantFactory())
    found = client.get("/api/v1/tariff-lines/", {"q": "nuoc mam"}).json()["results"]
    assert "21039013" in [line["hs_code"] for line in found]


@pytest.mark.django_db
def test_a_reload_keeps_the_index_unless_the_tariff_changed(reference_data):
    from customs_core import reference_cache, tariff_search
    from customs_core.models import TariffLine

    first = tariff_search.index()
    reference_cache.clear()
    assert tariff_search.index() is first  # same codes and texts: not built again
    line = TariffLine.objects.get(hs_code="21039013")
    line.description_en = "Fish sauce, anchovy"
    line.save()  # the save clears the reference cache
    assert tariff_search.index() is not first
    assert codes(tariff_suggest("anchovy")) == ["21039013"]
