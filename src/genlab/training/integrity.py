"""What a run folder's files must hold, so that damage is found on read, never used silently.

Two records, each checked on every read:

- **The checkpoint seals itself.** ``seal(state, config, metrics, snapshots, frames)`` adds an
  ``integrity`` entry: the SHA-256 of every tensor and number in the state (torch does not CRC
  tensor data, so garbled bytes inside ``last.pt`` load without complaint otherwise), the
  configuration it was trained under, the SHA-256 of ``metrics.jsonl`` up to its epoch, and one
  digest per snapshot array and per animation frame. A resume or a load checks all of them.
- **The manifest** (``manifest.json``) lists every file of a finished run with its SHA-256 and
  size, rewritten atomically after each write that follows (``genlab evaluate``, figures);
  ``genlab verify`` checks a folder against it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from genlab.base import atomic
from genlab.base.errors import UserError

MANIFEST = "manifest.json"


class DamagedRunError(UserError):
    """A run file does not hold what was written: named, with what to do (exit code 2)."""


def _feed(h: Any, value: Any) -> None:
    """Hash a nested state canonically: dict keys sorted, tensors by dtype, shape and bytes."""
    if isinstance(value, dict):
        h.update(b"{")
        for k in sorted(value, key=str):
            h.update(repr(k).encode())
            _feed(h, value[k])
        h.update(b"}")
    elif isinstance(value, (list, tuple)):
        h.update(b"[")
        for v in value:
            _feed(h, v)
        h.update(b"]")
    elif hasattr(value, "detach") and hasattr(value, "dtype"):  # a torch tensor
        t = value.detach().cpu().contiguous()
        h.update(f"T{t.dtype}{tuple(t.shape)}".encode())
        h.update(t.numpy().tobytes())
    elif hasattr(value, "tobytes") and hasattr(value, "dtype"):  # a numpy array
        h.update(f"A{value.dtype}{value.shape}".encode() + value.tobytes())
    else:
        h.update(repr(value).encode())


def digest(value: Any) -> str:
    """SHA-256 of a nested state (tensors, arrays, numbers, strings, lists, dicts)."""
    h = hashlib.sha256()
    _feed(h, value)
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def config_differences(saved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """``section.field saved → current`` for every field that differs."""
    out = []
    for section in sorted(set(saved) | set(current)):
        a, b = saved.get(section), current.get(section)
        if isinstance(a, dict) and isinstance(b, dict):
            for name in sorted(set(a) | set(b)):
                if a.get(name) != b.get(name):
                    out.append(f"{section}.{name} {a.get(name)!r} → {b.get(name)!r}")
        elif a != b:
            out.append(f"{section} {a!r} → {b!r}")
    return out


def json_roundtrip(value: Any) -> Any:
    """``value`` as JSON gives it back (tuples become lists), for comparing configurations."""
    return json.loads(json.dumps(value))


def metrics_text(records: list[dict[str, Any]], last_epoch: int) -> str:
    """The metrics log as written up to ``last_epoch``, one JSON line per epoch."""
    return "".join(json.dumps(r) + "\n" for r in records if r["epoch"] <= last_epoch)


def write_manifest(folder: Path, files: dict[str, dict[str, Any]]) -> Path:
    return atomic.write_json(folder / MANIFEST, {"files": dict(sorted(files.items()))})


def read_manifest(folder: Path) -> dict[str, dict[str, Any]] | None:
    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        return dict(json.loads(path.read_text())["files"])
    except (ValueError, KeyError, TypeError) as err:
        raise DamagedRunError(
            f"{path} is damaged ({type(err).__name__}); the run's files cannot be checked: "
            "retrain the run, or delete manifest.json to take its files as they are"
        ) from None


def describe(folder: Path, relative: str) -> dict[str, Any]:
    path = folder / relative
    return {"sha256": file_sha256(path), "size": path.stat().st_size}


def check_file(folder: Path, relative: str, manifest: dict[str, dict[str, Any]] | None) -> None:
    """``DamagedRunError`` unless ``folder/relative`` matches its manifest entry (when the run
    has a manifest that lists it)."""
    if manifest is None or relative not in manifest:
        return
    path, want = folder / relative, manifest[relative]
    if not path.exists():
        raise DamagedRunError(f"{path} is missing (the run's manifest lists it)")
    size = path.stat().st_size
    if size != want["size"]:
        how = f"{size} bytes where the run wrote {want['size']}"
    elif file_sha256(path) != want["sha256"]:
        how = "its SHA-256 differs from what the run wrote"
    else:
        return
    raise DamagedRunError(f"{path} is damaged: {how}; restore it from a copy, or retrain the run")
