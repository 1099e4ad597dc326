"""Closed-form log-densities of the toy distributions, each paired with its sampler.

Everything is a float64 torch tensor: ``log_prob`` maps points (N, dim) to log p (N,), and
``sample(n, generator=...)`` draws (n, dim) points (reusing ``genlab.data`` where it has the
sampler), so every density can be integrated on a grid and estimated by Monte Carlo.

**The swiss roll** (hw12 "Step 1"): x = c(t) + σε, c(t) = 0.1·t·(cos t, sin t), ε ~ N(0, I₂),
t = 2π·sqrt(v), v ~ U(0.25, 4). Then P(t ≤ τ) = ((τ/2π)² − ¼)/3.75 on [π, 4π], so t has density
t/Z with Z = ∫_π^{4π} t dt = ((4π)² − π²)/2 = 15π²/2, and

    p(x) = ∫_π^{4π} (t/Z)·N(x; c(t), σ²I₂) dt = (1/3.75)·∫_{0.25}^{4} N(x; c(2π√v), σ²I₂) dv.

The substitution v = (t/2π)² (dt·t/Z = dv/3.75) makes the weight uniform and the Gaussian kernel's
width in v nearly constant (σ/|dc/dv| ≈ σ/(0.2π²) ≈ 0.0127 for σ = 0.025), whereas in t it
shrinks from 0.076 to 0.020 along the arm; so equal Gauss–Legendre panels in v are panels graded
as 1/t in t. The integral is a logsumexp over the nodes, so log p stays finite and accurate far in
the tails (log p ≈ −7000 at distance 3 from the spiral) where p itself underflows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from genlab.base.checks import check_int
from genlab.base.errors import UserError
from genlab.data.samplers import (
    as_generator,
    grid_centers,
    make_swiss_roll,
    ring_centers,
    sample_mixture,
)
from genlab.theory.quadrature import gauss_legendre, graded_edges

LogProb = Callable[[torch.Tensor], torch.Tensor]
Rng = torch.Generator | int | None
CHUNK_ELEMENTS = 1 << 22
"""Points × components evaluated at once (32 MiB of float64), so memory stays bounded."""
TAIL = 6.6
"""Stds beyond the farthest mean that ``Density.support`` covers (P(|z| > 6.6) = 4e-11)."""
PRUNE = 60.0
"""Mixture terms more than e^60 below a point's largest term are skipped (exactly negligible)."""


@dataclass(frozen=True)
class Density:
    """A distribution on ℝ^dim with an exact log-density and a seeded sampler."""

    name: str
    dim: int
    log_prob: LogProb
    """log p(x): (N, dim) -> (N,), float64."""
    sampler: Callable[[int, torch.Generator], torch.Tensor]
    description: str
    support: float
    """Half-width of a centred cube holding all but ~1e-10 of the mass (6.6 std past the
    farthest mean per coordinate): a quadrature window."""
    scale: float
    """The narrowest length scale (smallest std): a quadrature spacing of ≤ 0.8·scale suffices."""

    def sample(self, n: int, *, generator: Rng = None) -> torch.Tensor:
        """n points (n, dim), float64, drawn from ``generator`` (a Generator, a seed, or None)."""
        check_int("n", n)
        return self.sampler(n, as_generator(generator))


def _finite(name: str, value: torch.Tensor) -> None:
    if not torch.isfinite(value).all():
        raise UserError(f"{name} must be finite, got {value.tolist()!r}")


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UserError(f"{name} must be a finite number > 0, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise UserError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _kernel_logsumexp(
    x: torch.Tensor, centers: torch.Tensor, log_w: torch.Tensor, std: float
) -> torch.Tensor:
    """log Σ_k w_k·N(x; c_k, std²I), chunked over x: (N, d) -> (N,).

    −|x − c|²/2σ² = −|x|²/2σ² + x·c/σ² − |c|²/2σ², so each chunk is one matmul; the logsumexp
    then exponentiates only the scores within ``PRUNE`` of each row's maximum (the rest add
    < K·e^{−PRUNE} relative), which for the swiss roll is ~5 % of them.
    """
    d = x.shape[1]
    var = std * std
    bias = log_w - centers.square().sum(1) / (2 * var)  # (K,)
    step = max(1, CHUNK_ELEMENTS // len(centers))
    out = []
    for xc in x.split(step):
        scores = torch.addmm(bias, xc, centers.T, alpha=1 / var)  # (n, K)
        top = scores.max(dim=1).values  # (n,)
        keep = scores > (top - PRUNE)[:, None]
        rows = keep.nonzero()[:, 0]
        total = torch.zeros_like(top).index_add_(0, rows, torch.exp(scores[keep] - top[rows]))
        out.append(top + total.log() - xc.square().sum(1) / (2 * var))
    return torch.cat(out) - 0.5 * d * math.log(2 * math.pi * var)


def _check_points(x: torch.Tensor, dim: int) -> torch.Tensor:
    x = torch.as_tensor(x, dtype=torch.float64)
    if x.ndim != 2 or x.shape[1] != dim:
        raise UserError(f"points must have shape (N, {dim}), got {tuple(x.shape)}")
    return x


def gaussian(mean: Sequence[float], cov: Sequence[Sequence[float]], name: str = "") -> Density:
    """N(mean, cov) in dim = len(mean) (1 or 2 here; any dim works).

    log p(x) = −½|L⁻¹(x − μ)|² − Σ_i log L_ii − (d/2) log 2π, cov = L Lᵀ (Cholesky).
    """
    mu = torch.as_tensor(mean, dtype=torch.float64).reshape(-1)
    sigma = torch.as_tensor(cov, dtype=torch.float64).reshape(len(mu), len(mu))
    _finite("mean", mu)
    _finite("cov", sigma)
    chol, info = torch.linalg.cholesky_ex(sigma)
    if info != 0 or not torch.allclose(sigma, sigma.T):
        raise UserError(f"cov must be symmetric positive definite, got {sigma.tolist()!r}")
    d = len(mu)
    log_norm = torch.log(torch.diagonal(chol)).sum() + 0.5 * d * math.log(2 * math.pi)

    def log_prob(x: torch.Tensor) -> torch.Tensor:
        z = torch.linalg.solve_triangular(chol, (_check_points(x, d) - mu).T, upper=False)
        return -0.5 * z.square().sum(0) - log_norm

    def sampler(n: int, g: torch.Generator) -> torch.Tensor:
        return mu + torch.randn(n, d, generator=g, dtype=torch.float64) @ chol.T

    label = name or f"gaussian_{d}d"
    support = float((mu.abs() + TAIL * torch.diagonal(sigma).sqrt()).max())
    scale = float(torch.linalg.eigvalsh(sigma)[0].sqrt())
    desc = f"N({mu.tolist()}, {sigma.tolist()})"
    return Density(label, d, log_prob, sampler, desc, support, scale)


def gaussian_mixture(centers: torch.Tensor, std: float, name: str = "mixture") -> Density:
    """Equal-weight isotropic mixture (1/K) Σ_k N(c_k, std²·I₂), as in ``data.sample_mixture``.

    log p(x) = logsumexp_k(−|x − c_k|²/2σ²) − log K − log(2πσ²).
    """
    std = _positive("std", std)
    centers = torch.as_tensor(centers, dtype=torch.float64)
    _finite("centers", centers)
    if centers.ndim != 2 or centers.shape[1] != 2 or len(centers) == 0:
        raise UserError(f"centers must have shape (K >= 1, 2), got {tuple(centers.shape)}")
    log_w = torch.full((len(centers),), -math.log(len(centers)), dtype=torch.float64)

    def log_prob(x: torch.Tensor) -> torch.Tensor:
        return _kernel_logsumexp(_check_points(x, 2), centers, log_w, std)

    def sampler(n: int, g: torch.Generator) -> torch.Tensor:
        return sample_mixture(centers, n, noise=std, generator=g)

    support = float(centers.abs().max()) + TAIL * std
    return Density(
        name, 2, log_prob, sampler, f"{len(centers)} Gaussians, std {std:g}", support, std
    )


def ring(noise: float = 0.01) -> Density:
    """8 Gaussians on the unit circle (``data.make_ring``)."""
    return gaussian_mixture(ring_centers(), noise, "ring")


def grid(noise: float = 0.05) -> Density:
    """25 Gaussians on {−4, −2, 0, 2, 4}² (``data.make_grid``)."""
    return gaussian_mixture(grid_centers(), noise, "grid")


def swiss_roll_nodes(panels: int, order: int, levels: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Spiral points c(t_k) (K, 2) and log weights (K,) of the t-integral (module docstring).

    Composite Gauss–Legendre in v = (t/2π)² ∈ [0.25, 4], end panels graded ``levels`` times
    (points beyond the spiral's ends see an integrand that decays like e^{−d·|c'|·Δv/σ²} from
    the end), weights divided by 3.75 (Σ = 1).
    """
    v, w = gauss_legendre(graded_edges(0.25, 4.0, panels, levels), order)
    t = 2 * math.pi * v.sqrt()
    centers = 0.1 * t[:, None] * torch.stack((t.cos(), t.sin()), dim=1)
    return centers, torch.log(w / 3.75)


def swiss_roll(
    noise: float = 0.025, *, panels: int = 160, order: int = 8, levels: int = 12
) -> Density:
    """The homework's swiss roll: p(x) = ∫ (t/Z) N(x; 0.1t(cos t, sin t), σ²I) dt, Z = 15π²/2.

    ``panels``·``order`` Gauss–Legendre nodes in v = (t/2π)²; the defaults (1280 nodes, ~4
    nodes per kernel width) reproduce log p to < 1e-9 on [−1.5, 1.5]² for σ = 0.025 (see
    tests/test_densities.py); for a smaller σ scale panels like 1/σ.
    """
    noise = _positive("noise", noise)
    centers, log_w = swiss_roll_nodes(panels, order, levels)

    def log_prob(x: torch.Tensor) -> torch.Tensor:
        return _kernel_logsumexp(_check_points(x, 2), centers, log_w, noise)

    def sampler(n: int, g: torch.Generator) -> torch.Tensor:
        return make_swiss_roll(n, noise=noise, generator=g)

    desc = f"hw12 swiss roll, noise {noise:g}, {panels}x{order} Gauss-Legendre nodes"
    return Density("swiss_roll", 2, log_prob, sampler, desc, 0.4 * math.pi + TAIL * noise, noise)


DENSITIES: dict[str, Callable[[], Density]] = {
    "swiss_roll": swiss_roll,
    "ring": ring,
    "grid": grid,
    "gaussian": lambda: gaussian([0.0, 0.0], [[0.25, 0.0], [0.0, 0.25]], "gaussian"),
    "standard_normal": lambda: gaussian([0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]], "standard_normal"),
}
"""Named 2-D densities. ``gaussian`` is N(0, 0.5²·I₂), a q that covers the swiss roll."""


def get_density(name: str) -> Density:
    """The registered density called ``name``; an unknown name lists the known ones."""
    if name not in DENSITIES:
        raise UserError(f"unknown density {name!r}; known densities: {', '.join(DENSITIES)}")
    return DENSITIES[name]()
