"""genlab's cache folder on this machine: ``$GENLAB_CACHE``, else ``$XDG_CACHE_HOME/genlab``,
else ``~/.cache/genlab``; ``GENLAB_CACHE=off`` turns every cache off. It holds the floors of
the registered datasets (``genlab.evaluation.floor_cache``), the compiled steps' packages
(``genlab.training.packaged``, which prunes the packages unused for a month) and their markers
(``genlab.training.compile_rule``), each in a folder of its own."""

from __future__ import annotations

import os
from pathlib import Path

OFF = "off"


def cache_root() -> Path | None:
    """The cache folder; None when the cache is off."""
    env = os.environ.get("GENLAB_CACHE")
    if env == OFF:
        return None
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "genlab"
