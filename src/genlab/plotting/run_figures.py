"""A run's figures, drawn from its files (snapshots.npz, metrics.jsonl, data.npy).

figures/epoch_N.png        the homework's panel "Epoch : N" (member 0)
figures/prior_epoch_N.png  VAE only: samples from the prior N(0, I) at epoch N
figures/snapshots.png      the true data and every snapshot side by side (one row per kind)
figures/losses.png         loss curves, one line per member
figures/evolution.gif      the training animation of "Epoch : N" panels (frames.npz, member 0)
figures/evolution_prior.gif  VAE only: the same for samples from the prior
figures/gan_lab.png        GAN on 2-D data only: GAN Lab's view at every snapshot
                           (discriminator heatmap, real and generated points, the generator's
                           arrows)

In any dimension d (``genlab.plotting.points``): for d = 2 the homework's density panels; for
d = 1 the samples' KDE over the data's histogram; for d > 2 the epoch panels are corner plots
of the first dimensions (samples' densities under the data's contours, marginals on the
diagonal), and the snapshot grid and the animations show the first pair (x1, x2). The window
is the registered dataset's, else derived from the data (``genlab.plotting.window``).

The GIFs and gan_lab.png need arrays that older runs lack (frames.npz; disc_logits_N,
gen_points_N, gen_grad_N in snapshots.npz): without them they are silently not drawn.

Training does not draw them (they cost more than a short run's training): ``draw_figures``
draws them when asked (``genlab plot``, ``genlab report``, ``genlab train --figures``,
``Run.draw_figures``), from the files, and only when they are missing or older than the
files they show.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from genlab.base import atomic
from genlab.plotting.density import homework_style, plot_losses, subplots
from genlab.plotting.points import legend_handles, plot_corner, truncation_note
from genlab.plotting.run_extras import render_evolution, render_gan_lab
from genlab.plotting.view import View, member_data, snapshot_epochs, thin
from genlab.training.rundir import RunDir

__all__ = ["draw_figures", "figures_current", "render_evolution", "render_gan_lab",
           "render_losses", "render_run", "snapshot_epochs"]  # fmt: skip

SOURCES = ("metrics.jsonl", "snapshots.npz", "frames.npz", "data.npy")
"""The files the figures are drawn from."""
LAST_FIGURE = "losses.png"
"""``render_run`` writes it last: its presence says the set is whole."""

ROW_TITLES = {
    "samples": {"vae": "reconstructions decode(μ(x))", "gan": "generated samples G(z)"},
    "prior": {"vae": "prior samples decode(z), z ~ N(0, I)"},
}


def figures_current(run: RunDir) -> bool:
    """Whether the run's figures are all there and newer than every file they are drawn from."""
    last = run.figures / LAST_FIGURE
    if not last.exists():
        return False
    drawn = last.stat().st_mtime_ns
    return all(
        not (run.path / s).exists() or (run.path / s).stat().st_mtime_ns <= drawn for s in SOURCES
    )


def draw_figures(run: RunDir, member: int = 0, *, force: bool = False) -> list[Path]:
    """Draw the run's figures unless they are current (``force`` draws them anyway); a
    finished run's manifest records them. Returns the figures drawn (none when current)."""
    if not force and figures_current(run):
        return []
    written = render_run(run, member=member)
    run.record(*written)  # a no-op before DONE: ``mark_done`` lists every file then
    return written


def render_run(run: RunDir, member: int = 0, dpi: int = 100) -> list[Path]:
    """Write the run's figures; return their paths."""
    config = run.config()
    snaps = run.load_snapshots()
    data = member_data(np.load(run.data_file), member)
    view = View.of(config.train, data)
    reference = thin(data)
    written: list[Path] = []
    kinds = [k for k in ("samples", "prior") if snapshot_epochs(snaps, k)]
    with homework_style():
        for kind in kinds:
            prefix = "epoch" if kind == "samples" else "prior_epoch"
            suffix = "" if kind == "samples" else " (prior samples)"
            for ep in snapshot_epochs(snaps, kind):
                points, title = snaps[f"{kind}_{ep}"][member], f"Epoch : {ep}{suffix}"
                if view.d > 2:
                    fig = corner_figure(points, reference, view, title)
                elif view.d == 1:
                    fig, ax = subplots(figsize=(5.5, 3.6), layout="constrained")
                    view.panel(ax, points, reference=reference, title=title)
                    ax.legend(handles=legend_handles(), fontsize=8, loc="upper right")
                else:
                    fig, ax = subplots(figsize=(5, 5))
                    view.panel(ax, points, title=title)
                written.append(atomic.save_figure(run.figures / f"{prefix}_{ep}.png", fig, dpi=dpi))
        if kinds:
            written.append(render_snapshot_grid(run, snaps, kinds, data, view, member, dpi))
        if (gan_lab := render_gan_lab(run, member, dpi)) is not None:
            written.append(gan_lab)
    written.extend(render_evolution(run, member))
    written.append(render_losses(run))
    return written


def corner_figure(points: np.ndarray, reference: np.ndarray, view: View, title: str) -> Figure:
    """A corner plot of ``points`` beside the data over ``view.dims``, titled (and saying
    so when the dims are only the first ones), its legend in the empty upper triangle (where
    no axes are made: they would cost as much to draw as the others)."""
    k = len(view.dims)
    side = 1.9 * k + 0.5
    fig = Figure(figsize=(side, side))
    grid = fig.add_gridspec(k, k, left=0.6 / side, right=1 - 0.15 / side, bottom=0.45 / side,
                            top=1 - 0.5 / side, wspace=0.08, hspace=0.08)  # fmt: skip
    axes = np.full((k, k), None, dtype=object)
    for i in range(k):
        for j in range(i + 1):
            axes[i, j] = fig.add_subplot(grid[i, j])
    plot_corner(axes, points, reference=reference, window=view.window, dims=view.dims)
    fig.suptitle(title + truncation_note(view.dims, view.d), fontsize=11)
    fig.legend(handles=legend_handles(), loc="upper right", fontsize=8, frameon=False,
               bbox_to_anchor=(1 - 0.2 / side, 1 - 0.55 / side))  # fmt: skip
    return fig


def render_snapshot_grid(
    run: RunDir, snaps: dict[str, np.ndarray], kinds: list[str], data: np.ndarray, view: View,
    member: int, dpi: int,
) -> Path:  # fmt: skip
    """figures/snapshots.png: the true data, then every snapshot, one row per kind."""
    config = run.config()
    epochs = snapshot_epochs(snaps, kinds[0])
    cols = len(epochs) + 1
    fig, axes = subplots(len(kinds), cols, figsize=(2.6 * cols, 2.8 * len(kinds)),
                             squeeze=False)  # fmt: skip
    reference = None if view.d == 2 else thin(data)
    roll = getattr(config.train, "data", None) is None and config.train.dataset == "swiss_roll"
    for r, kind in enumerate(kinds):
        view.panel(axes[r, 0], data, data=True, title="True Swiss Roll" if roll else "True data")
        axes[r, 0].set_ylabel(ROW_TITLES[kind][config.model], fontsize=8)
        for c, ep in enumerate(epochs, start=1):
            view.panel(axes[r, c], snaps[f"{kind}_{ep}"][member], reference=reference,
                       title=f"Epoch : {ep}")  # fmt: skip
    for ax in axes.flat:
        ax.tick_params(labelsize=7)
    fig.suptitle(f"{config.model.upper()} on {config.train.data_name}, seed "
                 f"{config.train.seeds[member]}{view.pair_note}")  # fmt: skip
    fig.tight_layout()
    return atomic.save_figure(run.figures / "snapshots.png", fig, dpi=dpi)


def render_losses(run: RunDir, dpi: int = 100) -> Path:
    """Loss curves of every member, one panel per loss."""
    records = run.read_metrics()
    names = [k for k in records[0] if isinstance(records[0][k], list)] if records else []
    epochs = np.array([r["epoch"] for r in records])
    seeds = run.config().train.seeds
    fig, axes = subplots(1, max(1, len(names)), figsize=(4.5 * max(1, len(names)), 3.5),
                             squeeze=False)  # fmt: skip
    for ax, name in zip(axes[0], names, strict=False):
        values = np.array([r[name] for r in records])
        plot_losses(ax, epochs, values, labels=[f"seed {s}" for s in seeds], title=name)
    fig.tight_layout()
    path = atomic.save_figure(run.figures / "losses.png", fig, dpi=dpi)
    return path
