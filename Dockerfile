# Image for the web, worker and beat services of docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=customs_core.settings_production

WORKDIR /app
# pg_dump / pg_restore 15 (bookworm's, the server's major version) for manage.py backup / restore.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 customs
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY . .
# collectstatic needs some settings at build time only; real values come from the environment.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown -R customs /app/media
USER customs
EXPOSE 8000
# Several processes (gunicorn workers, a Celery pool) write their metrics here and /metrics
# merges them; docker-compose.yml shares it between web and worker.
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
# The access log is the app's own (JSON, with the request id); the config module adds the
# multiprocess-metrics hooks and JSON for gunicorn's own lines.
CMD ["gunicorn", "customs_core.wsgi:application", \
     "-c", "python:customs_core.observability.gunicorn_config", \
     "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--max-requests", "2000", "--max-requests-jitter", "200"]
