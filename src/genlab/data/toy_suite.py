"""The 2-D toy suite of the flow and GAN literature, seeded (registered in ``genlab.data``).

Sources: FFJORD's ``lib/toy_data.py`` (Grathwohl et al. 2019; the version in Chen et al.'s
residual-flows repository adds "rings" and "checkerboard") and WGAN-GP's ``gan_toy.py``
(Gulrajani et al. 2017) for "25gaussians". Scales, offsets and noise levels are theirs.

Two deliberate differences, both leaving the distribution unchanged:

- Every draw comes from the ``generator`` argument. Several public versions ignore theirs
  (FFJORD's moons, circles and 2spirals call sklearn or ``np.random`` unseeded).
- Points are i.i.d. Where the sources place points on an even grid of angles (sklearn's
  ``make_moons`` / ``make_circles``, FFJORD's rings) or split n exactly between components,
  the angle and the component are drawn uniformly here: the same distribution, but two sets of
  the same size are no longer identical up to noise, which the metrics' floors assume.

``noise`` is always the std of the final Gaussian noise, in output units.
"""

from __future__ import annotations

import math

import torch

from genlab.data.samplers import (
    as_generator,
    check_sample_args,
    grid_centers,
    ring_centers,
    sample_mixture,
)

Gen = torch.Generator | int | None
_F64 = torch.float64


def eight_gaussians_centers() -> torch.Tensor:
    """FFJORD's 8 centers: radius 4/1.414 ≈ 2.829 at angles πk/4: (8, 2)."""
    return ring_centers(8, radius=4 / 1.414)


def twenty_five_gaussians_centers() -> torch.Tensor:
    """WGAN-GP's 25 centers: {−4, −2, 0, 2, 4}² / 2.828: (25, 2)."""
    return grid_centers(5, spacing=2 / 2.828)


def make_eight_gaussians(
    n_samples: int = 2000, *, noise: float = 0.5 / 1.414, generator: Gen = None
) -> torch.Tensor:
    """FFJORD's "8gaussians": x = (4·(cos πk/4, sin πk/4) + 0.5·ε) / 1.414, k ~ U{0..7}.

    Centers at radius ≈ 2.829, std 0.5/1.414 ≈ 0.354 (FFJORD divides by 1.414, not √2).
    """
    return sample_mixture(eight_gaussians_centers(), n_samples, noise=noise, generator=generator)


def make_twenty_five_gaussians(
    n_samples: int = 2000, *, noise: float = 0.05 / 2.828, generator: Gen = None
) -> torch.Tensor:
    """WGAN-GP's "25gaussians": x = (2·(i, j) + 0.05·ε) / 2.828, i, j ~ U{−2..2}.

    The grid of VEEGAN / PacGAN (``grid``) scaled by 1/2.828: spacing ≈ 0.707, std ≈ 0.0177.
    """
    return sample_mixture(
        twenty_five_gaussians_centers(), n_samples, noise=noise, generator=generator
    )


def make_moons(n_samples: int = 2000, *, noise: float = 0.2, generator: Gen = None) -> torch.Tensor:
    """FFJORD's "moons": 2·m + (−1, −0.2) + noise·ε, m from sklearn's ``make_moons(noise=0.1)``.

    m = (cos θ, sin θ) (upper moon) or (1 − cos θ, 0.5 − sin θ) (lower moon), θ ~ U(0, π),
    moon ~ U{0, 1}; sklearn's noise 0.1 becomes 0.2 after the ×2.
    """
    check_sample_args(n_samples, noise)
    g = as_generator(generator)
    lower = torch.randint(2, (n_samples,), generator=g).bool()
    theta = math.pi * torch.rand(n_samples, generator=g, dtype=_F64)
    upper_xy = torch.stack((theta.cos(), theta.sin()), dim=1)
    lower_xy = torch.stack((1 - theta.cos(), 0.5 - theta.sin()), dim=1)
    m = torch.where(lower[:, None], lower_xy, upper_xy)
    shift = torch.tensor([-1.0, -0.2], dtype=_F64)
    return 2 * m + shift + noise * torch.randn(n_samples, 2, generator=g, dtype=_F64)


def _on_circles(
    radii: torch.Tensor, n_samples: int, noise: float, g: torch.Generator
) -> torch.Tensor:
    """r·(cos θ, sin θ) + noise·ε, r uniform over ``radii``, θ ~ U(0, 2π)."""
    r = radii[torch.randint(len(radii), (n_samples,), generator=g)]
    theta = 2 * math.pi * torch.rand(n_samples, generator=g, dtype=_F64)
    x = r[:, None] * torch.stack((theta.cos(), theta.sin()), dim=1)
    return x + noise * torch.randn(n_samples, 2, generator=g, dtype=_F64)


def make_circles(
    n_samples: int = 2000, *, noise: float = 0.24, generator: Gen = None
) -> torch.Tensor:
    """FFJORD's "circles": 3 × sklearn's ``make_circles(factor=0.5, noise=0.08)``.

    x = r·(cos θ, sin θ) + noise·ε, r ~ U{3, 1.5}, θ ~ U(0, 2π); noise 0.08·3 = 0.24.
    """
    check_sample_args(n_samples, noise)
    return _on_circles(
        torch.tensor([3.0, 1.5], dtype=_F64), n_samples, noise, as_generator(generator)
    )


def make_rings(
    n_samples: int = 2000, *, noise: float = 0.08, generator: Gen = None
) -> torch.Tensor:
    """FFJORD's "rings" (residual-flows version): four concentric circles, equal weights.

    x = r·(cos θ, sin θ) + noise·ε, r ~ U{3, 2.25, 1.5, 0.75}, θ ~ U(0, 2π), noise 0.08.
    """
    check_sample_args(n_samples, noise)
    radii = 3 * torch.tensor([1.0, 0.75, 0.5, 0.25], dtype=_F64)
    return _on_circles(radii, n_samples, noise, as_generator(generator))


def make_checkerboard(
    n_samples: int = 2000, *, noise: float = 0.0, generator: Gen = None
) -> torch.Tensor:
    """FFJORD's "checkerboard" (residual-flows version): uniform on 8 of the 16 squares of [−4, 4)².

    x₁ = 4u − 2, x₂ = u′ − 2b + (⌊x₁⌋ mod 2), u, u′ ~ U(0, 1), b ~ U{0, 1}; x = 2·(x₁, x₂)
    (so ⌊x/2⌋ + ⌊y/2⌋ is even), plus noise·ε; the source adds no noise (default 0).
    """
    check_sample_args(n_samples, noise)
    g = as_generator(generator)
    x1 = 4 * torch.rand(n_samples, generator=g, dtype=_F64) - 2
    b = torch.randint(2, (n_samples,), generator=g).to(_F64)
    x2 = torch.rand(n_samples, generator=g, dtype=_F64) - 2 * b + torch.remainder(x1.floor(), 2)
    x = 2 * torch.stack((x1, x2), dim=1)
    return x + noise * torch.randn(n_samples, 2, generator=g, dtype=_F64)


def make_pinwheel(
    n_samples: int = 2000, *, noise: float = 0.1, generator: Gen = None
) -> torch.Tensor:
    """FFJORD's "pinwheel": five arms, each a Gaussian bent by an exponential rotation.

    f = (1 + 0.3·ε₁, noise·ε₂) (radial std 0.3, tangential std ``noise`` = 0.1), arm
    k ~ U{0..4}, φ = 2πk/5 + 0.25·exp(f₁); x = 2·(f₁ cos φ + f₂ sin φ, −f₁ sin φ + f₂ cos φ),
    which is FFJORD's ``2·einsum("ti,tij->tj", f, [[cos, −sin], [sin, cos]])``.
    """
    check_sample_args(n_samples, noise)
    g = as_generator(generator)
    arm = torch.randint(5, (n_samples,), generator=g).to(_F64)
    eps = torch.randn(n_samples, 2, generator=g, dtype=_F64)
    f1, f2 = 1 + 0.3 * eps[:, 0], noise * eps[:, 1]
    phi = 2 * math.pi * arm / 5 + 0.25 * f1.exp()
    c, s = phi.cos(), phi.sin()
    return 2 * torch.stack((f1 * c + f2 * s, -f1 * s + f2 * c), dim=1)


def make_two_spirals(
    n_samples: int = 2000, *, noise: float = 0.1, generator: Gen = None
) -> torch.Tensor:
    """FFJORD's "2spirals": two interleaved arms, one the other rotated by π.

    s = 3π·sqrt(u), d = (−s cos s + 0.5u₁, s sin s + 0.5u₂), u, u₁, u₂ ~ U(0, 1);
    x = ±d / 3 + noise·ε (sign uniform: the arm), noise 0.1.
    """
    check_sample_args(n_samples, noise)
    g = as_generator(generator)
    sign = 2 * torch.randint(2, (n_samples,), generator=g).to(_F64) - 1
    s = 3 * math.pi * torch.rand(n_samples, generator=g, dtype=_F64).sqrt()
    jitter = 0.5 * torch.rand(n_samples, 2, generator=g, dtype=_F64)
    d = torch.stack((-s * s.cos(), s * s.sin()), dim=1) + jitter
    return sign[:, None] * d / 3 + noise * torch.randn(n_samples, 2, generator=g, dtype=_F64)
