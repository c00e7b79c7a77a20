# Kirok: two commands for a fresh clone.
#   make demo   creates .venv, installs, makes a workspace with reference data and a fictional
#               demo set, prints one-time passwords for `demo` (a reviewer who sees the demo
#               records) and `admin`, and serves http://127.0.0.1:8000
#   make test   creates .venv, installs and runs the whole suite on SQLite and PostgreSQL

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KIROK_HOME ?= $(CURDIR)/kirok-data
DEMO_SIZE ?= 2000
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
CHROMIUM ?= /usr/bin/chromium
export KIROK_HOME

.PHONY: demo test test-sqlite test-postgres install clean-demo browser

$(BIN)/kirok: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/kirok

demo: install
	$(BIN)/kirok init
	$(BIN)/kirok demo-data --size $(DEMO_SIZE) --seed 1 --viewer demo
	$(BIN)/kirok createadmin
	@echo "Serving on http://127.0.0.1:8000: sign in as demo to see the workspace with the demo records,"
	@echo "as admin for users and settings (http://127.0.0.1:8000/admin/). Stop with Ctrl-C."
	$(BIN)/kirok serve 127.0.0.1:8000

test: install browser test-sqlite test-postgres

# The browser tests (tests/e2e) drive Debian's Chromium. Install it (with a Hangul font, so
# screenshots show Korean) when it is missing and this is root on a system with apt; otherwise
# say so and go on: the browser tests then skip with the reason (or fail under KIROK_REQUIRE_BROWSER=1).
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum >/dev/null) \
	    || echo "chromium could not be installed; the browser tests will skip"; \
	else echo "chromium is missing and cannot be installed here (needs root and apt); the browser tests will skip"; fi

# One test process per core; a module's tests stay in one process, so that its module fixtures
# (a workspace on disk, a loaded data set) are made once.
PYTEST := $(BIN)/pytest -q -p no:cacheprovider -n auto --dist loadscope

test-sqlite: install
	env -u KIROK_DATABASE_URL $(PYTEST)

test-postgres: install
	KIROK_DATABASE_URL=$(POSTGRES_URL) $(PYTEST)

clean-demo:
	rm -rf $(KIROK_HOME)
