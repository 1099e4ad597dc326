"""Where a sweep stands: each task's state, and the cells' counts the progress bar shows.

A cell is ``failed`` when one of its tasks failed, ``done`` when all of them are (``skipped``
when all were complete before this sweep started), ``running`` while one of them runs, and
``pending`` before. ``Tracker`` folds the engine's events into these states; each change is
published as a ``SweepProgress`` record, which the command line draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from genlab.sweeps.cells import Task
from genlab.sweeps.task import TaskResult, TaskStarted

__all__ = ["SweepProgress", "Tracker"]

CELL_STATES = ("pending", "running", "done", "skipped", "failed")


@dataclass(frozen=True)
class SweepProgress:
    """The counts of cells by state (``total`` = all of them), and what just changed."""

    total: int
    done: int
    running: int
    failed: int
    skipped: int
    event: str
    """One line: the task that just changed, and how."""
    kind: str = "info"
    """What changed: ``started`` (an attempt began; ``attempt`` counts them), ``done``,
    ``skipped``, ``failed`` (a task ended), or ``info`` (a note of the engine)."""
    attempt: int = 0

    @property
    def finished(self) -> int:
        """Cells that will not change any more: done, skipped or failed."""
        return self.done + self.skipped + self.failed


class Tracker:
    """Task states (``pending``, ``running``, ``done``, ``skipped``, ``failed``) and the
    attempts and workers of each task."""

    def __init__(self, tasks: list[Task]) -> None:
        self.tasks = {t.key: t for t in tasks}
        self.state = {t.key: "pending" for t in tasks}
        self.attempts = {t.key: 0 for t in tasks}
        self.workers: dict[str, list[str]] = {t.key: [] for t in tasks}
        self.results: dict[str, TaskResult] = {}
        self.cells = list(dict.fromkeys(t.cell for t in tasks))

    def started(self, event: TaskStarted) -> SweepProgress:
        self.state[event.key] = "running"
        self.attempts[event.key] += 1
        self.workers[event.key].append(event.worker)
        again = f" (attempt {self.attempts[event.key]})" if self.attempts[event.key] > 1 else ""
        return self.progress(
            f"{self.tasks[event.key].folder} started on {event.worker}{again}",
            "started",
            self.attempts[event.key],
        )

    def finished(self, result: TaskResult) -> SweepProgress:
        self.state[result.key] = result.status
        self.results[result.key] = result
        folder = self.tasks[result.key].folder
        what = result.status if result.error is None else f"failed: {result.error}"
        return self.progress(f"{folder} {what} ({result.seconds:.1f} s)", result.status)

    def cell_state(self, cell: str) -> str:
        states = {s for k, s in self.state.items() if self.tasks[k].cell == cell}
        if "failed" in states:
            return "failed"
        if states == {"skipped"}:
            return "skipped"
        if states <= {"done", "skipped"}:
            return "done"
        return "running" if states & {"running", "done", "skipped"} else "pending"

    def progress(self, event: str, kind: str = "info", attempt: int = 0) -> SweepProgress:
        counts = dict.fromkeys(CELL_STATES, 0)
        for cell in self.cells:
            counts[self.cell_state(cell)] += 1
        return SweepProgress(len(self.cells), counts["done"], counts["running"],
                             counts["failed"], counts["skipped"], event, kind, attempt)  # fmt: skip
