"""A 3-D synthetic dataset: the homework's swiss roll rolled up as a surface in space.

``make_swiss_roll_3d`` is the classic 3-D swiss roll of manifold learning (Roweis & Saul,
"Nonlinear dimensionality reduction by locally linear embedding", Science 2000; scikit-learn's
``make_swiss_roll``), drawn with the homework's spiral (hw12, "Step 1") so that its projection
on (x₁, x₃) is the homework's 2-D roll: a 2-D manifold in 3-D that a model must find.
"""

from __future__ import annotations

import math

import torch

from genlab.data.samplers import as_generator, check_sample_args

HEIGHT = 1.0
"""The roll's height: x₂ ~ U(−HEIGHT/2, HEIGHT/2)."""


def make_swiss_roll_3d(
    n_samples: int = 2000, *, noise: float = 0.025, generator: torch.Generator | int | None = None
) -> torch.Tensor:
    """t = 2π·sqrt(u), u ~ U(0.25, 4) (the homework's spiral parameter, density ∝ t), h ~ U(−½, ½);
    x = (0.1·t·cos t, h, 0.1·t·sin t) + noise·ε, ε ~ N(0, I₃). A float64 tensor (n, 3)."""
    check_sample_args(n_samples, noise)
    g = as_generator(generator)
    u = 0.25 + 3.75 * torch.rand(n_samples, generator=g, dtype=torch.float64)
    t = 2 * math.pi * u.sqrt()
    h = HEIGHT * (torch.rand(n_samples, generator=g, dtype=torch.float64) - 0.5)
    roll = torch.stack((0.1 * t * t.cos(), h, 0.1 * t * t.sin()), dim=1)
    return roll + noise * torch.randn(n_samples, 3, generator=g, dtype=torch.float64)
