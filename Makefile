# reloop: `make up` runs the whole system with a demo; `make test` runs every test.
# Both install what is missing first (a .venv, Python packages, Kafka's jars, PostgreSQL).

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVICES := $(sort $(dir $(wildcard services/*/pyproject.toml)))
PACKAGES := contracts shared deploy/local deploy/k8s $(SERVICES)
PYPROJECTS := $(foreach p,$(PACKAGES),$(p)/pyproject.toml)

.PHONY: bootstrap up down test test-containers faults lint bench contracts k8s format clean

bootstrap: $(STAMP)

$(STAMP): constraints.txt requirements-dev.txt $(PYPROJECTS)
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python 3.11+ is needed"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements-dev.txt \
		$(foreach p,$(PACKAGES),-e ./$(p))
	@touch $@

up: bootstrap
	$(BIN)/python -m reloop_localstack up

down: bootstrap
	$(BIN)/python -m reloop_localstack down

test: bootstrap
	$(BIN)/python -m reloop_localstack fetch
	$(BIN)/python -m reloop_localstack.chromium   # the headless browser of tests/test_docs_render_offline.py
	$(BIN)/pytest --ignore=tests/containers

# The cross-service suites against Kafka and PostgreSQL started by testcontainers, and a service
# from the project's own image. RELOOP_CONTAINER_ENGINE=podman (default: images built here) or docker.
test-containers: bootstrap
	$(BIN)/python -m reloop_localstack fetch
	$(BIN)/python -m reloop_localstack containers test

# The fault suite as a longer soak (tests/faults/README.md): `make test` runs it at scale 1
# (20,000+ business events); this at RELOOP_FAULTS_SCALE (default 5), seed RELOOP_FAULTS_SEED.
faults: bootstrap
	$(BIN)/python -m reloop_localstack fetch
	RELOOP_FAULTS_SCALE=$${RELOOP_FAULTS_SCALE:-5} $(BIN)/pytest tests/faults -s

lint: bootstrap
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: bootstrap
	$(BIN)/python -m bench --growth $(if $(BASELINE),--baseline $(BASELINE))

contracts: bootstrap
	$(BIN)/python -m reloop_contracts.export --out contracts/schemas

# Kubernetes manifests (deploy/k8s/base, overlays, components) from the topic registry.
k8s: bootstrap
	$(BIN)/reloop k8s generate --out deploy/k8s

format: bootstrap
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
