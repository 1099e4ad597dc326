"""Density figures: the gridded KDE against scipy's gaussian_kde, and the run's figure files."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy.stats import gaussian_kde

from genlab.data import make_swiss_roll
from genlab.plotting.density import kde_grid, mass_level, plot_density, plot_losses, plot_scatter
from genlab.plotting.run_figures import render_run
from genlab.training import fit


def cell_centres(limit: float, resolution: int) -> np.ndarray:
    return -limit + (np.arange(resolution) + 0.5) * 2 * limit / resolution


def roll(n: int = 1000, seed: int = 0) -> np.ndarray:
    return make_swiss_roll(n, generator=seed).numpy()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_kde_grid_integrates_to_one_for_points_inside_the_window():
    rng = np.random.default_rng(0)
    pts = rng.normal(0.0, 0.3, size=(2000, 2)) @ np.array([[1.0, 0.4], [0.0, 0.6]])
    limit, res = 3.0, 120
    dens = kde_grid(pts, limit, res)
    assert dens.shape == (res, res) and (dens >= 0).all()
    assert dens.sum() * (2 * limit / res) ** 2 == pytest.approx(1.0, abs=2e-3)


@pytest.mark.parametrize("limit", [1.5, 1.0])
def test_kde_grid_matches_scipy_gaussian_kde_scott(limit):
    pts = roll()
    res = 100
    dens = kde_grid(pts, limit, res)
    c = cell_centres(limit, res)
    gx, gy = np.meshgrid(c, c)  # rows = y, cols = x
    kde = gaussian_kde(pts.T)  # Scott's rule, full covariance
    ref = kde(np.vstack((gx.ravel(), gy.ravel()))).reshape(res, res)
    significant = ref > 0.05 * ref.max()
    rel = np.abs(dens - ref)[significant] / ref[significant]
    assert rel.max() < 0.03, rel.max()
    # the mass in the window, when the window cuts the data (limit 1.0)
    mass = dens.sum() * (2 * limit / res) ** 2
    assert mass == pytest.approx(kde.integrate_box([-limit] * 2, [limit] * 2), rel=0.01)


def test_kde_grid_bw_adjust_scales_the_bandwidth_like_scipy():
    pts, limit, res = roll(500, seed=1), 1.5, 80
    c = cell_centres(limit, res)
    gx, gy = np.meshgrid(c, c)
    kde = gaussian_kde(pts.T, bw_method=lambda k: k.scotts_factor() * 2)
    ref = kde(np.vstack((gx.ravel(), gy.ravel()))).reshape(res, res)
    dens = kde_grid(pts, limit, res, bw_adjust=2.0)
    significant = ref > 0.05 * ref.max()
    assert (np.abs(dens - ref)[significant] / ref[significant]).max() < 0.03


def test_kde_grid_drops_nonfinite_points_and_needs_three():
    pts = roll(200)
    with_nan = np.vstack((pts, [[np.nan, 0.0], [np.inf, 1.0]]))
    np.testing.assert_array_equal(kde_grid(with_nan, 1.5, 50), kde_grid(pts, 1.5, 50))
    with pytest.raises(ValueError, match="at least 3"):
        kde_grid(np.array([[0.0, 0.0], [1.0, 1.0], [np.nan, 0.0]]), 1.5)


def test_mass_level_puts_the_asked_share_of_mass_below_it():
    dens = kde_grid(roll(), 1.5, 150)
    for thresh in (0.1, 0.5):
        level = mass_level(dens, thresh)
        below = dens[dens < level].sum() / dens.sum()
        assert below == pytest.approx(thresh, abs=2e-3)
    # an exact case: values 1..100, the smallest k sum to k(k+1)/2 of 5050
    values = np.arange(1.0, 101.0).reshape(10, 10)
    level = mass_level(values, 0.1)
    assert values[values < level].sum() / 5050 <= 0.1 < values[values <= level].sum() / 5050
    assert mass_level(np.zeros((3, 3)), 0.1) == 0.0


def test_plot_density_draws_on_the_given_ax_and_returns_it(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show was called"))
    fig, ax = plt.subplots()
    pts = roll(500)
    out = plot_density(ax, pts, limit=2.0, title="Epoch : 400", resolution=60)
    assert out is ax
    assert ax.get_title() == "Epoch : 400"
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-2.0, 2.0)
    (image,) = ax.get_images()
    assert tuple(image.get_extent()) == (-2.0, 2.0, -2.0, 2.0)
    dens = kde_grid(pts, 2.0, 60)
    assert image.get_clim() == pytest.approx((mass_level(dens, 0.1), dens.max()))
    masked = np.ma.getmaskarray(image.get_array())
    assert masked.any() and not masked.all()  # below the 10 %-mass level is transparent
    assert len(fig.axes) == 1


def test_plot_losses_and_scatter_return_their_ax():
    fig, ax = plt.subplots()
    epochs = np.arange(1, 6)
    out = plot_losses(ax, epochs, np.random.default_rng(0).random((5, 3)), labels=["a", "b", "c"])
    assert out is ax and len(ax.get_lines()) == 4  # three members and their mean
    fig, ax = plt.subplots()
    assert plot_scatter(ax, roll(50), limit=1.5) is ax and ax.get_xlim() == (-1.5, 1.5)


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_render_run_writes_the_documented_files(model, make_config, make_run):
    run = fit(make_run(make_config(model, seeds=(0, 1), epochs=4, snapshots=2))).run
    written = render_run(run, member=1)
    names = {p.name for p in written}
    expected = {"epoch_2.png", "epoch_4.png", "snapshots.png", "losses.png", "evolution.gif"}
    if model == "vae":
        expected |= {"prior_epoch_2.png", "prior_epoch_4.png", "evolution_prior.gif"}
    else:
        expected |= {"gan_lab.png"}
    assert names == expected
    for p in written:
        magic = b"GIF8" if p.suffix == ".gif" else b"\x89PNG"
        assert p.parent == run.figures and p.read_bytes()[:4] == magic
    assert {p.name for p in run.figures.iterdir()} == expected  # no temporary files left


def test_kde_grid_of_widely_spread_points_stays_small_and_normalised():
    """The padding is capped at one window, and the kernel keeps its analytic mass."""
    rng = np.random.default_rng(0)
    wide = rng.normal(scale=100.0, size=(2000, 2))
    dens = kde_grid(wide, 1.5, resolution=100)
    assert dens.shape == (100, 100) and np.isfinite(dens).all()
    # the density of N(0, (100² + h²) I) at the origin, up to the KDE's sampling noise
    assert dens.mean() == pytest.approx(1 / (2 * np.pi * 100**2), rel=0.5)
