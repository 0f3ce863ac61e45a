# bantin: two commands do all the setup on a fresh Debian 12 machine.
#   make publish   install what is needed, then publish the sample bulletin
#   make test      install what is needed, then run the full test suite
#   make ui        install what is needed, then `bantin up`: the Prefect server and UI (127.0.0.1:$(UI_PORT)), the runner, the portal and the desk
SHELL := /bin/bash
UI_PORT ?= 4200
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SAMPLE ?= content/2024-06-28-hoi-nghi-giao-ban-cong-tac-dan-van-cac-huyen-uy-thanh-uy-quy-ii-trien.yaml

# Debian packages: the Python toolchain, WeasyPrint's Pango/HarfBuzz, ffmpeg for MP3,
# espeak-ng for the offline Vietnamese voice, poppler for page previews, fontconfig,
# chromium for the portal's real-browser tests (Playwright drives it; it never downloads a browser),
# liblouis for braille (lou_translate), the PEF schema (in libbrailleutils-java), Java for EPUBCheck,
# Node and npm for DAISY Ace (the EPUB accessibility checker the tests run on Debian's Chromium),
# PostgreSQL for the production topology's test (tests/flows/test_topology.py starts its own cluster).
# nginx for the portal's nginx tests (docs/nginx/), wrk for the portal benchmark (benchmarks/portal.py).
APT_PACKAGES := python3 python3-venv python3-dev gcc \
	libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig \
	ffmpeg espeak-ng espeak-ng-data poppler-utils chromium \
	liblouis-bin liblouis-data libbrailleutils-java default-jre-headless \
	nodejs npm postgresql nginx wrk

# DAISY Ace for the EPUB tests: @daisy/ace-cli is the `ace` command on Puppeteer (the `@daisy/ace`
# package's default `ace` is its Electron build, which downloads a browser). Puppeteer never downloads
# Chrome (skip variables, no install scripts): the tests point it at /usr/bin/chromium. Runs on Debian 12's Node 18.
ACE_VERSION := 1.4.6
ACE_STAMP := .cache/npm/ace/.installed-$(ACE_VERSION)

export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: publish test ui setup system-deps clean lock

publish: setup
	$(BIN)/bantin publish $(SAMPLE)

test: setup
	$(BIN)/pytest

# bantin up: a local Prefect server with its UI (state in SQLite under .prefect/, git-ignored), the runner
# serving the deployments, and the portal: one command, nothing else to start.
ui: setup
	$(BIN)/bantin up --ui-port $(UI_PORT)

setup: system-deps $(VENV)/.installed $(ACE_STAMP)

system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' \
		|| dpkg-query -W -f='$${Status}|$${Provides}\n' 2>/dev/null | grep '^install ok installed|' | grep -qE "[|, ]$$p( |,|$$)" \
		|| echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml constraints.txt
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

$(ACE_STAMP): | system-deps
	rm -rf $(@D) && mkdir -p $(@D)
	PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 npm install --prefix $(@D) --ignore-scripts --no-audit --no-fund --loglevel=error @daisy/ace-cli@$(ACE_VERSION)
	touch $@

# Re-lock the dependency tree after changing pyproject.toml.
lock: $(VENV)/.installed
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check | grep -v '^bantin' > constraints.txt

clean:
	rm -rf outputs/*/ .prefect .pytest_cache
