# anchor-history: one target per thing a maintainer does. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
SPEC ?=
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: focus-validate dashboard prometheus help setup generate check-generated lint format typecheck test demo sandbox record contract drift update-spec bench browser e2e clean focus-validator

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(UV):
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11" >&2; exit 1; }
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

setup: $(UV) ## Create .venv from uv.lock (idempotent; quick when nothing changed)
	@$(UV) sync --frozen --all-extras --all-groups --quiet
	@# Bytecode, so that where PYTHONDONTWRITEBYTECODE is set no command compiles every
	@# module it imports, every time: the environment once per lock, our packages by mtime.
	@# Left out: what no command and no test imports as Python (playwright's driver,
	@# mypy and mypyc run compiled, pygments, pip, setuptools, packages' own
	@# tests): half of the files, and 6 of the 13 s this took.
	@if [ ! -f $(VENV)/.bytecode ] || [ uv.lock -nt $(VENV)/.bytecode ]; then \
		$(BIN)/python -m compileall -q -j0 \
			-x '/(playwright|mypy|mypyc|pygments|setuptools|pip|_distutils_hack)/|/tests?/' \
			$(VENV)/lib >/dev/null 2>&1; touch $(VENV)/.bytecode; fi
	@$(BIN)/python -m compileall -q -j0 facade/anchor_history generated/anchorbrowser_api >/dev/null

generate: setup ## Regenerate generated/anchorbrowser_api from openapi.yaml
	@scripts/generate.sh generated

check-generated: setup ## Fail (with a diff) when generated/ is not what `make generate` makes
	@scripts/check_generated.sh

lint: setup ## ruff check + ruff format --check
	$(BIN)/ruff check facade tests scripts
	$(BIN)/ruff format --check facade tests scripts

format: setup ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix facade tests scripts
	$(BIN)/ruff format facade tests scripts

typecheck: setup ## mypy --strict on the facade and the generated package
	$(BIN)/mypy

focus-validator: $(UV) ## Install the FinOps Foundation's FOCUS validator 2.2.1 (own venv on Python 3.12, pinned)
	@scripts/install_focus_validator.sh $(UV)

focus-validate: focus-validator ## Validate a FOCUS 1.2 export: make focus-validate FILE=usage-focus.csv (exit 1 on a failed rule or a crash)
	@test -n "$(FILE)" || { echo "usage: make focus-validate FILE=usage-focus.csv" >&2; exit 2; }
	@test -x .tools/focus-validator/bin/python || { echo "focus-validate: no validator (it needs Python 3.12)" >&2; exit 2; }
	@.tools/focus-validator/bin/python scripts/focus_validate.py "$(FILE)"

test: setup lint check-generated focus-validator ## The whole suite: the README's test command
	@# Three workers on this 2-core machine, a test file each at a time (a module's
	@# sandbox is made once): the workers wait much of the time on the processes,
	@# servers and PostgreSQL they start, and three took 111-119 s where two took
	@# 131-165 s. pytest's closing line says how long the suite took. mypy runs
	@# beside them, and fails the target as it would alone.
	@$(BIN)/mypy > .mypy-test.log 2>&1 & typecheck=$$!; \
	$(BIN)/pytest -q -m "not browser and not prometheus and not slow" -n 3 --dist loadfile; \
	status=$$?; \
	if wait $$typecheck; then tail -1 .mypy-test.log; \
	else cat .mypy-test.log; echo "make test: mypy failed" >&2; status=1; fi; \
	rm -f .mypy-test.log; exit $$status

browser: ## Install Debian's headless Chromium for the browser tests (once; needs root)
	@command -v chromium >/dev/null || { \
		echo "installing chromium from Debian's packages (a few minutes, once)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@chromium --version

dashboard: setup ## Rebuild monitoring/dashboard.json (Grafana Foundation SDK) and its queries for promtool
	@$(BIN)/python scripts/dashboard.py

prometheus: ## Install Debian's Prometheus and promtool (once; needs root) for the monitoring tests
	@command -v promtool >/dev/null || { \
		echo "installing prometheus from Debian's packages (once)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends prometheus >/dev/null; }
	@promtool --version 2>&1 | head -1

e2e: setup browser focus-validator prometheus ## Chromium renders the report; the FOCUS validator and promtool check their files
	$(BIN)/pytest -q -m browser
	$(BIN)/pytest -q tests/test_focus.py tests/test_monitoring.py
	$(BIN)/pytest -q -m slow

demo: setup ## Usage history from the sandbox, as a table and a chart
	@scripts/demo.sh

sandbox: setup ## Run the sandbox API on 127.0.0.1:8765 (Ctrl-C stops it)
	$(BIN)/anchor-history sandbox --port 8765

record: setup ## Re-record the cassettes: from the sandbox, or the live API when ANCHORBROWSER_API_KEY is set
	$(BIN)/pytest -q tests/contract/test_recorded.py --record-mode=rewrite

contract: setup ## The contract tests alone, replaying cassettes offline
	$(BIN)/pytest -q tests/contract

drift: setup ## Compare openapi.yaml with SPEC=path-or-URL; exits 1 on a breaking change
	@test -n "$(SPEC)" || { echo "usage: make drift SPEC=path-or-URL" >&2; exit 2; }
	PYTHONPATH=scripts $(BIN)/python scripts/spec_drift.py openapi.yaml "$(SPEC)"

update-spec: setup ## Adopt SPEC=path-or-URL: drift report, write openapi.yaml, regenerate, run the suite
	@test -n "$(SPEC)" || { echo "usage: make update-spec SPEC=path-or-URL" >&2; exit 2; }
	PYTHONPATH=scripts $(BIN)/python scripts/update_spec.py "$(SPEC)"

bench: setup ## Benchmarks against the official SDK and baselines; writes bench/RESULTS.md
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

clean: ## Remove the venv, tools and caches
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache .hypothesis
