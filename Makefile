# athena-om developer commands. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: install demo test test-fast lint typecheck bench dev sandbox-up sandbox-down clean

$(BIN)/athena-om: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[sandbox,dev]'
	@touch $@

install: $(BIN)/athena-om ## create .venv and install athena-om with the sandbox and dev extras

demo: install ## start the sandbox and run the jobs with `dagster job launch`; prints what landed
	$(BIN)/athena-om demo

test: lint typecheck ## lint, type check, then the whole test suite (what CI runs)
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

test-fast: install ## unit tests only (no sandbox servers, no downloads)
	$(BIN)/python -m pytest -q -m "not slow and not conformance" --ignore=athena_om_tests/e2e

lint: install
	$(BIN)/ruff check athena_om athena_om_tests benchmarks
	$(BIN)/ruff format --check athena_om athena_om_tests benchmarks

typecheck: install
	$(BIN)/mypy

bench: install ## the benchmarks under benchmarks/ (see benchmarks/README.md)
	$(BIN)/python benchmarks/bench_lineage_parse.py
	$(BIN)/python benchmarks/bench_catalog_sync.py
	$(BIN)/python benchmarks/bench_query_log.py

# With the sandbox running and ATHENA_OM_CONFIG unset, the code location binds to the sandbox's workflow file.
dev: install ## the Dagster UI (`dg dev`) on http://127.0.0.1:3000, pointed at the sandbox when it runs
	mkdir -p $(DAGSTER_HOME) && cp -n dagster.yaml $(DAGSTER_HOME)/ || true
	if $(BIN)/athena-om sandbox env >/dev/null 2>&1; then \
	  eval "$$($(BIN)/athena-om sandbox env)"; \
	  export ATHENA_OM_CONFIG="$${ATHENA_OM_CONFIG:-$(CURDIR)/athena_om/config/examples/sandbox.yaml}"; \
	fi; \
	VIRTUAL_ENV=$(CURDIR)/$(VENV) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dg dev

sandbox-up: install
	$(BIN)/athena-om sandbox up

sandbox-down: install
	$(BIN)/athena-om sandbox down

clean:
	-$(BIN)/athena-om sandbox down
	rm -rf .sandbox .dagster_home .cache .pytest_cache .mypy_cache .ruff_cache
