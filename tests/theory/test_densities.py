"""Exact log-densities: normalisation, closed-form references, swiss-roll quadrature, samplers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from genlab.data import make_swiss_roll, ring_centers
from genlab.theory.densities import (
    DENSITIES,
    gaussian,
    gaussian_mixture,
    get_density,
    swiss_roll,
)
from genlab.theory.quadrature import gauss_legendre, uniform_grid

# (density, window low/high, cells per side): spacing ≤ the narrowest std, window ≥ 9 std out
NORMALISATION = {
    "swiss_roll": (lambda: get_density("swiss_roll"), -1.6, 1.6, 128),
    "ring": (lambda: get_density("ring"), -1.2, 1.2, 240),
    "grid": (lambda: get_density("grid"), -4.6, 4.6, 368),
    "gaussian": (lambda: get_density("gaussian"), -4.5, 4.5, 90),
    "standard_normal": (lambda: get_density("standard_normal"), -9.0, 9.0, 90),
    "gaussian_1d": (lambda: gaussian([1.0], [[2.25]]), -15.0, 15.0, 300),
    "gaussian_2d_corr": (
        lambda: gaussian([0.5, -0.5], [[1.0, 0.8], [0.8, 1.0]]),
        -8.0,
        8.0,
        160,
    ),
}


def test_every_registered_density_is_checked():
    assert set(DENSITIES) <= set(NORMALISATION)


@pytest.mark.parametrize("name", list(NORMALISATION))
def test_density_integrates_to_one(name):
    make, low, high, n = NORMALISATION[name]
    density = make()
    grid = uniform_grid(low, high, n, density.dim)
    mass = grid.integrate(density.log_prob(grid.points).exp())
    assert mass == pytest.approx(1.0, abs=1e-8)


def test_gaussian_matches_scipy():
    mean, cov = [0.3, -1.0], [[2.0, 0.6], [0.6, 0.5]]
    x = torch.randn(50, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * 3
    expected = stats.multivariate_normal(mean, cov).logpdf(x.numpy())
    np.testing.assert_allclose(gaussian(mean, cov).log_prob(x).numpy(), expected, rtol=1e-12)


def test_mixture_matches_a_direct_sum():
    centers, std = ring_centers(), 0.2
    x = torch.randn(40, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    comps = [
        stats.multivariate_normal(c.numpy(), std**2 * np.eye(2)).pdf(x.numpy()) for c in centers
    ]
    expected = np.log(np.mean(comps, axis=0))
    got = gaussian_mixture(centers, std).log_prob(x).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_swiss_roll_quadrature_has_converged():
    # doubling the Gauss–Legendre panels and grading more must not move log p, even in the
    # far tails of a window twice the plotting window (log p down to ≈ −9000 there)
    x = uniform_grid(-3.0, 3.0, 40).points
    ref = swiss_roll(panels=320, levels=20).log_prob(x)
    got = swiss_roll().log_prob(x)
    assert torch.isfinite(got).all() and float(ref.min()) < -5000
    err = (got - ref).abs()
    assert float(err[ref > -500].max()) < 1e-8
    assert float(err.max()) < 1e-5
    # and a coarse rule is visibly wrong, so the comparison has teeth
    assert float((swiss_roll(panels=40, levels=0).log_prob(x) - ref).abs().max()) > 1e-3


def test_swiss_roll_density_matches_a_histogram_of_samples():
    # 50 000 homework samples in 24×24 bins on [−1.5, 1.5]²; bin probabilities by Gauss–Legendre
    # (6 nodes per bin and axis); Pearson χ² over the bins with E ≥ 5 (the rest pooled) against
    # the exact density, and against one with a 10 % too wide noise, which must be rejected
    bins, n = 24, 50_000
    edges = np.linspace(-1.5, 1.5, bins + 1)
    nodes, weights = gauss_legendre(edges, 6)
    xx, yy = torch.meshgrid(nodes, nodes, indexing="xy")
    w2 = (weights[None, :] * weights[:, None]).reshape(-1)
    points = torch.stack((xx.reshape(-1), yy.reshape(-1)), 1)
    x = make_swiss_roll(n, generator=123).numpy()
    observed = np.histogram2d(x[:, 1], x[:, 0], bins=[edges, edges])[0].ravel()  # rows = y

    def p_value(density):
        mass = (w2 * density.log_prob(points).exp()).reshape(bins, 6, bins, 6)
        expected = n * mass.sum(dim=(1, 3)).numpy().ravel()
        keep = expected >= 5
        obs = np.append(observed[keep], n - observed[keep].sum())
        exp = np.append(expected[keep], n - expected[keep].sum())
        return stats.chi2.sf(((obs - exp) ** 2 / exp).sum(), len(obs) - 1)

    assert p_value(swiss_roll()) > 1e-3
    assert p_value(swiss_roll(noise=0.0275)) < 1e-6


def test_samplers_are_seeded_and_shaped():
    for name in DENSITIES:
        d = get_density(name)
        a, b = d.sample(7, generator=5), d.sample(7, generator=5)
        assert a.shape == (7, d.dim) and a.dtype == torch.float64
        assert torch.equal(a, b)
    assert gaussian([0.0], [[1.0]]).sample(3, generator=0).shape == (3, 1)


def test_gaussian_sampler_matches_its_moments():
    mean, cov = [1.0, -2.0], [[1.0, 0.6], [0.6, 2.0]]
    x = gaussian(mean, cov).sample(200_000, generator=0)
    torch.testing.assert_close(
        x.mean(0), torch.tensor(mean, dtype=torch.float64), atol=0.01, rtol=0
    )
    torch.testing.assert_close(x.T.cov(), torch.tensor(cov, dtype=torch.float64), atol=0.02, rtol=0)


def test_validation_names_value_and_range():
    with pytest.raises(ValueError, match=r"unknown density 'moons'; known densities: swiss_roll"):
        get_density("moons")
    with pytest.raises(ValueError, match=r"mean must be finite, got \[nan"):
        gaussian([math.nan, 0.0], [[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="positive definite"):
        gaussian([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match=r"noise must be a finite number > 0, got 0"):
        swiss_roll(noise=0.0)
    with pytest.raises(ValueError, match=r"std must be a finite number > 0, got inf"):
        gaussian_mixture(ring_centers(), math.inf)
    with pytest.raises(ValueError, match=r"n must be an integer >= 1, got 0"):
        get_density("ring").sample(0)
    with pytest.raises(ValueError, match=r"points must have shape \(N, 2\)"):
        get_density("ring").log_prob(torch.zeros(3, 1, dtype=torch.float64))
