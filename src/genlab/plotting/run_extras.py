"""The run figures that need arrays older runs lack: the training animations (frames.npz) and
GAN Lab's view of a GAN (disc_logits_N, gen_points_N, gen_grad_N in snapshots.npz).

figures/evolution.gif        the "Epoch : N" panel at every frame epoch (member 0): d = 2 the
                             homework's density, d = 1 the samples' KDE over the data's
                             histogram, d > 2 the density of the pair (x1, x2)
figures/evolution_prior.gif  VAE only: the same for samples from the prior
figures/gan_lab.png          GAN on 2-D data only: one GAN Lab panel per snapshot epoch

Without their arrays (or, for GAN Lab, for data of another dimension) they are not drawn.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D

from genlab.base import atomic
from genlab.models.config import GANConfig
from genlab.plotting.animation import marginal_frames, save_gif, write_density_gif
from genlab.plotting.density import subplots
from genlab.plotting.gan_lab import FAKE_COLOR, REAL_COLOR, logit_norm, plot_gan_lab
from genlab.plotting.view import View, member_data, snapshot_epochs, thin
from genlab.training.rundir import RunDir

EVOLUTION_FILES = {"samples": "evolution.gif", "prior": "evolution_prior.gif"}
GAN_LAB_KEYS = ("disc_logits", "gen_points", "gen_grad")
ANIMATION_DATA_POINTS, GAN_LAB_DATA_POINTS = 1000, 500
"""True data points drawn over the animation and the GAN Lab panels (for a registered dataset
the first ones, which are a random draw; for a data file a seeded subsample)."""
ARROW_LENGTH = 0.06
"""GAN Lab arrows: the 90th-percentile arrow of each panel, in window widths."""


def reference_points(data: np.ndarray, view: View, n: int) -> np.ndarray:
    """``n`` data points to draw over a figure: the first ones of a registered dataset's draw
    (as always), a seeded subsample of a data file (which may be in any order)."""
    return data[:n] if view.limit is not None else thin(data, n)


def render_evolution(run: RunDir, member: int = 0) -> list[Path]:
    """figures/evolution.gif (and, for a VAE, evolution_prior.gif) from frames.npz: the
    run's panel at every frame epoch, the true data as faint dots (d = 1: its histogram).
    [] without frames."""
    frames_file = run.frames_file
    if not frames_file.exists():
        return []
    data = member_data(np.load(run.data_file), member)
    view = View.of(run.config().train, data)
    with np.load(frames_file) as z:
        epochs = z["epochs"]
        kinds = {kind: z[kind][:, member] for kind in EVOLUTION_FILES if kind in z.files}
    if len(epochs) == 0:
        return []
    reference = reference_points(data, view, ANIMATION_DATA_POINTS)
    written = []
    for kind, points in kinds.items():  # points: (F, n, d)
        title = "Epoch : {epoch}" + ("" if kind == "samples" else " (prior samples)")
        path = run.figures / EVOLUTION_FILES[kind]
        if view.d == 1:
            frames = marginal_frames(epochs, points[..., 0], window=view.window[0], title=title,
                                     reference=thin(data)[:, 0])  # fmt: skip
            written.append(save_gif(path, frames))
        elif view.d == 2 and view.limit is not None:
            written.append(write_density_gif(path, epochs, points, limit=view.limit,
                                             title=title, reference=reference))  # fmt: skip
        else:
            title += f" · x1, x2 of {view.d}" if view.d > 2 else ""
            written.append(write_density_gif(path, epochs, points[..., :2], limit=1.0,
                                             window=view.window[:2], title=title,
                                             reference=reference[:, :2]))  # fmt: skip
    return written


def gan_lab_window(run: RunDir, view: View) -> np.ndarray | None:
    """The window GAN Lab's grid spans (as the trainer laid it out): None for a registered
    dataset's square [−limit, limit]², else the data file's window of the trainer
    (``genlab.training.window.data_window``), (2, 2)."""
    if view.limit is not None:
        return None
    from genlab.training.window import data_window

    w = data_window(run.config().train, run.user_data())
    return np.stack([np.asarray(w.lo, dtype=np.float64), np.asarray(w.hi, dtype=np.float64)], 1)


def render_gan_lab(run: RunDir, member: int = 0, dpi: int = 100) -> Path | None:
    """figures/gan_lab.png: one GAN Lab panel (``genlab.plotting.gan_lab``) per snapshot epoch, one
    shared colour scale centred at −log λ. None for a VAE, for data that are not 2-D or for a
    run without the arrays."""
    config = run.config()
    snaps = run.load_snapshots()
    epochs = [ep for ep in snapshot_epochs(snaps, "disc_logits")
              if all(f"{key}_{ep}" in snaps for key in GAN_LAB_KEYS)]  # fmt: skip
    if config.model != "gan" or not epochs:
        return None
    arch = config.arch
    assert isinstance(arch, GANConfig)
    data = member_data(np.load(run.data_file), member)
    if data.shape[-1] != 2:
        return None
    view = View.of(config.train, data)
    limit, window = view.limit if view.limit is not None else 1.0, gan_lab_window(run, view)
    real = reference_points(data, view, GAN_LAB_DATA_POINTS)
    center = -float(np.log(arch.lam))
    norm = logit_norm(np.stack([snaps[f"disc_logits_{ep}"][member] for ep in epochs]),
                      center=center)  # fmt: skip
    k = len(epochs)
    fig, axes = subplots(1, k, figsize=(2.8 * k + 1.2, 3.9), squeeze=False,
                             layout="constrained")  # fmt: skip
    for ax, ep in zip(axes[0], epochs, strict=True):
        plot_gan_lab(ax, snaps[f"disc_logits_{ep}"][member], limit, real,
                     snaps[f"gen_points_{ep}"][member], snaps[f"gen_grad_{ep}"][member],
                     title=f"Epoch : {ep}", norm=norm, arrow_length=ARROW_LENGTH,
                     window=window)  # fmt: skip
        ax.tick_params(labelsize=7)
    fig.colorbar(axes[0, 0].get_images()[0], ax=axes[0].tolist(), shrink=0.85, pad=0.01,
                 label=f"D's logit s(x), centred at −log λ = {center:.2f}\n"
                 "green: D says real · purple: D says fake")  # fmt: skip
    arrows = (r"where G's update moves each point, $-\partial \ell_G/\partial x$" "\n"
              f"(per panel, the 90th-percentile length is drawn as {ARROW_LENGTH:.0%} of the "
              "width; longer arrows are clipped to it)")  # fmt: skip
    handles = [
        Line2D([], [], ls="", marker="o", ms=4, color=REAL_COLOR, label="real data"),
        Line2D([], [], ls="", marker="o", ms=4, color=FAKE_COLOR, label="generated G(z)"),
        Line2D([], [], ls="", marker=r"$\rightarrow$", ms=12, color=FAKE_COLOR, label=arrows),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    fig.suptitle(f"GAN Lab view: GAN on {config.train.data_name}, seed "
                 f"{config.train.seeds[member]}, λ = {arch.lam:g}")  # fmt: skip
    path = atomic.save_figure(run.figures / "gan_lab.png", fig, dpi=dpi)
    return path
