from .navigation import menu_for, topbar_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {"menu": [], "topbar": []}
    return {"menu": menu_for(user), "topbar": topbar_for(request)}
