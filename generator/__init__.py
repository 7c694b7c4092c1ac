"""Paperboy: a static site generator for research-paper digests."""

import os

__version__ = "0.1.0"

# numpy's OpenBLAS starts a thread per core when it is imported, and worker processes are only
# forked from a single-threaded process (see generator/workers.py): one BLAS thread means none
# is started. The topic fit runs on one BLAS thread anyway, so nothing gets slower.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
