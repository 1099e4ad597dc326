"""Shared numba options of the compiled kernels (``kernel_steps``, ``kernel_metrics``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _writable(folder: Path) -> bool:
    """``folder`` can be written, or created in a writable parent."""
    while not folder.exists():
        folder = folder.parent
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def _cache() -> bool:
    """Whether numba may cache the compiled kernels, and where.

    numba looks for the cache next to the sources (``__pycache__``), then in the user's cache
    folder, and fails at the first decorated function ("no locator available") when neither is
    writable: an installation owned by another user, run without a writable home. Then the
    cache goes to a private folder of this user under the temporary folder, set in numba's
    configuration for this process only (``NUMBA_CACHE_DIR`` is not changed); when even that
    is impossible, the kernels are compiled anew in each process (about 10 s), uncached.
    """
    import numba

    configured = numba.config.CACHE_DIR  # type: ignore[attr-defined]  # set from the environment
    if configured or _writable(Path(__file__).with_name("__pycache__")):
        return True
    uid = os.getuid() if hasattr(os, "getuid") else None
    folder = Path(tempfile.gettempdir()) / f"genlab-numba-cache-{uid if uid is not None else 0}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.stat()
    except OSError:
        return False
    # the cache holds pickles: only a folder of this user's that no one else may write in
    private = uid is None or (info.st_uid == uid and not info.st_mode & 0o022)
    if not (private and _writable(folder)):
        return False
    numba.config.CACHE_DIR = str(folder)  # type: ignore[attr-defined]
    return True


# cache: compiled code is stored in __pycache__ next to the sources (see ``_cache``).
# error_model="numpy": x/0 gives inf instead of raising; Python's error model puts a zero
#   check on every division, which stops LLVM from vectorising the loop.
# nogil: callers may run kernels on several threads (one seed per thread).
JIT = {"cache": _cache(), "error_model": "numpy", "nogil": True}

# Reassociation lets LLVM vectorise reductions; never nnan/ninf: a NaN must stay visible.
FAST = {"reassoc", "nsz", "contract"}
