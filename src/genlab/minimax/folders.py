"""A minimax run folder's files, by name, and how to tell one: light enough for the report and
``genlab plot`` to look for runs without importing the minimax lab (numba, its kernels)."""

from __future__ import annotations

import json
from pathlib import Path

from genlab.base.done import CONFIG

__all__ = ["FIGURES", "GAP", "SUMMARY", "TRAJECTORY", "is_minimax_run", "minimax_runs_in"]

TRAJECTORY = "trajectory.npz"
GAP = "gap.npz"
SUMMARY = "summary.json"
FIGURES = ("homework.png", "primal_gap.png")
"""The figures of a run, under ``figures/``, drawn when asked (``genlab.minimax.figures``)."""


def is_minimax_run(folder: str | Path) -> bool:
    """A folder written by ``write_run``: a minimax config (it names a ``rule``) and the run's
    numbers (``trajectory.npz`` or ``summary.json``)."""
    folder = Path(folder)
    try:
        config = json.loads((folder / CONFIG).read_text())
    except (OSError, ValueError):
        return False
    numbers = (folder / TRAJECTORY).is_file() or (folder / SUMMARY).is_file()
    return isinstance(config, dict) and "rule" in config and numbers


def minimax_runs_in(path: str | Path) -> list[Path]:
    """``path`` if it is a minimax run, else the minimax runs up to three levels below it (a
    reproduction's ``problem1/homework``, a comparison's runs)."""
    path = Path(path)
    if is_minimax_run(path):
        return [path]
    found = {p.parent for depth in ("*", "*/*", "*/*/*") for p in path.glob(f"{depth}/{CONFIG}")}
    return sorted(p for p in found if is_minimax_run(p))
