"""Figures of a training run's evolution: the animated GIF and GAN Lab's view of a GAN."""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from PIL import Image

from genlab import objectives
from genlab.base import atomic
from genlab.base.rng import member_generators
from genlab.data import get_dataset
from genlab.plotting.animation import write_density_gif
from genlab.plotting.density import _kde_direct
from genlab.plotting.gan_lab import arrow_vectors, logit_norm, plot_gan_lab
from genlab.plotting.run_figures import (
    render_evolution,
    render_gan_lab,
    render_run,
    snapshot_epochs,
)
from genlab.training import build_model, fit
from genlab.training.rundir import RunDir, environment

FRAMES = 5
GAN_LAB_KEYS = ("disc_logits", "gen_points", "gen_grad")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# -- runs with the new arrays, built here from a tiny trained run ----------------------------------
def add_frames(run: RunDir, frames: int = FRAMES) -> None:
    """frames.npz: the last snapshot's points, shrinking jitter from frame to frame."""
    snaps = run.load_snapshots()
    rng = np.random.default_rng(0)
    arrays = {}
    for kind in ("samples", "prior"):
        if epochs := snapshot_epochs(snaps, kind):
            last = snaps[f"{kind}_{epochs[-1]}"]  # (E, n, 2)
            noise = (
                rng.normal(size=(frames, *last.shape))
                * np.linspace(0.5, 0, frames)[:, None, None, None]
            )
            arrays[kind] = (last[None] + noise).astype(np.float32)  # (F, E, n, 2)
    atomic.save_npz(run.path / "frames.npz", epochs=np.arange(1, frames + 1) * 10, **arrays)


def add_game_view(run: RunDir, resolution: int = 16, points: int = 32) -> None:
    """disc_logits_N, gen_points_N, gen_grad_N from the trained GAN (its last checkpoint)."""
    config = run.config()
    # the weights as trained, read directly: this helper rewrites the run's arrays after
    # training, which the checkpoint's seal would (rightly) report as damage
    state = torch.load(run.checkpoint_file, map_location="cpu", weights_only=True)
    model = build_model(config, torch.device("cpu"))
    model.load_state_dict(state["model"])
    limit = get_dataset(config.train.dataset).limit
    members = len(config.train.seeds)
    axis = torch.linspace(-limit, limit, resolution)
    yy, xx = torch.meshgrid(axis, axis, indexing="ij")  # row i ↔ y_i, column j ↔ x_j
    cells = torch.stack((xx, yy), -1).reshape(1, -1, 2).expand(members, -1, -1)
    snaps = run.load_snapshots()
    for ep in snapshot_epochs(snaps, "samples"):
        with torch.no_grad():
            logits = model.discriminate(cells).reshape(members, resolution, resolution)
        fake = model.sample(points, generators=member_generators(config.train.seeds, "eval"))
        fake.requires_grad_(True)
        loss = objectives.generator_loss(model.discriminate(fake))
        (grad,) = torch.autograd.grad(loss.sum(), fake)
        snaps |= {f"disc_logits_{ep}": logits.numpy(), f"gen_points_{ep}": fake.detach().numpy(),
                  f"gen_grad_{ep}": -grad.numpy()}  # fmt: skip
    run.save_snapshots(snaps)


def strip_new_arrays(run: RunDir) -> None:
    """An old-style run: no frames.npz, no GAN Lab keys in snapshots.npz."""
    (run.path / "frames.npz").unlink(missing_ok=True)
    snaps = run.load_snapshots()
    run.save_snapshots({k: v for k, v in snaps.items() if k.rsplit("_", 1)[0] == "samples"
                        or k.rsplit("_", 1)[0] == "prior"})  # fmt: skip


@pytest.fixture(scope="module")
def trained(make_config, tmp_path_factory) -> dict[str, RunDir]:
    """One tiny trained run per model (train once; tests copy them)."""
    root = tmp_path_factory.mktemp("trained")
    runs = {}
    for model in ("gan", "vae"):
        config = make_config(model, epochs=2, snapshots=2)
        runs[model] = fit(RunDir.create(root / model, config, environment("cpu"))).run
    return runs


@pytest.fixture
def copy_run(trained, tmp_path):
    def copy(model: str) -> RunDir:
        shutil.copytree(trained[model].path, tmp_path / model)
        run = RunDir.open(tmp_path / model)
        shutil.rmtree(run.figures, ignore_errors=True)
        strip_new_arrays(run)
        return run

    return copy


# -- the plotting functions --------------------------------------------------------------------
def image_value_at(image, x: float, y: float) -> float:
    """The value an ``imshow`` image shows at data point (x, y), from its extent and origin."""
    data = image.get_array()
    left, right, bottom, top = image.get_extent()
    rows, cols = data.shape
    col = int((x - left) / (right - left) * cols)
    row = int((y - bottom) / (top - bottom) * rows)
    if image.origin == "upper":
        row = rows - 1 - row
    return float(data[row, col])


@pytest.mark.parametrize("axis", ["x", "y"])
def test_plot_gan_lab_returns_its_ax_and_puts_the_grid_where_it_belongs(axis):
    limit, r = 2.0, 20
    grid = np.linspace(-limit, limit, r)
    yy, xx = np.meshgrid(grid, grid, indexing="ij")  # the documented layout
    logits = np.where((xx if axis == "x" else yy) > 0, 3.0, -9.0)
    rng = np.random.default_rng(0)
    real, fake, grad = (rng.normal(size=(30, 2)) for _ in range(3))
    fig, (ax, cax) = plt.subplots(1, 2)
    out = plot_gan_lab(ax, logits, limit, real, fake, grad, title="Epoch : 7", cax=cax)
    assert out is ax and ax.get_title() == "Epoch : 7"
    assert ax.get_xlim() == (-limit, limit) and ax.get_ylim() == (-limit, limit)
    (image,) = ax.get_images()
    high, low = (1.0, 0.5), (-1.0, -0.5)  # (along the axis, across it)
    at = (lambda a, b: (a, b)) if axis == "x" else (lambda a, b: (b, a))
    assert image_value_at(image, *at(*high)) == 3.0 and image_value_at(image, *at(*low)) == -9.0
    # the grid values sit at cell centres: the outer cells reach half a cell past the window
    step = 2 * limit / (r - 1)
    assert image.get_extent() == pytest.approx([-limit - step / 2, limit + step / 2] * 2)
    assert len(ax.collections) == 3  # real points, generated points, arrows
    assert cax.get_ylabel()  # the colorbar, labelled
    # the default scale is centred at ``center``
    clim = image.get_clim()
    assert (clim[0] + clim[1]) / 2 == pytest.approx(0.0)


def test_logit_norm_is_symmetric_about_the_center_and_robust():
    logits = np.full(1000, -6.0)
    logits[:500] += np.linspace(-1, 1, 500)
    logits[0] = 1e6  # one extreme cell does not set the scale
    norm = logit_norm(logits, center=-np.log(500))
    assert (norm.vmin + norm.vmax) / 2 == pytest.approx(-np.log(500))
    assert norm.vmax - norm.vmin < 10
    flat = logit_norm(np.full((4, 4), -2.0), center=-2.0)  # no spread: a unit half-range
    assert (flat.vmin, flat.vmax) == (-3.0, -1.0)


def test_arrow_vectors_scale_the_90th_percentile_to_the_asked_length_and_clip_above():
    rng = np.random.default_rng(1)
    grad = rng.normal(size=(200, 2)) * rng.lognormal(sigma=2, size=(200, 1))
    grad[0] = 0.0
    grad[1] = np.nan
    arrows = arrow_vectors(np.zeros_like(grad), grad, limit=1.5, length=0.1)
    lengths = np.linalg.norm(arrows, axis=1)
    assert lengths.max() == pytest.approx(0.3)  # 10 % of the window's width 3
    assert np.all(lengths <= 0.3 + 1e-12) and lengths[0] == 0 and lengths[1] == 0
    ok = np.linalg.norm(np.nan_to_num(grad), axis=1) > 0
    cos = (arrows[ok] * grad[ok]).sum(1) / (lengths[ok] * np.linalg.norm(grad[ok], axis=1))
    np.testing.assert_allclose(cos, 1.0)  # directions kept
    assert np.mean(lengths >= 0.3 - 1e-12) == pytest.approx(0.1, abs=0.02)  # the top 10 % clip
    assert not arrow_vectors(grad[:3], np.zeros((3, 2)), limit=1.5).any()


def test_kde_direct_equals_the_plain_sum():
    rng = np.random.default_rng(2)
    pts = rng.normal(scale=4.0, size=(300, 2)) @ np.array([[1.0, 0.5], [0.0, 0.7]])
    cov = np.cov(pts.T) * len(pts) ** (-1 / 3)
    res, limit = 12, 1.5
    c = -limit + (np.arange(res) + 0.5) * 2 * limit / res
    gx, gy = np.meshgrid(c, c)
    d = np.stack((gx, gy), -1)[:, :, None, :] - pts  # (res, res, n, 2)
    quad = np.einsum("...i,ij,...j->...", d, np.linalg.inv(cov), d)
    ref = np.exp(-0.5 * quad).sum(-1) / (2 * np.pi * np.sqrt(np.linalg.det(cov)) * len(pts))
    np.testing.assert_allclose(_kde_direct(pts, cov, limit, res), ref, rtol=1e-10)


def test_density_gif_has_one_frame_per_epoch_and_holds_the_last(tmp_path: Path):
    rng = np.random.default_rng(3)
    points = rng.normal(scale=0.4, size=(FRAMES, 200, 2))
    points[1, :198] = np.nan  # a frame with too few finite points is drawn empty, not an error
    path = write_density_gif(tmp_path / "evolution.gif", [10 * (f + 1) for f in range(FRAMES)],
                             points, limit=1.5, reference=points[0], fps=5, hold=2.0)  # fmt: skip
    assert [p.name for p in tmp_path.iterdir()] == ["evolution.gif"]  # no temporary file left
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == FRAMES and gif.info["loop"] == 0
        durations = []
        for i in range(FRAMES):
            gif.seek(i)
            durations.append(gif.info["duration"])
        assert gif.size == (300, 300)  # 4 in at 75 dpi
    assert durations == [200] * (FRAMES - 1) + [2000]
    assert path.stat().st_size < 200_000


# -- render_run ------------------------------------------------------------------------------------
def test_render_run_of_a_gan_with_the_new_arrays_writes_the_gif_and_gan_lab(copy_run):
    run = copy_run("gan")
    add_frames(run)
    add_game_view(run)
    written = render_run(run)
    names = {p.name for p in written}
    assert {"evolution.gif", "gan_lab.png"} <= names and "evolution_prior.gif" not in names
    assert {p.name for p in run.figures.iterdir()} == names  # no temporary files left
    with Image.open(run.figures / "evolution.gif") as gif:
        assert gif.n_frames == FRAMES
    assert (run.figures / "evolution.gif").stat().st_size < 2_000_000
    assert (run.figures / "gan_lab.png").read_bytes()[:4] == b"\x89PNG"


def test_render_evolution_of_a_vae_writes_both_gifs_and_it_has_no_gan_lab(copy_run):
    run = copy_run("vae")
    add_frames(run)
    written = render_evolution(run)
    assert [p.name for p in written] == ["evolution.gif", "evolution_prior.gif"]
    for p in written:
        with Image.open(p) as gif:
            assert gif.n_frames == FRAMES
    assert render_gan_lab(run) is None


def test_render_run_of_an_old_style_run_writes_neither(copy_run):
    run = copy_run("gan")
    written = {p.name for p in render_run(run)}
    assert written == {"epoch_1.png", "epoch_2.png", "snapshots.png", "losses.png"}
    assert not (run.figures / "evolution.gif").exists()
    assert not (run.figures / "gan_lab.png").exists()
    # only part of the GAN Lab arrays (a run cut short while writing them): still skipped
    add_game_view(run)
    snaps = run.load_snapshots()
    run.save_snapshots({k: v for k, v in snaps.items() if not k.startswith("gen_grad")})
    assert render_gan_lab(run) is None
