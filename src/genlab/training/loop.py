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
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genlab.base import atomic
from genlab.base.errors import UserError
from genlab.base.rng import member_generators
from genlab.data.user_data import UserData
from genlab.models.config import DEFAULT_GMM_COMPONENTS, VAE_SAMPLERS
from genlab.models.gan import GAN
from genlab.models.vae import VAE
from genlab.training.config import SAMPLERS, GANConfig, RunConfig, VAEConfig
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
    packages: tuple[Path, ...] = ()
    """The compiled step's AOTInductor packages this run loaded (``genlab.training.packaged``;
    none for an eager run, or one compiled by ``torch.compile`` off the CPU)."""


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
    model = model.cpu()
    prepare_sampler(model, config, data)
    packaged = getattr(trainer.compiled, "packaged", None)
    return FitResult(run, model, t.epochs, () if packaged is None else packaged.paths())


def load_model(
    run: RunDir,
    device: str | torch.device = "cpu",
    *,
    sampler: str | None = None,
    rejection_gamma: float | None = None,
    gmm_components: int | None = None,
    checkpoint: dict[str, Any] | None = None,
) -> VAE | GAN:
    """The trained model of a run, from its last checkpoint (or the ``checkpoint`` already
    read), sampling as ``sampling_config`` says; a VAE's ``posterior_gmm`` mixture is fitted
    to the run's training points here."""
    ckpt = run.load_checkpoint() if checkpoint is None else checkpoint
    if ckpt is None:
        raise UserError(f"run {run.path} has no checkpoint yet: train it first")
    config = sampling_config(run.config(), sampler, rejection_gamma, gmm_components)
    data = run.user_data()
    model = build_model(config, torch.device(device), data)
    model.load_state_dict(ckpt["model"])
    prepare_sampler(model, config, data)
    return model


def prepare_sampler(model: VAE | GAN, config: RunConfig, data: UserData | None) -> None:
    """What the configured sampler needs once the weights are final: a VAE's ``posterior_gmm``
    mixture, fitted to the encoder means of the run's own training points."""
    if isinstance(model, VAE) and model.config.sampler == "posterior_gmm":
        x = training_data(config, next(model.parameters()).device, data)
        model.fit_latent_density(x, config.train.seeds)


def sampling_config(
    config: RunConfig,
    sampler: str | None = None,
    rejection_gamma: float | None = None,
    gmm_components: int | None = None,
) -> RunConfig:
    """``config`` with another sampler, or another setting of its sampler: ``sampler``
    replaces the model's own (``GANConfig.sampler``, ``VAEConfig.sampler``), with the run's own
    setting when it is the run's own sampler and the default otherwise;
    ``rejection_gamma`` sets a GAN's rejection γ, ``gmm_components`` a VAE's mixture size."""
    arch = config.arch
    if sampler is not None:
        allowed = SAMPLERS if isinstance(arch, GANConfig) else VAE_SAMPLERS
        if sampler not in allowed:
            raise UserError(f"sampler {sampler!r} is not a {config.model}'s; allowed: "
                            f"{', '.join(allowed)}")  # fmt: skip
        if sampler != arch.sampler:
            if isinstance(arch, GANConfig):
                arch = dataclasses.replace(arch, sampler=sampler, rejection_gamma=0.0)
            else:
                arch = dataclasses.replace(arch, sampler=sampler,
                                           gmm_components=DEFAULT_GMM_COMPONENTS)  # fmt: skip
    if rejection_gamma is not None:
        if not isinstance(arch, GANConfig) or arch.sampler != "rejection":
            raise UserError(_refused("rejection_gamma", rejection_gamma, "gan", "rejection", arch))
        arch = dataclasses.replace(arch, rejection_gamma=rejection_gamma)
    if gmm_components is not None:
        if not isinstance(arch, VAEConfig) or arch.sampler != "posterior_gmm":
            raise UserError(_refused("gmm_components", gmm_components, "vae", "posterior_gmm",
                                     arch))  # fmt: skip
        arch = dataclasses.replace(arch, gmm_components=gmm_components)
    n = config.train.n_samples  # a run's: a data file's training part once it trained
    if isinstance(arch, VAEConfig) and arch.sampler == "posterior_gmm" and arch.gmm_components > n:
        given = "" if gmm_components is not None else " (the default)"
        raise UserError(f"gmm_components {arch.gmm_components}{given} exceeds the {n} training "
                        f"points the mixture is fitted to; allowed: 1..{n}")  # fmt: skip
    return config if arch is config.arch else dataclasses.replace(config, arch=arch)


def _refused(
    name: str, value: object, model: str, sampler: str, arch: VAEConfig | GANConfig
) -> str:
    """Why ``name`` = ``value`` does not apply to a run of ``arch``, and the way out."""
    kind = "vae" if isinstance(arch, VAEConfig) else "gan"
    fix = f": add sampler {sampler!r}" if kind == model else ""
    return (
        f"{name} {value!r} needs the {sampler} sampler of a {model.upper()}; the {kind}'s "
        f"sampler here is {arch.sampler!r}{fix}"
    )
