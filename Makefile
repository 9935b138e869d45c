# The two commands a newcomer needs: `make test` and (from the API issue on) `make serve`.
# Everything is installed into .venv from this repository's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system test serve lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the project metadata changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: system $(STAMP)

# Debian packages the format readers use: antiword reads Word binaries (.doc, Kingsoft .wps),
# LibreOffice Writer (headless) reads those antiword cannot. Installed when missing and this
# runs as root with apt-get; otherwise a note says what to install.
system:
	@missing=""; \
	command -v antiword >/dev/null 2>&1 || missing="$$missing antiword"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing Debian packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "policy-qa: .doc/.wps files need the Debian packages$$missing (apt-get install$$missing)" >&2; \
		fi; \
	fi

# pytest exits 5 when it collected no test: that is a broken suite, not a pass.
test: install
	@$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

# Builds the index from corpus/ when it is missing or stale, then serves on 127.0.0.1:8000.
serve: install
	$(BIN)/policy-qa serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis *.egg-info
