#!/usr/bin/env bash
# GPU check in one command: the click model's training examples/s and VGG16 images/s at 224 px on the GPU with and
# without mixed precision, and on the CPU of the same machine, in one table; the rows are appended to
# reports/benchmarks.csv. It runs on the JAX backend whatever KERAS_BACKEND says (no TensorFlow needed);
# GPU_CHECK_BACKEND=torch chooses another.
#
#   bash benchmarks/gpu_check.sh             # on a GPU machine; stops at once, exit 2, where there is no GPU
#   bash benchmarks/gpu_check.sh --dry-run   # anywhere: the same steps on the CPU at tiny sizes
#
# Python: .venv/bin/python when it exists (make install BACKEND=jax, with a CUDA jax: requirements-jax.txt),
# else python3; PYTHON=... chooses another. It needs jax with CUDA, keras and pandas. On a machine that has jax
# but not keras and cannot reach PyPI, carry the wheels (keras, namex, optree for its Python) in a folder and
# name it: WHEELS=.whl bash benchmarks/gpu_check.sh (they are installed into /tmp, not into the system).
set -euo pipefail
cd "$(dirname "$0")/.."

export KERAS_BACKEND="${GPU_CHECK_BACKEND:-jax}" TF_CPP_MIN_LOG_LEVEL=3 PYTHONHASHSEED=0
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PYTHON="${PYTHON:-$([ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}"

if [[ "${1:-}" != "--dry-run" ]] && ! nvidia-smi -L >/dev/null 2>&1; then
    echo "gpu_check: no NVIDIA GPU here (nvidia-smi finds none); run it on a GPU machine," \
         "or with --dry-run to check its steps on the CPU" >&2
    exit 2
fi
if [[ -n "${WHEELS:-}" ]]; then
    "$PYTHON" -m pip install --quiet --no-index --no-deps --target /tmp/gpu_check_site "$WHEELS"/*.whl
    export PYTHONPATH="$PYTHONPATH:/tmp/gpu_check_site"
fi
if ! "$PYTHON" -c "import $KERAS_BACKEND, keras, pandas" 2>/dev/null; then
    echo "gpu_check: $PYTHON lacks $KERAS_BACKEND, keras or pandas" \
         "(make install BACKEND=jax, or WHEELS=<folder of wheels>)" >&2
    exit 2
fi
exec "$PYTHON" benchmarks/gpu_check.py "$@"
