"""Training loops for the VAE and the λ-GAN, on the member axis, with checkpoints and resume.

Data path: config → per-member data (E, N, 2) on the device → per-epoch shuffles and noise
drawn from each member's own stream → batches ``X[perm].split(B)`` → model → objective →
optimizer step → losses collected in a tensor, read once per epoch → run directory.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from genlab import atomic
from genlab import objectives as obj
from genlab.adam import adam_step, make_adam
from genlab.compiled import compiled_gan_step, compiled_vae_step, step_groups
from genlab.config import SAMPLERS, GANConfig, RunConfig, VAEConfig
from genlab.data import get_dataset
from genlab.evaluation import evaluate_cheap
from genlab.flat import flatten_parameters
from genlab.game import make_game_step
from genlab.gan import GAN
from genlab.rng import member_generators, randn_members, randperm_members
from genlab.runs import RunDir
from genlab.vae import VAE

FRAME_POINTS = 1000
"""Points per member in each frame of the training animation."""


class NonFiniteLossError(RuntimeError):
    """A loss became NaN or infinite; the run stops and keeps its last good checkpoint."""


def resolve_device(name: str) -> torch.device:
    """``auto`` → cuda when available, else cpu. Asking for cuda without one is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name not in ("cpu", "cuda"):
        raise ValueError(f"unknown device {name!r}; allowed: auto, cpu, cuda")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was asked for, but no CUDA device is available")
    return torch.device(name)


def training_data(config: RunConfig, device: torch.device) -> torch.Tensor:
    """Each member's own training set, drawn from its ``data`` stream: (E, N, 2) float32."""
    t = config.train
    spec = get_dataset(t.dataset)
    gens = member_generators(t.seeds, "data")
    data = [spec.sample(t.n_samples, noise=t.noise, generator=g) for g in gens]
    return torch.stack(data).float().to(device)


def build_model(config: RunConfig, device: torch.device) -> VAE | GAN:
    """The ensemble model, member e initialised from seed e exactly as the homework's modules."""
    members = len(config.train.seeds)
    model = VAE(config.arch, members) if config.model == "vae" else GAN(config.arch, members)
    for e, g in enumerate(member_generators(config.train.seeds, "init")):
        model.reset_member(e, g)
    return model.to(device)


class VAETrainer:
    """One epoch of the homework's VAE: reg·MSE + KL, Adam over encoder and decoder."""

    loss_names = ("loss", "mse", "kl")

    def __init__(self, model: VAE, config: RunConfig) -> None:
        self.model, self.arch = model, config.arch
        self.flat = flatten_parameters(model.parameters())
        self.opt = make_adam([self.flat], config.train.lr)
        self.compiled = compiled_vae_step(self) if config.train.compile else None

    def _eager_step(self, x: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        m = self.model
        loss, mse, kl = obj.vae_losses(m.encode, m.decode, x, eps, self.arch.reg_coeff)
        self.flat.grad.zero_()
        loss.sum().backward()
        adam_step(self.opt)
        return torch.stack((loss.detach(), mse.detach(), kl.detach()))  # (3, E), off the graph

    def epoch(self, x: torch.Tensor, gens: list[torch.Generator], batch: int) -> torch.Tensor:
        n = x.shape[1]
        perm = randperm_members(gens, n, x.device)  # (E, N)
        eps = randn_members(gens, (n, self.arch.latent_dim), x.device)  # (E, N, latent)
        xs = x.gather(1, perm[..., None].expand(-1, -1, x.shape[2])).split(batch, dim=1)
        epss = eps.split(batch, dim=1)
        if self.compiled is not None:  # compiled whole, two steps per call
            out = []
            for r in step_groups(xs):
                out += self.compiled([xs[i] for i in r], [epss[i] for i in r])
            return torch.stack(out)
        return torch.stack([self._eager_step(xb, eb) for xb, eb in zip(xs, epss, strict=True)])

    @torch.no_grad()
    def snapshot(self, x: torch.Tensor, gens: list[torch.Generator]) -> dict[str, torch.Tensor]:
        """Reconstructions decode(mu(x)) of the training data (the homework's figure), and
        samples from the prior N(0, I)."""
        return {
            "samples": self.model.reconstruct(x),
            "prior": self.model.sample(x.shape[1], generators=gens),
        }

    def set_lr(self, lr: float) -> None:
        for group in self.opt.param_groups:
            group["lr"] = lr

    def state_dict(self) -> dict[str, Any]:
        return {"optimizer": self.opt.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.opt.load_state_dict(state["optimizer"])


class GANTrainer:
    """One epoch of the homework's λ-GAN; the game step (default: alternating Adam) owns phases."""

    loss_names = ("d_loss", "g_loss")

    def __init__(self, model: GAN, config: RunConfig) -> None:
        self.model, self.arch, self.batch = model, config.arch, config.train.batch_size
        self.game = make_game_step(
            config.arch.game_optimizer,
            model.discriminator.parameters(),
            model.generator.parameters(),
            config.train.lr,
        )
        self.compiled = compiled_gan_step(self) if config.train.compile else None

    def d_loss(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            fake = self.model.generate(z)  # (E, B, 2); no gradient into G on D's step
        return obj.discriminator_step_loss(self.model.discriminate, x, fake, self.arch.lam)

    def g_loss(self, z: torch.Tensor) -> torch.Tensor:
        logits = self.model.discriminate(self.model.generate(z))
        return obj.generator_loss(logits, self.arch.generator_loss)

    def epoch(self, x: torch.Tensor, gens: list[torch.Generator], batch: int) -> torch.Tensor:
        n, k = x.shape[1], self.game.draws_per_step
        perm = randperm_members(gens, n, x.device)
        xs = x.gather(1, perm[..., None].expand(-1, -1, x.shape[2])).split(batch, dim=1)
        # The homework draws batch_size noise vectors per step, also for the last short batch.
        noise = randn_members(gens, (len(xs) * k, self.batch, self.arch.z_dim), x.device)
        if self.compiled is not None:  # the alternating step, compiled whole, two at a time
            return torch.stack(self._compiled_epoch(xs, noise))
        out = []
        for i, xb in enumerate(xs):
            draws = iter(noise[:, i * k : (i + 1) * k].unbind(1))

            def closure(player: str, xb: torch.Tensor = xb, draws=draws) -> torch.Tensor:
                z = next(draws)
                return self.d_loss(xb, z) if player == "d" else self.g_loss(z)

            out.append(torch.stack(self.game.step(closure)))
        return torch.stack(out)  # (steps, 2, E)

    def _compiled_epoch(self, xs: list[torch.Tensor], noise: torch.Tensor) -> list[torch.Tensor]:
        out = []
        for r in step_groups(xs):
            out += self.compiled([xs[i] for i in r], [noise[:, 2 * i] for i in r],
                                 [noise[:, 2 * i + 1] for i in r])  # fmt: skip
        return out

    @torch.no_grad()
    def snapshot(self, x: torch.Tensor, gens: list[torch.Generator]) -> dict[str, torch.Tensor]:
        """The generator's own points G(z), whatever the sampler: rejection sampling, which
        needs a trained D, applies to ``genlab sample`` and the evaluation only."""
        return {"samples": self.model.generate_samples(x.shape[1], generators=gens)}

    def game_view(
        self, limit: float, gens: list[torch.Generator], *, grid: int = 64, points: int = 256
    ) -> dict[str, torch.Tensor]:
        """What GAN Lab (Kahng et al. 2018) shows: the discriminator's logit on a grid over
        [−limit, limit]² (``disc_logits`` (E, R, R), row i ↔ y_i, column j ↔ x_j), generated
        points x = G(z) (``gen_points`` (E, m, 2)) and the direction the generator's update
        moves each of them, −∂ℓ_G(x)/∂x of the per-point generator loss (``gen_grad``)."""
        model, members = self.model, self.model.members
        axis = torch.linspace(-limit, limit, grid, device=gens[0].device)
        yy, xx = torch.meshgrid(axis, axis, indexing="ij")
        cells = torch.stack((xx, yy), dim=-1).reshape(1, -1, 2).expand(members, -1, -1)
        with torch.no_grad():
            logits = model.discriminate(cells).reshape(members, grid, grid)
            fake = model.generate_samples(points, generators=gens)  # G's own points
        fake.requires_grad_(True)
        with torch.enable_grad():
            loss = obj.generator_loss(model.discriminate(fake), self.arch.generator_loss)
            (grad,) = torch.autograd.grad(loss.sum() * points, fake)  # per point: undo the mean
        return {"disc_logits": logits, "gen_points": fake.detach(), "gen_grad": -grad}

    def set_lr(self, lr: float) -> None:
        """Both players' learning rate (the schedule of ``TrainConfig.lr_factor``)."""
        for player in (self.game.d, self.game.g):
            for group in player.opt.param_groups:
                group["lr"] = lr

    def state_dict(self) -> dict[str, Any]:
        return {"game": self.game.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.game.load_state_dict(state["game"])


def make_trainer(model: VAE | GAN, config: RunConfig) -> VAETrainer | GANTrainer:
    if isinstance(config.arch, VAEConfig):
        return VAETrainer(model, config)
    assert isinstance(config.arch, GANConfig)
    return GANTrainer(model, config)


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


@dataclass(frozen=True)
class EpochRecord:
    """Per-epoch means over steps, per member (lists of length E), and timing."""

    epoch: int
    losses: dict[str, list[float]]
    seconds: float
    steps: int

    def to_json(self) -> dict[str, Any]:
        return {"epoch": self.epoch, **self.losses, "seconds": self.seconds, "steps": self.steps}


def fit(run: RunDir, *, on_epoch: Callable[[EpochRecord], None] | None = None) -> RunDir:
    """Train the run in ``run`` from its last checkpoint (or from scratch) to its last epoch.

    Writes metrics at every checkpoint, snapshots every ``epochs // snapshots`` epochs, and at
    the end the final samples. Resuming replays nothing: parameters, optimizer moments and
    every member's random stream come back from the checkpoint, so a resumed run ends exactly
    where an uninterrupted one would.
    """
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

    run.truncate_metrics(start)  # drop epochs logged after the checkpoint we start from
    pending: list[dict[str, Any]] = []

    frame_epochs, frames = run.load_frames(start)

    def checkpoint(epoch: int) -> None:
        if frame_epochs:
            run.save_frames(frame_epochs, frames)
        run.append_metrics(pending)
        pending.clear()
        state = {"model": model.state_dict(), "trainer": trainer.state_dict()}
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
            for key, value in trainer.snapshot(x, evals).items():
                snaps[f"{key}_{epoch}"] = value.cpu().numpy()
            if isinstance(trainer, GANTrainer):
                limit = get_dataset(t.dataset).limit
                for key, value in trainer.game_view(limit, evals).items():
                    snaps[f"{key}_{epoch}"] = value.cpu().numpy()
            run.save_snapshots(snaps)
            generated = snaps[f"{'prior' if config.model == 'vae' else 'samples'}_{epoch}"]
            pending[-1]["eval"] = snapshot_metrics(generated, t.dataset, t.noise)
        if epoch % t.snapshot_every == 0 or epoch % t.checkpoint_every == 0 or epoch == t.epochs:
            checkpoint(epoch)
        if on_epoch is not None:
            on_epoch(record)

    final = trainer.snapshot(x, member_generators(t.seeds, "eval", device, 0))
    atomic.save_npy(run.samples_file, final["prior" if "prior" in final else "samples"].cpu())
    if "prior" in final:
        atomic.save_npy(run.path / "reconstructions.npy", final["samples"].cpu().numpy())
    atomic.save_npy(run.path / "data.npy", x.cpu().numpy())
    return run


def snapshot_metrics(samples: np.ndarray, dataset: str, noise: float | None) -> dict:
    """The cheap metric subset (``evaluate_cheap``) of each member's samples: name → [E]."""
    per_member = [
        evaluate_cheap(x, dataset, n=len(x), noise=noise).scores for x in samples
    ]  # (E,) of name → Score
    return {k: [s[k].value for s in per_member] for k in per_member[0]}


def load_model(
    run: RunDir, device: str | torch.device = "cpu", *, sampler: str | None = None
) -> VAE | GAN:
    """The trained model of a run, from its last checkpoint; ``sampler`` replaces a GAN's own
    (``GANConfig.sampler``)."""
    ckpt = run.load_checkpoint()
    if ckpt is None:
        raise FileNotFoundError(f"run {run.path} has no checkpoint yet")
    config = run.config()
    if sampler is not None:
        if config.model != "gan" or sampler not in SAMPLERS:
            raise ValueError(
                f"sampler {sampler!r} needs a GAN run and one of {', '.join(SAMPLERS)}; "
                f"{run.path} holds a {config.model}"
            )
        config = dataclasses.replace(config, arch=dataclasses.replace(config.arch, sampler=sampler))
    model = build_model(config, torch.device(device))
    model.load_state_dict(ckpt["model"])
    return model
