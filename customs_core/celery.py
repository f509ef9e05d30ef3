"""Celery application: tasks are discovered in each installed app's tasks.py."""

import os

from celery import Celery

from customs_core.observability import task_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "customs_core.settings")

app = Celery("customs_core")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The request id into tasks and worker logs, task metrics (customs_core.observability).
task_signals.connect()
