"""A run's figures, drawn from its files (snapshots.npz, metrics.jsonl, data.npy).

figures/epoch_N.png        the homework's panel "Epoch : N" (member 0)
figures/prior_epoch_N.png  VAE only: samples from the prior N(0, I) at epoch N
figures/snapshots.png      the true data and every snapshot side by side (one row per kind)
figures/losses.png         loss curves, one line per member
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from genlab import atomic  # noqa: E402
from genlab.data import get_dataset  # noqa: E402
from genlab.plotting import homework_style, plot_density, plot_losses  # noqa: E402
from genlab.runs import RunDir  # noqa: E402

ROW_TITLES = {
    "samples": {"vae": "reconstructions decode(μ(x))", "gan": "generated samples G(z)"},
    "prior": {"vae": "prior samples decode(z), z ~ N(0, I)"},
}


def snapshot_epochs(snaps: dict[str, np.ndarray], kind: str) -> list[int]:
    return sorted(int(k.rsplit("_", 1)[1]) for k in snaps if k.rsplit("_", 1)[0] == kind)


def render_run(run: RunDir, member: int = 0, dpi: int = 100) -> list[Path]:
    """Write the run's figures; return their paths."""
    config = run.config()
    limit = get_dataset(config.train.dataset).limit
    snaps = run.load_snapshots()
    data = np.load(run.path / "data.npy")
    written: list[Path] = []
    kinds = [k for k in ("samples", "prior") if snapshot_epochs(snaps, k)]
    with homework_style():
        for kind in kinds:
            prefix = "epoch" if kind == "samples" else "prior_epoch"
            suffix = "" if kind == "samples" else " (prior samples)"
            for ep in snapshot_epochs(snaps, kind):
                fig, ax = plt.subplots(figsize=(5, 5))
                plot_density(ax, snaps[f"{kind}_{ep}"][member], limit=limit,
                             title=f"Epoch : {ep}{suffix}")  # fmt: skip
                written.append(atomic.save_figure(run.figures / f"{prefix}_{ep}.png", fig, dpi=dpi))
                plt.close(fig)
        if kinds:
            epochs = snapshot_epochs(snaps, kinds[0])
            cols = len(epochs) + 1
            fig, axes = plt.subplots(len(kinds), cols, figsize=(2.6 * cols, 2.8 * len(kinds)),
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
            plt.close(fig)
    written.append(render_losses(run))
    return written


def render_losses(run: RunDir, dpi: int = 100) -> Path:
    """Loss curves of every member, one panel per loss."""
    records = run.read_metrics()
    names = [k for k in records[0] if isinstance(records[0][k], list)] if records else []
    epochs = np.array([r["epoch"] for r in records])
    seeds = run.config().train.seeds
    fig, axes = plt.subplots(1, max(1, len(names)), figsize=(4.5 * max(1, len(names)), 3.5),
                             squeeze=False)  # fmt: skip
    for ax, name in zip(axes[0], names, strict=False):
        values = np.array([r[name] for r in records])
        plot_losses(ax, epochs, values, labels=[f"seed {s}" for s in seeds], title=name)
    fig.tight_layout()
    path = atomic.save_figure(run.figures / "losses.png", fig, dpi=dpi)
    plt.close(fig)
    return path
