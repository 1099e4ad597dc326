"""The trainers of the VAE and the λ-GAN: one epoch on the member axis, snapshots, state.

Data path: config → per-member data (E, N, 2) on the device → per-epoch shuffles and noise
drawn from each member's own stream → batches ``X[perm].split(B)`` → model → objective →
optimizer step → losses collected in a tensor (steps, K, E), read once per epoch by ``fit``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from genlab import objectives as obj
from genlab.base.rng import member_generators, randn_members, randperm_members
from genlab.data.registry import get_dataset
from genlab.models.gan import GAN
from genlab.models.vae import VAE
from genlab.optim.adam import adam_step, make_adam
from genlab.optim.flat import flatten_parameters
from genlab.optim.game_steps import make_rule_step
from genlab.training.compiled import compiled_gan_step, compiled_vae_step, step_groups
from genlab.training.config import GANConfig, RunConfig, VAEConfig


def training_data(config: RunConfig, device: torch.device) -> torch.Tensor:
    """Each member's own training set, drawn from its ``data`` stream: (E, N, 2) float32."""
    t = config.train
    spec = get_dataset(t.dataset)
    gens = member_generators(t.seeds, "data")
    data = [spec.sample(t.n_samples, noise=t.noise, generator=g) for g in gens]
    return torch.stack(data).float().to(device)


def member_index(params: Iterable[nn.Parameter]) -> torch.Tensor:
    """The member of each entry of the flat buffer over ``params`` (``flatten_parameters``
    concatenates them in order, each (E, ...) and row-major): entry i of parameter p belongs to
    member i // (p.numel() / E). Returns (numel,) int64, on the parameters' device."""
    return torch.cat(
        [torch.arange(p.shape[0], device=p.device).repeat_interleave(p[0].numel()) for p in params]
    )


@dataclass(frozen=True)
class FlatBuffer:
    """One flat parameter buffer of a trainer (``genlab.optim.flat``) with its optimizer, named
    by player: what ``fit`` checks at every checkpoint (``genlab.training.loop``)."""

    player: str
    """Whose parameters: "VAE", "discriminator" or "generator"."""
    flat: torch.Tensor
    member: torch.Tensor
    """(numel,) the member of each entry (``member_index``)."""
    opt: torch.optim.Optimizer
    prev: torch.Tensor | None = None
    """The optimistic rule's previous step Δ_{t−1} (``OptimisticStep.prev``), kept beside the
    optimizer's state; None for the other rules and the VAE."""

    def state(self) -> dict[str, torch.Tensor]:
        """Every floating tensor of the optimizer's state (Adam: step, exp_avg, exp_avg_sq; none
        for SGD) and ``prev``, by name. Looked up at each call: loading a checkpoint replaces
        the optimizer's state tensors. (``get``: indexing the optimizer's defaultdict would add
        an empty entry to the checkpoint of an SGD run.)"""
        own = self.opt.state.get(self.flat, {})
        state = {k: v for k, v in own.items() if torch.is_tensor(v) and v.is_floating_point()}
        return state if self.prev is None else state | {"prev": self.prev}


def build_model(config: RunConfig, device: torch.device) -> VAE | GAN:
    """The ensemble model, member e initialised from seed e exactly as the homework's modules."""
    members = len(config.train.seeds)
    arch = config.arch
    model = VAE(arch, members) if isinstance(arch, VAEConfig) else GAN(arch, members)
    for e, g in enumerate(member_generators(config.train.seeds, "init")):
        model.reset_member(e, g)
    return model.to(device)


class VAETrainer:
    """One epoch of the homework's VAE: reg·MSE + KL, Adam over encoder and decoder."""

    loss_names = ("loss", "mse", "kl")
    generated = "prior"
    """The snapshot kind that holds the model's own samples (evaluated at snapshots)."""

    def __init__(self, model: VAE, config: RunConfig) -> None:
        assert isinstance(config.arch, VAEConfig)
        self.model, self.arch = model, config.arch
        self.flat = flatten_parameters(model.parameters())
        self.opt = make_adam([self.flat], config.train.lr)
        self.buffers = [FlatBuffer("VAE", self.flat, member_index(model.parameters()), self.opt)]
        self.compiled = compiled_vae_step(self) if config.train.compile else None

    def _eager_step(self, x: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        m = self.model
        loss, mse, kl = obj.vae_losses(m.encode, m.decode, x, eps, self.arch.reg_coeff)
        self.flat.grad.zero_()  # type: ignore[union-attr]  # flat buffers carry a grad
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
            out: list[torch.Tensor] = []
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

    def snapshot_views(self, gens: list[torch.Generator]) -> dict[str, torch.Tensor]:
        """Nothing beyond the samples, for a VAE."""
        return {}

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
    generated = "samples"

    def __init__(self, model: GAN, config: RunConfig) -> None:
        assert isinstance(config.arch, GANConfig)
        self.model, self.arch, self.batch = model, config.arch, config.train.batch_size
        self.limit = get_dataset(config.train.dataset).limit
        self.game = make_rule_step(
            config.arch.rule,
            model.discriminator.parameters(),
            model.generator.parameters(),
            config.train.lr,
            config.arch.base_optimizer,
        )
        prev = getattr(self.game, "prev", (None, None))  # OptimisticStep's Δ_{t−1}, (d, g)
        players = {"discriminator": self.game.d, "generator": self.game.g}
        self.buffers = [
            FlatBuffer(name, p.flat, member_index(p.params), p.opt, t)
            for (name, p), t in zip(players.items(), prev, strict=True)
        ]
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
        out: list[torch.Tensor] = []
        for i, xb in enumerate(xs):
            draws = iter(noise[:, i * k : (i + 1) * k].unbind(1))

            def closure(player: str, xb: torch.Tensor = xb, draws=draws) -> torch.Tensor:
                z = next(draws)
                return self.d_loss(xb, z) if player == "d" else self.g_loss(z)

            out.append(torch.stack(self.game.step(closure)))
        return torch.stack(out)  # (steps, 2, E)

    def _compiled_epoch(self, xs: list[torch.Tensor], noise: torch.Tensor) -> list[torch.Tensor]:
        out: list[torch.Tensor] = []
        assert self.compiled is not None
        for r in step_groups(xs):
            out += self.compiled([xs[i] for i in r], [noise[:, 2 * i] for i in r],
                                 [noise[:, 2 * i + 1] for i in r])  # fmt: skip
        return out

    @torch.no_grad()
    def snapshot(self, x: torch.Tensor, gens: list[torch.Generator]) -> dict[str, torch.Tensor]:
        """The generator's own points G(z), whatever the sampler: rejection sampling, which
        needs a trained D, applies to ``genlab sample`` and the evaluation only."""
        return {"samples": self.model.generate_samples(x.shape[1], generators=gens)}

    def snapshot_views(
        self, gens: list[torch.Generator], *, grid: int = 64, points: int = 256
    ) -> dict[str, torch.Tensor]:
        """What GAN Lab (Kahng et al. 2018) shows: the discriminator's logit on a grid over
        the dataset's window [−limit, limit]² (``disc_logits`` (E, R, R), row i ↔ y_i,
        column j ↔ x_j), generated points x = G(z) (``gen_points`` (E, m, 2)) and the direction
        the generator's update moves each of them, −∂ℓ_G(x)/∂x of the per-point generator loss
        (``gen_grad``)."""
        model, members, limit = self.model, self.model.members, self.limit
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
    if isinstance(model, VAE):
        return VAETrainer(model, config)
    return GANTrainer(model, config)
