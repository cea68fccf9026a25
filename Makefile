# Concerto's front door. `make help` lists the targets.
# Everything installs itself: a virtual environment in .venv (pinned by
# constraints.txt) and Apache Kafka's jars from Maven Central (cached in
# ~/.cache/concerto), and Debian's Chromium for the browser tests (tools/setup/chromium.sh).
# Needs Python 3.11+, Java 17 and Maven; Chromium is installed by `make test` when it can be.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
KAFKA := infra/kafka/kafka.sh

.DEFAULT_GOAL := help
.PHONY: help setup browser demo test test-unit lint format asyncapi up down status clean bench chaos sweep newcomer

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,analysis]'
	touch $@

setup: $(INSTALLED) ## Install the virtual environment and fetch Kafka's jars
	$(KAFKA) fetch

demo: setup ## Play a whole concertation season through every service; report in var/demo/report.{md,html}
	$(BIN)/python -m tools.demo run

browser: ## Debian's Chromium for the browser tests (installed with apt-get when root, else the command to run)
	@tools/setup/chromium.sh

test: setup browser ## Start the broker and SMTP server, run every test, stop them
	$(BIN)/python -m pytest

sweep: setup browser ## The demo's scenario and the season tests on the trap dates (month ends, leap day, DST, …)
	$(BIN)/python -m tools.sweep run

newcomer: ## A fresh clone with the project's caches empty: make demo, then make test, both timed
	tools/newcomer.sh

$(VENV)/.bench-installed: $(INSTALLED)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,analysis,bench]'
	touch $@

bench: setup $(VENV)/.bench-installed ## Measure performance (not a test): results in bench/results/latest.md and round.md
	$(BIN)/python -m bench
	$(BIN)/python -m bench.round_bench

chaos: setup ## Long fault-injection runs (kill -9 of workers and an API, a broker restart, under load), not in make test
	$(BIN)/python -m pytest -m chaos -p no:cacheprovider

test-unit: setup ## Unit tests only (no broker)
	$(BIN)/python -m pytest tests/unit

lint: setup ## ruff (lint, complexity gate C901 ≤ 12 and ≤ 45 statements a function, format check), mypy strict, AsyncAPI up to date
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m services.common.asyncapi --check

format: setup ## Format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

asyncapi: setup ## Regenerate docs/asyncapi.yaml from the topic registry
	$(BIN)/python -m services.common.asyncapi

up: setup ## Start everything with the demo season loaded (once) and leave it running; print the URLs
	$(BIN)/python -m tools.demo up

down: ## Stop what `make up` started
	$(BIN)/python -m tools.stack down

status: ## What `make up` started and still runs
	$(BIN)/python -m tools.stack status

clean: down ## Stop everything and delete var/ (broker data, logs, mail)
	rm -rf var
