# Everything a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test test-postgres lint format demo clean bench messages

setup: $(STAMP)

# xstatic-bootstrap ships only an sdist whose build still imports pkg_resources,
# so it is built against the venv's own (older) setuptools instead of an isolated one.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "setuptools<81" wheel
	$(BIN)/pip install --quiet --no-build-isolation "xstatic-bootstrap>=5.3,<5.4"
	$(BIN)/pip install --quiet ".[dev]"
	touch $(STAMP)

var:
	mkdir -p var

# The port `make run` serves on (`make run PORT=8010`); links in mail and SMS follow it unless
# SITE_URL is set.
PORT ?= 8000

# The web server and the task worker together. Ctrl-C reaches both: the worker finishes the task
# in flight (a second Ctrl-C stops it at once); when the server ends otherwise, the worker is
# stopped too. The worker does not reload on code changes (a reload kills the task in flight):
# restart after changing a task.
run: export PORT := $(PORT)
run: setup var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py db_worker --no-reload --no-startup-delay & worker=$$!; \
	trap 'interrupted=1; exit 130' INT; trap 'exit 143' TERM; \
	trap '[ -n "$$interrupted" ] || kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

demo: setup var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "Start portalen med make run (eller make run PORT=8010)."

test: setup var
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: setup var
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/trekkportal} \
		$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Our Norwegian for what Django's own nb catalogue lacks (locale/nb/LC_MESSAGES/django.po).
# The compiled .mo is committed, so a deployment needs no gettext tools.
messages:
	msgfmt --check -o locale/nb/LC_MESSAGES/django.mo locale/nb/LC_MESSAGES/django.po

# Benchmarks on PostgreSQL (docs/performance.md): SCALE=small (default) or full.
SCALE ?= small
bench: setup
	$(BIN)/python bench/run.py --scale $(SCALE) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
