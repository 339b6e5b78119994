# interest-lab: `make reproduce` runs every notebook; `make test` runs the test suite.
# Both create .venv on first use (Python 3.11). The Keras backend is chosen when .venv is made:
#   make install                  TensorFlow (requirements.txt)
#   make install BACKEND=jax      JAX instead: requirements.txt without its TensorFlow line + requirements-jax.txt
#   make install BACKEND=torch    PyTorch (CPU wheel): requirements.txt without TensorFlow + requirements-torch.txt
# The choice is remembered in .venv/keras-backend, so a later `make test` or `make reproduce` uses it; it is the
# KERAS_BACKEND of the interest-lab kernel and, through .venv's interest_lab_env.pth, the default of .venv/bin/python.
# Switching an existing .venv (make install BACKEND=jax) adds the backend and leaves the old one installed;
# `rm -rf .venv` first for an environment without it.
# EXTRA_BACKENDS="jax torch" installs more backends beside the chosen one, for tests/unit/test_backends.py (CI
# installs jax). PIP_OPTIONS passes options to pip, e.g. for PyTorch's CPU wheel where PyPI's torch is the CUDA
# build (Linux x86_64): PIP_OPTIONS="--extra-index-url https://download.pytorch.org/whl/cpu".

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
KERNEL := interest-lab
BACKENDS := tensorflow jax torch
BACKEND_FILE := $(VENV)/keras-backend
BACKEND ?= $(or $(shell cat $(BACKEND_FILE) 2>/dev/null),tensorflow)
EXTRA_BACKENDS ?=
PIP_OPTIONS ?=
ifeq ($(filter $(BACKEND),$(BACKENDS)),)
$(error BACKEND must be one of: $(BACKENDS) (got "$(BACKEND)"))
endif
ifneq ($(filter-out jax torch,$(EXTRA_BACKENDS)),)
$(error EXTRA_BACKENDS may name jax and torch (TensorFlow comes with BACKEND=tensorflow), got "$(EXTRA_BACKENDS)")
endif
# requirements.txt pins TensorFlow; the other backends install everything else from it plus their own file.
BACKEND_REQUIREMENTS := $(if $(filter tensorflow,$(BACKEND)),,requirements-$(BACKEND).txt)
STAMP := $(VENV)/.installed-$(BACKEND)
EXTRA_STAMPS := $(EXTRA_BACKENDS:%=$(VENV)/.installed-extra-%)
KERNEL_STAMP := $(VENV)/.kernel-$(BACKEND)

# Kept out of every kernel and test process: TensorFlow's C++ log lines and random hashing; the backend is the
# one installed; Jupyter prefers .venv's kernel spec to a user-level one of the same name.
export KERAS_BACKEND := $(BACKEND)
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export PYTHONHASHSEED := 0
export JUPYTER_PREFER_ENV_PATH := 1
# NAME=VALUE pairs: the defaults .venv/bin/python starts with, and the kernel's environment. Only the kernel and
# make turn TensorFlow's oneDNN kernels off (reproducible notebook outputs; it costs TensorFlow's CPU
# fine-tuning about 7x, so benchmarks run directly keep them) and set PYTHONHASHSEED (too late once Python runs).
STARTUP_ENV := KERAS_BACKEND=$(BACKEND) TF_CPP_MIN_LOG_LEVEL=3
KERNEL_ENV := $(STARTUP_ENV) TF_ENABLE_ONEDNN_OPTS=0 PYTHONHASHSEED=0
pair = $(subst =, ,$(1))
setdefault = os.environ.setdefault("$(word 1,$(call pair,$(1)))", "$(word 2,$(call pair,$(1)))");
PTH_LINE := import os; $(foreach v,$(STARTUP_ENV),$(call setdefault,$(v)))

.PHONY: install reproduce test test-portable unit lint notebooks readme lab clean

install: $(STAMP) $(EXTRA_STAMPS) $(KERNEL_STAMP)

# Each pip step records its seconds in reports/stage_times.json (rec_utils.runtime.stage_times; shown on the front
# page): the base install starts make install's record afresh, an extra backend adds its stage to it.
$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml $(BACKEND_REQUIREMENTS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	date +%s > $(VENV)/.install-started
	$(PY) -m pip install --quiet --upgrade pip
ifeq ($(BACKEND),tensorflow)
	$(PY) -m pip install --quiet $(PIP_OPTIONS) -r requirements.txt
else
	grep -v -E '^tensorflow' requirements.txt > $(VENV)/requirements-without-tensorflow.txt
	$(PY) -m pip install --quiet $(PIP_OPTIONS) -r $(VENV)/requirements-without-tensorflow.txt -r $(BACKEND_REQUIREMENTS)
endif
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m rec_utils.runtime.stage_times --replace "make install" "pip: $(BACKEND) and the pins" \
		$$(( $$(date +%s) - $$(cat $(VENV)/.install-started) ))
	touch $@

$(VENV)/.installed-extra-%: requirements-%.txt | $(STAMP)
	date +%s > $(VENV)/.install-started
	$(PY) -m pip install --quiet $(PIP_OPTIONS) -r $<
	$(PY) -m rec_utils.runtime.stage_times "make install" "pip: $*" $$(( $$(date +%s) - $$(cat $(VENV)/.install-started) ))
	touch $@

# The interest-lab kernel of this .venv, with the chosen backend and the quiet variables; the same defaults for
# .venv/bin/python run directly (a .pth file executes its import line at start; variables already set win).
$(KERNEL_STAMP): $(STAMP) Makefile
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (interest-lab)" \
		$(foreach v,$(KERNEL_ENV),--env $(call pair,$(v))) >/dev/null
	echo '$(PTH_LINE)' > "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/interest_lab_env.pth"
	echo $(BACKEND) > $(BACKEND_FILE)
	rm -f $(VENV)/.kernel-*
	touch $@

# Progress bars off: papermill shows none on the console, and in the stored outputs they are stderr residue.
# RETRAIN=1 trains every network anew instead of reading data/trained/ (rec_utils.runtime.trained).
# WORKERS: notebooks (make reproduce) or pytest workers (make test) side by side, each with its share of the
# cores (rec_utils.runtime.side_by_side); a notebook that reads another's results still runs after it.
RETRAIN ?=
WORKERS ?= 2
reproduce: $(KERNEL_STAMP)
	$(if $(RETRAIN),INTEREST_LAB_RETRAIN=$(RETRAIN)) INTEREST_LAB_PROGRESS=0 $(PY) -m rec_utils.run --jobs $(WORKERS)

# Lint; then the unit tests and every committed notebook re-executed and compared by nbval, side by side on
# WORKERS pytest-xdist workers (conftest.py keeps each notebook, and each notebook that reads another's results,
# on one worker after its writer; WORKERS=1 runs one at a time); then the headline metrics that run saved,
# checked against tolerances derived from their intervals.
NBVAL := --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 900 --nbval-kernel-startup-timeout 300
# Its stage times (unit tests, each notebook, results tests) and wall time go to reports/stage_times.json. A
# worker that dies is not replaced: the rest of its notebook would resume on a fresh kernel and fail cell by cell.
test: lint
	INTEREST_LAB_STAGE_COMMAND="make test" INTEREST_LAB_PROGRESS=0 $(PY) -m pytest -p no:cacheprovider --durations=20 \
		-n $(WORKERS) --no-loadscope-reorder --max-worker-restart 0 tests/unit --nbval notebooks $(NBVAL)
	INTEREST_LAB_STAGE_COMMAND="make test" INTEREST_LAB_STAGE_MERGE=1 INTEREST_LAB_PROGRESS=0 \
		$(PY) -m pytest -p no:cacheprovider --durations=5 tests/results

# The notebooks most exposed to round-off and tie order, executed again as on another processor: OpenBLAS's
# SSE3 kernels on one thread and numpy without its AVX2/AVX-512 sorting and math kernels (which order equal
# keys differently). Their committed outputs must not change (CI runs it after `make test`). What data/trained/
# keeps for them (searches, cross-validation, SGD trainings) is computed anew (INTEREST_LAB_RETRAIN=1), so the
# computation itself is checked; data/trained/ is put back as it was afterwards, whatever the outcome.
OTHER_PROCESSOR := OPENBLAS_CORETYPE=Prescott OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
	NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL"
PORTABLE_NOTEBOOKS ?= 02_matrix_factorization 03_cosine_similarity 07_model_evaluation 12_privacy \
	13_interpretability_fairness
TRAINED_BACKUP := $(VENV)/trained-before-test-portable
test-portable: $(KERNEL_STAMP)
	@test ! -e $(TRAINED_BACKUP) || { echo "$(TRAINED_BACKUP) is left from an interrupted make test-portable:" \
		"put it back as data/trained first" >&2; exit 1; }
	cp -a data/trained $(TRAINED_BACKUP)
	$(OTHER_PROCESSOR) INTEREST_LAB_RETRAIN=1 INTEREST_LAB_PROGRESS=0 $(PY) -m pytest -p no:cacheprovider \
		--nbval $(PORTABLE_NOTEBOOKS:%=notebooks/%.ipynb) $(NBVAL); status=$$?; \
		rm -rf data/trained && mv $(TRAINED_BACKUP) data/trained && exit $$status

# The fast unit tests alone (tests marked slow are left out): under a minute.
unit: $(KERNEL_STAMP)
	INTEREST_LAB_PROGRESS=0 $(PY) -m pytest -p no:cacheprovider -m "not slow" tests/unit

lint: $(KERNEL_STAMP)
	$(VENV)/bin/ruff check .

# Maintainers: re-execute notebooks in place so their committed outputs match the code, then write README's
# results section from the metrics that run saved.
notebooks: $(KERNEL_STAMP)
	$(PY) -m rec_utils.run --inplace
	$(PY) -m rec_utils.runtime.readme

readme: $(KERNEL_STAMP)
	$(PY) -m rec_utils.runtime.readme

# JupyterLab on notebooks/, new notebooks on the interest-lab kernel; root (the default user in many containers)
# needs --allow-root. More options: make lab LAB_OPTIONS="--no-browser --ip 0.0.0.0".
LAB_OPTIONS ?=
lab: $(KERNEL_STAMP)
	$(VENV)/bin/jupyter lab notebooks --MultiKernelManager.default_kernel_name=$(KERNEL) \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_OPTIONS)

clean:
	rm -rf reports/*.ipynb reports/*.html reports/metrics reports/figures data/processed
