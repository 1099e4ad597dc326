"""``DIR/sweep.json``: the sweep's manifest, rewritten (atomically) after every task.

    {"spec": ..., "spec_sha256": ..., "engine": ..., "members_per_task": 8,
     "grid": {"gan.lam": [1.0, 500.0]}, "seeds": [0, 1],
     "started": ..., "updated": ..., "finished": ..., "wall_seconds": ...,
     "summary": {"cells": 4, "done": 3, "failed": 1, "running": 0, "pending": 0,
                 "trained": 2, "skipped": 1},
     "cells": [{"cell": "lam=1.0", "values": {"gan.lam": 1.0}, "status": "done",
                "seconds": 12.3,
                "tasks": [{"run": "runs/lam=1.0", "seeds": [0, 1], "status": "done",
                           "seconds": 12.3, "worker": "tcp://10.0.0.7:40211", "attempts": 2,
                           "workers": [...], "resumed_from": 40, "error": ...}]}]}

``finished`` is written with the last update, once every task has ended. A task that was
complete before this sweep keeps the entry of the sweep that trained it
(its time and worker); ``summary.trained`` counts the tasks this sweep trained.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from genlab.base import atomic
from genlab.sweeps.cells import Cell, Task
from genlab.sweeps.progress import Tracker
from genlab.sweeps.spec import SweepSpec

__all__ = ["MANIFEST", "build_manifest", "now", "previous_tasks", "read_manifest"]

MANIFEST = "sweep.json"


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def read_manifest(root: Path) -> dict[str, Any]:
    """The manifest a previous sweep left in ``root`` ({} when none, or unreadable)."""
    try:
        doc = json.loads((root / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def previous_tasks(old: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The task entries of a previous manifest that were done, by run folder."""
    out = {}
    for cell in old.get("cells", []):
        for task in cell.get("tasks", []) if isinstance(cell, dict) else []:
            if isinstance(task, dict) and task.get("status") == "done" and "run" in task:
                out[task["run"]] = task
    return out


def _task_entry(task: Task, tracker: Tracker, old: dict[str, dict[str, Any]]) -> dict[str, Any]:
    state = tracker.state[task.key]
    result = tracker.results.get(task.key)
    if state == "skipped" and task.folder in old:
        return old[task.folder]
    entry: dict[str, Any] = {"run": task.folder, "seeds": list(task.seeds),
                             "status": "done" if state == "skipped" else state}  # fmt: skip
    if result is not None:
        entry |= {k: v for k, v in result.to_json().items() if k not in ("key", "status")}
    if tracker.attempts[task.key]:
        entry["attempts"] = tracker.attempts[task.key]
        entry["workers"] = tracker.workers[task.key]
    return entry


def build_manifest(
    spec: SweepSpec, cells: list[Cell], tasks: list[Task], tracker: Tracker, *,
    engine: str, members_per_task: int, started: str, wall_seconds: float,
    old: dict[str, dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    """The manifest of the sweep as it stands (``tracker``); ``old``: ``previous_tasks``."""
    by_cell: dict[str, list[dict[str, Any]]] = {c.name: [] for c in cells}
    for task in tasks:
        by_cell[task.cell].append(_task_entry(task, tracker, old))
    entries, summary = [], dict.fromkeys(("done", "failed", "running", "pending"), 0)
    for cell in cells:
        state = tracker.cell_state(cell.name)
        state = "done" if state == "skipped" else state
        summary[state] += 1
        seconds = sum(t.get("seconds", 0.0) for t in by_cell[cell.name])
        entries.append({"cell": cell.name, "values": cell.values, "status": state,
                        "seconds": seconds, "tasks": by_cell[cell.name]})  # fmt: skip
    states = list(tracker.state.values())
    return {
        "spec": spec.source,
        "spec_sha256": hashlib.sha256(spec.text.encode()).hexdigest(),
        "engine": engine,
        "members_per_task": members_per_task,
        "grid": {a.key: list(a.values) for a in spec.axes},
        "seeds": list(spec.seeds),
        "started": started,
        "updated": now(),
        "wall_seconds": wall_seconds,
        "summary": {
            "cells": len(cells),
            **summary,
            "trained": states.count("done"),
            "skipped": states.count("skipped"),
        },  # fmt: skip
        "cells": entries,
    }


def write_manifest(root: Path, doc: dict[str, Any]) -> Path:
    return atomic.write_json(root / MANIFEST, doc)
