"""Every API route from the URL configuration, for the scoping matrices (test_api_*_routes):
one place, so the matrices can import each other's recipes without an import cycle."""

from django.urls import get_resolver

from tests.test_api_scoping import _patterns


def api_routes():
    """(path, url name, http method, action) of every route under /api/v1/."""
    routes = []
    for path, pattern in _patterns(get_resolver().url_patterns):
        if not path.startswith("api/v1/") or "\\.(?P<format>" in path:
            continue
        for method, action in (getattr(pattern.callback, "actions", None) or {"*": None}).items():
            routes.append((path, pattern.name, method, action))
    return sorted(set(routes), key=str)
