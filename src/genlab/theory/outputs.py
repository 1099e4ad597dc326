"""Run folders of the theory verbs: the identity table, and the discriminator against D*.

check/          table.csv, table.md, config.json
discriminator/  members.csv, members.md, config.json, losses.npy,
                figures/discriminator.png (learned logit, optimal logit, difference, D),
                figures/losses.png
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np

from genlab.base import atomic
from genlab.base.done import CONFIG
from genlab.plotting.density import plot_losses, subplots
from genlab.theory.discriminator_fit import DiscriminatorFit, MemberFit
from genlab.theory.identity import TheoryRow
from genlab.theory.plots import difference_heatmap, discriminator_heatmap
from genlab.theory.table import to_csv, to_markdown


def write_check(out: Path, rows: list[TheoryRow], config: dict[str, Any]) -> list[Path]:
    """The identity table as CSV and Markdown, and the settings that produced it."""
    return [
        atomic.write_text(out / "table.csv", to_csv(rows)),
        atomic.write_text(out / "table.md", to_markdown(rows)),
        atomic.write_json(out / CONFIG, config),
    ]


def members_table(members: tuple[MemberFit, ...]) -> tuple[str, str]:
    """The per-member comparison with D* as (CSV, Markdown), plus a mean row."""
    names = [f.name for f in fields(MemberFit)]
    rows = [asdict(m) for m in members]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=names)
    writer.writeheader()
    writer.writerows(rows)
    shown = ["seed", "lam", "steps", "value", "value_stderr", "exact_max", "excess_quadrature",
             "excess_mc", "excess_mc_stderr", "d_mae", "logit_rmse"]  # fmt: skip
    lines = ["| " + " | ".join(shown) + " |", "|" + "---|" * len(shown)]
    lines += ["| " + " | ".join(f"{r[k]:.5g}" for k in shown) + " |" for r in rows]
    if len(rows) > 1:
        mean = {k: float(np.mean([r[k] for r in rows])) for k in shown}
        lines.append("| mean | " + " | ".join(f"{mean[k]:.5g}" for k in shown[1:]) + " |")
    return buf.getvalue(), "\n".join(lines) + "\n"


def write_discriminator(out: Path, fit: DiscriminatorFit, dpi: int = 100) -> list[Path]:
    """Heatmaps of the learned D against D* (member 0), loss curves, and the member table."""
    c = fit.config
    csv_text, md_text = members_table(fit.members)
    written = [
        atomic.write_text(out / "members.csv", csv_text),
        atomic.write_text(out / "members.md", md_text),
        atomic.write_json(out / CONFIG, asdict(c)),
        atomic.save_npy(out / "losses.npy", fit.losses.numpy()),
    ]
    learned = fit.logits[0]
    # one scale for both logit panels, cut 30 nats below the top: far from both densities the
    # optimal logit falls to −1000s and would wash everything else out
    hi = float(max(learned.max(), fit.optimal_logits.max()))
    lo = max(float(min(learned.min(), fit.optimal_logits.min())), hi - 30)
    fig, axes = subplots(1, 4, figsize=(19, 4.4))
    discriminator_heatmap(axes[0], fit.grid, learned, vmin=lo, vmax=hi)
    axes[0].set_title(f"learned logit (seed {c.seeds[0]}, {c.steps} steps)", fontsize=10)
    discriminator_heatmap(axes[1], fit.grid, fit.optimal_logits, vmin=lo, vmax=hi)
    axes[1].set_title(f"optimal logit log p − log λq, λ = {c.lam:g}", fontsize=10)
    difference_heatmap(axes[2], fit.grid, learned - fit.optimal_logits, weight=fit.weight, vmax=10)
    axes[2].set_title("learned − optimal logit (clipped at ±10)", fontsize=10)
    discriminator_heatmap(axes[3], fit.grid, learned, show="D")
    axes[3].set_title("learned D = sigmoid(logit)", fontsize=10)
    fig.suptitle(f"p = {c.p}, q = {c.q}")
    fig.tight_layout()
    written.append(atomic.save_figure(out / "figures" / "discriminator.png", fig, dpi=dpi))
    fig, ax = subplots(figsize=(6, 3.5))
    losses = fit.losses.numpy()
    every = max(1, len(losses) // 500)
    plot_losses(ax, np.arange(len(losses))[::every], losses[::every],
                labels=[f"seed {s}" for s in c.seeds], title="discriminator loss")  # fmt: skip
    ax.set_xlabel("step")
    fig.tight_layout()
    written.append(atomic.save_figure(out / "figures" / "losses.png", fig, dpi=dpi))
    return written
