"""The partnership desk's writes: support requests (ask, answer, wait, close, reopen, assign,
schedule) with their due times on the branch's working-hour calendar.

A request's row is locked for every change (its version is the ETag, If-Match: 412); the state
is a small table (`MOVES`). The desk owes an answer while a request is open or reopened: the
due time runs N working hours of the topic from the moment it was asked or reopened
(PARTNERSHIP_ANSWER_HOURS).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_core import notifications
from customs_core.exceptions import FieldErrors, PreconditionFailed, StateConflict
from customs_core.models import User
from customs_core.working_hours import branch_calendar
from declarations.documents import MAX_DOCUMENT_BYTES, sniffed_content_type
from declarations.models import Declaration
from declarations.selectors import declarations_visible_to

from . import selectors
from .choices import AWAITING_DESK, PartnershipErrorCode, RequestState, SupportMode, Topic
from .models import Article, Attachment, Message, SupportRequest

S = RequestState
MAX_FILES = 5
MAX_BODY = 5000
# Notification kinds this app sends (registered in extensions.py).
REQUEST_NEW = "support_request_new"
REQUEST_ANSWERED = "support_request_answered"
REQUEST_MESSAGE = "support_request_message"
REQUEST_SCHEDULED = "support_request_scheduled"
REQUEST_DUE_SOON = "support_request_due_soon"
RATING_RECEIVED = "rating_received"

# Who moves a request where: "desk" (an officer of the desk), "enterprise" (its own).
MOVES = {
    ("enterprise", "message"): {S.OPEN: S.OPEN, S.REOPENED: S.REOPENED, S.ANSWERED: S.REOPENED,
                                S.WAITING: S.REOPENED},
    ("desk", "message"): {S.OPEN: S.ANSWERED, S.REOPENED: S.ANSWERED, S.ANSWERED: S.ANSWERED,
                          S.WAITING: S.ANSWERED},
    ("enterprise", "close"): {S.OPEN: S.CLOSED, S.REOPENED: S.CLOSED, S.ANSWERED: S.CLOSED,
                              S.WAITING: S.CLOSED},
    ("desk", "close"): {S.ANSWERED: S.CLOSED, S.WAITING: S.CLOSED},
    ("enterprise", "reopen"): {S.CLOSED: S.REOPENED},
}


def answer_due(start, topic: str):
    """When the desk's answer is due: the topic's working hours after `start`."""
    hours = settings.PARTNERSHIP_ANSWER_HOURS.get(topic, settings.PARTNERSHIP_ANSWER_HOURS["other"])
    return branch_calendar().add(start, float(hours) * 3600)


def actions_of(request: SupportRequest, side: str | None) -> frozenset[str]:
    """What a side ("enterprise", "desk"; None: neither) may do to the request now (MOVES):
    the pages offer these forms."""
    return frozenset(action for (who, action), moves in MOVES.items()
                     if who == side and request.state in moves)


def _side(request: SupportRequest, user: User) -> str:
    if user.is_declarant:
        if user.enterprise_id != request.enterprise_id:  # selectors scope first: defence
            raise PermissionDenied(_("This request belongs to another enterprise."))
        return "enterprise"
    if selectors.is_desk(user):
        return "desk"
    raise PermissionDenied(_("Only officers of the partnership desk act on support requests."))


def _locked(request: SupportRequest, if_match: str | None) -> SupportRequest:
    locked = SupportRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if if_match and if_match.strip() not in {locked.etag, f"W/{locked.etag}", "*"}:
        raise PreconditionFailed(_("The request changed since you read it: reload it."),
                                 etag=locked.etag)
    return locked


def _move(request: SupportRequest, side: str, action: str) -> str:
    target = MOVES.get((side, action), {}).get(request.state)
    if target is None:
        raise StateConflict(_("The request is not in a state for this."),
                            code=PartnershipErrorCode.WRONG_STATE, current_state=request.state)
    return target


def _save(request: SupportRequest, **fields) -> None:
    SupportRequest.objects.filter(pk=request.pk).update(version=F("version") + 1, **fields)
    for name, value in fields.items():
        setattr(request, name, value)
    request.version += 1


def _check_text(errors: dict, field: str, value: str, *, limit: int, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(field, []).append(_("This field is required."))
    elif len(value) > limit:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": limit})
    return value


def _check_files(errors: dict, files) -> list[tuple[UploadedFile, str]]:
    """Each file's type from its first bytes (PDF, JPEG, PNG), whatever its name says."""
    files = list(files or [])
    checked = []
    if len(files) > MAX_FILES:
        errors.setdefault("files", []).append(_("At most %(n)d files per message.")
                                              % {"n": MAX_FILES})
        return []
    for upload in files:
        if upload.size > MAX_DOCUMENT_BYTES:
            errors.setdefault("files", []).append(_("A file is at most 10 MB."))
            continue
        kind = sniffed_content_type(upload)
        if kind is None:
            errors.setdefault("files", []).append(_("Attach PDF, JPEG or PNG files."))
            continue
        checked.append((upload, kind))
    return checked


def _article(errors: dict, article) -> Article | None:
    if article in (None, ""):
        return None
    if isinstance(article, Article):
        found = article if article.published else None
    else:
        try:
            found = Article.objects.filter(pk=int(article), published=True).first()
        except (TypeError, ValueError, OverflowError):
            found = None
    if found is None:
        errors.setdefault("article", []).append(_("No published guidance article has this id."))
    return found


def _add_message(request, user, body, *, from_desk, article=None, files=()) -> Message:
    message = Message.objects.create(request=request, author=user, from_desk=from_desk,
                                     body=body, article=article, at=timezone.now())
    for upload, kind in files:
        Attachment.objects.create(message=message, file=upload, content_type=kind,
                                  original_name=(upload.name or "file")[:255], size=upload.size)
    return message


def _context(request: SupportRequest) -> dict:
    return {"number": f"#{request.pk}", "subject": request.subject}


def _requester(request: SupportRequest) -> list[User]:
    user = request.created_by
    return [user] if user.is_active else []


def _desk_people(request: SupportRequest) -> list[User]:
    people = {u.pk: u for u in selectors.desk_leaders()}
    if request.assigned_to_id:
        people[request.assigned_to_id] = request.assigned_to
    return list(people.values())


# --- asking --------------------------------------------------------------------------------------
@transaction.atomic
def request_open(*, user: User, topic: str, subject: str, message: str, declaration=None,
                 mode: str = SupportMode.REMOTE, files=(), rating=None,
                 assign_leader: bool = False) -> SupportRequest:
    """An enterprise asks the desk; the request goes to the desk officer with the fewest
    requests not closed (a follow-up of a low rating: to a desk leader)."""
    if not user.is_declarant:
        raise PermissionDenied(_("Support requests are asked by enterprises."))
    errors: dict = {}
    if topic not in Topic.values:
        errors["topic"] = [_("Choose a topic.")]
    if mode not in SupportMode.values:
        errors["mode"] = [_("Choose remote or on-site support.")]
    subject = _check_text(errors, "subject", subject, limit=200)
    message = _check_text(errors, "message", message, limit=MAX_BODY)
    if declaration not in (None, ""):
        try:
            declaration = declarations_visible_to(user).get(pk=int(getattr(declaration, "pk",
                                                                               declaration)))
        except (ValueError, TypeError, OverflowError, Declaration.DoesNotExist):
            errors["declaration"] = [_("None of your declarations has this id.")]
            declaration = None
    else:
        declaration = None
    checked = _check_files(errors, files)
    if errors:
        raise FieldErrors(errors)
    now = timezone.now()
    due = answer_due(now, topic)
    officer = selectors.least_loaded(selectors.desk_officers(leaders_only=assign_leader,
                                                            answering=True))
    request = SupportRequest.objects.create(
        enterprise_id=user.enterprise_id, created_by=user, declaration=declaration, topic=topic,
        subject=subject, mode=mode, created_at=now, due_at=due, first_due_at=due,
        assigned_to=officer, rating=rating)
    _add_message(request, user, message, from_desk=False, files=checked)
    notifications.notify(REQUEST_NEW, recipients=[officer] if officer else
                         selectors.desk_leaders(), obj=request,
                         context={**_context(request), "due_at": due.isoformat()},
                         dedupe_key=f"support-new-{request.pk}")
    return request


@transaction.atomic
def message_post(*, request: SupportRequest, user: User, body: str, article=None,
                 awaiting_enterprise: bool = False, files=(),
                 if_match: str | None = None) -> Message:
    """A message in the thread. From the desk it answers (or asks the enterprise for more:
    waiting); from the enterprise it reopens an answered request (the due time runs again)."""
    request = _locked(request, if_match)
    side = _side(request, user)
    target = _move(request, side, "message")
    errors: dict = {}
    body = _check_text(errors, "body", body, limit=MAX_BODY)
    found = _article(errors, article) if side == "desk" else None
    if side != "desk" and article not in (None, ""):
        errors["article"] = [_("Guidance articles are linked by the desk.")]
    checked = _check_files(errors, files)
    if errors:
        raise FieldErrors(errors)
    now = timezone.now()
    message = _add_message(request, user, body, from_desk=side == "desk", article=found,
                           files=checked)
    if side == "desk":
        target = S.WAITING if awaiting_enterprise else S.ANSWERED
        fields = {"state": target, "due_at": None}
        if request.first_answered_at is None:
            fields["first_answered_at"] = now
        if request.assigned_to_id is None:
            fields["assigned_to"] = user
        _save(request, **fields)
        notifications.notify(REQUEST_ANSWERED, recipients=_requester(request), obj=request,
                             context=_context(request),
                             dedupe_key=f"support-answered-{message.pk}")
    else:
        fields = {"state": target}
        if target == S.REOPENED and request.state not in AWAITING_DESK:
            fields["due_at"] = answer_due(now, request.topic)
        _save(request, **fields)
        notifications.notify(REQUEST_MESSAGE, recipients=_desk_people(request)
                             if not request.assigned_to_id else [request.assigned_to],
                             obj=request, context=_context(request),
                             dedupe_key=f"support-message-{message.pk}")
    return message


@transaction.atomic
def request_close(*, request: SupportRequest, user: User, article=None,
                  satisfaction: int | None = None, if_match: str | None = None
                  ) -> SupportRequest:
    """Close a request: the enterprise at any time (and may rate the answer 1-5), the desk
    once it has answered. The guidance article that settled it counts for that article: the
    one named, else the last one the desk linked in the thread."""
    request = _locked(request, if_match)
    side = _side(request, user)
    target = _move(request, side, "close")
    errors: dict = {}
    found = _article(errors, article)
    if satisfaction not in (None, ""):
        if side != "enterprise":
            errors["satisfaction"] = [_("The enterprise rates the answer.")]
        elif not (isinstance(satisfaction, int) and 1 <= satisfaction <= 5):
            errors["satisfaction"] = [_("Give a score from 1 to 5.")]
    else:
        satisfaction = None
    if errors:
        raise FieldErrors(errors)
    if found is None:
        found = (Message.objects.filter(request=request, from_desk=True, article__isnull=False,
                                        article__published=True)
                 .order_by("-at", "-id").values_list("article", flat=True).first())
        found = Article.objects.filter(pk=found).first() if found else None
    _save(request, state=target, closed_at=timezone.now(), due_at=None, closing_article=found,
          satisfaction=satisfaction)
    return request


@transaction.atomic
def request_reopen(*, request: SupportRequest, user: User, body: str, files=(),
                   if_match: str | None = None) -> SupportRequest:
    """The enterprise reopens a closed request with a new message; the due time runs again."""
    request = _locked(request, if_match)
    side = _side(request, user)
    target = _move(request, side, "reopen")
    errors: dict = {}
    body = _check_text(errors, "body", body, limit=MAX_BODY)
    checked = _check_files(errors, files)
    if errors:
        raise FieldErrors(errors)
    now = timezone.now()
    message = _add_message(request, user, body, from_desk=False, files=checked)
    _save(request, state=target, closed_at=None, due_at=answer_due(now, request.topic),
          closing_article=None)
    notifications.notify(REQUEST_MESSAGE, recipients=_desk_people(request), obj=request,
                         context=_context(request), dedupe_key=f"support-message-{message.pk}")
    return request


# --- the desk's organisation ---------------------------------------------------------------------
@transaction.atomic
def request_assign(*, request: SupportRequest, user: User, officer: User,
                   if_match: str | None = None) -> SupportRequest:
    """A desk leader gives the request to another officer of the desk."""
    if not selectors.is_desk_leader(user):
        raise PermissionDenied(_("Only a desk leader reassigns requests."))
    request = _locked(request, if_match)
    if request.state == S.CLOSED:
        raise StateConflict(_("The request is closed."), code=PartnershipErrorCode.WRONG_STATE,
                            current_state=request.state)
    if officer is None or not selectors.desk_officers().filter(pk=officer.pk).exists():
        raise FieldErrors({"officer": [_("Choose an officer on duty at the desk.")]})
    _save(request, assigned_to=officer)
    notifications.notify(REQUEST_NEW, recipients=[officer], obj=request,
                         context={**_context(request),
                                  "due_at": request.due_at.isoformat() if request.due_at
                                  else ""},
                         dedupe_key=f"support-assigned-{request.pk}-{request.version}")
    return request


@transaction.atomic
def request_schedule(*, request: SupportRequest, user: User, mode: str, scheduled_at,
                     place: str = "", if_match: str | None = None) -> SupportRequest:
    """The desk sets remote or on-site support at a time (and a place or a meeting link);
    the enterprise is told."""
    request = _locked(request, if_match)
    if _side(request, user) != "desk":
        raise PermissionDenied(_("The desk schedules support."))
    if request.state == S.CLOSED:
        raise StateConflict(_("The request is closed."), code=PartnershipErrorCode.WRONG_STATE,
                            current_state=request.state)
    errors: dict = {}
    if mode not in SupportMode.values:
        errors["mode"] = [_("Choose remote or on-site support.")]
    if scheduled_at is None or scheduled_at < timezone.now():
        errors["scheduled_at"] = [_("Schedule the support from now on.")]
    place = _check_text(errors, "place", place, limit=255, required=mode == SupportMode.ON_SITE)
    if errors:
        raise FieldErrors(errors)
    _save(request, mode=mode, scheduled_at=scheduled_at, place=place)
    notifications.notify(REQUEST_SCHEDULED, recipients=_requester(request), obj=request,
                         context={**_context(request), "scheduled_at": scheduled_at.isoformat(),
                                  "place": place, "mode": mode},
                         dedupe_key=f"support-scheduled-{request.pk}-{request.version}")
    return request


def requests_warn_due_soon(now=None) -> int:
    """Beat: tell the assigned officer and the desk's leaders once per due time when an
    answer is due within the next working hour."""
    now = now or timezone.now()
    calendar = branch_calendar()
    horizon = calendar.add(now, 3600)
    warned = 0
    with transaction.atomic():
        due = list(SupportRequest.objects.select_for_update(skip_locked=True, of=("self",))
                   .select_related("assigned_to")
                   .filter(state__in=AWAITING_DESK, due_at__isnull=False, due_at__lte=horizon,
                           due_at__gt=now)
                   .exclude(warned_due_at=F("due_at")))
        leaders = selectors.desk_leaders()
        for request in due:
            people = {u.pk: u for u in leaders}
            if request.assigned_to_id:
                people[request.assigned_to_id] = request.assigned_to
            notifications.notify(REQUEST_DUE_SOON, recipients=list(people.values()),
                                 obj=request, context={**_context(request),
                                                       "due_at": request.due_at.isoformat()},
                                 dedupe_key=f"support-due-{request.pk}-"
                                            f"{request.due_at.isoformat()}")
            SupportRequest.objects.filter(pk=request.pk).update(warned_due_at=request.due_at)
            warned += 1
    return warned
