"""One writer per folder: an exclusive lock file holding the owner's pid and host.

``folder_lock(folder)`` creates ``folder/.lock`` with ``O_CREAT | O_EXCL`` (atomic on a local
file system) and removes it on exit; the process that holds it may take it again (nested). A
second writer gets ``UserError`` at once, naming the owner. A lock whose owner is gone (same
host, no such process) is stale: it is taken over with a warning. A lock from another host is
never taken over: only its owner knows it is done.
"""

from __future__ import annotations

import json
import os
import socket
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from genlab.base.errors import UserError

LOCK = ".lock"


class StaleLockWarning(UserWarning):
    """A lock left by a process that is gone was taken over."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


def _owner(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


@contextmanager
def folder_lock(folder: str | Path) -> Iterator[Path]:
    """Hold ``folder/.lock`` while the block runs (the folder is created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path, me = folder / LOCK, {"pid": os.getpid(), "host": socket.gethostname()}
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            owner = _owner(path)
            pid, host = owner.get("pid"), owner.get("host")
            if owner == me:  # held by this very process, further up the call stack
                yield path
                return
            if host == me["host"] and isinstance(pid, int) and not _alive(pid):
                warnings.warn(f"{folder}: took over the lock of process {pid}, which is gone",
                              StaleLockWarning, stacklevel=3)  # fmt: skip
                path.unlink(missing_ok=True)
                continue
            raise UserError(
                f"{folder} is in use by process {pid} on {host} (its lock {path}); wait for it, "
                "or delete the lock if that process is gone"
            ) from None
        with os.fdopen(fd, "w") as f:
            json.dump(me, f)
        break
    try:
        yield path
    finally:
        if _owner(path).get("pid") == me["pid"]:
            path.unlink(missing_ok=True)
