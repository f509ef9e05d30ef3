"""What operators see of the running app (issue 20, operations).

- context.py: the request id of the work in hand (a contextvar), carried into Celery tasks.
- logs.py: the logging filter that puts it on every record, and the JSON formatter.
- middleware.py: one middleware per request: the id, one access-log line, the HTTP metrics.
- task_signals.py: Celery signals: the id into a task's headers and back out in the worker,
  the task metrics.
- metrics.py: the Prometheus series, the scrape-time gauges apps register
  (`register_gauge`), multiprocess mode; views.py and urls.py: /metrics for the operator only.
- gunicorn_config.py: gunicorn hooks for multiprocess metrics and JSON logs.

Nothing here imports an app above customs_core: apps register their gauges from ready().
"""
