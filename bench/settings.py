"""Benchmark settings: the app's own settings, DEBUG off, plus the bare baseline endpoint."""

import tempfile

from customs_core.settings import *  # noqa: F403
from customs_core.settings import INSTALLED_APPS, REST_FRAMEWORK

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = [*INSTALLED_APPS, "bench.baseline"]
ROOT_URLCONF = "bench.baseline.urls"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": [],
                  "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]}
AXES_ENABLED = False
STATIC_ROOT = tempfile.gettempdir()  # whitenoise warns when STATIC_ROOT is missing
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
