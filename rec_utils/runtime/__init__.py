"""Runtime: where things live and how a run behaves; the bottom layer, importing no other rec_utils layer.

paths (repository locations), io (atomic artefact writes, file locks, damaged caches treated as missing),
progress (progress bars that tests switch off), device (which device runs the Keras models, and making "cpu"
true), backends (which Keras backends are installed, with their package versions), threads (one-thread
BLAS/OpenMP pools for repeatable scikit-learn digits), parameters (checking a notebook's parameters with one named
ParameterError), results (reports/metrics/<notebook>.json), errata (reports/errata.csv), benchmark_log
(reports/benchmarks.csv), runs (keeping runs with non-default parameters under reports/runs/<tag>/, apart from the
full run), runner and report (`python -m rec_utils.run`: papermill execution, run log, reports/index.html).
"""
