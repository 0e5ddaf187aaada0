# The README's two commands: `make serve` (build the site, serve it) and `make test` (everything).
# Both do their own set-up on a fresh Debian 12 machine, as root or with sudo.

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
SITE := dist/site
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Browsers: Chromium (the main e2e browser), Firefox ESR and WebKitGTK's WebDriver with its
# MiniBrowser (one smoke test each), and Xvfb (xvfb-run needs xauth), as MiniBrowser has no
# headless mode.
APT_PACKAGES := debootstrap chromium firefox-esr webkit2gtk-driver xvfb xauth

.PHONY: serve site test test-corpus lint unit js deps venv rebuild-pillow clean clean-cache \
	bench bench-quick bench-deps

serve: site
	@echo "Serving imgcompress at http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(VPY) -m http.server $(PORT) --bind $(HOST) --directory $(SITE)

site: deps venv
	$(VPY) build_wheel.py

rebuild-pillow: deps venv
	$(VPY) build_wheel.py --force-pillow

test: lint js site
	$(VPY) -m pytest

# The page's plain modules (settings, formats, notes, the worker pool) under Node, no browser.
js:
	node --test tests/js/*.test.mjs

# node_modules: one unit test runs Squoosh's codecs under Node (the benchmark's runner).
unit: venv node_modules/.installed
	$(VPY) -m pytest tests/unit

# The opt-in extended suite on the whole company corpus ($$IMGCOMPRESS_CORPUS, else
# ../shared/corpus): the real big files, and proof that tests/data stands for them.
test-corpus: venv
	$(VPY) -m pytest --full-corpus tests/corpus

# The yardsticks measured in the same run as our engine (README, "The engine, natively"):
# Squoosh's codecs from npm under Node, and Debian's pngquant.
bench: venv bench-deps
	$(VPY) -m imgcompress.bench

bench-quick: venv bench-deps
	$(VPY) -m imgcompress.bench --quick

# pngquant is GPL and only a yardstick: installed for the benchmark, never part of the site
# (hence not in APT_PACKAGES).
BENCH_APT_PACKAGES := pngquant

bench-deps: node_modules/.installed
	@missing=""; for p in $(BENCH_APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing (benchmark only):$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing; \
	fi

lint: venv
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .

# System packages: debootstrap for the WebAssembly toolchain, Debian's browsers for the browser
# tests; from npm, axe-core for the accessibility tests and puppeteer-core to drive Firefox
# (node_modules/ is never served).
deps: node_modules/.installed
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -e . --group dev
	touch $@

clean:
	rm -rf dist build

# Removes the cached toolchain, chroot and wheels (the next build is a cold one, about 6 minutes).
clean-cache:
	$(SUDO) rm -rf --one-file-system "$${IMGCOMPRESS_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/imgcompress}"
