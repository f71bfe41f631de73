# thanhhoa_kpi — run `make help` for the list of commands.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE := thanhhoa_kpi.settings

help: ## Show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): setup.py
	scripts/system-packages.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) messages ## Install Debian packages, the virtualenv and Python packages; compile messages

messages: $(STAMP) ## Compile the Vietnamese translations
	cd thanhhoa_kpi && ../$(PY) ../manage.py compilemessages -l vi -v 0

run: install ## Migrate the SQLite demo, load base+thanhhoa+demo data, serve on 127.0.0.1:$(PORT)
	scripts/services.sh --redis-only
	mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed --sets base,thanhhoa,demo
	$(PY) manage.py run_patches
	$(PY) manage.py demo_logins
	@echo "Bàn làm việc: http://127.0.0.1:$(PORT)/admin/   API: http://127.0.0.1:$(PORT)/api/docs/"
	$(PY) manage.py rqworker default --with-scheduler --worker-ttl 60 > var/rqworker.log 2>&1 & \
	  trap "kill $$! 2>/dev/null" EXIT; $(PY) manage.py runserver 127.0.0.1:$(PORT)

serve: install ## Production-like on MariaDB (var/db.env): migrate, seed, collectstatic, gunicorn + an RQ worker on 127.0.0.1:$(PORT)
	PORT=$(PORT) scripts/serve.sh

bench: install services ## Scoring bench, quick (2,000 officials, < 2 min); FULL=1: 75,000 officials and the load curve; appends to bench/RESULTS.md
	$(PY) -m pip install -q --disable-pip-version-check -e ".[bench]"
	set -a; source var/db.env; set +a; \
	if [ -z "$(FULL)" ]; then \
	  $(PY) bench/score_province.py --database bench_quick --officials 2000 --runs 3 --check all --record bench/RESULTS.md; \
	else \
	  $(PY) bench/score_province.py --database bench_kpi --officials 75000 --runs 3 --check 5000 --record bench/RESULTS.md && \
	  scripts/bench_curve.sh bench/RESULTS.md; \
	fi

services: ## Start (or install) MariaDB and Redis for the tests
	scripts/services.sh

test: install services ## Run the whole suite on MariaDB and Redis (browser tests in Debian's Chromium), then the fault tests
	scripts/system-packages.sh --browser --galera
	@echo "== Lõi thuần (chấm điểm, quy trình): không cần CSDL, bao phủ nhánh 100% =="
	$(PY) -m pytest tests/unit -p no:django -p no:cacheprovider \
	  --cov=thanhhoa_kpi.scoring --cov=thanhhoa_kpi.workflow.engine --cov=thanhhoa_kpi.workflow.definition \
	  --cov-branch --cov-fail-under=100 --cov-report=term:skip-covered
	@echo "== Tích hợp, API, bàn làm việc và trình duyệt trên MariaDB + Redis =="
	set -a; source var/db.env; set +a; RQ_ASYNC=0 DJANGO_ALLOW_ASYNC_UNSAFE=true \
	  $(PY) -m pytest --ignore=tests/unit -m "not fault" -p no:cacheprovider
	@echo "== Thử lỗi (tests/fault): máy chủ riêng của từng bài; số liệu ghi được in ở cuối =="
	set -a; source var/db.env; set +a; RQ_ASYNC=0 DJANGO_ALLOW_ASYNC_UNSAFE=true \
	  $(PY) -m pytest tests/fault -m fault -p no:cacheprovider -rP --durations=0

lint: install ## ruff, migrations check, import boundaries, mypy on the pure cores
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run -v 0
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy --strict thanhhoa_kpi/scoring thanhhoa_kpi/workflow/engine.py

worker: install ## Run an RQ worker (imports, period opening, notifications)
	$(PY) manage.py rqworker default --with-scheduler --worker-ttl 60

cron: install ## Run rq's cron: workflow reminders and digest, scheduled reports
	$(PY) manage.py rqcron thanhhoa_kpi.cron

schema: install ## Regenerate the OpenAPI file served at /api/schema/
	$(PY) manage.py spectacular --validate --fail-on-warn --file thanhhoa_kpi/api/openapi.yaml

.PHONY: help install messages run serve services test lint schema worker cron bench
