import time

from . import second_factor
from .middleware import LAST_SEEN_KEY


def session_start(sender, request, user, **kwargs):
    """On sign-in: does this session need a second factor (read once, not on every request),
    and the idle clock starts."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[second_factor.SESSION_REQUIRED_KEY] = second_factor.required_for(user)
    request.session[LAST_SEEN_KEY] = int(time.time())
