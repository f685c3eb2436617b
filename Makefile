# `make run` tries the app on a laptop; `make test` is what CI runs (.ci/run).
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
# One shell per recipe, so exports and `source` carry over to the next line.
.ONESHELL:
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint messages clean venv bench

# Our own code, as bandit reads it (tests and the venv aside).
APPS := baocao chibo common config dangvien hangdoi nhacviec nhanxet nhapdulieu nhatky quydinh taikhoan vanban bench scripts

# SQLite and eager Celery tasks unless the caller sets DATABASE_URL / REDIS_URL
# (in the environment or in .env); then those servers are used.
run: venv
	export DJANGO_SETTINGS_MODULE=config.settings.local
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# Real PostgreSQL and Redis: see scripts/ensure_services.sh for which ones.
test: venv
	bash scripts/ensure_services.sh >/dev/null
	source .tmp/services.env
	export DJANGO_SETTINGS_MODULE=config.settings.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -r $(APPS) --severity-level high
	$(PY) scripts/audit_dependencies.py
	$(PY) -m pytest

# Benchmarks (not part of `make test`): SIZE=small (20,000 members, about 3 minutes) or
# SIZE=national (2.5 million members; the data set is generated once and reused).
SIZE ?= small
bench: venv
	bash scripts/ensure_services.sh >/dev/null
	source .tmp/services.env
	$(PY) -m bench.make $(SIZE)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Needs gettext (msgfmt, xgettext). The .mo files are committed, so this is only
# for when the translatable strings change.
messages: venv
	export DJANGO_SETTINGS_MODULE=config.settings.local
	$(PY) manage.py makemessages -l vi --ignore=staticfiles --ignore=test-artifacts
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.tmp

# Stops the throwaway servers first: their data lives in .tmp.
clean:
	bash scripts/ensure_services.sh stop
	rm -rf $(VENV) .tmp db.sqlite3 staticfiles test-artifacts

venv: $(STAMP)

# Reinstalls only when a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt
	[[ -x $(PY) ]] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt
	touch $@
