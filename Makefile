# Setdesk — make run | make test | make lint | make bench
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint bench services schema clean

$(BIN)/python:
	@$(PYTHON) -c "import sys; assert sys.version_info[:2] == (3, 11), sys.version" || { echo "Python 3.11 is required"; exit 1; }
	@# Debian ships venv/ensurepip separately (python3.11-venv).
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || bash .ci/services.sh --python-venv
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

$(STAMP): $(BIN)/python requirements/base.txt requirements/dev.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

# One machine, first look: SQLite, in-memory channel layer, jobs in-process.
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py collectstatic --noinput -v 0
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: /admin/, API docs: /api/docs/, dashboards: /dash/)"
	DEBUG=1 $(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --lifespan on --no-access-log

# PostgreSQL and Redis reachable (started, or installed with apt), Chromium for e2e.
services:
	@bash .ci/services.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

schema: install
	DEBUG=1 $(BIN)/python manage.py spectacular --fail-on-warn --file /dev/null

test: install services
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest --create-db

bench: install services
	@set -e; for script in bench/*.py; do \
		case "$$script" in bench/_*) continue;; esac; \
		echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
