# Image for the web, worker and beat services of docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=customs_core.settings_production

WORKDIR /app
RUN useradd --create-home --uid 10001 customs
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY . .
# collectstatic needs some settings at build time only; real values come from the environment.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown -R customs /app/media
USER customs
EXPOSE 8000
CMD ["gunicorn", "customs_core.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--access-logfile", "-", "--max-requests", "2000", "--max-requests-jitter", "200"]
