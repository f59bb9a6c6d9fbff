# All setup happens inside the repository: .venv (Python), node_modules (solc-js, anvil,
# OpenZeppelin, reference artifacts), .local (ape data, caches). Targets are idempotent: a
# second `make setup` with nothing changed only checks the stamps.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
RUN := source toolchain/env.sh &&

VENV_STAMP := .venv/.installed
NODE_STAMP := node_modules/.installed

.PHONY: setup test scenario bench clean

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

scenario: setup
	$(RUN) ape run crash_scenario $(ARGS)

bench: setup
	$(RUN) for b in benchmarks/bench_*.py; do python "$$b"; done

clean:
	rm -rf .venv node_modules .local .build .hypothesis .pytest_cache results
