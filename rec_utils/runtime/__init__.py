"""Runtime: where things live and how a run behaves; the bottom layer, importing no other rec_utils layer.

paths (repository locations), io (atomic artefact writes, file locks, damaged caches treated as missing, leftovers
of killed writers swept), caches (cached files with a manifest: what built them, checksum, rows and schema),
progress (progress bars that tests switch off), device (which device runs the Keras models, and making "cpu"
true), backends (which Keras backends are installed, with their package versions), threads (one-thread
BLAS/OpenMP pools for repeatable scikit-learn digits), parameters and parameter_names (checking a notebook's
parameters, and the names papermill or an edited cell set, with one named ParameterError), results
(reports/metrics/<notebook>.json), errata (reports/errata.csv), benchmark_log (reports/benchmarks.csv), runs
(keeping runs with non-default parameters under reports/runs/<tag>/, apart from the full run), runner, overrides,
run_log and report (`python -m rec_utils.run`: typed -p overrides, papermill execution, run log,
reports/index.html).
"""
