"""Seeded samplers of the homework's swiss roll and the two mixtures of the mode-collapse
literature (ring, grid).

Every sampler has the signature ``make_<name>(n_samples, *, noise=..., generator=None)`` and
returns a float64 tensor of shape ``(n_samples, 2)``. Randomness is always an explicit
argument: ``generator`` is a ``torch.Generator``, an ``int`` seed, or ``None`` (a fresh,
OS-seeded generator; never the global RNG).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from genlab.base.checks import check_int, check_nonnegative

Sampler = Callable[..., torch.Tensor]


def as_generator(generator: torch.Generator | int | None) -> torch.Generator:
    """A CPU ``torch.Generator`` from a generator, an integer seed, or ``None``."""
    if isinstance(generator, torch.Generator):
        return generator
    g = torch.Generator()
    if generator is None:
        g.seed()
    else:
        g.manual_seed(int(generator))
    return g


def check_sample_args(n_samples: int, noise: float) -> None:
    """``UserError`` unless n_samples is an integer >= 1 and noise a finite number >= 0."""
    check_int("n_samples", n_samples)
    check_nonnegative("noise", noise)


def make_swiss_roll(
    n_samples: int = 2000, *, noise: float = 0.025, generator: torch.Generator | int | None = None
) -> torch.Tensor:
    """The homework's 2-D swiss roll (hw12, "Step 1").

    t = 2π·sqrt(u), u ~ U(0.25, 4), so t ∈ [π, 4π) with density ∝ t;
    x = 0.1·t·(cos t, sin t) + noise·ε, ε ~ N(0, I₂).

    The homework's ``noise``, ``a`` and ``b`` arguments are unused there; its noise std is the
    hard-coded 0.025, which is this function's default ``noise``.
    """
    check_sample_args(n_samples, noise)
    g = as_generator(generator)
    u = 0.25 + 3.75 * torch.rand(n_samples, generator=g, dtype=torch.float64)
    t = 2 * math.pi * u.sqrt()
    spiral = 0.1 * t[:, None] * torch.stack((t.cos(), t.sin()), dim=1)
    return spiral + noise * torch.randn(n_samples, 2, generator=g, dtype=torch.float64)


def ring_centers(n_modes: int = 8, radius: float = 1.0) -> torch.Tensor:
    """Centers at angles 2πk/n_modes, k = 0..n_modes-1, on a circle of ``radius``: (n_modes, 2)."""
    angle = 2 * math.pi * torch.arange(n_modes, dtype=torch.float64) / n_modes
    return radius * torch.stack((angle.cos(), angle.sin()), dim=1)


def grid_centers(side: int = 5, spacing: float = 2.0) -> torch.Tensor:
    """Centers of a side×side grid, spacing apart, centred at 0 ({−4,−2,0,2,4}² by default)."""
    axis = spacing * (torch.arange(side, dtype=torch.float64) - (side - 1) / 2)
    return torch.cartesian_prod(axis, axis)


def sample_mixture(
    centers: torch.Tensor, n_samples: int, *, noise: float, generator: torch.Generator | int | None
) -> torch.Tensor:
    """Equal-weight isotropic Gaussian mixture: x = centers[k] + noise·ε, k uniform."""
    check_sample_args(n_samples, noise)
    g = as_generator(generator)
    k = torch.randint(len(centers), (n_samples,), generator=g)
    return centers[k] + noise * torch.randn(n_samples, 2, generator=g, dtype=torch.float64)


def make_ring(
    n_samples: int = 2000, *, noise: float = 0.01, generator: torch.Generator | int | None = None
) -> torch.Tensor:
    """8 Gaussians on the unit circle, std 0.01 (the ring of VEEGAN / PacGAN)."""
    return sample_mixture(ring_centers(), n_samples, noise=noise, generator=generator)


def make_grid(
    n_samples: int = 2000, *, noise: float = 0.05, generator: torch.Generator | int | None = None
) -> torch.Tensor:
    """25 Gaussians at {−4,−2,0,2,4}², std 0.05 (the grid of VEEGAN / PacGAN)."""
    return sample_mixture(grid_centers(), n_samples, noise=noise, generator=generator)
