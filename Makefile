# Every target sets up .venv itself: a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
# The demo clock: a moment when the call for papers and registration are both open.
DEMO_NOW ?= 2020-01-20T12:00:00+00:00

.PHONY: run test e2e lint format bench bench-reviews clean

$(VENV)/.installed-run: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

instance/dev-secret-key:
	@mkdir -p instance
	@$(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $@

run: $(VENV)/.installed-run instance/dev-secret-key
	@FASTPATH_SECRET_KEY=$$(cat instance/dev-secret-key) $(FLASK) db upgrade
	@FASTPATH_SECRET_KEY=$$(cat instance/dev-secret-key) $(FLASK) demo setup
	@echo ""
	@echo "  FastPath 2020 is being served at   http://127.0.0.1:5000/"
	@echo "  The site's clock is set to          $(DEMO_NOW) (the default: call for papers and registration open)"
	@echo "  Mail it sends is written to         instance/mail/*.eml"
	@echo "  Stop with Ctrl-C."
	@echo ""
	@FASTPATH_SECRET_KEY=$$(cat instance/dev-secret-key) FASTPATH_NOW=$(DEMO_NOW) \
		$(FLASK) run --host 127.0.0.1 --port 5000

# The whole suite on SQLite, then again on a throwaway PostgreSQL server when Debian's
# `postgresql` binaries are installed (browser and SQLite-only tests run once).
test: $(VENV)/.installed-test
	$(BIN)/pytest
	@if $(BIN)/python -m tests.helpers.postgres; then \
		echo "== the suite again on PostgreSQL"; \
		FASTPATH_TEST_DATABASE=postgresql $(BIN)/pytest --ignore=tests/e2e; \
	else \
		echo "PostgreSQL binaries not found (apt-get install postgresql): skipped the PostgreSQL run"; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks drive gunicorn with wrk, and the frozen copy (flask freeze) with nginx (Debian's
# packages; installed here when run as root).
bench: $(VENV)/.installed-test
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
		|| { echo "make bench needs wrk: apt-get install wrk"; exit 2; }
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx >/dev/null; } \
		|| { echo "make bench needs nginx: apt-get install nginx"; exit 2; }
	$(BIN)/python -m tests.benchmarks
	$(BIN)/python -m tests.benchmarks.reviews_table
	$(BIN)/python -m tests.benchmarks.frozen_pages
	$(BIN)/python -m tests.benchmarks.group_mail

# The chairs' review table at 500 submissions × 3 reviews, in-process (no wrk needed).
bench-reviews: $(VENV)/.installed-test
	$(BIN)/python -m tests.benchmarks.reviews_table

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
