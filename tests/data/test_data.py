"""The dataset samplers against the homework's formula (hw12 "Step 1") and their contracts."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from genlab.data import (
    DATASETS,
    as_generator,
    get_dataset,
    grid_centers,
    make_grid,
    make_ring,
    make_swiss_roll,
    ring_centers,
)

N = 20000


def roll_params(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Radius and angle (in [−π, π]) of noiseless swiss-roll points."""
    return x.norm(dim=1), torch.atan2(x[:, 1], x[:, 0])


def test_swiss_roll_noiseless_points_lie_on_the_spiral_r_equals_t_over_10():
    x = make_swiss_roll(N, noise=0.0, generator=0)
    assert x.shape == (N, 2) and x.dtype == torch.float64
    r, angle = roll_params(x)
    t = r / 0.1
    # angle ≡ t (mod 2π): compare on the circle, so that ±π wrap-around is no problem
    diff = torch.remainder(angle - t + math.pi, 2 * math.pi) - math.pi
    assert diff.abs().max() < 1e-9
    assert r.min() >= 0.1 * math.pi - 1e-12
    assert r.max() < 0.4 * math.pi


def test_swiss_roll_t_has_density_proportional_to_t_on_pi_to_4pi():
    r, _ = roll_params(make_swiss_roll(N, noise=0.0, generator=1))
    t = (r / 0.1).numpy()
    cdf = lambda s: np.clip((s**2 - np.pi**2) / (15 * np.pi**2), 0, 1)  # noqa: E731
    res = stats.kstest(t, cdf)
    assert res.pvalue > 1e-3, res
    # and a wrong hypothesis (t uniform) is rejected: the test has power
    assert stats.kstest(t, stats.uniform(np.pi, 3 * np.pi).cdf).pvalue < 1e-6


def test_swiss_roll_noise_std_is_the_homeworks_0025_by_default():
    clean = make_swiss_roll(N, noise=0.0, generator=2)
    noisy = make_swiss_roll(N, generator=2)  # same stream: the noise is drawn either way
    eps = (noisy - clean).numpy()
    assert eps.mean(0) == pytest.approx([0, 0], abs=4 * 0.025 / math.sqrt(N))
    assert eps.std(0) == pytest.approx([0.025, 0.025], rel=0.03)
    doubled = make_swiss_roll(N, noise=0.05, generator=2)
    torch.testing.assert_close(doubled - clean, 2 * (noisy - clean))


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_same_seed_same_points_other_seed_other_points(name):
    spec = get_dataset(name)
    a, b = spec.sample(500, generator=7), spec.sample(500, generator=7)
    assert torch.equal(a, b)
    assert not torch.equal(a, spec.sample(500, generator=8))


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_int_seed_equals_a_generator_seeded_the_same(name):
    spec = get_dataset(name)
    g = torch.Generator().manual_seed(11)
    assert torch.equal(spec.sample(300, generator=11), spec.sample(300, generator=g))


def test_none_generator_is_fresh_and_leaves_the_global_rng_alone():
    torch.manual_seed(0)
    before = torch.random.get_rng_state()
    a, b = make_swiss_roll(100), make_swiss_roll(100)
    assert not torch.equal(a, b)
    assert torch.equal(torch.random.get_rng_state(), before)
    g = torch.Generator()
    assert as_generator(g) is g


def test_ring_has_8_distinct_unit_centers_at_angles_2pi_k_over_8():
    c = ring_centers()
    assert c.shape == (8, 2)
    k = torch.arange(8, dtype=torch.float64)
    expected = torch.stack((torch.cos(2 * math.pi * k / 8), torch.sin(2 * math.pi * k / 8)), 1)
    torch.testing.assert_close(c, expected, rtol=0, atol=1e-15)
    torch.testing.assert_close(c.norm(dim=1), torch.ones(8, dtype=torch.float64))
    assert torch.cdist(c, c).add(torch.eye(8, dtype=torch.float64)).min() > 0.7


def test_grid_has_25_centers_on_minus4_to_4_step_2():
    c = grid_centers()
    assert c.shape == (25, 2)
    axis = [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert {tuple(p) for p in c.tolist()} == {(a, b) for a in axis for b in axis}


@pytest.mark.parametrize(
    "sampler, centers, std", [(make_ring, ring_centers, 0.01), (make_grid, grid_centers, 0.05)]
)
def test_mixture_samples_cover_every_mode_with_the_default_std(sampler, centers, std):
    x = sampler(4000, generator=3)
    c = centers()
    d = torch.cdist(x, c)
    nearest = d.argmin(1)
    assert d.min(1).values.max() < 6 * std
    counts = torch.bincount(nearest, minlength=len(c)).double()
    assert counts.min() > 0.5 * len(x) / len(c)  # roughly equal weights
    resid = (x - c[nearest]).numpy()
    assert resid.std(0) == pytest.approx([std, std], rel=0.06)


def test_unknown_dataset_lists_the_known_ones():
    with pytest.raises(ValueError, match="no_such_dataset") as err:
        get_dataset("no_such_dataset")
    for name in DATASETS:
        assert name in str(err.value)


@pytest.mark.parametrize("sampler", [make_swiss_roll, make_ring, make_grid])
@pytest.mark.parametrize("n", [0, -5, 2.5, True])
def test_bad_n_samples_raises_naming_it(sampler, n):
    with pytest.raises(ValueError, match="n_samples"):
        sampler(n, generator=0)


@pytest.mark.parametrize("sampler", [make_swiss_roll, make_ring, make_grid])
@pytest.mark.parametrize("noise", [-0.1, math.nan, math.inf])
def test_bad_noise_raises_naming_it(sampler, noise):
    with pytest.raises(ValueError, match="noise"):
        sampler(10, noise=noise, generator=0)


def test_dataset_spec_uses_its_default_noise_unless_given():
    spec = get_dataset("swiss_roll")
    assert spec.noise == 0.025
    assert torch.equal(spec.sample(50, generator=0), make_swiss_roll(50, generator=0))
    assert torch.equal(
        spec.sample(50, noise=0.0, generator=0), make_swiss_roll(50, noise=0.0, generator=0)
    )
