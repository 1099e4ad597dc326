"""The training loop: a run from its last checkpoint (or from scratch) to its last epoch.

``fit`` trains and records, nothing else: losses per epoch, checkpoints, snapshots and
animation frames into the run folder. What else happens at a snapshot (the snapshot metrics of
``genlab.evaluation``) or after an epoch (a progress bar) hangs off it through ``FitHooks``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from genlab.base import atomic
from genlab.base.errors import UserError
from genlab.base.rng import member_generators
from genlab.models.gan import GAN
from genlab.models.vae import VAE
from genlab.training.config import SAMPLERS, GANConfig
from genlab.training.device import resolve_device
from genlab.training.guards import Guard, check_losses
from genlab.training.rundir import RunDir
from genlab.training.trainers import build_model, make_trainer, training_data
from genlab.training.window import data_window

FRAME_POINTS = 1000
"""Points per member in each frame of the training animation."""


@dataclass(frozen=True)
class EpochRecord:
    """Per-epoch means over steps, per member (lists of length E), and timing."""

    epoch: int
    losses: dict[str, list[float]]
    seconds: float
    steps: int

    def to_json(self) -> dict[str, Any]:
        return {"epoch": self.epoch, **self.losses, "seconds": self.seconds, "steps": self.steps}


@dataclass(frozen=True)
class FitHooks:
    """What the caller wants done beside training.

    ``on_epoch(record)`` runs after every epoch. ``on_snapshot(epoch, samples)`` runs at every
    snapshot epoch with the model's own samples (E, n, d) in the data's units (a VAE's prior
    samples, a GAN's G(z)); what it returns (metric name → one value per member) is recorded as
    that epoch's ``eval`` entry in ``metrics.jsonl``.
    """

    on_epoch: Callable[[EpochRecord], None] | None = None
    on_snapshot: Callable[[int, np.ndarray], dict[str, list[float]]] | None = None


@dataclass(frozen=True)
class FitResult:
    """A trained (or resumed-to-the-end) run: its model at ``epoch``, on the CPU."""

    run: RunDir
    model: VAE | GAN
    epoch: int


def fit(run: RunDir, *, hooks: FitHooks | None = None) -> FitResult:
    """Train the run in ``run`` from its last checkpoint (or from scratch) to its last epoch.

    Writes metrics at every checkpoint, snapshots every ``epochs // snapshots`` epochs, and at
    the end the final samples. Resuming replays nothing: parameters, optimizer moments and
    every member's random stream come back from the checkpoint, so a resumed run ends exactly
    where an uninterrupted one would.
    """
    hooks = hooks or FitHooks()
    config = run.config()
    t = config.train
    device = resolve_device(t.device)
    data = run.user_data()  # a data file's split; None for a registered dataset
    x = training_data(config, device, data)
    model = build_model(config, device, data)
    window = data_window(t, data)
    trainer = make_trainer(model, config, window)
    gens = member_generators(t.seeds, "train", device)
    start, snaps = 0, {}
    if (ckpt := run.load_checkpoint()) is not None:
        model.load_state_dict(ckpt["model"])
        trainer.load_state_dict(ckpt["trainer"])
        for g, s in zip(gens, ckpt["rng"], strict=True):
            g.set_state(s)
        start = ckpt["epoch"]
        snaps = {k: v for k, v in run.load_snapshots().items() if k.split("_")[-1].isdigit()}
        snaps = {k: v for k, v in snaps.items() if int(k.split("_")[-1]) <= start}

    guard = Guard(trainer, config, start, window)
    if ckpt is not None:
        guard.resumed()
    run.truncate_metrics(start)  # drop epochs logged after the checkpoint we start from
    pending: list[dict[str, Any]] = []

    frame_epochs, frames = run.load_frames(start)

    def checkpoint(epoch: int) -> None:
        guard.checkpoint(epoch, x)  # raises, and writes nothing, if the run has broken down
        if frame_epochs:
            run.save_frames(frame_epochs, frames)
        run.append_metrics(pending)
        pending.clear()
        state: dict[str, Any] = {"model": model.state_dict(), "trainer": trainer.state_dict()}
        state |= {"rng": [g.get_state() for g in gens], "epoch": epoch}
        run.save_checkpoint(state)

    for epoch in range(start + 1, t.epochs + 1):
        tic = time.perf_counter()
        trainer.set_lr(t.lr * t.lr_factor(epoch))
        losses = trainer.epoch(x, gens, t.batch_size).cpu()  # the epoch's only sync
        check_losses(losses, trainer.loss_names, epoch, t.seeds)
        means = losses.mean(0)  # (K, E)
        record = EpochRecord(
            epoch,
            {n: means[i].tolist() for i, n in enumerate(trainer.loss_names)},
            time.perf_counter() - tic,
            losses.shape[0],
        )
        pending.append(record.to_json())
        if t.frame_every and epoch % t.frame_every == 0:
            evals = member_generators(t.seeds, "eval", device, epoch)
            for key, value in trainer.snapshot(x[:, :FRAME_POINTS], evals).items():
                frames.setdefault(key, []).append(value.cpu().numpy())
            frame_epochs.append(epoch)
        if epoch % t.snapshot_every == 0:
            evals = member_generators(t.seeds, "eval", device, epoch)
            views = trainer.snapshot(x, evals)
            views |= trainer.snapshot_views(evals)
            guard.samples(epoch, views[trainer.generated])
            for key, value in views.items():
                snaps[f"{key}_{epoch}"] = value.cpu().numpy()
            run.save_snapshots(snaps)
            if hooks.on_snapshot is not None:
                generated = snaps[f"{trainer.generated}_{epoch}"]
                pending[-1]["eval"] = hooks.on_snapshot(epoch, generated)
        if epoch % t.snapshot_every == 0 or epoch % t.checkpoint_every == 0 or epoch == t.epochs:
            checkpoint(epoch)
        if hooks.on_epoch is not None:
            hooks.on_epoch(record)

    final = trainer.snapshot(x, member_generators(t.seeds, "eval", device, 0))
    atomic.save_npy(run.samples_file, final[trainer.generated].cpu().numpy())
    if "prior" in final:
        atomic.save_npy(run.reconstructions_file, final["samples"].cpu().numpy())
    shown = x.cpu().numpy() if data is None else data.train[None].astype(np.float32)
    atomic.save_npy(run.data_file, shown)  # in the data's units
    return FitResult(run, model.cpu(), t.epochs)


def load_model(
    run: RunDir,
    device: str | torch.device = "cpu",
    *,
    sampler: str | None = None,
    rejection_gamma: float | None = None,
    checkpoint: dict[str, Any] | None = None,
) -> VAE | GAN:
    """The trained model of a run, from its last checkpoint (or the ``checkpoint`` already
    read); ``sampler`` replaces a GAN's own (``GANConfig.sampler``), ``rejection_gamma`` its
    rejection sampler's γ (the run's own for its own sampler, else 0)."""
    ckpt = run.load_checkpoint() if checkpoint is None else checkpoint
    if ckpt is None:
        raise UserError(f"run {run.path} has no checkpoint yet: train it first")
    config = run.config()
    if sampler is not None:
        if not isinstance(config.arch, GANConfig) or sampler not in SAMPLERS:
            raise UserError(
                f"sampler {sampler!r} needs a GAN run and one of {', '.join(SAMPLERS)}; "
                f"{run.path} holds a {config.model}"
            )
        gamma = config.arch.rejection_gamma if sampler == "rejection" else 0.0  # its own only
        arch = dataclasses.replace(config.arch, sampler=sampler, rejection_gamma=gamma)
        config = dataclasses.replace(config, arch=arch)
    if rejection_gamma is not None:
        if not isinstance(config.arch, GANConfig) or config.arch.sampler != "rejection":
            what = (
                f"samples with {config.sampler!r}: add sampler 'rejection'"
                if isinstance(config.arch, GANConfig)
                else f"is a {config.model} run"
            )
            raise UserError(f"rejection_gamma {rejection_gamma!r} needs the rejection sampler "
                            f"of a GAN; {run.path} {what}")  # fmt: skip
        arch = dataclasses.replace(config.arch, rejection_gamma=rejection_gamma)
        config = dataclasses.replace(config, arch=arch)
    model = build_model(config, torch.device(device), run.user_data())
    model.load_state_dict(ckpt["model"])
    return model
