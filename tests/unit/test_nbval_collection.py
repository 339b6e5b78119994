"""What `make test`'s `--nbval notebooks` collects: the project's notebooks, never a dot-file (conftest.py)."""

import shutil
import subprocess
import sys

import nbformat

from rec_utils.runtime.paths import REPO_ROOT


def test_nbval_does_not_collect_dot_files_in_notebooks(tmp_path):
    """A `.NN_x.ipynb.tmp*.ipynb` left by an interrupted `make notebooks` was run by make test as one more notebook."""
    shutil.copy(REPO_ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "notebooks").mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("x = 1")]
    for name in ("01_a.ipynb", ".01_a.ipynb.tmp4242-abc.ipynb", ".~01_a.ipynb"):
        nbformat.write(notebook, tmp_path / "notebooks" / name)
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
                             "--nbval", "notebooks"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    collected = {line.split("::")[0] for line in result.stdout.splitlines() if "::" in line}
    assert collected == {"notebooks/01_a.ipynb"}, result.stdout + result.stderr
