# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# The oldest boto3/botocore sesflow supports: pyproject.toml's floor, kept in step with it
# (tests/test_dependencies.py checks). The first botocore whose SES v2 model has everything
# sesflow sends and reads (DkimAttributes.SigningHostedZone arrived in 1.42.8,
# GetEmailAddressInsights in 1.43.0, tenants' suppression attributes in 1.43.18).
MIN_BOTO := 1.43.18
MIN_VENV := .venv-min
MIN_STAMP := $(MIN_VENV)/.installed-stamp
# The development environment has the `async` extra, whose aiobotocore pins botocore to a
# narrow range (not the newest): the botocore-facing tests run again on the newest here.
LATEST_VENV := .venv-latest
LATEST_STAMP := $(LATEST_VENV)/.installed-stamp
# Tools sesflow did not write, driving `sesflow local` in tests/test_local_clients.py; one
# environment each, built once per machine from tests/clients/<name>.txt.
CLIENTS := .venv-clients
CLIENT_STAMPS := $(CLIENTS)/awscli/.installed-stamp $(CLIENTS)/latest/.installed-stamp

.PHONY: demo test lint typecheck unit unit-min unit-latest docs clients min-env clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,progress,async]'
	touch $(STAMP)

$(MIN_STAMP): pyproject.toml Makefile
	test -x $(MIN_VENV)/bin/python || $(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(MIN_VENV)/bin/python -m pip install --quiet -e '.[dev,progress]' \
		'boto3==$(MIN_BOTO)' 'botocore==$(MIN_BOTO)'
	touch $(MIN_STAMP)

$(LATEST_STAMP): pyproject.toml Makefile
	test -x $(LATEST_VENV)/bin/python || $(PYTHON) -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade -e '.[dev,progress]' boto3 botocore
	touch $(LATEST_STAMP)

$(CLIENTS)/%/.installed-stamp: tests/clients/%.txt
	rm -rf $(CLIENTS)/$*
	$(PYTHON) -m venv $(CLIENTS)/$*
	$(CLIENTS)/$*/bin/python -m pip install --quiet --upgrade pip
	$(CLIENTS)/$*/bin/python -m pip install --quiet -r tests/clients/$*.txt
	touch $@

demo: $(STAMP)
	$(BIN)/sesflow demo

test: lint typecheck unit unit-min unit-latest docs

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks scripts
	$(BIN)/ruff format --check src tests examples benchmarks scripts
	$(BIN)/python scripts/generate_aio.py --check

typecheck: $(STAMP)
	$(BIN)/mypy --strict

min-env: $(MIN_STAMP)

clients: $(CLIENT_STAMPS) $(MIN_STAMP)

unit: $(STAMP) clients
	$(BIN)/pytest -q

# The parts of the suite that exercise botocore, again on the oldest supported one and on the
# newest (unit-min, unit-latest; the async API's tests are skipped there, saying why): the
# fake's routes and operations, the SDK's requests and responses, the CLI, the examples
# users copy. (The whole suite passes there too; these keep `make test` short.)
MIN_TESTS := tests/test_fake_*.py tests/test_send*.py tests/test_bulk.py tests/test_identity.py \
	tests/test_domain.py tests/test_dns.py tests/test_configuration_set.py tests/test_template.py \
	tests/test_account.py tests/test_suppression.py tests/test_waiters.py tests/test_errors.py \
	tests/test_cli.py tests/test_cli_local.py tests/test_local_server.py tests/test_ses.py \
	tests/test_clock_wiring.py tests/test_docstring_examples.py tests/test_docs_examples.py \
	tests/test_examples.py
unit-min: $(MIN_STAMP)
	$(MIN_VENV)/bin/pytest -q -p no:cacheprovider $(MIN_TESTS)

unit-latest: $(LATEST_STAMP)
	$(LATEST_VENV)/bin/pytest -q -p no:cacheprovider $(MIN_TESTS)

# No --quiet: with it, mkdocs exits 0 even when --strict found warnings.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) $(MIN_VENV) $(LATEST_VENV) $(CLIENTS) site .mypy_cache .ruff_cache .pytest_cache .hypothesis
