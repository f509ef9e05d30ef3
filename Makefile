# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_DECLARATIONS ?= 20000

.PHONY: run test install lint messages worker beat clean

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

## Create the virtualenv, migrate, load demo data into an empty database, serve :8000.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty --declarations $(DEMO_DECLARATIONS)
	$(PY) manage.py runserver $(HOST):$(PORT)

## The whole test suite (SQLite by default; DATABASE_URL / CELERY_BROKER_URL for real services):
## three processes (pytest-xdist; they wait on PostgreSQL and Chromium half the time), then the tests on the real broker one at a time. Exit code 5
## (nothing selected, e.g. PYTEST_ARGS naming one file) is not a failure.
test: install
	$(PY) -m pytest -n 3 -m "not broker" $(PYTEST_ARGS); s=$$?; [ $$s -eq 0 ] || [ $$s -eq 5 ] || exit $$s
	$(PY) -m pytest -m broker $(PYTEST_ARGS); s=$$?; [ $$s -eq 0 ] || [ $$s -eq 5 ] || exit $$s

lint: install
	$(VENV)/bin/ruff check .

## Re-extract and compile the Vietnamese translations (needs gettext).
messages: install
	$(PY) manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=static
	$(PY) manage.py compilemessages -l vi --ignore=.venv

worker: install
	$(VENV)/bin/celery -A customs_core worker -l INFO  # every declared queue; -Q risk for a dedicated one

beat: install
	$(VENV)/bin/celery -A customs_core beat -l INFO

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
