# Two commands set up everything on a fresh machine: `make audit` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= out/samples

.PHONY: install audit test test-fast bench lock clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## audit the sample corpus and print where the report is
audit: $(STAMP)
	$(BIN)/provenance audit data_samples/manifest.yaml --out $(OUT)

## the full test suite; tests marked `corpora` run when ../shared/corpora is present
test: $(STAMP)
	$(BIN)/python -m pytest

## skip the tests that read the shared corpora
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not corpora"

## benchmarks against the baselines, written to benchmarks/RESULTS.md
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

## refresh constraints.txt from the current virtualenv (after changing dependencies)
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

clean:
	rm -rf $(VENV) out .pytest_cache
