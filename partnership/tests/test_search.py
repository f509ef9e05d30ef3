"""Guidance search ignores Vietnamese diacritics and case, in both languages."""

import pytest

from partnership import selectors
from partnership.search import fold, terms
from partnership.testing import article_make

pytestmark = pytest.mark.django_db


def test_fold_removes_diacritics_and_d_stroke():
    assert fold("Thủ tục ĐĂNG KÝ tờ khai") == "thu tuc dang ky to khai"
    assert terms("  thu   TUC, hải quan!  ") == ["thu", "tuc", "hai", "quan"]


@pytest.mark.parametrize("query", ["thu tuc", "thủ tục", "THU TUC HAI QUAN", "declaration",
                                   "38/2015", "nhap khau"])
def test_search_finds_the_article_with_or_without_diacritics(query, declarant_a):
    wanted = article_make()
    article_make(title_vi="Trị giá hải quan", title_en="Customs valuation",
                 body_vi="Sáu phương pháp xác định trị giá.", body_en="Six methods.",
                 reference="39/2015/TT-BTC")
    assert wanted in selectors.article_search(declarant_a, query)


def test_every_word_must_match_and_title_matches_rank_first(declarant_a):
    in_title = article_make(title_vi="Thủ tục tạm nhập tái xuất", title_en="Temporary import")
    in_body = article_make(title_vi="Câu hỏi thường gặp", title_en="FAQ",
                           body_vi="Về thủ tục tạm nhập tái xuất xem hướng dẫn.")
    assert selectors.article_search(declarant_a, "tam nhap tai xuat") == [in_title, in_body]
    assert selectors.article_search(declarant_a, "tam nhap xyzzy") == []


def test_drafts_are_for_the_desk_only(declarant_a):
    draft = article_make(published=False)
    assert draft not in selectors.article_search(declarant_a, "thu tuc")
