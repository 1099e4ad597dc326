"""Helpers of the sweep tests: a tiny spec, its cells trained one by one in this process (the
reference), and what of a run folder must be bit for bit the same."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from genlab.sweeps.runner import plan_sweep
from genlab.sweeps.spec import parse_spec
from genlab.training.config import RunConfig
from genlab.training.rundir import RunDir, environment

TINY_SPEC = """
model = "vae"

[train]
n_samples = 128
batch_size = 32
epochs = {epochs}
snapshots = 2
frames = 0
checkpoint_every = {every}
eval_samples = 50
device = "cpu"

[grid]
"train.lr" = [0.0005, 0.002]
"train.dataset" = ["ring", "swiss_roll"]

[sweep]
seeds = [0, 1]
members_per_task = 2
"""


def tiny_spec(tmp: Path, epochs: int = 200, every: int = 10, extra: str = "") -> Path:
    """The spec file of 4 tiny VAE cells × 2 seeds (one task each): 128 points, 200 epochs of
    4 steps, a checkpoint every 10."""
    path = tmp / "tiny.toml"
    path.write_text(TINY_SPEC.format(epochs=epochs, every=every) + extra)
    return path


def fingerprint(folder: Path) -> dict:
    """What two runs of one configuration share bit for bit: the final samples, the losses of
    every epoch, the snapshot arrays and the evaluation's values (not the times)."""
    records = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
    for r in records:
        r.pop("seconds", None)
    with np.load(folder / "snapshots.npz") as z:
        snapshots = {k: z[k].tobytes() for k in z.files}
    evaluation = json.loads((folder / "evaluation.json").read_text())["metrics"]
    values = {k: v["values"] for k, v in evaluation.items()}
    return {"samples": np.load(folder / "samples.npy").tobytes(), "metrics": records,
            "snapshots": snapshots, "evaluation": values}  # fmt: skip


def train_serially(spec_file: Path, root: Path) -> dict[str, dict]:
    """Each task of the sweep trained one after another in this process with
    ``genlab.workflows.pipeline.train_run``, evaluated as a sweep evaluates (exact OT
    included): folder → fingerprint."""
    from genlab.workflows.pipeline import train_run

    plan = plan_sweep(parse_spec(spec_file.read_text(), source=str(spec_file)), root)
    out = {}
    for task in plan.tasks:
        run = RunDir.create(Path(task.path), RunConfig.from_dict(task.config), environment("cpu"))
        train_run(run, exact_ot=True)
        out[task.folder] = fingerprint(run.path)
    return out
