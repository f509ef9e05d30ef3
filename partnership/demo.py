"""The partnership desk in the demo: two desk officers and the team leader as desk leader,
guidance articles in both languages, support requests of the last two months in every state
(some answered late), and ratings of about a third of the cleared history (the low ones with
their follow-up request), so the leaders' satisfaction chart has a year to show."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from customs_core.choices import Role
from customs_core.demo import DEMO_PASSWORD
from customs_core.models import User
from declarations.choices import DeclarationState as S
from declarations.models import Declaration

from .choices import ArticleKind, RequestState, Topic
from .models import Article, DeskMember, Message, Rating, SupportRequest
from .services import answer_due

DESK = [("desk", "Ngô Thị Mai", False), ("desk2", "Bùi Văn Long", False)]
LEADER = "teamlead"

ARTICLES = [
    (ArticleKind.PROCEDURE, "Thủ tục hải quan đối với hàng hóa nhập khẩu qua cửa khẩu Móng Cái",
     "Customs procedure for goods imported through Mong Cai border gate",
     "Doanh nghiệp khai tờ khai hải quan điện tử, nộp thuế và lệ phí, xuất trình hàng hóa khi "
     "được phân luồng đỏ. Thời hạn kiểm tra hồ sơ là 2 giờ làm việc, kiểm tra thực tế là 8 giờ.",
     "The enterprise files the electronic declaration, pays duties and fees, and presents the "
     "goods when routed red. A document check takes at most 2 working hours, a physical "
     "inspection 8.", "Luật Hải quan 2014, Điều 23"),
    (ArticleKind.PROCEDURE, "Thủ tục đưa hàng vào kho ngoại quan",
     "Putting goods into a bonded warehouse",
     "Hàng gửi kho ngoại quan khai theo loại hình C11; thời hạn gửi kho 12 tháng, được gia hạn.",
     "Goods entering a bonded warehouse are declared under regime C11; storage is 12 months, "
     "extendable.", "Nghị định 08/2015/NĐ-CP, Điều 88"),
    (ArticleKind.PROCEDURE, "Sửa đổi, bổ sung tờ khai hải quan",
     "Amending a customs declaration",
     "Doanh nghiệp được sửa tờ khai trước thời điểm kiểm tra thực tế hoặc khi cơ quan hải quan "
     "yêu cầu; mỗi lần sửa, tờ khai được phân luồng lại.",
     "A declaration may be amended before the physical inspection or when customs asks; each "
     "amendment routes the declaration again.", "Thông tư 38/2015/TT-BTC, Điều 20"),
    (ArticleKind.LEGAL, "Luật Hải quan số 54/2014/QH13", "Customs Law No. 54/2014/QH13",
     "Quy định quản lý nhà nước về hải quan đối với hàng hóa xuất khẩu, nhập khẩu, quá cảnh.",
     "State management of customs for exported, imported and transit goods.",
     "54/2014/QH13"),
    (ArticleKind.LEGAL, "Nghị định 128/2020/NĐ-CP về xử phạt vi phạm hành chính trong lĩnh vực "
     "hải quan", "Decree 128/2020/ND-CP on administrative penalties in customs",
     "Các hành vi vi phạm về khai hải quan, mức phạt và thẩm quyền xử phạt.",
     "Violations in customs declarations, the penalties and who imposes them.",
     "128/2020/NĐ-CP"),
    (ArticleKind.LEGAL, "Thông tư 39/2015/TT-BTC về trị giá hải quan",
     "Circular 39/2015/TT-BTC on customs valuation",
     "Sáu phương pháp xác định trị giá hải quan, áp dụng theo thứ tự.",
     "The six methods of customs valuation, applied in order.", "39/2015/TT-BTC"),
    (ArticleKind.FAQ, "Làm sao tra cứu mã HS cho hàng hóa?",
     "How do I find the HS code of my goods?",
     "Dùng trang Biểu thuế: gõ vài chữ số của mã hoặc từ mô tả, có dấu hoặc không dấu. Khi còn "
     "băn khoăn, gửi yêu cầu hỗ trợ chủ đề Phân loại hàng hóa.",
     "Use the Tariff page: type digits of the code or words of the description. If in doubt, "
     "open a support request on Tariff classification.", ""),
    (ArticleKind.FAQ, "Tỷ giá tính thuế được lấy ở đâu?", "Which exchange rate is used for duties?",
     "Tỷ giá tính thuế là tỷ giá mua chuyển khoản của Vietcombank ngày thứ Năm tuần trước, áp "
     "dụng cả tuần.", "The duty exchange rate is Vietcombank's transfer buying rate of the "
     "previous Thursday, used for the whole week.", "Thông tư 38/2015/TT-BTC, Điều 21"),
    (ArticleKind.FAQ, "Hệ thống báo lỗi khi nộp tờ khai, phải làm gì?",
     "The system reports an error when I submit, what should I do?",
     "Kiểm tra các ô được đánh dấu đỏ; nếu lỗi hệ thống, gửi yêu cầu chủ đề Hệ thống CNTT kèm "
     "ảnh chụp màn hình.", "Check the fields marked red; if it is a system error, open a request "
     "on IT system with a screenshot.", ""),
]

QUESTIONS = [
    (Topic.PROCEDURE, "Hồ sơ nhập khẩu mì ăn liền", "Xin hướng dẫn hồ sơ nhập khẩu mì ăn liền "
     "qua cửa khẩu Bắc Luân."),
    (Topic.CLASSIFICATION, "Mã HS cho máy bơm nước", "Máy bơm nước ly tâm công suất 1,5 kW "
     "thuộc nhóm 8413 phân nhóm nào?"),
    (Topic.VALUATION, "Chi phí vận chuyển trong trị giá", "Giá CIF đã gồm phí vận chuyển nội địa "
     "Trung Quốc, có phải cộng thêm không?"),
    (Topic.IT_SYSTEM, "Không tải được chứng từ PDF", "Tệp PDF 3 MB bị từ chối khi đính kèm."),
    (Topic.COMPLAINT, "Thời gian kiểm tra kéo dài", "Tờ khai luồng đỏ chờ kiểm tra quá 8 giờ."),
    (Topic.OTHER, "Giờ làm việc ngày lễ", "Chi cục có làm việc ngày 2/9 không?"),
]


def desk_seed() -> int:
    made = 0
    for username, full_name, is_leader in DESK:
        last, _, first = full_name.rpartition(" ")
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": Role.DOC_CHECK, "first_name": first,
                                         "last_name": last,
                                         "email": f"{username}@demo.customs.local"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        made += DeskMember.objects.get_or_create(user=user,
                                                 defaults={"is_leader": is_leader})[1]
    leader = User.objects.filter(username=LEADER).first()
    if leader is not None:
        made += DeskMember.objects.get_or_create(user=leader, defaults={"is_leader": True})[1]
    return made


def articles_seed() -> list[Article]:
    if Article.objects.exists():
        return list(Article.objects.all())
    return [Article.objects.create(kind=kind, title_vi=tv, title_en=te, body_vi=bv, body_en=be,
                                   reference=ref)
            for kind, tv, te, bv, be, ref in ARTICLES]


def requests_seed(rng: random.Random, articles: list[Article]) -> int:
    desk = list(User.objects.filter(desk_membership__active=True,
                                    desk_membership__is_leader=False))
    declarants = list(User.objects.filter(role=Role.ENTERPRISE, is_active=True))
    if not desk or not declarants or SupportRequest.objects.exists():
        return 0
    now = timezone.now()
    made = 0
    for n in range(36):
        topic, subject, text = QUESTIONS[n % len(QUESTIONS)]
        user = declarants[n % len(declarants)]
        asked = now - timedelta(days=rng.uniform(0, 60))
        due = answer_due(asked, topic)
        state = rng.choice([RequestState.CLOSED] * 5 + [RequestState.ANSWERED,
                                                        RequestState.WAITING,
                                                        RequestState.OPEN])
        if asked > now - timedelta(days=2):
            state = RequestState.OPEN
        officer = desk[n % len(desk)]
        answered = None if state == RequestState.OPEN else min(
            asked + timedelta(hours=rng.choice([1, 3, 6, 20, 40])), now)
        article = rng.choice(articles) if state == RequestState.CLOSED and rng.random() < .6 \
            else None
        request = SupportRequest.objects.create(
            enterprise_id=user.enterprise_id, created_by=user, topic=topic, subject=subject,
            state=state, assigned_to=officer, created_at=asked, first_due_at=due,
            due_at=due if state == RequestState.OPEN else None, first_answered_at=answered,
            closed_at=answered + timedelta(hours=2) if state == RequestState.CLOSED else None,
            closing_article=article,
            satisfaction=rng.choice([3, 4, 4, 5, 5]) if state == RequestState.CLOSED else None)
        Message.objects.create(request=request, author=user, body=text, at=asked)
        if answered:
            Message.objects.create(request=request, author=officer, from_desk=True, at=answered,
                                   article=article,
                                   body="Chi cục đã tiếp nhận và trả lời như sau: xem hướng dẫn "
                                        "đính kèm." if article else "Đề nghị doanh nghiệp bổ "
                                        "sung hóa đơn thương mại.")
        made += 1
    return made


def ratings_seed(rng: random.Random) -> tuple[int, int]:
    if Rating.objects.exists():
        return 0, 0
    cleared = list(Declaration.objects.filter(state__in=[S.CLEARED, S.GATE_OUT],
                                              cleared_at__isnull=False)
                   .exclude(declarant__isnull=True)
                   .values("pk", "enterprise_id", "declarant_id", "cleared_at", "number"))
    rated = [d for d in cleared if rng.random() < 0.33]
    rows = []
    for d in rated:
        # Satisfaction rose over the year the centralized model settled in.
        age_days = (timezone.now() - d["cleared_at"]).days
        lift = 1 if age_days < 180 else 0
        scores = [max(1, min(5, round(rng.gauss(3.6 + lift * 0.5, 0.9)))) for _ in range(3)]
        rows.append(Rating(declaration_id=d["pk"], enterprise_id=d["enterprise_id"],
                           rated_by_id=d["declarant_id"], timeliness=scores[0],
                           transparency=scores[1], attitude=scores[2],
                           at=d["cleared_at"] + timedelta(hours=rng.uniform(1, 72))))
    Rating.objects.bulk_create(rows, batch_size=2000)
    leaders = list(User.objects.filter(desk_membership__is_leader=True))
    follow_ups = 0
    for rating in Rating.objects.select_related("declaration").iterator():
        if not rating.is_low or not leaders:
            continue
        closed = rating.at < timezone.now() - timedelta(days=14)
        request = SupportRequest.objects.create(
            enterprise_id=rating.enterprise_id, created_by_id=rating.rated_by_id,
            declaration_id=rating.declaration_id, rating=rating, topic=Topic.COMPLAINT,
            subject=f"Đánh giá thấp: tờ khai {rating.declaration.number}",
            state=RequestState.CLOSED if closed else RequestState.OPEN,
            assigned_to=leaders[0], created_at=rating.at,
            first_due_at=rating.at + timedelta(hours=8),
            due_at=None if closed else rating.at + timedelta(hours=8),
            first_answered_at=rating.at + timedelta(hours=4) if closed else None,
            closed_at=rating.at + timedelta(days=1) if closed else None)
        Message.objects.create(request=request, author_id=rating.rated_by_id, at=rating.at,
                               body=f"Kịp thời {rating.timeliness}, minh bạch "
                                    f"{rating.transparency}, thái độ {rating.attitude}.")
        follow_ups += 1
    return len(rows), follow_ups


@transaction.atomic
def seed(*, options: dict, progress) -> dict[str, int]:
    """Called by seed_demo after inspection and warehouses (the history is cleared by then)."""
    rng = random.Random(options.get("seed") or 2016)
    members = desk_seed()
    articles = articles_seed()
    requests = requests_seed(rng, articles)
    ratings, follow_ups = ratings_seed(rng)
    return {"desk_members": members, "articles": len(articles), "support_requests": requests,
            "ratings": ratings, "rating_follow_ups": follow_ups}
