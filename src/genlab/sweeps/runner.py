"""A sweep from its specification to its results: plan (check everything, write nothing),
then run the tasks that are not complete on the engine, then write the tables.

    DIR/spec.toml       the specification, as given
    DIR/sweep.json      the manifest: each cell's and task's status, time, worker, error
    DIR/runs/TASK/      one ordinary run folder per task (``genlab.sweeps.cells``)
    DIR/results.csv     one row per cell, every metric (``genlab.sweeps.results``)
    DIR/results.md      the headline metrics, mean ± s.e. over each cell's members

``plan_sweep`` raises ``UserError`` for anything wrong with the specification or the folder
before a cluster starts or a file is written. ``run_sweep`` skips the tasks that are ``DONE``
(``force`` redoes them) and starts no cluster at all when nothing is left to train; a failed
task fails its cell and stops nothing else.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from genlab.base import atomic
from genlab.base.done import DONE, is_done
from genlab.base.errors import UserError
from genlab.sweeps import manifest as mf
from genlab.sweeps.cells import Cell, Task, expand, pack
from genlab.sweeps.engine import Engine
from genlab.sweeps.progress import SweepProgress, Tracker
from genlab.sweeps.results import CellResult, collect, to_csv, to_markdown
from genlab.sweeps.spec import SweepSpec
from genlab.sweeps.task import TaskResult

__all__ = ["DEFAULT_MEMBERS_PER_TASK", "SweepPlan", "SweepResult", "plan_sweep", "run_sweep"]

DEFAULT_MEMBERS_PER_TASK = 8
"""Members per task unless the spec or the command says otherwise: enough to amortise a
task's start, few enough to spread one cell's seeds over several workers."""


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep will do, checked: its cells, its tasks, and which are complete."""

    spec: SweepSpec
    root: Path
    """The sweep's folder, absolute."""
    cells: list[Cell]
    tasks: list[Task]
    members_per_task: int
    force: bool = False

    @property
    def todo(self) -> list[Task]:
        """The tasks to run: those not ``DONE`` (all of them when forced)."""
        return [t for t in self.tasks if self.force or not is_done(t.path)]


@dataclass(frozen=True)
class SweepResult:
    """How a sweep went: the cells' rows, the files written, and the counts."""

    root: Path
    rows: list[CellResult]
    manifest: Path
    csv: Path
    markdown: Path
    trained: int
    """Tasks trained by this sweep (the others were complete, or failed)."""
    failed: list[str]
    """The cells that failed (or whose evaluation cannot be read: ``damaged``)."""


def plan_sweep(
    spec: SweepSpec, out: str | Path, *, members_per_task: int | None = None,
    force: bool = False,
) -> SweepPlan:  # fmt: skip
    """Every cell built and checked, its tasks packed, the folder checked; nothing written.

    Raises ``UserError`` for a value any cell rejects, a run folder that holds another
    configuration (unless ``force``), or a folder packed with another ``members_per_task``."""
    from genlab.training.config import RunConfig
    from genlab.training.integrity import DamagedRunError
    from genlab.training.rundir import RunDir

    root = Path(out).absolute()
    per_task = members_per_task or spec.members_per_task or DEFAULT_MEMBERS_PER_TASK
    cells = expand(spec)
    tasks = pack(cells, str(root), per_task, uuid.uuid4().hex[:8])
    old = mf.read_manifest(root)
    if old.get("members_per_task") not in (None, per_task):
        raise UserError(
            f"{root} holds a sweep packed with {old['members_per_task']} members per task; "
            f"rerun it with --members-per-task {old['members_per_task']}, or choose another "
            "folder (other packings train other run folders)"
        )
    for task in tasks if not force else []:
        run = RunDir(Path(task.path))
        if not run.config_file.exists():
            continue
        try:
            same = RunDir.open(run.path).config() == RunConfig.from_dict(task.config)
        except DamagedRunError:
            continue  # its task fails, naming the damage; the other cells run
        if not same:
            raise UserError(
                f"{run.path} holds a run of another configuration than cell {task.cell}: "
                "--force redoes it, or choose another folder"
            )
    return SweepPlan(spec, root, cells, tasks, per_task, force)


def _done_seconds(task: Task) -> float:
    """The time a complete run took, from its ``DONE`` marker."""
    import json

    try:
        return float(json.loads((Path(task.path) / DONE).read_text()).get("seconds", 0.0))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0.0


def run_sweep(
    plan: SweepPlan, engine: Engine, *,
    on_progress: Callable[[SweepProgress], None] | None = None,
) -> SweepResult:  # fmt: skip
    """Run ``plan``'s unfinished tasks on ``engine`` (``on_progress`` after every change),
    keeping ``sweep.json`` current, then write the results table.

    ``UserError`` when the scheduler cannot be reached or its workers cannot see the folder,
    before any task runs. A failed task is recorded and the others go on."""
    from genlab.sweeps.engine import connect, n_workers, run_on_dask, run_serial, workers_see

    tic, started = time.perf_counter(), mf.now()
    todo = plan.todo
    tracker = Tracker(plan.tasks)
    old = mf.previous_tasks(mf.read_manifest(plan.root))
    keys = {t.key for t in todo}
    for task in plan.tasks:
        if task.key not in keys:
            tracker.finished(TaskResult(task.key, "skipped", _done_seconds(task)))

    def write(finished: bool = False) -> Path:
        doc = mf.build_manifest(plan.spec, plan.cells, plan.tasks, tracker,
                                engine=engine.describe(), members_per_task=plan.members_per_task,
                                started=started, wall_seconds=time.perf_counter() - tic,
                                old=old)  # fmt: skip
        if finished:
            doc["finished"] = doc["updated"]
        return mf.write_manifest(plan.root, doc)

    def publish(progress: SweepProgress) -> None:
        if on_progress is not None:
            on_progress(progress)

    def on_result(result: TaskResult) -> None:
        progress = tracker.finished(result)
        write()
        publish(progress)

    publish(
        tracker.progress(
            f"{len(plan.tasks) - len(todo)} of {len(plan.tasks)} task(s) "
            f"complete already; {len(todo)} to train on {engine.describe()}"
        )
    )
    if not todo:
        _prepare(plan)
        return _tables(plan, tracker, write(finished=True))
    # no Dask for a serial engine; an unreachable scheduler fails in ``connect``: nothing written
    with contextlib.nullcontext() if engine.serial else connect(engine) as client:
        _prepare(plan)
        write()
        if client is not None and not engine.local:
            if blind := workers_see(client, str(plan.root / mf.MANIFEST)):
                raise UserError(
                    f"worker(s) {', '.join(blind)} cannot see {plan.root}: --out must be on a "
                    "file system that every worker reaches, at the same path"
                )
            count = n_workers(client)
            wait = "" if count else "; the tasks wait for workers to join"
            publish(tracker.progress(f"{count} worker(s) connected{wait}"))
        if plan.force:  # a forced sweep starts its tasks' folders afresh
            for task in todo:
                if Path(task.path).exists():
                    shutil.rmtree(task.path)
        todo = [dataclasses.replace(t, threads=engine.threads_per_task) for t in todo]
        on_start = lambda e: publish(tracker.started(e))  # noqa: E731
        if client is None:
            run_serial(todo, on_result=on_result, on_start=on_start)
        else:
            run_on_dask(client, todo, on_result=on_result, on_start=on_start)
    return _tables(plan, tracker, write(finished=True))


def _prepare(plan: SweepPlan) -> None:
    """The sweep's folder and the spec's copy."""
    plan.root.mkdir(parents=True, exist_ok=True)
    spec_copy = plan.root / "spec.toml"
    if not spec_copy.exists() or spec_copy.read_text(encoding="utf-8") != plan.spec.text:
        atomic.write_text(spec_copy, plan.spec.text)


def _tables(plan: SweepPlan, tracker: Tracker, manifest: Path) -> SweepResult:
    states = {c.name: tracker.cell_state(c.name) for c in plan.cells}
    rows = collect(plan.root, plan.cells, plan.tasks, states)
    name = Path(plan.spec.source).name
    csv = atomic.write_text(plan.root / "results.csv", to_csv(rows))
    md = atomic.write_text(plan.root / "results.md", to_markdown(rows, f"Sweep {name}"))
    trained = sum(s == "done" for s in tracker.state.values())
    failed = [r.cell for r in rows if r.status in ("failed", "damaged")]
    return SweepResult(plan.root, rows, manifest, csv, md, trained, failed)
