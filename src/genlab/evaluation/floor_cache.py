"""A disk cache of the floors of registered datasets, so that an evaluation pays only for its
own metrics after the first on a machine.

A floor (and its spread over several pairs, ``genlab.evaluation.suite``) is a deterministic
function of (dataset, n, seed, noise) and of the code and libraries that compute it: the
metric and sampler sources, NumPy, SciPy, POT and torch (whose generator draws the data). The
key holds all of them, so an edit or an upgrade computes anew. Values are JSON numbers (never
pickles), written atomically, under ``$GENLAB_CACHE``, else ``$XDG_CACHE_HOME/genlab``, else
``~/.cache/genlab``; ``GENLAB_CACHE=off`` turns the cache off. An unreadable or damaged entry
is computed again; a folder that cannot be written is simply not used.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from genlab.base import atomic
from genlab.base.cache import cache_root

T = TypeVar("T")
_SOURCES = ("evaluation/metrics.py", "evaluation/knn.py", "evaluation/suite.py",
            "evaluation/modes.py", "evaluation/spiral.py", "data/registry.py",
            "data/samplers.py", "data/toy_suite.py", "data/surfaces.py")  # fmt: skip
_LIBRARIES = ("numpy", "scipy", "ot", "torch")


def cache_dir() -> Path | None:
    """Where floors are kept (``genlab.base.cache``); None when the cache is off."""
    root = cache_root()
    return None if root is None else root / "floors"


@functools.cache
def code_version() -> str:
    """A digest of the sources and library versions a floor depends on."""
    from importlib.metadata import PackageNotFoundError, version

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for rel in _SOURCES:
        path = root / rel
        h.update(rel.encode() + (path.read_bytes() if path.exists() else b""))
    for lib in _LIBRARIES:
        try:
            h.update(f"{lib}={version('pot' if lib == 'ot' else lib)}".encode())
        except PackageNotFoundError:
            h.update(f"{lib}=?".encode())
    return h.hexdigest()[:16]


def cached(kind: str, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned for (kind, key) under this code version before.
    The result must be JSON: a dict of str to float, or to [float, int] pairs (read back as
    tuples)."""
    folder = cache_dir()
    if folder is None:
        return compute()
    name = hashlib.sha256(json.dumps([kind, list(key), code_version()]).encode()).hexdigest()
    path = folder / f"{kind}-{name[:32]}.json"
    try:
        stored = json.loads(path.read_text())
        return {k: tuple(v) if isinstance(v, list) else v for k, v in stored.items()}  # type: ignore[return-value]
    except (OSError, ValueError, AttributeError):
        pass
    value = compute()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic.write_text(path, json.dumps(value))
    except OSError:
        pass  # a read-only or full disk: computed each time
    return value
