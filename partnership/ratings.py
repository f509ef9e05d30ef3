"""Service ratings: once a declaration is cleared, its enterprise rates the service once
(timeliness, transparency, attitude, 1-5). A low rating (any score <= 2) opens a follow-up
request for a desk leader. Officers read ratings of their own work only in aggregate
(stats.officer_ratings), never who gave which."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_core import notifications
from customs_core.exceptions import FieldErrors, StateConflict
from customs_core.models import User
from declarations.models import Declaration
from declarations.selectors import declaration_get_for

from . import selectors, services
from .choices import PartnershipErrorCode, Topic
from .models import Rating

CRITERIA = ("timeliness", "transparency", "attitude")


def may_rate(user: User, declaration: Declaration) -> bool:
    """The declaration's enterprise, once it is cleared, if nobody of it rated it yet."""
    return (user.is_declarant and declaration.enterprise_id == user.enterprise_id
            and declaration.cleared_at is not None
            and not Rating.objects.filter(declaration_id=declaration.pk).exists())


def _score(errors: dict, name: str, value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        errors[name] = [_("Give a score from 1 to 5.")]
        return None
    return value


def rating_give(*, user: User, declaration, timeliness, transparency, attitude,
                comment: str = "") -> Rating:
    """Rate the service of one cleared declaration of one's own: 404 for another's, 409 when
    it is not cleared or already rated, 400 for a score outside 1-5; nothing written then."""
    if not user.is_declarant:
        raise PermissionDenied(_("The service is rated by the declaration's enterprise."))
    declaration = declaration_get_for(user, getattr(declaration, "pk", declaration))
    errors: dict = {}
    scores = {name: _score(errors, name, value) for name, value in
              zip(CRITERIA, (timeliness, transparency, attitude), strict=True)}
    comment = (comment or "").strip()
    if len(comment) > 2000:
        errors["comment"] = [_("At most %(n)d characters.") % {"n": 2000}]
    if errors:
        raise FieldErrors(errors)
    if declaration.cleared_at is None:
        raise StateConflict(_("The service is rated once the declaration is cleared."),
                            code=PartnershipErrorCode.NOT_CLEARED,
                            current_state=declaration.state)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(declaration=declaration,
                                           enterprise_id=declaration.enterprise_id,
                                           rated_by=user, comment=comment, at=timezone.now(),
                                           **scores)
            _after_rating(rating, user, declaration)
    except IntegrityError:  # the one-rating constraint: rated already (or at this moment)
        if Rating.objects.filter(declaration_id=declaration.pk).exists():
            raise StateConflict(_("This declaration's service was rated already."),
                                code=PartnershipErrorCode.ALREADY_RATED,
                                current_state=declaration.state) from None
        raise
    return rating


def _after_rating(rating: Rating, user: User, declaration: Declaration) -> None:
    context = {"number": declaration.number, "score": f"{rating.mean:.1f}"}
    notifications.notify(services.RATING_RECEIVED, recipients=selectors.desk_leaders(),
                         obj=None, context=context, dedupe_key=f"rating-{rating.pk}")
    if not rating.is_low:
        return
    lines = [_("Follow-up of a low service rating of declaration %(number)s.")
             % {"number": declaration.number},
             _("Timeliness %(t)d, transparency %(r)d, attitude %(a)d.")
             % {"t": rating.timeliness, "r": rating.transparency, "a": rating.attitude}]
    if rating.comment:
        lines.append(rating.comment)
    services.request_open(user=user, topic=Topic.COMPLAINT,
                          subject=_("Low service rating: declaration %(number)s")
                          % {"number": declaration.number},
                          message="\n".join(lines)[:services.MAX_BODY], declaration=declaration,
                          rating=rating, assign_leader=True)

