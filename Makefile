# Two commands for a newcomer (README.md):  make demo   and   make test
# The newest Python 3.11–3.13 on the machine (Debian 12 has 3.11, Debian 13 3.13).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
  command -v $$p >/dev/null 2>&1 && \
  $$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null && \
  { echo $$p; break; }; done)
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: demo test setup services converters lint bench lock clean

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "no Python 3.11–3.13 found: apt-get install -y python3 python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { $(SUDO) apt-get update -qq && \
	  $(SUDO) apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

## Set up and run the whole pipeline on the embedded default (SQLite, local objects, in-process).
demo: setup
	$(BIN)/nianbao demo

## Redis and PostgreSQL server binaries (Debian's version: 15 on Debian 12, 17 on 13), Chromium for render = "browser" sites; the
## tests start their own throwaway servers (and a headless Chromium).
services:
	@if ! command -v redis-server >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	    [ ! -x /usr/bin/chromium ]; then \
	  echo "installing redis-server, postgresql and chromium from Debian's packages"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    redis-server postgresql chromium fonts-noto-cjk; \
	fi

## Converters of attachments and scans (nianbao.convert): LibreOffice Writer (DOC, WPS, RTF),
## antiword, poppler (pdftoppm, pdfinfo) and tesseract with its Simplified Chinese model. The demo
## does not need them: a missing converter quarantines the page with the package to install.
CONVERTERS := libreoffice-writer-nogui antiword poppler-utils tesseract-ocr tesseract-ocr-chi-sim
converters:
	@if ! command -v soffice >/dev/null || ! command -v antiword >/dev/null || \
	    ! command -v pdftoppm >/dev/null || ! command -v tesseract >/dev/null || \
	    ! tesseract --list-langs 2>/dev/null | grep -qx chi_sim; then \
	  echo "installing the converters from Debian's packages: $(CONVERTERS)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    --no-install-recommends $(CONVERTERS); \
	fi

## Set up and run the whole test suite (lint included).
test: setup services converters
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup services
	$(BIN)/nianbao bench

## The Docker image's lock file: exact versions and hashes of pyproject.toml's dependencies.
lock: setup
	$(BIN)/pip-compile -q --strip-extras --generate-hashes --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links -o deploy/requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) nianbao-data .pytest_cache
