"""Running numerical library code on one thread, where that makes results repeatable and machines usable.

    with single_threaded():      # BLAS and OpenMP pools (numpy, scipy, scikit-learn) use one thread inside
        model.fit(X, y)

Why: scikit-learn's solvers and gradient-boosted trees sum in an order that depends on the number of threads,
so their last digits differ between machines; and on a shared or oversubscribed machine their spinning thread
pools can be 10-50 times slower than one thread. TensorFlow, JAX and PyTorch keep their own pools.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from threadpoolctl import threadpool_limits


@contextlib.contextmanager
def single_threaded() -> Iterator[None]:
    """Limit the BLAS and OpenMP thread pools to one thread for the block."""
    with threadpool_limits(limits=1):
        yield
