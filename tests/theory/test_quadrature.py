"""Quadrature rules: exactness, orientation of grid images, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from genlab.theory.densities import DENSITIES, get_density
from genlab.theory.identity import pair_for
from genlab.theory.quadrature import gauss_legendre, graded_edges, uniform_grid


@pytest.mark.parametrize("levels", [0, 3, 12])
def test_composite_gauss_legendre_is_exact_for_its_degree(levels):
    edges = graded_edges(0.25, 4.0, 7, levels)
    assert np.all(np.diff(edges) > 0) and len(edges) == 8 + 2 * levels
    assert np.isclose(edges[1] - edges[0], (3.75 / 7) / 2**levels)
    nodes, weights = gauss_legendre(edges, 5)
    for k in range(10):  # degree ≤ 2·5 − 1
        exact = (4.0 ** (k + 1) - 0.25 ** (k + 1)) / (k + 1)
        assert float((weights * nodes**k).sum()) == pytest.approx(exact, rel=1e-13)
    # and exactness ends there: one panel of 5 nodes misses x^10 on [0, 1]
    n1, w1 = gauss_legendre(np.array([0.0, 1.0]), 5)
    assert abs(float((w1 * n1**10).sum()) - 1 / 11) > 1e-6


def test_grid_points_weights_and_image_orientation():
    g = uniform_grid(-1.0, 3.0, 4)
    assert g.points.shape == (16, 2) and g.spacing == 1.0 and g.dim == 2
    assert float(g.weights.sum()) == pytest.approx(16.0)
    image_x, image_y = g.image(g.points[:, 0]), g.image(g.points[:, 1])
    np.testing.assert_allclose(image_x[0], [-0.5, 0.5, 1.5, 2.5])  # columns run along x
    np.testing.assert_allclose(image_y[:, 0], [-0.5, 0.5, 1.5, 2.5])  # rows run along y
    assert g.integrate(torch.ones(16, dtype=torch.float64)) == pytest.approx(16.0)
    with pytest.raises(ValueError, match=r"values of shape \(3,\); expected \(4, 4\)"):
        g.integrate(torch.ones(3, dtype=torch.float64))


@pytest.mark.parametrize(
    "args,match",
    [
        ((-1.0, 1.0, 0), r"an empty grid\), got 0"),
        ((1.0, 1.0, 5), r"finite low < high, got low=1\.0, high=1\.0"),
        ((-math.inf, 1.0, 5), r"finite low < high"),
        ((-1.0, 1.0, 5, 3), r"grid dim must be 1 or 2, got 3"),
    ],
)
def test_grid_validation(args, match):
    with pytest.raises(ValueError, match=match):
        uniform_grid(*args)


@pytest.mark.parametrize("name", list(DENSITIES))
def test_support_and_scale_give_a_sufficient_grid(name):
    # the automatic window of pair_for(d, d) integrates d to 1 (used for exact maxima)
    d = get_density(name)
    grid = pair_for(d, d).grid()
    assert grid.integrate(d.log_prob(grid.points).exp()) == pytest.approx(1.0, abs=1e-8)
