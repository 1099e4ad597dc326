"""A trained GAN's discriminator against the optimal one for its own generator.

The generator's density q has no closed form, so it is estimated from n_kde generated samples
by a Gaussian KDE with Scott's bandwidth, H = n_kde^(−1/3)·Σ̂ (the full sample covariance, as
``scipy.stats.gaussian_kde`` and the density plots), evaluated in log space:

    log q̂(x) = logsumexp_i log N(x; g_i, H) − log n_kde.

The data density p is exact (``genlab.theory.densities``), so D*_λ = p / (p + λq̂) and every score of
``discriminator_fit.score_discriminator`` apply: logit error, |D − D*|, the excess loss
V_λ(D*) − V_λ(D) by quadrature and by paired Monte Carlo, and V_λ(D) against max_D V_λ.
The comparison is only as good as q̂: a KDE widens thin structure by about its bandwidth.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass

import torch

from genlab.base.errors import UserError
from genlab.base.rng import member_generators
from genlab.models.gan import GAN
from genlab.models.nn import EnsembleMLP
from genlab.theory.densities import DENSITIES, Density, get_density
from genlab.theory.discriminator_fit import DiscriminatorFit, score_discriminator
from genlab.training.loop import load_model
from genlab.training.rundir import RunDir


def kde_density(points: torch.Tensor, name: str = "kde", chunk: int = 4096) -> Density:
    """The Scott-rule Gaussian KDE of ``points`` (n, 2) as a ``Density`` (log_prob, sampler)."""
    pts = points.double()
    n, dim = pts.shape
    cov = torch.cov(pts.T) * n ** (-2 / (dim + 4))
    chol = torch.linalg.cholesky(cov)
    log_norm = math.log(n) + 0.5 * dim * math.log(2 * math.pi) + chol.diagonal().log().sum()

    def log_prob(x: torch.Tensor) -> torch.Tensor:
        out = []
        for xc in x.double().split(chunk):
            diff = (xc[:, None, :] - pts[None]).reshape(-1, dim)  # (c·n, dim)
            white = torch.linalg.solve_triangular(chol, diff.T, upper=False).T
            out.append(torch.logsumexp(-0.5 * white.square().sum(-1).view(len(xc), n), 1))
        return torch.cat(out) - log_norm

    def sampler(k: int, g: torch.Generator) -> torch.Tensor:
        idx = torch.randint(n, (k,), generator=g)
        return pts[idx] + torch.randn(k, dim, generator=g, dtype=torch.float64) @ chol.T

    eig = torch.linalg.eigvalsh(cov)
    support = float(pts.abs().max() + 6.6 * eig.max().sqrt())
    return Density(name, dim, log_prob, sampler, f"KDE of {n} points (Scott)", support,
                   float(eig.min().sqrt()))  # fmt: skip


@dataclass(frozen=True)
class GANDiscriminatorConfig:
    """Which member of which GAN run, and how to estimate q and score D."""

    run: str
    member: int = 0
    n_kde: int = 2000
    """Generated samples behind the KDE of q."""
    eval_samples: int = 20_000
    limit: float = 1.5
    grid_n: int = 150
    exact_spacing: float = 0.8
    # filled from the run:
    p: str = ""
    q: str = ""
    lam: float = 0.0
    steps: int = 0
    seeds: tuple[int, ...] = ()


def member_discriminator(model: EnsembleMLP, e: int) -> EnsembleMLP:
    """A one-member copy of member e of an ensemble MLP (any activations)."""
    single = copy.deepcopy(model)
    with torch.no_grad():
        for layer in single.linears():
            layer.weight = torch.nn.Parameter(layer.weight[e : e + 1].clone())
            layer.bias = torch.nn.Parameter(layer.bias[e : e + 1].clone())
            layer.members = 1
    single.members = 1
    return single


def gan_discriminator_fit(
    run: RunDir, *, member: int = 0, n_kde: int = 2000, eval_samples: int = 20_000
) -> DiscriminatorFit:
    """Score member ``member`` of a trained GAN run's discriminator against D* for q̂ = KDE."""
    start = time.perf_counter()
    config = run.config()
    t = config.train
    if config.model != "gan":
        raise UserError(f"run {run.path} is a {config.model} run; a GAN run is needed")
    arch = config.arch
    if getattr(arch, "pack", 1) != 1 or getattr(arch, "objective", "lambda_gan") != "lambda_gan":
        raise UserError(
            f"run {run.path}'s discriminator is not a λ-GAN's D(x) of single points (pack "
            f"{getattr(arch, 'pack', 1)}, objective {getattr(arch, 'objective', 'lambda_gan')}): "
            "D* = p/(p + λq) does not apply"
        )
    if t.data is not None:
        raise UserError(f"run {run.path} trained on {t.data}, which has no exact density")
    if t.dataset not in DENSITIES or t.noise is not None:
        raise UserError(f"no exact density for dataset {t.dataset!r} with noise {t.noise!r}; "
                         f"known: {', '.join(DENSITIES)} at their default noise")  # fmt: skip
    if not 0 <= member < len(t.seeds):
        raise UserError(f"member must be in 0..{len(t.seeds) - 1}, got {member}")
    if n_kde < 10 or eval_samples < 2:
        raise UserError(f"need n_kde >= 10 and eval_samples >= 2, got {n_kde}, {eval_samples}")
    model = load_model(run)
    assert isinstance(model, GAN)
    gens = member_generators(t.seeds, "sample", "cpu", 7)
    q = kde_density(model.generate_samples(n_kde, generators=gens)[member], name="kde")
    steps_per_epoch = math.ceil(t.n_samples / t.batch_size)
    cfg = GANDiscriminatorConfig(
        run=str(run.path), member=member, n_kde=n_kde, eval_samples=eval_samples,
        p=t.dataset, q=f"KDE of {n_kde} G(z) (Scott)", lam=model.config.lam,
        steps=t.epochs * steps_per_epoch, seeds=(t.seeds[member],),
    )  # fmt: skip
    losses = torch.tensor([r["d_loss"][member] for r in run.read_metrics()])[:, None]
    return score_discriminator(
        member_discriminator(model.discriminator, member), get_density(t.dataset), q, cfg,
        losses, start,
    )  # fmt: skip
