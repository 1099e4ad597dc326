"""A run's figures, drawn from its files (snapshots.npz, metrics.jsonl, data.npy).

figures/epoch_N.png        the homework's panel "Epoch : N" (member 0)
figures/prior_epoch_N.png  VAE only: samples from the prior N(0, I) at epoch N
figures/snapshots.png      the true data and every snapshot side by side (one row per kind)
figures/losses.png         loss curves, one line per member
figures/evolution.gif      the training animation of "Epoch : N" panels (frames.npz, member 0)
figures/evolution_prior.gif  VAE only: the same for samples from the prior
figures/gan_lab.png        GAN only: GAN Lab's view at every snapshot (discriminator heatmap,
                           real and generated points, the generator's arrows)

The GIFs and gan_lab.png need arrays that older runs lack (frames.npz; disc_logits_N,
gen_points_N, gen_grad_N in snapshots.npz): without them they are silently not drawn.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.lines import Line2D

from genlab.base import atomic
from genlab.data.registry import get_dataset
from genlab.models.config import GANConfig
from genlab.plotting.animation import write_density_gif
from genlab.plotting.density import homework_style, plot_density, plot_losses, subplots
from genlab.plotting.gan_lab import FAKE_COLOR, REAL_COLOR, logit_norm, plot_gan_lab
from genlab.training.rundir import RunDir

ROW_TITLES = {
    "samples": {"vae": "reconstructions decode(μ(x))", "gan": "generated samples G(z)"},
    "prior": {"vae": "prior samples decode(z), z ~ N(0, I)"},
}
EVOLUTION_FILES = {"samples": "evolution.gif", "prior": "evolution_prior.gif"}
GAN_LAB_KEYS = ("disc_logits", "gen_points", "gen_grad")
ANIMATION_DATA_POINTS, GAN_LAB_DATA_POINTS = 1000, 500
"""True data points drawn over the animation and the GAN Lab panels (the first ones)."""
ARROW_LENGTH = 0.06
"""GAN Lab arrows: the 90th-percentile arrow of each panel, in window widths."""


def snapshot_epochs(snaps: dict[str, np.ndarray], kind: str) -> list[int]:
    return sorted(int(k.rsplit("_", 1)[1]) for k in snaps if k.rsplit("_", 1)[0] == kind)


def render_run(run: RunDir, member: int = 0, dpi: int = 100) -> list[Path]:
    """Write the run's figures; return their paths."""
    config = run.config()
    limit = get_dataset(config.train.dataset).limit
    snaps = run.load_snapshots()
    data = np.load(run.data_file)
    written: list[Path] = []
    kinds = [k for k in ("samples", "prior") if snapshot_epochs(snaps, k)]
    with homework_style():
        for kind in kinds:
            prefix = "epoch" if kind == "samples" else "prior_epoch"
            suffix = "" if kind == "samples" else " (prior samples)"
            for ep in snapshot_epochs(snaps, kind):
                fig, ax = subplots(figsize=(5, 5))
                plot_density(ax, snaps[f"{kind}_{ep}"][member], limit=limit,
                             title=f"Epoch : {ep}{suffix}")  # fmt: skip
                written.append(atomic.save_figure(run.figures / f"{prefix}_{ep}.png", fig, dpi=dpi))
        if kinds:
            epochs = snapshot_epochs(snaps, kinds[0])
            cols = len(epochs) + 1
            fig, axes = subplots(len(kinds), cols, figsize=(2.6 * cols, 2.8 * len(kinds)),
                                     squeeze=False)  # fmt: skip
            for r, kind in enumerate(kinds):
                plot_density(axes[r, 0], data[member], limit=limit, title="True Swiss Roll"
                             if config.train.dataset == "swiss_roll" else "True data")  # fmt: skip
                axes[r, 0].set_ylabel(ROW_TITLES[kind][config.model], fontsize=8)
                for c, ep in enumerate(epochs, start=1):
                    plot_density(axes[r, c], snaps[f"{kind}_{ep}"][member], limit=limit,
                                 title=f"Epoch : {ep}")  # fmt: skip
            for ax in axes.flat:
                ax.tick_params(labelsize=7)
            fig.suptitle(f"{config.model.upper()} on {config.train.dataset}, seed "
                         f"{config.train.seeds[member]}")  # fmt: skip
            fig.tight_layout()
            written.append(atomic.save_figure(run.figures / "snapshots.png", fig, dpi=dpi))
        if (gan_lab := render_gan_lab(run, member, dpi)) is not None:
            written.append(gan_lab)
    written.extend(render_evolution(run, member))
    written.append(render_losses(run))
    return written


def render_evolution(run: RunDir, member: int = 0) -> list[Path]:
    """figures/evolution.gif (and, for a VAE, evolution_prior.gif) from frames.npz: the
    homework's panel at every frame epoch, the true data as faint dots. [] without frames."""
    frames_file = run.frames_file
    if not frames_file.exists():
        return []
    limit = get_dataset(run.config().train.dataset).limit
    reference = np.load(run.data_file)[member, :ANIMATION_DATA_POINTS]
    with np.load(frames_file) as z:
        epochs = z["epochs"]
        kinds = {kind: z[kind][:, member] for kind in EVOLUTION_FILES if kind in z.files}
    if len(epochs) == 0:
        return []
    written = []
    for kind, points in kinds.items():
        title = "Epoch : {epoch}" + ("" if kind == "samples" else " (prior samples)")
        path = run.figures / EVOLUTION_FILES[kind]
        written.append(write_density_gif(path, epochs, points, limit=limit, title=title,
                                         reference=reference))  # fmt: skip
    return written


def render_gan_lab(run: RunDir, member: int = 0, dpi: int = 100) -> Path | None:
    """figures/gan_lab.png: one GAN Lab panel (``genlab.plotting.gan_lab``) per snapshot epoch, one
    shared colour scale centred at −log λ. None for a VAE or a run without the arrays."""
    config = run.config()
    snaps = run.load_snapshots()
    epochs = [ep for ep in snapshot_epochs(snaps, "disc_logits")
              if all(f"{key}_{ep}" in snaps for key in GAN_LAB_KEYS)]  # fmt: skip
    if config.model != "gan" or not epochs:
        return None
    arch = config.arch
    assert isinstance(arch, GANConfig)
    limit = get_dataset(config.train.dataset).limit
    real = np.load(run.data_file)[member, :GAN_LAB_DATA_POINTS]
    center = -float(np.log(arch.lam))
    norm = logit_norm(np.stack([snaps[f"disc_logits_{ep}"][member] for ep in epochs]),
                      center=center)  # fmt: skip
    k = len(epochs)
    fig, axes = subplots(1, k, figsize=(2.8 * k + 1.2, 3.9), squeeze=False,
                             layout="constrained")  # fmt: skip
    for ax, ep in zip(axes[0], epochs, strict=True):
        plot_gan_lab(ax, snaps[f"disc_logits_{ep}"][member], limit, real,
                     snaps[f"gen_points_{ep}"][member], snaps[f"gen_grad_{ep}"][member],
                     title=f"Epoch : {ep}", norm=norm, arrow_length=ARROW_LENGTH)  # fmt: skip
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
    fig.suptitle(f"GAN Lab view: GAN on {config.train.dataset}, seed "
                 f"{config.train.seeds[member]}, λ = {arch.lam:g}")  # fmt: skip
    path = atomic.save_figure(run.figures / "gan_lab.png", fig, dpi=dpi)
    return path


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
