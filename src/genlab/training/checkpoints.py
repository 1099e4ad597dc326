"""Checkpoints that seal themselves: write, check and fall back.

``save_checkpoint`` adds to the state an ``integrity`` entry: the digest of the state itself
(torch does not CRC tensor data), the configuration it was trained under, the SHA-256 of the
metrics log up to its epoch, and one digest per snapshot array and per animation frame; the
checkpoint it replaces is kept as ``previous.pt``. ``load_checkpoint`` loads weights only (a
checkpoint never runs code) and checks all of it. ``amend`` is the one sanctioned change of a
run's configuration: a new learning rate for a resume, recorded in ``config.json``.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genlab.base import atomic
from genlab.base.errors import RunWarning, UserError
from genlab.training import integrity
from genlab.training.integrity import DamagedRunError

if TYPE_CHECKING:
    from genlab.training.rundir import RunDir

AMENDABLE = ("lr",)
"""``TrainConfig`` fields a resume may change (``amend``): the learning rate only, since every
other field changes what the checkpoint's state means."""


def save_checkpoint(run: RunDir, state: dict[str, Any]) -> None:
    """Seal ``state`` (``integrity``: its digest, the configuration, the metrics log and the
    arrays written so far) and write it as ``last.pt``, keeping the one before as
    ``previous.pt``."""
    import torch

    seal = {
        "config": integrity.json_roundtrip(run.config().to_dict()),
        "metrics_sha256": integrity.text_sha256(
            run.metrics_file.read_text() if run.metrics_file.exists() else ""
        ),
        "snapshots": {k: integrity.digest(v) for k, v in run.load_snapshots().items()},
        "frames": run.frame_digests(),
    }
    state = {**state, "integrity": {**seal, "state": integrity.digest(state)}}
    buf = io.BytesIO()
    torch.save(state, buf)
    if run.checkpoint_file.exists():
        os.replace(run.checkpoint_file, run.previous_checkpoint_file)
    atomic.write_bytes(run.checkpoint_file, buf.getvalue())


def load_checkpoint(run: RunDir) -> dict[str, Any] | None:
    """The last checkpoint, checked against its seal (and the manifest of a finished run). In
    an unfinished run, a damaged or missing ``last.pt`` falls back to ``previous.pt`` with
    a warning (a resume from it ends where the run would have); a finished run's final
    model is its last checkpoint, with no fallback. None when the run has none yet."""
    if run.is_done():
        run.check(run.checkpoint_file)
        return read_checkpoint(run, run.checkpoint_file)
    files = [f for f in (run.checkpoint_file, run.previous_checkpoint_file) if f.exists()]
    if not files:
        return None
    problems = []
    for i, path in enumerate(files):
        try:
            state = read_checkpoint(run, path)
        except DamagedRunError as err:
            problems.append(str(err))
            continue
        if i or path != run.checkpoint_file:
            reason = problems[0] if problems else f"{run.checkpoint_file} is missing"
            warnings.warn(f"{reason}; using {path} (epoch {state['epoch']}) instead",
                          RunWarning, stacklevel=3)  # fmt: skip
        return state
    raise DamagedRunError(" and ".join(problems) + "; no good checkpoint is left: retrain")


def read_checkpoint(run: RunDir, path: Path) -> dict[str, Any]:
    import pickle

    import torch

    try:  # weights only: a checkpoint never runs code
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError, ValueError) as err:
        reason = (str(err).splitlines() or [type(err).__name__])[0][:200]
        raise DamagedRunError(
            f"{path} is unreadable or not a genlab checkpoint ({reason}); retrain the run"
        ) from None
    seal = state.pop("integrity", None) if isinstance(state, dict) else None
    if not isinstance(seal, dict):
        raise DamagedRunError(f"{path} is not a sealed genlab checkpoint; retrain the run")
    if integrity.digest(state) != seal.get("state"):
        raise DamagedRunError(f"{path} is damaged: its contents do not match its seal")
    check_against_seal(run, path, state["epoch"], seal)
    return state


def _with_defaults(sealed: Any) -> Any:
    """The sealed configuration with the fields added to the configuration classes since it
    was written set to their defaults (which are the behaviour it was trained under); as it is
    when it does not parse."""
    from genlab.training.config import RunConfig

    try:
        return integrity.json_roundtrip(RunConfig.from_dict(sealed).to_dict())
    except (UserError, KeyError, TypeError, AttributeError, ValueError):
        return sealed


def check_against_seal(run: RunDir, path: Path, epoch: int, seal: dict[str, Any]) -> None:
    """The configuration and the files a resume reads, as they were at ``epoch``."""
    current = integrity.json_roundtrip(run.config().to_dict())
    if diff := integrity.config_differences(_with_defaults(seal["config"]), current):
        raise UserError(
            f"{run.config_file} differs from the configuration {path.name} was trained "
            f"under: {'; '.join(diff)}; restore config.json, or train a new run"
        )
    text = integrity.metrics_text(run.read_metrics(), epoch) if run.metrics_file.exists() else ""
    if integrity.text_sha256(text) != seal["metrics_sha256"]:
        raise DamagedRunError(
            f"{run.metrics_file} is damaged: its epochs up to {epoch} differ from what the "
            "run logged (lines lost or altered); restore it, or retrain"
        )
    snaps = run.load_snapshots()
    for key, want in seal["snapshots"].items():
        if key not in snaps or integrity.digest(snaps[key]) != want:
            raise DamagedRunError(
                f"{run.snapshots_file} is damaged: array {key!r} differs from what the run "
                "wrote; restore it, or retrain"
            )
    frames = run.frame_digests()
    for kind, want in seal["frames"].items():
        if frames.get(kind, [])[: len(want)] != want:
            raise DamagedRunError(
                f"{run.frames_file} is damaged: frames of {kind!r} differ from what the run "
                "wrote; restore it, or retrain"
            )


def sealed_config(path: Path) -> dict[str, Any] | None:
    """The configuration a checkpoint file was trained under (None when it has no seal)."""
    import torch

    state = torch.load(path, map_location="cpu", weights_only=True)
    seal = state.get("integrity") if isinstance(state, dict) else None
    return seal.get("config") if isinstance(seal, dict) else None


def amend(run: RunDir, **train_fields: Any) -> list[str]:
    """Change ``AMENDABLE`` fields of an unfinished run before a resume: ``config.json`` is
    rewritten with the change recorded under ``amended`` (epoch, field, old, new), and the
    checkpoints are re-sealed under the new configuration. Returns the changes, as text."""
    if unknown := sorted(set(train_fields) - set(AMENDABLE)):
        raise UserError(
            f"a resume can change only {', '.join(AMENDABLE)}, not {', '.join(unknown)}"
        )
    if run.is_done():
        raise UserError(f"{run.path} is complete: a finished run is not changed")
    state = load_checkpoint(run)
    if state is None:
        raise UserError(f"{run.path} has no checkpoint yet: start it anew instead")
    old = run.config()
    new = dataclasses.replace(old, train=dataclasses.replace(old.train, **train_fields))
    record = json.loads(run.config_file.read_text())
    changes = [
        {"epoch": state["epoch"], "field": f"train.{k}", "old": getattr(old.train, k), "new": v}
        for k, v in train_fields.items() if getattr(old.train, k) != v
    ]  # fmt: skip
    record |= {**new.to_dict(), "amended": record.get("amended", []) + changes}
    atomic.write_json(run.config_file, record)
    from genlab.training.config_file import to_toml

    atomic.write_text(run.path / "config.toml", to_toml(new))  # the copy to rerun, kept equal
    for path in (run.checkpoint_file, run.previous_checkpoint_file):
        if path.exists():
            _reseal(run, path, new)
    return [f"{c['field']} {c['old']!r} → {c['new']!r} from epoch {c['epoch']}" for c in changes]


def _reseal(run: RunDir, path: Path, config: Any) -> None:
    import torch

    state = torch.load(path, map_location="cpu", weights_only=True)
    state["integrity"]["config"] = integrity.json_roundtrip(config.to_dict())
    buf = io.BytesIO()
    torch.save(state, buf)
    atomic.write_bytes(path, buf.getvalue())
