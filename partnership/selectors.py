"""Reads of the partnership desk, always scoped to the acting user: an enterprise sees its own
requests and ratings; officers see every request; a rating's author is shown only to the desk's
leaders; each user sees only their own notifications."""

from django.db.models import Count, QuerySet
from django.http import Http404

from customs_core.choices import Role
from customs_core.models import User
from declarations.selectors import _pk

from .choices import NOT_CLOSED
from .models import (
    Article,
    Attachment,
    DeskMember,
    Message,
    Notification,
    Rating,
    SupportRequest,
)


# --- the desk ------------------------------------------------------------------------------------
def is_desk(user: User) -> bool:
    """An officer on duty at the desk (or a branch leader): answers and schedules."""
    if not getattr(user, "is_officer", False):
        return False
    if user.role == Role.BRANCH_LEADER:
        return True
    return DeskMember.objects.filter(user=user, active=True).exists()


def is_desk_leader(user: User) -> bool:
    """Reassigns requests, reads individual ratings, follows up low ones."""
    if not getattr(user, "is_officer", False):
        return False
    if user.role == Role.BRANCH_LEADER:
        return True
    return DeskMember.objects.filter(user=user, active=True, is_leader=True).exists()


def desk_officers(*, leaders_only: bool = False, answering: bool = False) -> QuerySet[User]:
    """Officers on duty at the desk (active accounts); `answering`: those who take new
    requests (not the leaders, unless the desk has only leaders)."""
    members = DeskMember.objects.filter(active=True, user__is_active=True)
    if leaders_only:
        members = members.filter(is_leader=True)
    elif answering and members.filter(is_leader=False).exists():
        members = members.filter(is_leader=False)
    return User.objects.filter(pk__in=members.values("user_id"))


def least_loaded(users: QuerySet[User]) -> User | None:
    """The officer with the fewest requests assigned and not closed (ties: lowest id)."""
    ids = list(users.values_list("pk", flat=True))
    if not ids:
        return None
    loads = dict(SupportRequest.objects.filter(assigned_to_id__in=ids, state__in=NOT_CLOSED)
                 .values("assigned_to_id").annotate(n=Count("id"))
                 .values_list("assigned_to_id", "n"))
    best = min(ids, key=lambda pk: (loads.get(pk, 0), pk))
    return User.objects.get(pk=best)


def desk_leaders() -> list[User]:
    return list(desk_officers(leaders_only=True))


# --- requests ------------------------------------------------------------------------------------
def requests_visible_to(user: User) -> QuerySet[SupportRequest]:
    queryset = SupportRequest.objects.select_related("enterprise", "assigned_to", "declaration",
                                                     "created_by")
    if not user.is_authenticated:
        return queryset.none()
    if user.is_officer:
        return queryset
    return queryset.filter(enterprise_id=user.enterprise_id)


def request_get_for(user: User, pk) -> SupportRequest:
    try:
        return requests_visible_to(user).get(pk=_pk(pk))
    except SupportRequest.DoesNotExist as exc:
        raise Http404 from exc


def thread_of(request: SupportRequest) -> list[Message]:
    return list(Message.objects.filter(request=request)
                .select_related("author", "article").prefetch_related("attachments"))


def attachment_get_for(user: User, pk) -> Attachment:
    try:
        return Attachment.objects.select_related("message").get(
            pk=_pk(pk), message__request__in=requests_visible_to(user))
    except Attachment.DoesNotExist as exc:
        raise Http404 from exc


# --- ratings -------------------------------------------------------------------------------------
def ratings_visible_to(user: User) -> QuerySet[Rating]:
    """One by one: an enterprise its own, the desk's leaders all; other officers none (they
    read their own work in aggregate: stats.officer_ratings)."""
    queryset = Rating.objects.select_related("declaration", "enterprise")
    if not user.is_authenticated:
        return queryset.none()
    if user.is_declarant:
        return queryset.filter(enterprise_id=user.enterprise_id)
    if is_desk_leader(user):
        return queryset
    return queryset.none()


# --- guidance ------------------------------------------------------------------------------------
def articles_visible_to(user: User) -> QuerySet[Article]:
    """Published articles for everyone; the desk also sees drafts."""
    if is_desk(user):
        return Article.objects.all()
    return Article.objects.filter(published=True)


def article_get_for(user: User, pk) -> Article:
    try:
        return articles_visible_to(user).get(pk=_pk(pk))
    except Article.DoesNotExist as exc:
        raise Http404 from exc


def article_search(user: User, query: str, *, limit: int | None = None) -> list[Article]:
    """Articles whose folded text holds every word of the query, most relevant first."""
    from .search import fold, score, terms

    words = terms(query)
    queryset = articles_visible_to(user)
    if not words:
        return list(queryset[:limit] if limit else queryset)
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    found = list(queryset)
    found.sort(key=lambda a: (-score(fold(a.title_vi + " " + a.title_en), a.search_text, words),
                              a.title_vi))
    return found[:limit] if limit else found


# --- notifications -------------------------------------------------------------------------------
def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notification_get_for(user: User, pk) -> Notification:
    try:
        return notifications_of(user).get(pk=_pk(pk))
    except Notification.DoesNotExist as exc:
        raise Http404 from exc


def closed_counts(article_ids) -> dict[int, int]:
    """How many requests each article closed."""
    return dict(SupportRequest.objects.filter(closing_article_id__in=list(article_ids),
                                              state="closed")
                .values("closing_article_id").annotate(n=Count("id"))
                .values_list("closing_article_id", "n"))
