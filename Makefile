# interest-lab: `make reproduce` runs every notebook; `make test` runs the test suite.
# Both create .venv from requirements.txt on first use (Python 3.11).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
KERNEL := interest-lab
STAMP := $(VENV)/.installed
# Kept out of every kernel and test process: TensorFlow's C++ log lines and random hashing.
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export PYTHONHASHSEED := 0

.PHONY: install reproduce test unit lint notebooks lab clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (interest-lab)" \
		--env TF_CPP_MIN_LOG_LEVEL 3 --env TF_ENABLE_ONEDNN_OPTS 0 --env PYTHONHASHSEED 0
	touch $(STAMP)

reproduce: $(STAMP)
	$(PY) -m rec_utils.run

# Lint, then unit tests, then every committed notebook re-executed and compared by nbval,
# then the headline metrics that run saved, checked against tolerances derived from their intervals.
test: lint
	INTEREST_LAB_PROGRESS=0 $(PY) -m pytest -p no:cacheprovider tests/unit \
		--nbval notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 900 \
		tests/results

# The fast unit tests alone (tests marked slow are left out): under a minute.
unit: $(STAMP)
	INTEREST_LAB_PROGRESS=0 $(PY) -m pytest -p no:cacheprovider -m "not slow" tests/unit

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Maintainers: re-execute notebooks in place so their committed outputs match the code.
notebooks: $(STAMP)
	$(PY) -m rec_utils.run --inplace

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks

clean:
	rm -rf reports/*.ipynb reports/*.html reports/metrics reports/figures data/processed
