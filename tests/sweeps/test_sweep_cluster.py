"""A sweep on a real Dask cluster: ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1, ``genlab sweep --scheduler``, one worker killed (SIGKILL, nanny and all) while it
trains a task. The sweep completes, the task resumes from its checkpoint on the other worker,
and every run is bit for bit the serial one. Every process started is killed in the end."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sweep_helpers import fingerprint, tiny_spec

BIN = Path(sys.executable).parent
TIMEOUT = 120


def start(argv: list[str], log: Path) -> subprocess.Popen:
    """A process in its own group (killed with all its children), its output in ``log``."""
    return subprocess.Popen(argv, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip


def kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def gone(group: int) -> bool | None:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return None


def wait_for(what: str, check, timeout: float = TIMEOUT, every: float = 0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if (value := check()) is not None:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def scheduler_address(path: Path) -> str | None:
    """The address in the scheduler's file, once it is written whole."""
    try:
        return json.loads(path.read_text())["address"]
    except (OSError, ValueError, KeyError):
        return None


def holder(runs: Path, workers: list[subprocess.Popen]) -> subprocess.Popen | None:
    """The ``dask worker`` whose process trains a run that has a checkpoint and no DONE."""
    for run in runs.glob("*"):
        lock, done = run / ".lock", run / "DONE"
        if not (run / "checkpoints" / "last.pt").exists() or done.exists():
            continue
        try:
            pid = json.loads(lock.read_text())["pid"]
            group = os.getpgid(pid)
        except (OSError, ValueError, KeyError):
            continue
        for w in workers:
            if w.pid == group:
                return w
    return None


def test_a_killed_worker_loses_nothing(tmp_path, serial_reference):
    spec, out, logs = tiny_spec(tmp_path), tmp_path / "out", tmp_path / "logs"
    logs.mkdir()
    env_file = tmp_path / "scheduler.json"
    procs: list[subprocess.Popen] = []
    try:
        procs.append(start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                            "--no-dashboard", "--scheduler-file", str(env_file)],
                           logs / "scheduler.log"))  # fmt: skip
        address = wait_for("the scheduler", lambda: scheduler_address(env_file))
        worker = [str(BIN / "dask"), "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                  "--no-dashboard", "--death-timeout", "60"]  # fmt: skip
        workers = [start([*worker, "--name", f"w{i}"], logs / f"worker{i}.log") for i in range(2)]
        procs += workers
        argv = [str(BIN / "genlab"), "sweep", str(spec), "--out", str(out), "--scheduler", address,
                "--connect-timeout", "30"]  # fmt: skip
        sweep = start(argv, logs / "sweep.log")
        procs.append(sweep)

        def victim_or_end() -> subprocess.Popen | None:
            if sweep.poll() is not None:
                raise AssertionError(f"the sweep ended first:\n{(logs / 'sweep.log').read_text()}")
            return holder(out / "runs", workers)

        victim = wait_for("a task mid-training", victim_or_end)
        kill(victim)
        assert sweep.wait(timeout=TIMEOUT) == 0, (logs / "sweep.log").read_text()
    finally:
        for proc in procs:
            kill(proc)
    for proc in procs:  # nothing of any group is left (the nannies' worker processes neither)
        wait_for(f"process group {proc.pid} to end", lambda p=proc: gone(p.pid), timeout=10)
    log = (logs / "sweep.log").read_text()
    manifest = json.loads((out / "sweep.json").read_text())
    assert manifest["summary"] | {"done": 4, "failed": 0} == manifest["summary"], log
    tasks = [t for c in manifest["cells"] for t in c["tasks"]]
    again = [t for t in tasks if t.get("attempts", 0) > 1]
    assert again, log  # the killed task ran again...
    assert any(t.get("resumed_from") for t in again), again  # ...from its checkpoint
    assert any("took over the lock" in w for t in again for w in t.get("warnings", [])), again
    assert "(attempt 2)" in log
    for folder, expected in serial_reference().items():
        assert fingerprint(out / folder) == expected, folder
