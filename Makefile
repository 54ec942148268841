# The two set-up commands: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# This computer only; `make run HOST=0.0.0.0` serves the network (configure sign-in first).
HOST ?= 127.0.0.1

.PHONY: run test test-fast install install-test bench fuzz load clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# serve.py is `streamlit run app.py` with the first page's modules loaded before the server listens.
run: install
	$(BIN)/python serve.py --server.address $(HOST) --server.port $(PORT)

# Two workers, whole files each (a file's browser server and database are shared by its tests): the
# browser files spend much of their time waiting on their servers while the other files compute.
# (Three were slower on two cores: the browser files then fought over the CPU.)
TEST_WORKERS ?= 2

test: install-test
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

# Everything but the browser tests, the bounded fuzz campaign and tests marked slow: the quick check while working.
test-fast: install-test
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile --ignore=tests/browser -m "not slow" \
		--deselect tests/test_untrusted.py::test_fuzz_readers_raise_only_input_error

# tools/ holds the measuring and fuzzing code: not part of the installed package.
bench: install
	$(BIN)/python tools/bench.py
	$(BIN)/python tools/bench.py --uploads
	$(BIN)/python tools/bench.py --limits

# A longer fuzz campaign of every upload reader than the test suite runs (seeded, bounded).
fuzz: install
	$(BIN)/python tools/fuzz.py --count 2000

# Bounded load test on 127.0.0.1: 10 sessions upload a 40 MB CSV while another opens the Overview.
load: install-test
	$(BIN)/python scripts/load_test.py --sessions 10 --mb 40

clean:
	rm -rf $(VENV) .pytest_cache
