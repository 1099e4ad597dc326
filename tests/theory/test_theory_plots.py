"""Heatmap helpers: they draw what they are given, on the given ax, and reject bad input."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from genlab.theory.densities import get_density
from genlab.theory.divergences import optimal_logit
from genlab.theory.plots import difference_heatmap, discriminator_heatmap
from genlab.theory.quadrature import uniform_grid


@pytest.fixture
def field():
    grid = uniform_grid(-1.5, 1.5, 40)
    p, q = get_density("swiss_roll"), get_density("gaussian")
    lp, lq = p.log_prob(grid.points), q.log_prob(grid.points)
    return grid, optimal_logit(lp, lq, 500.0), 0.5 * (lp.exp() + lq.exp())


def test_heatmap_draws_logits_and_probabilities(field):
    grid, s, _ = field
    fig, (a, b) = plt.subplots(1, 2)
    try:
        assert discriminator_heatmap(a, grid, s, title="s*") is a
        assert discriminator_heatmap(b, grid, s, show="D", colorbar=False) is b
        img_a, img_b = a.images[0].get_array(), b.images[0].get_array()
        assert img_a.shape == (40, 40) and a.get_title() == "s*"
        np.testing.assert_allclose(img_a, grid.image(s))  # row i = y_i, column j = x_j
        np.testing.assert_allclose(img_b, torch.sigmoid(s).reshape(40, 40).numpy(), atol=1e-12)
        assert b.images[0].norm.vmin == 0.0 and b.images[0].norm.vmax == 1.0
        assert a.images[0].get_extent() == [-1.5, 1.5, -1.5, 1.5]
        assert len(fig.axes) == 3  # one colorbar
    finally:
        plt.close(fig)


def test_difference_heatmap_is_symmetric_and_draws_weight_contours(field):
    grid, s, weight = field
    diff = torch.tanh(grid.points[:, 0]) * 3
    fig, ax = plt.subplots()
    try:
        assert difference_heatmap(ax, grid, diff, weight=weight) is ax
        norm = ax.images[0].norm
        assert norm.vmin == -norm.vmax and 0 < norm.vmax <= 3
        assert len(ax.collections) > 0  # the contour lines of the weight
    finally:
        plt.close(fig)


def test_bad_inputs_raise(field):
    grid, s, _ = field
    fig, ax = plt.subplots()
    try:
        with pytest.raises(ValueError, match="unknown show 'prob'; allowed: logit, D"):
            discriminator_heatmap(ax, grid, s, show="prob")
        with pytest.raises(ValueError, match="10 values for a grid of 1600 points"):
            discriminator_heatmap(ax, grid, s[:10])
        with pytest.raises(ValueError, match="heatmaps need a 2-D grid"):
            difference_heatmap(ax, uniform_grid(-1, 1, 5, dim=1), torch.zeros(5))
    finally:
        plt.close(fig)
