"""Guards of a training run: what is checked so that the last checkpoint is always good.

- ``check_losses``: every epoch's losses are finite (the epoch's one sync reads them anyway);
- ``Guard``: at every checkpoint, every parameter and optimizer-state tensor is finite, the
  model's own samples stay within ``SAMPLE_BOUND`` plot windows, and no member is frozen (its
  parameters bit-identical to the previous checkpoint's although it trained in between); the
  checkpoint a resume starts from is checked the same way.

A failed guard raises ``NonFiniteLossError`` / ``DivergedError`` naming the epoch, the step,
the member and its seed, before anything is written.
"""

from __future__ import annotations

import torch

from genlab.base.errors import DivergedError, NonFiniteLossError
from genlab.base.rng import member_generators
from genlab.training.config import RunConfig
from genlab.training.trainers import GANTrainer, VAETrainer
from genlab.training.window import Window

SAMPLE_BOUND = 100
"""How far the model's own samples may go from the center of the data's window, in its
half-widths (``genlab.training.window``: [−limit, limit]^d for a registered dataset, 150 for
the swiss roll; a data file's padded range), before the run counts as diverged.

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


def check_losses(losses: torch.Tensor, names: tuple[str, ...], epoch: int, seeds) -> None:
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


class Guard:
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

    def __init__(
        self, trainer: VAETrainer | GANTrainer, config: RunConfig, epoch: int, window: Window
    ) -> None:
        t = config.train
        self.trainer, self.seeds = trainer, t.seeds
        self.center = torch.as_tensor(window.center, dtype=torch.float32)
        self.half_width = torch.as_tensor(window.half_width, dtype=torch.float32)
        hw = window.half_width
        self.uniform = bool((window.center == 0).all() and (hw == hw[0]).all())
        self.bound = SAMPLE_BOUND * float(window.half_width.max())
        self.window = f"{SAMPLE_BOUND} × {window.name}"
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
        """(b) ``samples`` (E, n, d), the model's own points at ``epoch``, in data units, within
        the bound: |x − center| ≤ SAMPLE_BOUND · half-width in every dimension."""
        if self.uniform:  # a registered dataset's window: [−limit, limit]^d
            far = samples.abs().flatten(1).amax(1).cpu()  # (E,) the largest |coordinate|
            bad = ~(far <= self.bound)  # NaN counts as far
            reached = f"|coordinate| {far.max():.4g} > {self.bound:g}"
        else:  # a data file's window: per dimension, from its center
            ratio = ((samples.cpu() - self.center).abs() / self.half_width).flatten(1).amax(1)
            bad = ~(ratio <= SAMPLE_BOUND)
            reached = f"{ratio.max():.4g} half-widths from the data's center > {SAMPLE_BOUND}"
        if bad.any():
            raise self._stop(
                f"generated points left the data after step {self.steps} of epoch {epoch}: "
                f"{_who(bad.nonzero().flatten(), self.seeds)} reached {reached} ({self.window})"
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
