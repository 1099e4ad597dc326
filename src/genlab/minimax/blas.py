"""numba's BLAS bindings without the rest of ``scipy.linalg`` (``preload_blas``)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

__all__ = ["preload_blas"]

_BLAS = "scipy.linalg.cython_blas"


def preload_blas() -> None:
    """Load SciPy's BLAS bindings (``scipy.linalg.cython_blas``) alone, not ``scipy.linalg``.

    numba calls BLAS for ``np.dot`` through that one extension module and imports it when it
    first registers its implementations, before any kernel runs or loads from the cache
    (``numba.np.linalg.ensure_blas``). ``import scipy.linalg.cython_blas`` runs
    ``scipy/linalg/__init__.py`` first: 0.2 s of decompositions, LAPACK wrappers and array-API
    helpers that no kernel here uses, a fifth of a ``genlab minimax run``. Loaded from its
    file under its own name, the module is found in ``sys.modules`` by numba (and by a later
    ``import scipy.linalg``, which uses the same module) and costs ~2 ms. Where SciPy keeps it
    elsewhere, or ``scipy.linalg`` is already imported, this does nothing and numba imports it
    the usual way.

    For a process of its own (``genlab minimax run``), not the library: a ``scipy.linalg``
    imported afterwards lacks the attribute ``scipy.linalg.cython_blas`` (the import system
    binds a submodule to its package only when it loads it).
    """
    if _BLAS in sys.modules or "scipy.linalg" in sys.modules:
        return
    scipy = importlib.util.find_spec("scipy")
    if scipy is None or not scipy.submodule_search_locations:
        return
    for root in scipy.submodule_search_locations:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = Path(root) / "linalg" / f"cython_blas{suffix}"
            spec = importlib.util.spec_from_file_location(_BLAS, path)
            if not path.is_file() or spec is None or spec.loader is None:
                continue
            module = importlib.util.module_from_spec(spec)
            sys.modules[_BLAS] = module
            try:
                spec.loader.exec_module(module)
            except Exception:  # not loadable alone: leave it to the usual import
                del sys.modules[_BLAS]
            return
