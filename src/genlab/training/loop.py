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
from genlab.base.errors import DivergedError, NonFiniteLossError, UserError
from genlab.base.rng import member_generators
from genlab.data.registry import get_dataset
from genlab.models.gan import GAN
from genlab.models.vae import VAE
from genlab.training.config import SAMPLERS, GANConfig, RunConfig
from genlab.training.device import resolve_device
from genlab.training.rundir import RunDir
from genlab.training.trainers import (
    GANTrainer,
    VAETrainer,
    build_model,
    make_trainer,
    training_data,
)

FRAME_POINTS = 1000
"""Points per member in each frame of the training animation."""

SAMPLE_BOUND = 100
"""How far the model's own samples may go, in half-widths ``limit`` of the dataset's plot
window [−limit, limit]² (150 for the swiss roll), before the run counts as diverged.

The data lie inside the window, but a healthy GAN's points swing far out early on: the
homework's GAN (seeds 0–15, default settings) reaches |x| ≈ 15, ten half-widths, around
epochs 40–60, then settles back inside the window (|x| ≲ 2.5 by epoch 100); a VAE's prior
samples stay within ~1.1 half-widths. 100 half-widths is ten times that swing. A step too
large throws the points beyond it for good (``--lr 3``: |x| ≈ 200 from the first epochs,
1800 by epoch 60), where the discriminator's tanh units saturate, the generator's gradient
vanishes and the losses stay finite, so no loss check would ever stop the run."""

CHECK_POINTS = 256
"""Samples per member drawn at every checkpoint for the bound above (from that epoch's
``eval`` streams, which no training draw uses: the run's own numbers do not change)."""


def _check_finite(losses: torch.Tensor, names: tuple[str, ...], epoch: int, seeds) -> None:
    """Raise naming the first non-finite (step, member) of an epoch's losses (steps, K, E)."""
    bad = ~torch.isfinite(losses)
    if bad.any():
        step, k, e = (int(i) for i in bad.nonzero()[0])
        raise NonFiniteLossError(
            f"non-finite {names[k]} ({losses[step, k, e].item()}) at epoch {epoch}, step "
            f"{step + 1} of the epoch, member {e} (seed {seeds[e]}); the run stopped and keeps "
            "its last good checkpoint"
        )


def _who(members, seeds) -> str:
    """Members named with their seeds: member 1 (seed 5), or members 0, 2 (seeds 3, 7)."""
    ms = sorted({int(m) for m in members})
    if len(ms) == 1:
        return f"member {ms[0]} (seed {seeds[ms[0]]})"
    return f"members {', '.join(map(str, ms))} (seeds {', '.join(str(seeds[m]) for m in ms)})"


def _nonfinite(trainer: VAETrainer | GANTrainer, seeds) -> list[str]:
    """Each parameter buffer or optimizer-state tensor that is not finite, with its player,
    its count of NaN/inf entries and the members they belong to: one ``isfinite`` per tensor."""
    found = []
    for b in trainer.buffers:
        for name, t in {"parameters": b.flat, **b.state()}.items():
            if bool(torch.isfinite(t).all()):
                continue
            bad = ~torch.isfinite(t.detach())
            members = b.member[bad] if bad.shape == b.member.shape else range(len(seeds))
            kind = name if name == "parameters" else f"optimizer state {name!r}"
            count = f"{int(bad.sum())} of {t.numel()} entries NaN or inf"
            found.append(f"{b.player} {kind}: {count}, in {_who(members, seeds)}")
    return found


class _Guard:
    """The checks that keep the last checkpoint good, run before each checkpoint is written:
    a run that fails one stops (``DivergedError``) and keeps the checkpoint before.

    Finite losses do not prove a healthy run. Adam with v = inf steps m̂/(√v̂ + ε) = 0: the
    weights freeze while the loss stays finite, and a checkpoint holding that inf freezes every
    resume. So at each checkpoint, one pass over each tensor (never per step):

    (a) every parameter and every floating optimizer-state tensor of both players is finite
        (``_nonfinite``; also checked on the checkpoint a run resumes from);
    (b) the model's own samples stay within ``SAMPLE_BOUND`` half-widths of the dataset's
        window (also at every snapshot, before the snapshot is written or evaluated);
    (c) every member moved: its parameters, per player, differ from the previous checkpoint's.
        lr > 0 always (validated; lr_decay's last epoch still steps with lr / D), so, with (a)
        passed, a member whose parameters stayed bit-identical over whole epochs had zero
        gradients throughout, or a step below float32's resolution: it has stopped learning.
    """

    def __init__(self, trainer: VAETrainer | GANTrainer, config: RunConfig, epoch: int) -> None:
        t = config.train
        spec = get_dataset(t.dataset)
        self.trainer, self.seeds = trainer, t.seeds
        self.bound = SAMPLE_BOUND * spec.limit
        self.window = f"{SAMPLE_BOUND} × the {spec.name} window's half-width {spec.limit}"
        self.steps = -(-t.n_samples // t.batch_size)  # steps per epoch
        self.epoch, self.last = epoch, self._parameters()  # the last checkpoint's, or the start

    def _parameters(self) -> list[torch.Tensor]:
        return [b.flat.detach().clone() for b in self.trainer.buffers]

    def _stop(self, message: str) -> DivergedError:
        if self.epoch:
            return DivergedError(
                f"{message}; the run stopped and keeps its last good checkpoint (epoch "
                f"{self.epoch})"
            )
        return DivergedError(f"{message}; the run stopped before its first checkpoint")

    def _since(self, epoch: int) -> str:
        """The epochs trained since the last checkpoint, up to ``epoch``."""
        first = self.epoch + 1
        return f"epoch {epoch}" if first == epoch else f"epochs {first}..{epoch}"

    def resumed(self) -> None:
        """(a) on the checkpoint just loaded: one written without these checks may hold inf."""
        if found := _nonfinite(self.trainer, self.seeds):
            raise DivergedError(
                f"the checkpoint of epoch {self.epoch} holds non-finite values: "
                f"{'; '.join(found)}; no training can go on from it: train the run again"
            )

    def samples(self, epoch: int, samples: torch.Tensor) -> None:
        """(b) ``samples`` (E, n, 2), the model's own points at ``epoch``, within the bound."""
        far = samples.abs().flatten(1).amax(1).cpu()  # (E,) the largest |coordinate|
        bad = ~(far <= self.bound)  # NaN counts as far
        if bad.any():
            raise self._stop(
                f"generated points left the data after step {self.steps} of epoch {epoch}: "
                f"{_who(bad.nonzero().flatten(), self.seeds)} reached |coordinate| "
                f"{far.max():.4g} > {self.bound:g} ({self.window})"
            )

    def checkpoint(self, epoch: int, x: torch.Tensor) -> None:
        """(a), (b) on ``CHECK_POINTS`` fresh samples, and (c), at the checkpoint of ``epoch``."""
        if found := _nonfinite(self.trainer, self.seeds):
            raise self._stop(
                f"non-finite values after step {self.steps} of epoch {epoch} (arisen in "
                f"{self._since(epoch)}, since the last checkpoint): {'; '.join(found)}"
            )
        evals = member_generators(self.seeds, "eval", x.device, epoch)
        self.samples(
            epoch, self.trainer.snapshot(x[:, :CHECK_POINTS], evals)[self.trainer.generated]
        )
        for b, last in zip(self.trainer.buffers, self.last, strict=True):
            moved = torch.bincount(b.member[b.flat.detach() != last], minlength=len(self.seeds))
            if (frozen := (moved == 0).nonzero().flatten()).numel():
                raise self._stop(
                    f"{_who(frozen, self.seeds)}: the {b.player} parameters did not change "
                    f"over {self._since(epoch)} (checked after step {self.steps} of epoch "
                    f"{epoch}): zero gradients (a saturated discriminator gives a generator "
                    "none) or an lr too small to move float32 weights"
                )
        self.epoch, self.last = epoch, self._parameters()


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
    snapshot epoch with the model's own samples (E, n, 2) (a VAE's prior samples, a GAN's
    G(z)); what it returns (metric name → one value per member) is recorded as that epoch's
    ``eval`` entry in ``metrics.jsonl``.
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
    x = training_data(config, device)
    model = build_model(config, device)
    trainer = make_trainer(model, config)
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

    guard = _Guard(trainer, config, start)
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
        _check_finite(losses, trainer.loss_names, epoch, t.seeds)
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
    atomic.save_npy(run.data_file, x.cpu().numpy())
    return FitResult(run, model.cpu(), t.epochs)


def load_model(
    run: RunDir,
    device: str | torch.device = "cpu",
    *,
    sampler: str | None = None,
    checkpoint: dict[str, Any] | None = None,
) -> VAE | GAN:
    """The trained model of a run, from its last checkpoint (or the ``checkpoint`` already
    read); ``sampler`` replaces a GAN's own (``GANConfig.sampler``)."""
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
        config = dataclasses.replace(config, arch=dataclasses.replace(config.arch, sampler=sampler))
    model = build_model(config, torch.device(device))
    model.load_state_dict(ckpt["model"])
    return model
