"""Mode coverage (VEEGAN / PacGAN) and swiss-roll metrics on sets with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
from scipy.spatial import cKDTree

from genlab.data import DATASETS, get_dataset, ring_centers
from genlab.evaluation.modes import mode_histogram_kl, mode_metrics
from genlab.evaluation.spiral import (
    T_MAX,
    T_MIN,
    coverage_bin_edges,
    project_to_spiral,
    spiral_metrics,
    spiral_point,
    wasserstein_1d,
)

CENTERS = ring_centers().numpy()  # the ring: 8 modes, radius 1
SIGMA = 0.01


def around(centers: np.ndarray, per_mode: int, std: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    points = np.repeat(centers, per_mode, axis=0)
    return points + std * rng.normal(size=points.shape)


# -- mode metrics -------------------------------------------------------------------------------
def test_points_on_every_center_are_perfect() -> None:
    m = mode_metrics(np.repeat(CENTERS, 5, axis=0), CENTERS, SIGMA)
    assert (m.modes_captured, m.n_modes, m.high_quality) == (8, 8, 1.0)
    assert m.reverse_kl == pytest.approx(0.0, abs=1e-12)
    assert m.counts == (5,) * 8


def test_collapsed_set() -> None:
    m = mode_metrics(around(CENTERS[:1], 2500, SIGMA), CENTERS, SIGMA)
    assert m.modes_captured == 1
    assert m.high_quality > 0.98
    assert m.reverse_kl == pytest.approx(math.log(8))


def test_set_missing_one_mode() -> None:
    m = mode_metrics(np.repeat(CENTERS[1:], 100, axis=0), CENTERS, SIGMA)
    assert m.modes_captured == 7
    assert m.counts[0] == 0
    assert m.reverse_kl == pytest.approx(math.log(8 / 7))


def test_blurred_set() -> None:
    """With std 5σ, P(‖ε‖ < 3σ) = 1 − exp(−9/50) for a 2-D Gaussian."""
    m = mode_metrics(around(CENTERS, 1000, 5 * SIGMA), CENTERS, SIGMA)
    assert m.modes_captured == 8
    assert m.high_quality == pytest.approx(1 - math.exp(-9 / 50), abs=0.015)


def test_high_quality_radius_is_strict_three_sigma() -> None:
    inside = CENTERS[0] + [2.999 * SIGMA, 0.0]
    outside = CENTERS[0] + [3.001 * SIGMA, 0.0]
    m = mode_metrics(np.stack([inside, outside]), CENTERS, SIGMA)
    assert m.high_quality == 0.5 and m.counts[0] == 1
    assert mode_metrics(np.stack([outside]), CENTERS, SIGMA, n_std=3.5).high_quality == 1.0


def test_min_count_raises_the_bar() -> None:
    x = np.concatenate([np.repeat(CENTERS[:7], 30, axis=0), CENTERS[7:]])
    assert mode_metrics(x, CENTERS, SIGMA).modes_captured == 8
    assert mode_metrics(x, CENTERS, SIGMA, min_count=20).modes_captured == 7


def test_no_high_quality_sample() -> None:
    m = mode_metrics(np.zeros((10, 2)), CENTERS, SIGMA)
    assert (m.modes_captured, m.high_quality) == (0, 0.0)
    assert m.reverse_kl == pytest.approx(math.log(8))
    assert mode_histogram_kl(np.array([3, 1])) == pytest.approx(
        0.75 * math.log(1.5) + 0.25 * math.log(0.5)
    )


MIXTURES = [name for name, spec in DATASETS.items() if spec.centers is not None]


@pytest.mark.parametrize("name", MIXTURES)
def test_fresh_mixture_data_has_every_mode(name: str) -> None:
    spec = get_dataset(name)
    m = mode_metrics(spec.sample(2500, generator=1), spec.centers(), spec.noise)
    assert m.modes_captured == m.n_modes == len(spec.centers())
    assert m.high_quality == pytest.approx(1 - math.exp(-4.5), abs=0.01)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"std": 0.0}, "std must be"),
        ({"std": math.nan}, "std must be"),
        ({"n_std": -1.0}, "n_std must be"),
        ({"min_count": 0}, "min_count must be"),
    ],
)
def test_mode_metrics_rejects(kwargs: dict, match: str) -> None:
    args = {"std": SIGMA} | kwargs
    std = args.pop("std")
    with pytest.raises(ValueError, match=match):
        mode_metrics(CENTERS, CENTERS, std, **args)


def test_mode_metrics_rejects_bad_samples() -> None:
    with pytest.raises(ValueError, match="samples has 1 non-finite"):
        mode_metrics(np.array([[np.nan, 0.0]]), CENTERS, SIGMA)
    with pytest.raises(ValueError, match="differ in dimension"):
        mode_metrics(np.zeros((3, 3)), CENTERS, SIGMA)


# -- swiss roll ---------------------------------------------------------------------------------
def test_points_on_the_spiral_project_onto_themselves() -> None:
    t = np.random.default_rng(0).uniform(T_MIN, T_MAX, 1000)
    t_hat, dist = project_to_spiral(spiral_point(t))
    assert dist.max() < 1e-9
    np.testing.assert_allclose(t_hat, t, atol=1e-7)


def test_normal_offsets_give_their_length() -> None:
    """x = c(t) + δ·n(t), n the unit normal: distance δ (δ below the curvature radius ≥ 0.3)."""
    t = np.random.default_rng(1).uniform(T_MIN + 0.5, T_MAX - 0.5, 500)
    tangent = np.stack((np.cos(t) - t * np.sin(t), np.sin(t) + t * np.cos(t)), axis=1)
    normal = tangent[:, ::-1] * [1, -1] / np.linalg.norm(tangent, axis=1, keepdims=True)
    for delta in (0.05, -0.05):
        _, dist = project_to_spiral(spiral_point(t) + delta * normal)
        np.testing.assert_allclose(dist, abs(delta), atol=1e-9)


def test_projection_matches_a_dense_brute_force() -> None:
    x = np.random.default_rng(2).uniform(-1.5, 1.5, size=(500, 2))
    fine = spiral_point(np.linspace(T_MIN, T_MAX, 400_000))  # arc spacing ≤ 1e-5
    brute, _ = cKDTree(fine).query(x)
    _, dist = project_to_spiral(x)
    assert np.all(dist <= brute + 1e-12)
    np.testing.assert_allclose(dist, brute, atol=1e-5)


def test_spiral_metrics_known_cases() -> None:
    spec = get_dataset("swiss_roll")
    data, fresh = spec.sample(2000, generator=1), spec.sample(2000, generator=2)
    same = spiral_metrics(data, fresh)
    assert same.near == pytest.approx(0.997, abs=0.005)
    assert same.coverage_tv < 0.1 and same.coverage_w1 < 0.2
    far = spiral_metrics(data + 5.0, fresh)
    assert (far.near, far.coverage_tv, far.coverage_w1) == (0.0, 1.0, 3 * math.pi)
    t = np.random.default_rng(3).uniform(T_MIN, T_MAX, 2000)
    assert spiral_metrics(spiral_point(t), fresh).near == 1.0
    inner_half = data[project_to_spiral(data)[0] < 2.5 * math.pi]
    half = spiral_metrics(inner_half, fresh)
    assert half.near > 0.99 and half.coverage_tv > 0.4 and half.coverage_w1 > 2.0


@pytest.mark.parametrize(("m", "r", "seed"), [(1, 1, 0), (5, 9, 1), (400, 250, 2), (300, 300, 3)])
def test_wasserstein_1d_is_scipys(m: int, r: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    u, v = rng.normal(size=m), rng.gamma(2.0, size=r)
    u[: m // 3] = v[0]  # ties, within and across the samples
    assert wasserstein_1d(u, v) == pytest.approx(scipy.stats.wasserstein_distance(u, v),
                                                  rel=1e-12, abs=1e-15)  # fmt: skip


def test_coverage_bins_have_equal_probability() -> None:
    edges = coverage_bin_edges(25)
    assert edges[0] == pytest.approx(T_MIN) and edges[-1] == pytest.approx(T_MAX)
    cdf = (np.square(edges / (2 * math.pi)) - 0.25) / 3.75  # P(T ≤ t) for T = 2π·sqrt(U(.25, 4))
    np.testing.assert_allclose(np.diff(cdf), 1 / 25)


def test_spiral_metrics_rejects() -> None:
    data = get_dataset("swiss_roll").sample(50, generator=1)
    with pytest.raises(ValueError, match="threshold must be"):
        spiral_metrics(data, data, threshold=0.0)
    with pytest.raises(ValueError, match="2-D points"):
        spiral_metrics(np.zeros((5, 3)), data)
    with pytest.raises(ValueError, match="no reference point"):
        spiral_metrics(data, data + 5.0)
