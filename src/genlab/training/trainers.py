"""The trainers of the VAE and the λ-GAN: one epoch on the member axis, snapshots, state.

Data path: config → per-member data (E, N, d) on the device, in model units → per-epoch
shuffles and noise drawn from each member's own stream → batches ``X[perm].split(B)`` → model
→ objective → optimizer step → losses collected in a tensor (steps, K, E), read once per epoch
by ``fit``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from genlab import objectives as obj
from genlab.base.rng import member_generators, rand_members, randn_members, randperm_members
from genlab.data.registry import get_dataset
from genlab.data.user_data import UserData
from genlab.models.gan import GAN
from genlab.models.vae import VAE
from genlab.optim.adam import adam_step, make_adam
from genlab.optim.flat import flatten_parameters
from genlab.optim.game_steps import make_rule_step
from genlab.training.compiled import compiled_gan_step, compiled_vae_step, step_groups
from genlab.training.config import GANConfig, RunConfig, VAEConfig
from genlab.training.window import Window, data_window


def training_data(
    config: RunConfig, device: torch.device, data: UserData | None = None
) -> torch.Tensor:
    """Each member's training set (E, N, d) float32 in model units: for a registered dataset
    its own draw from its ``data`` stream; for a data file the training part of ``data``
    (standardized when the run is), one copy viewed by every member."""
    t = config.train
    if data is not None:
        x = torch.from_numpy(data.to_model(data.train)).float().to(device)
        return x.expand(len(t.seeds), -1, -1)
    spec = get_dataset(t.dataset)
    gens = member_generators(t.seeds, "data")
    draws = [spec.sample(t.n_samples, noise=t.noise, generator=g) for g in gens]
    return torch.stack(draws).float().to(device)


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


def build_model(config: RunConfig, device: torch.device, data: UserData | None = None) -> VAE | GAN:
    """The ensemble model for the run's points (``data``: a data file's split, which gives the
    dimension and the standardization), member e initialised from seed e exactly as the
    homework's modules."""
    members = len(config.train.seeds)
    arch = config.arch
    dim = data.dim if data is not None else config.train.data_dim
    assert dim is not None, "a data file's run needs its data"
    model = VAE(arch, members, dim) if isinstance(arch, VAEConfig) else GAN(arch, members, dim)
    for e, g in enumerate(member_generators(config.train.seeds, "init")):
        model.reset_member(e, g)
    if data is not None:
        model.scale.set(torch.from_numpy(data.mean), torch.from_numpy(data.std))
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
        samples from the prior N(0, I), whatever the run's sampler (the homework's views)."""
        return {
            "samples": self.model.reconstruct(x),
            "prior": self.model.sample_prior(x.shape[1], generators=gens),
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
    """One epoch of the homework's λ-GAN; the game step (default: alternating Adam) owns phases.

    Options of ``GANConfig`` change what D sees and what the players minimise, never the data
    path: with ``pack`` = m, D scores ⌊B/m⌋ packs of m consecutive points of each batch, real
    and generated alike (PacGAN, Lin et al. 2018; ``genlab.models.packing``); with
    ``objective = "wgan_gp"`` D is a critic trained on WGAN-GP's loss, and each D draw also
    draws the uniforms ε of its interpolates from the member's ``train`` stream, after the
    epoch's noise (Gulrajani et al. 2017; ``genlab.objectives``); ``critic_steps`` is the game
    step's (``genlab.optim.game_steps.AlternatingStep``).
    """

    loss_names = ("d_loss", "g_loss")
    generated = "samples"

    def __init__(self, model: GAN, config: RunConfig, window: Window | None = None) -> None:
        assert isinstance(config.arch, GANConfig)
        self.model, self.arch, self.batch = model, config.arch, config.train.batch_size
        self.window = window if window is not None else data_window(config.train)
        self.wgan = config.arch.objective == "wgan_gp"
        self.game = make_rule_step(
            config.arch.rule,
            model.discriminator.parameters(),
            model.generator.parameters(),
            config.train.lr,
            config.arch.base_optimizer,
            betas=config.arch.adam_betas,
            critic_steps=config.arch.critic_steps,
        )
        prev = getattr(self.game, "prev", (None, None))  # OptimisticStep's Δ_{t−1}, (d, g)
        players = {"discriminator": self.game.d, "generator": self.game.g}
        self.buffers = [
            FlatBuffer(name, p.flat, member_index(p.params), p.opt, t)
            for (name, p), t in zip(players.items(), prev, strict=True)
        ]
        self.compiled = compiled_gan_step(self) if config.train.compile else None

    def d_loss(
        self, x: torch.Tensor, z: torch.Tensor, eps: torch.Tensor | None = None
    ) -> torch.Tensor:
        """D's loss on real x (E, b, d) and G(z): the λ-GAN's, or with wgan_gp the critic's,
        whose interpolates take ε from ``eps`` (E, ≥ ⌊b/m⌋); on packs when pack > 1."""
        m = self.model
        with torch.no_grad():
            fake = m.generate(z)  # (E, B, d); no gradient into G on D's step
        real, fake = m.packed(x), m.packed(fake)  # (E, ⌊b/m⌋, m·d), (E, ⌊B/m⌋, m·d)
        if self.wgan:
            assert eps is not None, "a WGAN-GP critic step needs its ε"
            return obj.wgan_gp_critic_step_loss(
                m.discriminate, real, fake, eps, self.arch.gp_weight
            )
        return obj.discriminator_step_loss(m.discriminate, real, fake, self.arch.lam)

    def g_loss(self, z: torch.Tensor) -> torch.Tensor:
        scores = self.model.discriminate(self.model.packed(self.model.generate(z)))
        if self.wgan:
            return obj.wasserstein_generator_loss(scores)
        return obj.generator_loss(scores, self.arch.generator_loss)

    def epoch(self, x: torch.Tensor, gens: list[torch.Generator], batch: int) -> torch.Tensor:
        n, k = x.shape[1], self.game.draws_per_step
        perm = randperm_members(gens, n, x.device)
        xs = x.gather(1, perm[..., None].expand(-1, -1, x.shape[2])).split(batch, dim=1)
        # The homework draws batch_size noise vectors per step, also for the last short batch.
        noise = randn_members(gens, (len(xs) * k, self.batch, self.arch.z_dim), x.device)
        if self.compiled is not None:  # the alternating step, compiled whole, two at a time
            return torch.stack(self._compiled_epoch(xs, noise))
        # WGAN-GP: one ε per interpolate, batch_size per draw (only D's draws use theirs)
        eps = rand_members(gens, (len(xs) * k, self.batch), x.device) if self.wgan else None
        out: list[torch.Tensor] = []
        for i, xb in enumerate(xs):
            if xb.shape[1] < self.arch.pack:  # a last batch too short to form one pack
                continue
            zs = noise[:, i * k : (i + 1) * k].unbind(1)
            es = eps[:, i * k : (i + 1) * k].unbind(1) if eps is not None else (None,) * k
            draws = iter(zip(zs, es, strict=True))

            def closure(player: str, xb: torch.Tensor = xb, draws=draws) -> torch.Tensor:
                z, e = next(draws)
                return self.d_loss(xb, z, e) if player == "d" else self.g_loss(z)

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
        """What GAN Lab (Kahng et al. 2018) shows, for a λ-GAN of single points (pack 1) on 2-D
        data (nothing otherwise): the
        discriminator's logit on a grid over the data's window (``disc_logits`` (E, R, R),
        row i ↔ y_i, column j ↔ x_j), generated points x = G(z) (``gen_points`` (E, m, 2)) and
        the direction the generator's update moves each of them, −∂ℓ_G(x)/∂x of the per-point
        generator loss (``gen_grad``); all in the data's units."""
        model, members, win = self.model, self.model.members, self.window
        if model.data_dim != 2 or self.arch.pack > 1 or self.wgan:
            return {}  # D of one point is what the view shows: not a pack's, not a critic's
        device = gens[0].device
        ax, ay = (torch.linspace(float(lo), float(hi), grid, device=device)
                  for lo, hi in zip(win.lo, win.hi, strict=True))  # fmt: skip
        yy, xx = torch.meshgrid(ay, ax, indexing="ij")
        cells = torch.stack((xx, yy), dim=-1).reshape(1, -1, 2).expand(members, -1, -1)
        with torch.no_grad():
            logits = model.discriminate(model.scale.to_model(cells)).reshape(members, grid, grid)
            fake = model._generate(points, gens)  # G's own points, model units
        fake.requires_grad_(True)
        with torch.enable_grad():
            loss = obj.generator_loss(model.discriminate(fake), self.arch.generator_loss)
            (grad,) = torch.autograd.grad(loss.sum() * points, fake)  # per point: undo the mean
        return {
            "disc_logits": logits,
            "gen_points": model.scale.to_data(fake.detach()),
            "gen_grad": -model.scale.grad_to_data(grad),
        }

    def set_lr(self, lr: float) -> None:
        """Both players' learning rate (the schedule of ``TrainConfig.lr_factor``)."""
        for player in (self.game.d, self.game.g):
            for group in player.opt.param_groups:
                group["lr"] = lr

    def state_dict(self) -> dict[str, Any]:
        return {"game": self.game.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.game.load_state_dict(state["game"])


def make_trainer(
    model: VAE | GAN, config: RunConfig, window: Window | None = None
) -> VAETrainer | GANTrainer:
    """The trainer of ``model``; ``window`` (the data's, ``data_window``) for GAN Lab's view."""
    if isinstance(model, VAE):
        return VAETrainer(model, config)
    return GANTrainer(model, config, window)
