"""Seeded samplers of 2-D toy distributions, and a registry of them by name.

Every sampler has the signature ``make_<name>(n_samples, *, noise=..., generator=None)`` and
returns a float64 tensor of shape ``(n_samples, 2)``. Randomness is always an explicit
argument: ``generator`` is a ``torch.Generator``, an ``int`` seed, or ``None`` (a fresh,
OS-seeded generator; never the global RNG).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

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


def _check(n_samples: int, noise: float) -> None:
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 1:
        raise ValueError(f"n_samples must be an integer >= 1, got {n_samples!r}")
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")


def make_swiss_roll(
    n_samples: int = 2000, *, noise: float = 0.025, generator: torch.Generator | int | None = None
) -> torch.Tensor:
    """The homework's 2-D swiss roll (hw12, "Step 1").

    t = 2π·sqrt(u), u ~ U(0.25, 4), so t ∈ [π, 4π) with density ∝ t;
    x = 0.1·t·(cos t, sin t) + noise·ε, ε ~ N(0, I₂).

    The homework's ``noise``, ``a`` and ``b`` arguments are unused there; its noise std is the
    hard-coded 0.025, which is this function's default ``noise``.
    """
    _check(n_samples, noise)
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
    _check(n_samples, noise)
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


@dataclass(frozen=True)
class DatasetSpec:
    """A named 2-D distribution: its sampler, default noise, plot window and mode centers."""

    name: str
    sampler: Sampler
    noise: float
    limit: float
    """Half-width of the square plotting window [−limit, limit]²."""
    description: str
    centers: Callable[[], torch.Tensor] | None = None
    """Mode centers, for mixtures (used by the mode-coverage metrics)."""

    def sample(
        self,
        n_samples: int,
        *,
        noise: float | None = None,
        generator: torch.Generator | int | None = None,
    ) -> torch.Tensor:
        return self.sampler(
            n_samples, noise=self.noise if noise is None else noise, generator=generator
        )


DATASETS: dict[str, DatasetSpec] = {}


def register(spec: DatasetSpec) -> DatasetSpec:
    """Add a dataset to the registry (names are unique)."""
    if spec.name in DATASETS:
        raise ValueError(f"dataset {spec.name!r} is already registered")
    DATASETS[spec.name] = spec
    return spec


register(DatasetSpec("swiss_roll", make_swiss_roll, 0.025, 1.5, "the homework's 2-D swiss roll"))
register(DatasetSpec("ring", make_ring, 0.01, 1.5, "8 Gaussians on a circle", ring_centers))
register(DatasetSpec("grid", make_grid, 0.05, 6.0, "25 Gaussians on a 5×5 grid", grid_centers))


def get_dataset(name: str) -> DatasetSpec:
    """The registered dataset called ``name``; an unknown name lists the known ones."""
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(sorted(DATASETS))
        raise ValueError(f"unknown dataset {name!r}; known datasets: {known}") from None


# The toy suite (8gaussians, moons, checkerboard, ...) registers itself; imported last because
# it builds on the helpers above.
from genlab import toy_data  # noqa: E402, F401
