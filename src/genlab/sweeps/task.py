"""One task of a sweep, as a worker runs it: its run folder from config to ``DONE``.

``run_task`` is what the engine sends to a Dask worker (by reference: the worker imports
genlab). It creates the run folder, or opens the one a previous attempt left, and runs the
pipeline (``genlab.workflows.pipeline.train_run``), which resumes from the last checkpoint:
a task whose worker died is simply run again, elsewhere, and ends bit for bit where an
uninterrupted one would. The lock a killed worker leaves is taken over (its process is gone);
the warning saying so is kept in the result.

It never raises: a failure (a diverging run, a damaged folder, a bug) is returned as a
``TaskResult`` with the error and its traceback, so that one failed cell stops no other.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import traceback
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from genlab.sweeps.cells import Task

__all__ = ["TaskResult", "TaskStarted", "run_task"]

STATUSES = ("done", "failed", "skipped")


@dataclass(frozen=True)
class TaskStarted:
    """A worker began a task (an attempt: a task whose worker died starts again)."""

    key: str
    worker: str
    host: str
    pid: int


@dataclass(frozen=True)
class TaskResult:
    """How one task went: ``done`` (trained now), ``skipped`` (already ``DONE``) or
    ``failed``."""

    key: str
    status: str
    seconds: float
    worker: str | None = None
    """The Dask worker's address (None when run in this process)."""
    host: str | None = None
    pid: int | None = None
    resumed_from: int | None = None
    """The epoch of the checkpoint it resumed from (None: it started from scratch)."""
    error: str | None = None
    traceback: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None and v != []}


def _worker_address() -> str | None:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):  # not inside a Dask worker
        return None


def _announce(task: Task, topic: str | None, worker: str | None) -> None:
    """Tell the client that this attempt started (Dask's structured events)."""
    if topic is None or worker is None:
        return
    from distributed import get_worker

    started = TaskStarted(task.key, worker, socket.gethostname(), os.getpid())
    get_worker().log_event(topic, asdict(started))


def run_task(task: Task, topic: str | None = None) -> TaskResult:
    """Train ``task``'s run folder to ``DONE`` (creating or resuming it); report the start on
    the event ``topic`` when run by a Dask worker. Returns how it went, never raises."""
    worker = _worker_address()
    _announce(task, topic, worker)
    where: dict[str, Any] = {"worker": worker, "host": socket.gethostname(), "pid": os.getpid()}
    tic = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            status, resumed = _train(task)
        except Exception as err:  # noqa: BLE001 - a failed task is reported, never hidden
            return TaskResult(task.key, "failed", time.perf_counter() - tic, **where,
                              error=f"{type(err).__name__}: {err}",
                              traceback=traceback.format_exc(),
                              warnings=[str(w.message) for w in caught])  # fmt: skip
    return TaskResult(task.key, status, time.perf_counter() - tic, **where, resumed_from=resumed,
                      warnings=[str(w.message) for w in caught])  # fmt: skip


def _train(task: Task) -> tuple[str, int | None]:
    from genlab.base.errors import UserError
    from genlab.training.config import RunConfig
    from genlab.training.device import resolve_device
    from genlab.training.rundir import RunDir, environment
    from genlab.workflows.pipeline import torch_threads, train_run

    config = RunConfig.from_dict(task.config)
    with torch_threads(task.threads):  # before environment(), which records the threads
        run = RunDir(Path(task.path))
        if not run.config_file.exists():
            env = environment(str(resolve_device(config.train.device)))
            with contextlib.suppress(UserError):  # another attempt made it: checked below
                RunDir.create(Path(task.path), config, env)
        run = RunDir.open(Path(task.path))
        if run.config() != config:
            raise UserError(f"{run.path} holds a run of another configuration")
        if config.train.data is not None and not run.split_file.exists():
            if run.has_checkpoint():  # trained on a split that is gone: user_data names it
                run.user_data()
            from genlab.training.data_file import prepare_data

            _, split = prepare_data(config)
            assert split is not None
            run.save_user_data(split)
        if run.is_done():
            return "skipped", None
        resumed = run.checkpoint_epoch() if run.has_checkpoint() else None
        train_run(run, exact_ot=True)  # w1 is a headline metric of the results table
    return "done", resumed
