"""The starting ruleset of a land-border branch trading mostly with China.

Points and thresholds are a starting point for the branch's risk officers, calibrated so that
rules alone select a little under the expected shares and capacity ranking does the rest
(yellow 37.5%, red 5%: the national mix of Jan-Jul 2017, DESIGN.md §4; at most 45% and 8%).

LEARNED_RULES are the two learned criteria (risk/learning) a risk officer adds to a clone: the
demo seeds such a draft beside the default, for its backtest.
"""

from django.db import transaction

from .choices import RuleEffect as E
from .choices import RuleType as T
from .models import RiskRule, RiskRuleset

DEFAULT_RULES = [
    # code, name, type, effect, params, points, max hits with no selection
    ("violations-12m", "Vi phạm trong 12 tháng", T.COMPLIANCE_HISTORY, E.POINTS,
     {"months": 12, "min_violations": 1}, 30, None),
    # Points, not a mandatory red: a busy importer reaches 4 in a year from small errors, and
    # the red ceiling ranks repeat violators against the rest (capacity).
    ("violations-repeat", "Vi phạm lặp lại (4 lần / 12 tháng)", T.COMPLIANCE_HISTORY,
     E.POINTS, {"months": 12, "min_violations": 4}, 40, None),
    ("new-enterprise", "Doanh nghiệp mới thành lập (< 12 tháng)", T.NEW_ENTERPRISE, E.POINTS,
     {"months": 12}, 25, None),
    ("aeo", "Doanh nghiệp ưu tiên (AEO)", T.PRIORITY_STATUS, E.POINTS, {}, -40, None),
    ("hs-excise", "Xăng dầu, ô tô, thuốc lá, rượu bia", T.HS_WATCH, E.POINTS,
     {"prefixes": ["2203", "2204", "2208", "2402", "2710", "8703"]}, 30, 20),
    ("hs-food-safety", "Thịt, thủy sản đông lạnh (an toàn thực phẩm)", T.HS_WATCH, E.POINTS,
     {"prefixes": ["0202", "0203", "0207", "0303", "0304", "0306"]}, 25, None),
    ("hs-electronics-audit", "Điện tử, điện thoại: kiểm tra sau thông quan", T.HS_WATCH,
     E.POST_AUDIT, {"prefixes": ["8517", "8528", "8471"]}, 0, None),
    ("trading-transit", "Mua bán qua trung gian", T.TRADING_COUNTRY, E.POINTS,
     {"countries": ["HK", "SG"]}, 10, None),
    ("origin-embargo", "Xuất xứ bị cấm vận", T.ORIGIN_COUNTRY, E.MANDATORY_RED,
     {"countries": ["KP"]}, 0, None),
    ("valuation-40", "Giá khai thấp hơn giá tham chiếu trên 40%", T.VALUATION, E.POINTS,
     {"tolerance_percent": "40"}, 35, None),
    ("regime-processing", "Gia công, sản xuất xuất khẩu, tạm nhập", T.REGIME, E.POINTS,
     {"regimes": ["E21", "E31", "G11", "G12"]}, 15, None),
    ("amendments-2", "Khai sửa đổi từ 2 lần", T.AMENDMENTS, E.POINTS, {"min_amendments": 2}, 20,
     None),
    ("random-2", "Chọn ngẫu nhiên 2%", T.RANDOM, E.POINTS, {"rate_percent": "2"}, 0, None),
]
LEARNED_RULES = [
    ("profile", "Hồ sơ rủi ro học từ kết quả kiểm tra", T.PROFILE, E.POINTS,
     {"keys": ["hs6_origin", "hs6_trading", "enterprise", "enterprise_hs6", "declarant",
               "partner"], "min_inspections": 5}, 40, None),
    ("model", "Mô hình học từ kết quả kiểm tra", T.MODEL, E.POINTS, {}, 80, None),
]


@transaction.atomic
def ruleset_install_defaults() -> RiskRuleset:
    """Activate the default ruleset unless one with rules is already active (idempotent)."""
    active = RiskRuleset.objects.filter(is_active=True).first()
    if active is not None and active.rules.exists():
        return active
    if active is None:
        from django.db.models import Max
        from django.utils import timezone

        version = (RiskRuleset.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        active = RiskRuleset.objects.create(version=version, name="Mặc định Móng Cái",
                                            is_active=True, activated_at=timezone.now(),
                                            max_yellow_percent=45, max_red_percent=8)
    RiskRule.objects.bulk_create([
        RiskRule(ruleset=active, code=code, name=name, rule_type=rule_type, effect=effect,
                 params=params, points=points, max_hits_without_selection=max_hits)
        for code, name, rule_type, effect, params, points, max_hits in DEFAULT_RULES])
    return active
