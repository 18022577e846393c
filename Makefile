# Two commands set up everything on a fresh machine: `make audit` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= out/samples
# pytest worker processes for `make test` (pytest-xdist; test files are not split across workers, so a file's
# module fixtures, e.g. the audit of the shared corpora, run once). 0 runs the tests in this process, one at a time.
TEST_WORKERS ?= 2

.PHONY: install audit test test-fast bench lock clean browser

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
test: $(STAMP) browser
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

## skip the tests that read the shared corpora
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not corpora"

## Debian's chromium and a CJK font for the HTML report's browser tests, when missing. Never fails: without them
## (not root and no sudo, no network) the browser tests skip and say why.
BROWSER_LOG ?= $(or $(TMPDIR),/tmp)/provenance-apt-browser.log
browser:
	@need=""; \
	[ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	  || need=" chromium"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || need="$$need fonts-wqy-microhei"; \
	[ -n "$$need" ] || exit 0; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "browser: cannot install$$need (not root, no sudo); the browser tests will skip"; exit 0; fi; \
	echo "browser: installing$$need (log: $(BROWSER_LOG))"; \
	export DEBIAN_FRONTEND=noninteractive; \
	{ $$sudo apt-get install -y --no-install-recommends $$need \
	  || { $$sudo apt-get update && $$sudo apt-get install -y --no-install-recommends $$need; }; \
	} >$(BROWSER_LOG) 2>&1 \
	|| echo "browser: apt-get install$$need failed (see $(BROWSER_LOG)); the browser tests will skip"

## benchmarks against the baselines, written to benchmarks/RESULTS.md
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

## refresh constraints.txt from the current virtualenv (after changing dependencies)
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

clean:
	rm -rf $(VENV) out .pytest_cache
