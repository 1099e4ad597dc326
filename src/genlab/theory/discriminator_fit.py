"""The discriminator as an estimator: train the homework's D alone against a fixed, known q.

With q fixed, the λ-GAN discriminator step is plain stochastic optimisation of
L(φ) = −(E_p log D_φ + λ E_q log(1 − D_φ)) (hw12 Problem 4, ``D_loss``), whose minimiser over
all functions is D* = p/(p + λq) (hw12 Problem 2). So a trained D can be scored against the
exact answer: its logit against s* = log p − log λ − log q, and its value against max V_λ.
The excess loss has a closed form, pointwise a Bernoulli KL (expand both logs):

    V_λ(D*) − V_λ(D) = ∫ (p + λq)·[D* log(D*/D) + (1 − D*) log((1 − D*)/(1 − D))] dx ≥ 0,

computed here by quadrature, and by Monte Carlo as the paired difference on shared samples.
The homework's D is 2 → 128 tanh → 128 tanh → 1 logit, trained with Adam (lr 5e-4), batches
of 64 from p and 64 from q, drawn fresh each step; E members (seeds) train side by side.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from genlab import objectives
from genlab.base.checks import check_int
from genlab.base.errors import UserError
from genlab.base.rng import member_generators
from genlab.models.nn import EnsembleMLP
from genlab.optim.flat import flatten_parameters
from genlab.optim.game_steps import make_adam
from genlab.theory.densities import Density, get_density
from genlab.theory.divergences import check_lambda, optimal_logit, value_integrand
from genlab.theory.identity import pair_for
from genlab.theory.quadrature import Grid, uniform_grid
from genlab.training.config import GANConfig

BLOCK = 250
"""Steps whose fresh samples are drawn at once (one sampler call per member and block)."""


@dataclass(frozen=True)
class FitConfig:
    """What to fit; the defaults are the homework's (λ = 500, batch 64, Adam 5e-4)."""

    p: str = "swiss_roll"
    """Registered density of the data (``genlab.theory.densities.DENSITIES``)."""
    q: str = "gaussian"
    """Registered density standing in for a fixed generator."""
    lam: float = 500.0
    steps: int = 20_000
    batch_size: int = 64
    """Samples from p and, separately, from q per step."""
    lr: float = 5e-4
    seeds: tuple[int, ...] = (0,)
    eval_samples: int = 100_000
    """Fresh samples from p and from q for the Monte Carlo value."""
    limit: float = 1.5
    """Half-width of the error grid / plotting window [−limit, limit]²."""
    grid_n: int = 150
    """Cells per axis of that grid."""
    exact_spacing: float = 0.8
    """Quadrature spacing of the exact max V_λ(D*), in units of the narrowest std."""

    def __post_init__(self) -> None:
        get_density(self.p), get_density(self.q)
        check_lambda(self.lam)
        for name in ("steps", "batch_size", "eval_samples", "grid_n"):
            v = getattr(self, name)
            check_int(name, v, 2 if name == "eval_samples" else 1)
        for name in ("lr", "limit", "exact_spacing"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise UserError(f"{name} must be a finite number > 0, got {v!r}")
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise UserError(f"seeds must be distinct and at least one, got {self.seeds!r}")
        for s in self.seeds:
            check_int("seeds", s, 0)


@dataclass(frozen=True)
class MemberFit:
    """How close one trained discriminator (one seed) came to D*."""

    seed: int
    lam: float
    steps: int
    logit_rmse: float
    """sqrt(∫ m (s − s*)² / ∫ m), m = (p + q)/2. Dominated by places where D* ≈ 0 and the
    loss is flat in s (s* ≪ 0 between the swiss roll's arms), so large by nature."""
    d_mae: float
    """∫ m |D − D*| / ∫ m."""
    excess_quadrature: float
    """V_λ(D*) − V_λ(D) = ∫ (p + λq)·kl(D*‖D), by quadrature."""
    value: float
    """V_λ(D) by Monte Carlo on fresh samples."""
    value_stderr: float
    excess_mc: float
    """V_λ(D*) − V_λ(D) on the same samples (paired)."""
    excess_mc_stderr: float
    exact_max: float
    """max_D V_λ = V_λ(D*) by quadrature on a window holding both densities."""
    final_loss: float
    """Mean training loss over the last 10 % of steps."""
    seconds: float
    """Training and evaluation time (shared by the members, which train together)."""


@dataclass(frozen=True)
class DiscriminatorFit:
    """The trained ensemble with everything the figures need, computed on ``grid``."""

    config: Any
    """A ``FitConfig``, or a ``GANDiscriminatorConfig`` for a trained GAN's discriminator."""
    members: tuple[MemberFit, ...]
    grid: Grid
    logits: torch.Tensor
    """(E, N) learned logits on the grid points (the plotting window)."""
    optimal_logits: torch.Tensor
    """(N,) s* = log p − log λ − log q on the grid points."""
    weight: torch.Tensor
    """(N,) (p + q)/2 on the grid points, the weight of the logit error."""
    losses: torch.Tensor
    """(steps, E) the training loss of every step."""
    model: EnsembleMLP


def build_discriminator(seeds: tuple[int, ...]) -> EnsembleMLP:
    """The homework's D (``GANConfig`` defaults), member e initialised from seed e's stream."""
    arch = GANConfig()
    model = EnsembleMLP(
        len(seeds), [2, *arch.discriminator_hidden, 1], arch.discriminator_activations
    )
    for e, g in enumerate(member_generators(seeds, "init")):
        model.reset_member(e, g)
    return model


def _draw(density: Density, n: int, gens: list[torch.Generator]) -> torch.Tensor:
    return torch.stack([density.sample(n, generator=g) for g in gens]).float()  # (E, n, 2)


def train_discriminator(
    model: EnsembleMLP, p: Density, q: Density, config: FitConfig
) -> torch.Tensor:
    """Adam on −(E_p log D + λ E_q log(1 − D)), fresh batches each step; returns losses (steps, E).

    Raises FloatingPointError naming the step and member if a loss stops being finite.
    """
    flat = flatten_parameters(model.parameters())
    opt = make_adam([flat], config.lr)
    gens = member_generators(config.seeds, "data")
    b, losses = config.batch_size, torch.empty(config.steps, len(config.seeds))
    for start in range(0, config.steps, BLOCK):
        k = min(BLOCK, config.steps - start)
        xs, ys = _draw(p, k * b, gens).split(b, dim=1), _draw(q, k * b, gens).split(b, dim=1)
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            logits = model(torch.cat((x, y), dim=1)).squeeze(-1)  # (E, 2B)
            loss = objectives.discriminator_loss(logits[:, :b], logits[:, b:], config.lam)  # (E,)
            flat.grad.zero_()  # type: ignore[union-attr]  # flat buffers carry a grad
            loss.sum().backward()
            opt.step()
            losses[start + i] = loss.detach()
        bad = ~torch.isfinite(losses[start : start + k])
        if bad.any():
            step, e = (int(i) for i in bad.nonzero()[0])
            raise FloatingPointError(
                f"non-finite discriminator loss at step {start + step + 1}, member {e} "
                f"(seed {config.seeds[e]})"
            )
    return losses


def _bernoulli_kl(s_star: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """kl(D*‖D) for D* = σ(s*), D = σ(s), from logits (no log of a rounded probability)."""
    d_star = torch.sigmoid(s_star)
    return d_star * (F.softplus(-s) - F.softplus(-s_star)) + (1 - d_star) * (
        F.softplus(s) - F.softplus(s_star)
    )


@torch.no_grad()
def _logits(model: EnsembleMLP, x: torch.Tensor, chunk: int = 16384) -> torch.Tensor:
    """Logits in float64: points (N, 2) → (E, N), every member on the same points; or
    per-member points (E, N, 2) → (E, N). Chunked over N to bound the activations' memory."""
    x = x.float() if x.ndim == 3 else x.float().expand(model.members, -1, -1)
    return torch.cat([model(xc).squeeze(-1) for xc in x.split(chunk, dim=1)], dim=1).double()


def _log_probs(density: Density, x: torch.Tensor) -> torch.Tensor:
    """log-density of per-member points (E, N, 2) → (E, N)."""
    return density.log_prob(x.reshape(-1, 2)).reshape(x.shape[:2])


def fit_discriminator(config: FitConfig) -> DiscriminatorFit:
    """Train E discriminators against fixed (p, q) and score them against D* (see module).

    Images live on the plotting window; the errors, the excess loss and the exact max are
    integrated on ``pair_for(p, q)``'s window, which holds all but ~1e-10 of both densities.
    """
    start = time.perf_counter()
    p, q = get_density(config.p), get_density(config.q)
    model = build_discriminator(config.seeds)
    losses = train_discriminator(model, p, q, config)
    return score_discriminator(model, p, q, config, losses, start)


def score_discriminator(
    model: EnsembleMLP,
    p: Density,
    q: Density,
    config: Any,
    losses: torch.Tensor,
    start: float,
) -> DiscriminatorFit:
    """Score a trained discriminator ensemble against D* = p / (p + λq) (see the module).

    ``config`` needs ``lam``, ``seeds``, ``steps``, ``limit``, ``grid_n``, ``exact_spacing`` and
    ``eval_samples`` (a ``FitConfig``, or a GAN run's ``GANDiscriminatorConfig``).
    """
    lam = config.lam
    grid = uniform_grid(-config.limit, config.limit, config.grid_n)
    lp, lq = p.log_prob(grid.points), q.log_prob(grid.points)
    image_star, image = optimal_logit(lp, lq, lam), _logits(model, grid.points)

    full = pair_for(p, q, spacing=config.exact_spacing).grid()
    flp, flq = p.log_prob(full.points), q.log_prob(full.points)
    s_star, s = optimal_logit(flp, flq, lam), _logits(model, full.points)  # (N,), (E, N)
    m = 0.5 * (flp.exp() + flq.exp())
    mass = full.integrate(m)
    exact = full.integrate(value_integrand(flp, flq, s_star, lam))

    gens, n = member_generators(config.seeds, "eval"), config.eval_samples
    x, y = _draw(p, n, gens).double(), _draw(q, n, gens).double()  # (E, n, 2) each
    a, b = -F.softplus(-_logits(model, x)), -F.softplus(_logits(model, y))  # log D, log(1 − D)
    da = -F.softplus(-optimal_logit(_log_probs(p, x), _log_probs(q, x), lam)) - a  # paired
    db = -F.softplus(optimal_logit(_log_probs(p, y), _log_probs(q, y), lam)) - b
    value, excess = a.mean(1) + lam * b.mean(1), da.mean(1) + lam * db.mean(1)  # (E,)
    value_se = ((a.var(1) + lam**2 * b.var(1)) / n).sqrt()
    excess_se = ((da.var(1) + lam**2 * db.var(1)) / n).sqrt()
    tail = losses[-max(1, config.steps // 10) :].mean(0)

    seconds = time.perf_counter() - start
    members = tuple(
        MemberFit(
            seed=seed,
            lam=lam,
            steps=config.steps,
            logit_rmse=math.sqrt(full.integrate(m * (s[e] - s_star).square()) / mass),
            d_mae=full.integrate(m * (torch.sigmoid(s[e]) - torch.sigmoid(s_star)).abs()) / mass,
            excess_quadrature=full.integrate(
                (flp.exp() + lam * flq.exp()) * _bernoulli_kl(s_star, s[e])
            ),
            value=float(value[e]),
            value_stderr=float(value_se[e]),
            excess_mc=float(excess[e]),
            excess_mc_stderr=float(excess_se[e]),
            exact_max=exact,
            final_loss=float(tail[e]),
            seconds=seconds,
        )
        for e, seed in enumerate(config.seeds)
    )
    return DiscriminatorFit(config, members, grid, image, image_star, 0.5 * (lp.exp() + lq.exp()),
                            losses, model)  # fmt: skip
