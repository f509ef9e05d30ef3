"""Test helpers: a desk (two officers and a leader) and guidance articles, built through the
models as the admin and the demo build them."""

from dataclasses import dataclass

from customs_core.choices import Role
from customs_core.testing.factories import UserFactory

from .choices import ArticleKind
from .models import Article, DeskMember


@dataclass
class Desk:
    officer1: object
    officer2: object
    leader: object


def desk_make(prefix: str = "desk") -> Desk:
    """Two desk officers (document-check officers by role) and a desk leader (team leader)."""
    officer1 = UserFactory(username=f"{prefix}_officer1", role=Role.DOC_CHECK,
                           email=f"{prefix}1@customs.test", language="vi")
    officer2 = UserFactory(username=f"{prefix}_officer2", role=Role.DOC_CHECK,
                           email=f"{prefix}2@customs.test", language="en")
    leader = UserFactory(username=f"{prefix}_leader", role=Role.TEAM_LEADER,
                         email=f"{prefix}_leader@customs.test")
    for user, is_leader in ((officer1, False), (officer2, False), (leader, True)):
        DeskMember.objects.update_or_create(user=user, defaults={"is_leader": is_leader})
    return Desk(officer1=officer1, officer2=officer2, leader=leader)


def article_make(**overrides) -> Article:
    fields = {"kind": ArticleKind.PROCEDURE,
              "title_vi": "Thủ tục khai báo hải quan hàng nhập khẩu",
              "title_en": "Customs declaration procedure for imports",
              "body_vi": "Doanh nghiệp khai tờ khai trên hệ thống, nộp thuế, rồi thông quan.",
              "body_en": "The enterprise files the declaration, pays the duties, then clears.",
              "reference": "Thông tư 38/2015/TT-BTC"}
    fields.update(overrides)
    return Article.objects.create(**fields)
