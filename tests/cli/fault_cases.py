"""The corruptions of the fault-injection battery (``test_faults.py``): each damages one file of
a copied run folder, the way a crash, a full disk, a bad sector, a careless edit or a hostile
file would.

``CORRUPTIONS`` lists them; each names the file it damages (``target``, relative to the run)
and the run kinds it applies to (``FINISHED`` runs hold files an unfinished one has not
written yet).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from genlab.models.config import GANConfig, VAEConfig

FINISHED = ("gan", "vae")
ALL = (*FINISHED, "unfinished")
MARKER = "PWNED"
"""The file the malicious checkpoint would create, next to the run folder, if it were unpickled."""


@dataclass(frozen=True)
class Corruption:
    """``apply(run)`` damages ``run / target``; ``runs``: the run kinds it applies to."""

    name: str
    target: str
    apply: Callable[[Path], None]
    runs: tuple[str, ...] = ALL

    def __str__(self) -> str:
        return self.name


# -- bytes ----------------------------------------------------------------------------------------
def truncate_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def empty(path: Path) -> None:
    path.write_bytes(b"")


def garble(path: Path) -> None:
    """64 bytes in the middle, each XOR 0xFF (the size stays)."""
    data = bytearray(path.read_bytes())
    start = max(0, len(data) // 2 - 32)
    for i in range(start, min(len(data), start + 64)):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def random_bytes(path: Path) -> None:
    """As many random bytes as the file held."""
    path.write_bytes(np.random.default_rng(0).bytes(path.stat().st_size))


def delete(path: Path) -> None:
    path.unlink()


class Exploit:
    """Unpickled, this would create ``MARKER``: a checkpoint must never run code."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def malicious_pickle(path: Path) -> None:
    """A torch.save of a checkpoint-like dict whose model would run code when unpickled."""
    marker = path.parent.parent.parent / MARKER  # RUN/checkpoints/last.pt → next to RUN
    torch.save({"model": Exploit(marker), "epoch": 4, "integrity": {}}, path)


def older_checkpoint(path: Path) -> None:
    """``last.pt`` replaced by ``previous.pt``: an older, valid, sealed checkpoint."""
    shutil.copyfile(path.parent / "previous.pt", path)


# -- JSON -----------------------------------------------------------------------------------------
def edit_json(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        record = json.loads(path.read_text())
        change(record)
        path.write_text(json.dumps(record, indent=2) + "\n")

    return apply


def invalid_json(path: Path) -> None:
    path.write_text(path.read_text().replace(":", " =", 1))


def other_seeds(config: dict) -> None:
    config["train"]["seeds"] = [0, 2]  # as many members: every shape still fits


def other_lr(config: dict) -> None:
    config["train"]["lr"] = 1e-3


def other_model(config: dict) -> None:
    """gan ↔ vae, with the other model's default architecture (a loadable configuration)."""
    config["model"] = "vae" if config["model"] == "gan" else "gan"
    arch = VAEConfig() if config["model"] == "vae" else GANConfig()
    config["arch"] = json.loads(json.dumps(dataclasses.asdict(arch)))


def unknown_key(config: dict) -> None:
    config["train"]["warmup_epochs"] = 3


def other_w1(evaluation: dict) -> None:
    """A plausible, wrong number: the W1 mean halved."""
    evaluation["metrics"]["w1"]["mean"] /= 2


# -- the metrics log ------------------------------------------------------------------------------
def edit_lines(change: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(change(lines)))

    return apply


def drop_last_line(lines: list[str]) -> list[str]:
    return lines[:-1]


def garble_middle_line(lines: list[str]) -> list[str]:
    i = (len(lines) - 1) // 2
    lines[i] = lines[i][:10] + "#?!" + lines[i][13:]
    return lines


def change_middle_value(lines: list[str]) -> list[str]:
    """One epoch's loss changed (still valid JSON): a silent edit of the record."""
    i = (len(lines) - 1) // 2
    record = json.loads(lines[i])
    key = next(k for k, v in record.items() if isinstance(v, list))
    record[key][0] += 1.0
    lines[i] = json.dumps(record) + "\n"
    return lines


# -- arrays ---------------------------------------------------------------------------------------
def foreign_npz(path: Path) -> None:
    """A valid npz of other arrays."""
    np.savez_compressed(path, other=np.zeros((2, 3), dtype=np.float32))


def altered_npz(path: Path) -> None:
    """The same arrays, names and shapes, one value of the last one changed."""
    with np.load(path) as z:
        arrays = {k: z[k].copy() for k in z.files}
    key = list(arrays)[-1]
    arrays[key].reshape(-1)[0] += 1
    np.savez_compressed(path, **arrays)


def altered_npy(path: Path) -> None:
    x = np.load(path)
    x.reshape(-1)[0] += 1
    np.save(path, x)


def corruptions() -> list[Corruption]:
    c: list[Corruption] = []
    last = "checkpoints/last.pt"
    c += [
        Corruption("last.pt-half", last, truncate_half),
        Corruption("last.pt-empty", last, empty),
        Corruption("last.pt-garbled", last, garble),
        Corruption("last.pt-random", last, random_bytes),
        Corruption("last.pt-deleted", last, delete),
        Corruption("last.pt-malicious", last, malicious_pickle),
        Corruption("last.pt-older", last, older_checkpoint),
        Corruption("previous.pt-garbled", "checkpoints/previous.pt", garble),
    ]
    c += [
        Corruption("config-truncated", "config.json", truncate_half),
        Corruption("config-invalid", "config.json", invalid_json),
        Corruption("config-seeds", "config.json", edit_json(other_seeds)),
        Corruption("config-lr", "config.json", edit_json(other_lr)),
        Corruption("config-model", "config.json", edit_json(other_model)),
        Corruption("config-unknown-key", "config.json", edit_json(unknown_key)),
        Corruption("config-deleted", "config.json", delete),
    ]
    c += [
        Corruption("metrics-truncated", "metrics.jsonl", truncate_half),
        Corruption("metrics-last-line-dropped", "metrics.jsonl", edit_lines(drop_last_line)),
        Corruption("metrics-line-garbled", "metrics.jsonl", edit_lines(garble_middle_line)),
        Corruption("metrics-value-changed", "metrics.jsonl", edit_lines(change_middle_value)),
        Corruption("metrics-deleted", "metrics.jsonl", delete),
    ]
    for name in ("snapshots", "frames"):
        target = f"{name}.npz"
        c += [
            Corruption(f"{name}-truncated", target, truncate_half),
            Corruption(f"{name}-garbled", target, garble),
            Corruption(f"{name}-deleted", target, delete),
            Corruption(f"{name}-foreign", target, foreign_npz),
            Corruption(f"{name}-altered", target, altered_npz),
        ]
    c += [  # files only a finished run holds
        Corruption("samples-garbled", "samples.npy", garble, FINISHED),
        Corruption("samples-altered", "samples.npy", altered_npy, FINISHED),
        Corruption("samples-deleted", "samples.npy", delete, FINISHED),
        Corruption("data-truncated", "data.npy", truncate_half, FINISHED),
        Corruption("data-altered", "data.npy", altered_npy, FINISHED),
        Corruption("reconstructions-garbled", "reconstructions.npy", garble, ("vae",)),
        Corruption("evaluation-invalid", "evaluation.json", truncate_half, FINISHED),
        Corruption("evaluation-w1-changed", "evaluation.json", edit_json(other_w1), FINISHED),
        Corruption("evaluation-deleted", "evaluation.json", delete, FINISHED),
        Corruption("figure-garbled", "figures/epoch_1.png", garble, FINISHED),
        Corruption("figure-deleted", "figures/epoch_1.png", delete, FINISHED),
        Corruption("animation-truncated", "figures/evolution.gif", truncate_half, FINISHED),
        Corruption("done-garbled", "DONE", invalid_json, FINISHED),
        Corruption("manifest-invalid", "manifest.json", truncate_half, FINISHED),
    ]
    return c


CORRUPTIONS = corruptions()
