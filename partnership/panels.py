"""The partnership section of the declaration page: for the enterprise, ask the desk about
this declaration and rate the service once it is cleared; for everyone, its requests."""

from .models import Rating
from .ratings import may_rate
from .selectors import requests_visible_to


def panel_visible(user, declaration) -> bool:
    return getattr(user, "is_declarant", False) or getattr(user, "is_officer", False)


def panel_context(request, declaration) -> dict:
    user = request.user
    rating = Rating.objects.filter(declaration_id=declaration.pk).first()
    return {"support_requests": list(requests_visible_to(user)
                                     .filter(declaration_id=declaration.pk)[:10]),
            "may_ask": user.is_declarant,
            "may_rate": may_rate(user, declaration) if rating is None else False,
            "own_rating": rating if user.is_declarant else None}
