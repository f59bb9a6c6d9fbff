# All setup happens inside the repository: .venv (Python), node_modules (solc-js, anvil,
# OpenZeppelin, reference artifacts), .local (ape data, caches). Targets are idempotent: a
# second `make setup` with nothing changed only checks the stamps.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
RUN := source toolchain/env.sh &&

VENV_STAMP := .venv/.installed
NODE_STAMP := node_modules/.installed

.PHONY: setup test test-load lint scenario bench clean

setup: $(VENV_STAMP) $(NODE_STAMP)

$(VENV_STAMP): requirements.lock pyproject.toml
	@echo "==> Python environment (.venv) from requirements.lock"
	test -x .venv/bin/python || $(PYTHON) -m venv .venv
	PIP_CACHE_DIR=.local/pip .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
	PIP_CACHE_DIR=.local/pip .venv/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	grep -q toolchain/env.sh .venv/bin/activate || echo 'source "$$VIRTUAL_ENV/../toolchain/env.sh"' >> .venv/bin/activate
	touch $@

$(NODE_STAMP): package-lock.json
	@echo "==> Node packages (node_modules) from package-lock.json"
	npm ci --no-audit --no-fund --cache .local/npm
	touch $@

test: setup
	$(RUN) ape test $(ARGS)

# The suite with two CPU-bound processes beside it (a busy CI machine): a test whose numbers
# depend on how fast blocks follow each other fails here. The hogs are started and stopped by PID.
test-load: setup
	$(PYTHON) -c 'while True: pass' & hog1=$$!; \
	$(PYTHON) -c 'while True: pass' & hog2=$$!; \
	trap 'kill $$hog1 $$hog2 2>/dev/null' EXIT; \
	echo "==> load: CPU-bound processes $$hog1 $$hog2"; \
	$(RUN) ape test $(ARGS)

# slither on contracts/ (every High/Medium finding triaged in toolchain/slither-triage.yaml), ruff.
lint: setup
	$(RUN) VIRTUAL_ENV="$$PWD/.venv" python toolchain/lint_contracts.py  # solc-select's folder in .venv, not $$HOME
	$(RUN) ruff check .

scenario: setup
	$(RUN) ape run crash_scenario $(ARGS)

bench: setup
	$(RUN) for b in benchmarks/bench_*.py; do python "$$b"; done

clean:
	rm -rf .venv node_modules .local .build .hypothesis .pytest_cache results
