"""A sweep's cells and tasks: the grid's Cartesian product, and seeds packed into runs.

A *cell* is one point of the grid: a full ``RunConfig`` with every seed of the sweep. A *task*
is one run folder that trains some of a cell's seeds as members of one ensemble (the member
axis: E members cost far less than E runs). A cell's seeds are split into
⌈S / members_per_task⌉ tasks of as even a size as can be (S = 10, at most 8: 5 + 5, not 8 + 2),
each a contiguous slice of the seed list; member k of a task is bit for bit the run of its
seed alone, so the packing never changes a result, only its speed.

Folders: ``DIR/runs/CELL`` for a cell of one task, ``DIR/runs/CELL--seeds-A-B`` (A and B its
first and last seed) for each task of a larger one. ``CELL`` spells the cell's grid values,
``lam=1.0,dataset=ring``, with a short hash added where that spelling is too long or
ambiguous.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import itertools
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from genlab.base.checks import check_int
from genlab.base.errors import UserError
from genlab.sweeps.spec import PRESET_KEY, SweepSpec
from genlab.training.config import RunConfig

__all__ = ["Cell", "Task", "expand", "pack", "split_seeds"]

MAX_NAME = 96
"""The longest folder name spelled from grid values; a longer one is cut and hashed."""


@dataclass(frozen=True)
class Cell:
    """One point of the grid: its name, its grid values and its whole configuration."""

    name: str
    values: dict[str, Any]
    """Grid key → value, in the grid's order."""
    config: RunConfig
    """Every seed of the sweep (its tasks train slices of them)."""


@dataclass(frozen=True)
class Task:
    """One run folder of a cell: what a worker trains (picklable, small)."""

    key: str
    """Unique on the cluster: the folder's name and a token of this sweep."""
    cell: str
    folder: str
    """The run folder, relative to the sweep's folder (``runs/...``)."""
    path: str
    """The run folder, absolute: the same on every worker (a shared file system)."""
    config: dict[str, Any]
    """The task's ``RunConfig.to_dict()`` (its slice of the seeds)."""
    threads: int = 1
    """Torch intra-op threads while it trains (unless its configuration sets ``threads``)."""

    @property
    def seeds(self) -> tuple[int, ...]:
        return tuple(self.config["train"]["seeds"])

    @property
    def cost(self) -> int:
        """A relative estimate of its work: member-epochs × points (for the order of tasks)."""
        t = self.config["train"]
        return len(t["seeds"]) * t["epochs"] * t["n_samples"]


def expand(spec: SweepSpec) -> list[Cell]:
    """Every cell of ``spec``, each configuration built and checked through the reader of
    ``genlab train --config``: ``UserError`` names the first cell a value fails in."""
    import tomli_w

    from genlab.training.config_file import from_toml

    names = cell_names(spec)
    cells = []
    for values, name in zip(itertools.product(*(a.values for a in spec.axes)), names, strict=True):
        doc, preset = copy.deepcopy(spec.base), None
        for axis, value in zip(spec.axes, values, strict=True):
            if axis.key == PRESET_KEY:
                from genlab.workflows.presets import PRESETS

                preset = PRESETS[value]
                doc["model"] = preset.model
            else:
                doc.setdefault(axis.section, {})[axis.field] = value
        doc.setdefault("train", {})["seeds"] = list(spec.seeds)
        config = from_toml(tomli_w.dumps(doc), source=f"{spec.source}, cell {name}")
        if preset is not None:  # its architecture, epoch factor and own training fields
            config = preset.run_config(config.train)
        cells.append(Cell(name, {a.key: v for a, v in zip(spec.axes, values, strict=True)},
                          _resolved(config, f"{spec.source}, cell {name}")))  # fmt: skip
    return cells


def _resolved(config: RunConfig, source: str) -> RunConfig:
    """``config`` as its run folder will record it: a data file's path made absolute (relative
    to this process's folder, as ``genlab train --config`` reads it, so that every worker finds
    it) and ``n_samples`` its training part's size; the file is read and checked here, before
    any cluster starts (``genlab.training.data_file.prepare_data``)."""
    from genlab.training.data_file import prepare_data

    try:
        return prepare_data(config)[0]
    except UserError as err:
        raise UserError(f"{source}: {err}") from None


def _spell(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "-".join(map(_spell, value)) or "none"
    return str(value)


def cell_names(spec: SweepSpec) -> list[str]:
    """A folder name per cell, in the order of ``itertools.product`` over the axes: its grid
    values spelled out (``lam=1.0,dataset=ring``), each key by its field name unless two axes
    share it; unsafe characters become ``_``; a hash is added to a name cut to ``MAX_NAME`` or
    shared by two cells."""
    short = [a.field for a in spec.axes]
    labels = [a.field if short.count(a.field) == 1 else a.key for a in spec.axes]
    raw, names = [], []
    for values in itertools.product(*(a.values for a in spec.axes)):
        spelled = ",".join(f"{k}={_spell(v)}" for k, v in zip(labels, values, strict=True))
        spelled = spelled.replace("λ", "lam")  # the presets spell λ
        raw.append((values, re.sub(r"[^A-Za-z0-9._=,+-]", "_", spelled)))
    counts: dict[str, int] = {}
    for _, name in raw:
        counts[name] = counts.get(name, 0) + 1
    for values, name in raw:
        if len(name) > MAX_NAME or counts[name] > 1 or name.startswith("."):
            token = hashlib.sha256(json.dumps(values, default=str).encode()).hexdigest()[:8]
            name = f"{name[:MAX_NAME]}~{token}"
        names.append(name)
    return names


def split_seeds(seeds: tuple[int, ...], members_per_task: int) -> list[tuple[int, ...]]:
    """``seeds`` in ⌈S / M⌉ contiguous slices of sizes differing by at most one."""
    check_int("members per task", members_per_task, 1)
    n = -(-len(seeds) // members_per_task)
    size, extra = divmod(len(seeds), n)
    out, start = [], 0
    for i in range(n):
        stop = start + size + (i < extra)
        out.append(seeds[start:stop])
        start = stop
    return out


def pack(cells: list[Cell], root: str, members_per_task: int, token: str = "") -> list[Task]:
    """The tasks of ``cells`` under the sweep folder ``root`` (absolute), at most
    ``members_per_task`` members each; ``token`` makes their keys unique on a shared cluster."""
    if not os.path.isabs(root):
        raise UserError(f"the sweep folder must be an absolute path, got {root!r}")
    tasks = []
    for cell in cells:
        parts = split_seeds(cell.config.train.seeds, members_per_task)
        for seeds in parts:
            name = cell.name if len(parts) == 1 else f"{cell.name}--seeds-{seeds[0]}-{seeds[-1]}"
            config = dataclasses.replace(
                cell.config, train=dataclasses.replace(cell.config.train, seeds=seeds)
            )
            folder = f"runs/{name}"
            tasks.append(Task(f"{name}-{token}" if token else name, cell.name, folder,
                              os.path.join(root, folder), config.to_dict()))  # fmt: skip
    return tasks
