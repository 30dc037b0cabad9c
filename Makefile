# The partner-program suite. `make help` lists what you can do.
SHELL := /bin/bash
PY := .venv/bin/python
BUF := node_modules/.bin/buf
# pytest-xdist workers of `make test` (one test file per worker at a time, so a module's
# suite or service starts once); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
PROTOS := $(shell find protos -name '*.proto')

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.venv/.installed: requirements.txt requirements-dev.txt scripts/bootstrap_venv.sh
	scripts/bootstrap_venv.sh

$(BUF): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(BUF)

gen/python/.stamp: .venv/.installed $(PROTOS) scripts/gen_protos.sh
	scripts/gen_protos.sh

install: .venv/.installed $(BUF) gen/python/.stamp ## create .venv, install pinned tools, generate code

gen: .venv/.installed ## regenerate Python code from protos/
	scripts/gen_protos.sh

run: install ## start the whole suite locally (SQLite + local nats-server); Ctrl-C stops it
	$(PY) scripts/run_local.py

time: .venv/.installed ## read, set or advance program time of `make run` (ARGS="advance 1d", "set 2027-03-01T10:00")
	@$(PY) scripts/program_time.py $(ARGS)
openapi: install ## regenerate the gateway's committed OpenAPI document from protos/
	$(PY) scripts/gen_openapi.py

token: .venv/.installed ## mint a bearer token for local calls (ARGS="--kind partner_user ...")
	@$(PY) scripts/mint_token.py $(ARGS)

lint: install ## ruff, mypy, buf lint and format
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy libs/ppcore/src services/*/src gateway/src bench scripts
	cd protos && ../$(BUF) lint && ../$(BUF) format -d --exit-code --exclude-path google

breaking: install ## buf breaking-change check against the previous commit of main
	scripts/check_breaking.sh

test: lint breaking ## lint, breaking check, then every test (unit, integration, API, end-to-end)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test-unit: install ## only the fast tests without PostgreSQL or NATS
	$(PY) -m pytest -m "not postgres and not nats" $(PYTEST_ARGS)

fuzz: install ## long fuzz run of every RPC on PostgreSQL (FUZZ_EXAMPLES per RPC, default 200; figures in var/fuzz-figures.json)
	mkdir -p var
	PP_REQUIRE_POSTGRES=1 FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} FUZZ_REPORT=var/fuzz-figures.json \
		$(PY) -m pytest tests/robustness/test_fuzz_every_rpc.py -q $(PYTEST_ARGS)

bench: install ## run the benchmarks (see bench/README.md)
	$(PY) -m bench $(ARGS)

format: install ## apply ruff formatting and fixes
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .
	cd protos && ../$(BUF) format -w

clean: ## remove generated code, the virtualenv and local data
	rm -rf .venv node_modules gen var .mypy_cache .ruff_cache .pytest_cache

.PHONY: help install gen openapi run time token lint breaking test test-unit fuzz bench format clean
