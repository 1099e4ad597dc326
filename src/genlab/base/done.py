"""The files every genlab folder shares, by name, and the ``DONE`` marker: written last into
a finished folder (a run, a stage, a minimax run), as JSON with what the work took. A folder
without it is unfinished, whatever else it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genlab.base import atomic

DONE = "DONE"
CONFIG = "config.json"
"""Every genlab folder (a run, a minimax run, a theory output) records its configuration here."""
EVALUATION = "evaluation.json"
METRICS = "metrics.jsonl"


def mark_done(folder: str | Path, summary: dict[str, Any] | None = None) -> Path:
    """Write ``folder/DONE`` atomically, holding ``summary`` (for example the seconds taken)."""
    return atomic.write_json(Path(folder) / DONE, summary or {})


def is_done(folder: str | Path) -> bool:
    return (Path(folder) / DONE).exists()
