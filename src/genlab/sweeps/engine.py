"""The engine: a sweep's tasks on Dask (``dask.distributed``), or one by one in this process.

By default an embedded ``LocalCluster``: one worker process per core, one thread each (so that
OpenMP never oversubscribes the cores), its status server on a free port, nothing to set up.
``workers=0`` runs the tasks one after another in this process, without Dask (``run_serial``).
With a scheduler address (``tcp://HOST:PORT``) it connects to an existing cluster instead,
giving up after ``connect_timeout`` seconds with a ``UserError`` rather than hanging.

Dask gives the fault tolerance: when a worker dies its tasks are rescheduled on another one
(up to ``distributed.scheduler.allowed-failures`` times, 3 by default), and the task resumes
from its run folder's last checkpoint. Each attempt announces itself on a Dask event topic
(``Worker.log_event``), so the client knows which tasks are running, where.

Dask is imported here and only here (inside functions), so ``genlab --help`` never pays for it.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from genlab.base.checks import check_int, check_positive
from genlab.base.cores import usable_cores
from genlab.base.errors import UserError
from genlab.sweeps.cells import Task
from genlab.sweeps.task import TaskResult, TaskStarted, run_task

__all__ = ["Engine", "connect", "run_on_dask", "run_serial"]

CONNECT_TIMEOUT = 5.0
"""Seconds to reach a scheduler before giving up."""
POLL = 0.25
"""Seconds between looks at the events while waiting for results."""
LOCAL_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ": {
        "OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1,
    },
}  # fmt: skip
"""Dask settings of the local cluster's workers. Dask's statistical profiler samples every
worker thread's stack each 10 ms, under the GIL that the tasks' own Python (the training loop,
the figures) needs; and its nannies set ``MALLOC_TRIM_THRESHOLD_=65536``, which makes glibc
hand memory back to the system after every large free, so that torch's allocations go through
``mmap`` again and again. Both off (the thread limits kept): see docs/sweeps.md for what each
gained, and for the same settings on a cluster's own workers."""
_ADDRESS = re.compile(r"^(?:(tcp|tls|inproc|ucx|ws|wss)://)?\[?[\w.:-]+\]?:\d+$")


@dataclass(frozen=True)
class Engine:
    """Where the tasks run: a local cluster of ``workers`` processes (default: one per core),
    this process alone (``workers=0``), or the existing cluster whose scheduler is at
    ``scheduler``."""

    scheduler: str | None = None
    workers: int | None = None
    connect_timeout: float = CONNECT_TIMEOUT
    threads_per_task: int = 1
    """Torch threads of each task (one worker thread each: the cores are the parallelism)."""
    processes: bool = True
    """Local cluster: worker processes; False runs the workers as threads of this process
    (no start-up cost, for tests and debugging; torch's thread setting is then shared)."""

    def __post_init__(self) -> None:
        if self.scheduler is not None:
            if self.workers is not None:
                raise UserError(
                    "--workers sizes the local cluster; with --scheduler the cluster's own "
                    "workers run the tasks (start more of them with `dask worker`)"
                )
            if not _ADDRESS.match(self.scheduler):
                raise UserError(
                    f"malformed scheduler address {self.scheduler!r}; expected tcp://HOST:PORT "
                    "(as `dask scheduler` prints it)"
                )
        if self.workers is not None:
            check_int("workers", self.workers, 0)
        check_positive("connect timeout", self.connect_timeout)
        check_int("threads per task", self.threads_per_task, 1)

    @property
    def local(self) -> bool:
        return self.scheduler is None

    @property
    def serial(self) -> bool:
        """One task after another in this process, no Dask."""
        return self.workers == 0

    def describe(self) -> str:
        if self.serial:
            return "this process, one task after another"
        if self.local:
            return f"local cluster of {self.workers or usable_cores()} worker process(es)"
        return f"the Dask cluster at {self.scheduler}"


@contextmanager
def connect(engine: Engine) -> Iterator[Any]:
    """A ``distributed.Client`` of ``engine``'s cluster, closed (and a local cluster shut down)
    on exit. An unreachable scheduler is a ``UserError`` after ``connect_timeout`` seconds."""
    import dask
    from distributed import Client, LocalCluster

    if engine.local:
        with dask.config.set(LOCAL_WORKER_CONFIG):
            cluster = LocalCluster(n_workers=engine.workers or usable_cores(),
                                   threads_per_worker=1, processes=engine.processes,
                                   dashboard_address=":0",  # no fixed port to collide on
                                   silence_logs=logging.CRITICAL)  # fmt: skip
        client = Client(cluster)
    else:
        cluster = None
        try:
            client = Client(engine.scheduler, timeout=engine.connect_timeout)
        except (OSError, TimeoutError) as err:
            raise UserError(
                f"cannot reach the Dask scheduler at {engine.scheduler} within "
                f"{engine.connect_timeout:g} s ({err}); is `dask scheduler` running there?"
            ) from None
        except ValueError as err:
            raise UserError(f"scheduler address {engine.scheduler!r}: {err}") from None
        except Exception as err:  # noqa: BLE001 - something answered, but not in Dask's protocol
            raise UserError(
                f"the server at {engine.scheduler} does not answer as a Dask scheduler "
                f"({type(err).__name__}: {err}); is `dask scheduler` running there?"
            ) from None
        _check_versions(client)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _check_versions(client: Any) -> None:
    """Warn when a worker runs another genlab or torch than this process: results may differ."""
    versions = client.get_versions(packages=["genlab", "torch"])
    mine = versions["client"]["packages"]
    for address, info in versions.get("workers", {}).items():
        theirs = info.get("packages", {})
        for name in ("genlab", "torch"):
            if theirs.get(name) != mine.get(name):
                warnings.warn(
                    f"worker {address} runs {name} {theirs.get(name)}, this process "
                    f"{mine.get(name)}: its results may differ",
                    stacklevel=2,
                )


def workers_see(client: Any, path: str) -> list[str]:
    """The addresses of the cluster's workers that do not see ``path`` (it must exist here)."""
    seen = client.run(os.path.exists, path)
    return sorted(address for address, ok in seen.items() if not ok)


def n_workers(client: Any) -> int:
    return len(client.scheduler_info(n_workers=-1).get("workers", {}))


def run_on_dask(
    client: Any, tasks: list[Task], *,
    on_start: Callable[[TaskStarted], None] | None = None,
    on_result: Callable[[TaskResult], None] | None = None,
) -> list[TaskResult]:  # fmt: skip
    """Run ``tasks`` on ``client``'s cluster, the costliest first; ``on_start(started)`` when
    an attempt begins on a worker, ``on_result(result)`` as each ends. A task whose workers
    kept dying (``KilledWorker``) or that was cancelled is returned as failed."""
    from distributed import wait

    events: queue.SimpleQueue[Any] = queue.SimpleQueue()
    topic = f"genlab-sweep-{uuid.uuid4().hex[:12]}"
    client.subscribe_topic(topic, events.put)
    futures = {
        client.submit(run_task, t, topic, key=t.key, pure=False, priority=t.cost): t for t in tasks
    }
    results: dict[str, TaskResult] = {}

    def drain() -> None:
        while True:
            try:
                _, started = events.get_nowait()
            except queue.Empty:
                return
            if on_start is not None and started["key"] not in results:
                on_start(TaskStarted(**started))

    pending = set(futures)
    try:
        while pending:
            try:
                done, pending = wait(pending, timeout=POLL, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            drain()
            for future in done:
                result = _result(future, futures[future])
                results[result.key] = result
                if on_result is not None:
                    on_result(result)
    finally:
        client.unsubscribe_topic(topic)
        if pending:  # interrupted: the cluster stops what this sweep asked of it
            client.cancel(list(pending))
    return [results[t.key] for t in tasks]


def _result(future: Any, task: Task) -> TaskResult:
    """A finished future's ``TaskResult``; an engine error as a failed one."""
    from distributed import KilledWorker

    if future.status == "finished":
        return future.result()
    try:
        err = future.exception()
    except Exception as cancelled:  # noqa: BLE001 - a cancelled future raises instead
        err = cancelled
    if isinstance(err, KilledWorker):
        why = (f"KilledWorker: every worker that ran it died ({err}); its folder keeps its last "
               "checkpoint: run the sweep again to resume it")  # fmt: skip
    else:
        why = f"{type(err).__name__}: {err}"
    return TaskResult(task.key, "failed", 0.0, error=why)


def run_serial(
    tasks: list[Task], *,
    on_start: Callable[[TaskStarted], None] | None = None,
    on_result: Callable[[TaskResult], None] | None = None,
) -> list[TaskResult]:  # fmt: skip
    """Run ``tasks`` one after another in this process (no Dask), with the same callbacks."""
    import socket

    results = []
    for task in tasks:
        if on_start is not None:
            on_start(TaskStarted(task.key, "local", socket.gethostname(), os.getpid()))
        results.append(run_task(task))
        if on_result is not None:
            on_result(results[-1])
    return results
