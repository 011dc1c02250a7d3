# The README's two commands: `make serve` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build zensical test test-fast bench clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# base install: what building and serving the site needs
$(VENV)/.base: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# test install: the reference libraries, Playwright's driver (the browser is Debian's chromium)
$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(VENV)/.base $@

serve: $(VENV)/.base
	$(BIN)/mkdocs serve

build: $(VENV)/.base
	$(BIN)/mkdocs build --strict

# the same posts built by Zensical, MkDocs' successor, into build/zensical (README);
# `docexec run` first: it executes every reference in parallel and fails on any failure
# (Zensical's --strict does not see the errors a Markdown extension logs)
zensical: $(VENV)/.test
	$(BIN)/python -m docexec run docs
	$(BIN)/zensical build -f zensical.yml

# Debian packages the browser tests need: chromium, and a CJK font for its screenshots
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium fonts-noto-cjk; \
	fi

# axe-core for the accessibility tests, Lighthouse for benchmarks/lighthouse.py, temml for
# mdmathml.vendor and the test that the vendored copy matches (package-lock.json)
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: $(VENV)/.test system-deps node_modules/.installed
	$(BIN)/python -m pytest

# everything except the whole-site build, the browser and the other-CPU runs
test-fast: $(VENV)/.test
	$(BIN)/python -m pytest -m "not site and not browser and not crosscpu"

bench: $(VENV)/.test node_modules/.installed
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/lighthouse.py

clean:
	rm -rf site .cache test-artifacts
