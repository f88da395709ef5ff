# The two commands of a fresh machine (see README): `make demo` and `make test`.
# Each sets the machine up first (Debian packages, a venv with tinydev), idempotently.
VENV ?= .venv
PY := $(VENV)/bin/python
TINYDEV := $(VENV)/bin/tinydev
PYTEST_ARGS ?=

.PHONY: setup firmware test demo clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml tools/setup-machine.sh
	bash tools/setup-machine.sh
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,train]'
	touch $@

firmware: setup
	$(TINYDEV) firmware build --board UNIX
	$(TINYDEV) firmware build --board VIRT_M4

test: firmware
	bash tools/run-tests.sh $(PYTEST_ARGS)

demo: firmware
	$(TINYDEV) demo

clean:
	rm -rf build
