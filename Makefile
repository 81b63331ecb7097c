# kehoach — the commands a developer and CI use. Each target bootstraps what it needs.
#   make run     demo data + development server on http://127.0.0.1:8000/
#   make test    system packages, lint, translations, tests on SQLite and PostgreSQL, browser tests
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PY := .venv/bin/python
MANAGE := $(PY) manage.py
PYTEST := .venv/bin/pytest

# $(call header,Text) prints a visible stage header.
header = @printf '\n======== %s ========\n' '$(1)'

.PHONY: help venv system run demo lint messages api-schema test bench clean

help:
	@echo "make run      migrate, load demo data, print demo logins, start the server and a worker"
	@echo "make test     lint, compile translations, tests on SQLite and PostgreSQL, browser tests"
	@echo "make lint     ruff, mypy, import contracts (lint-imports), makemigrations --check"
	@echo "make demo     migrate and load demo data (no server)"
	@echo "make bench    performance numbers (scripts/bench.py; NATIONAL=1: the whole country)"
	@echo "make clean    remove the development database and collected static files"

venv:
	@bash scripts/bootstrap-venv.sh

system:
	@bash scripts/bootstrap-system.sh

demo: venv
	$(MANAGE) migrate --noinput
	$(MANAGE) load_units
	$(MANAGE) load_catalog
	$(MANAGE) load_demo
	$(MANAGE) load_demo_rounds
	$(MANAGE) load_demo_envelopes
	$(MANAGE) load_demo_implementation
	$(MANAGE) load_demo_five_year

# The background worker (django-tasks, `db_worker`) runs beside the server and is stopped with it.
run: demo
	$(MANAGE) demo_logins
	$(MANAGE) db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null || true' EXIT; \
	$(MANAGE) runserver 127.0.0.1:8000

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy .
	.venv/bin/lint-imports
	$(MANAGE) makemigrations --check --dry-run --settings=config.settings.test

messages: venv
	@command -v msgfmt >/dev/null || bash scripts/bootstrap-system.sh
	$(MANAGE) compilemessages --ignore=.venv

# The committed OpenAPI schema of the API (kehoach/api/tests/test_schema.py fails when it is stale).
api-schema: venv
	$(MANAGE) spectacular --file docs/api/openapi.yaml --validate --lang en

# Stages run one after another (not as prerequisites) so that their order holds under make -j;
# the first failure stops the run. The SQLite and PostgreSQL runs share the two cores side by
# side (each test run has its own database, media directory and ports); SQLite's output is
# printed after PostgreSQL's.
test:
	$(call header,System packages)
	@bash scripts/bootstrap-system.sh
	$(call header,Python environment)
	@bash scripts/bootstrap-venv.sh
	$(call header,Lint: ruff / mypy / makemigrations --check)
	@$(MAKE) --no-print-directory lint
	$(call header,Translations: compilemessages)
	@$(MAKE) --no-print-directory messages
	$(call header,Tests on SQLite and on PostgreSQL side by side (not e2e))
	@log=$$(mktemp); \
	env -u DATABASE_URL $(PYTEST) -m "not e2e" -p no:cacheprovider >"$$log" 2>&1 & lite=$$!; \
	bash scripts/with-postgres.sh $(PYTEST) -m "not e2e"; pg=$$?; \
	wait $$lite; sqlite=$$?; \
	echo; echo "---- the same tests on SQLite (run beside PostgreSQL) ----"; cat "$$log"; rm -f "$$log"; \
	echo "SQLite: exit $$sqlite; PostgreSQL: exit $$pg"; \
	test $$sqlite -eq 0 && test $$pg -eq 0
	$(call header,Browser tests (e2e; Chromium; SQLite))
	env -u DATABASE_URL $(PYTEST) -m e2e
	$(call header,All checks passed)

bench: venv
	$(PY) scripts/bench.py $(if $(NATIONAL),--national)

clean:
	rm -f var/kehoach.sqlite3*
	rm -rf var/static
