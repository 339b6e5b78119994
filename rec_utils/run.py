"""Command line: `python -m rec_utils.run [notebooks] [-p NAME VALUE ...] [--inplace]`.

See rec_utils.runtime.runner for what it does."""

import sys

from rec_utils.runtime.runner import main

if __name__ == "__main__":
    sys.exit(main())
