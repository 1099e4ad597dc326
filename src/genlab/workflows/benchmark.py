"""The quality benchmark: a grid of models × datasets, each trained on the member axis.

Protocol (recorded in ``protocol.json``; the mixtures follow VEEGAN / PacGAN):
    datasets   swiss_roll (noise 0.025), ring (8 modes, radius 1, std 0.01),
               grid (25 modes on {−4,…,4}², std 0.05)
    models     presets (``genlab.workflows.presets``); by default the homework's VAE, its λ-GAN
               at λ = 500 and λ = 1, and the λ = 1 GAN with every rule (simultaneous,
               extragradient, optimistic)
    training   2000 points per member, batch 64, Adam 5e-4, 2000 epochs (quick: 100)
    members    seeds 0–4, trained together on the member axis
    evaluation 2500 samples per member against fresh data (``evaluation.evaluate``): a mode is
               captured with ≥ 1 sample within 3σ of it; high quality = within 3σ of the
               nearest mode; reverse KL = KL(mode histogram of the high-quality samples ‖
               uniform); for the swiss roll, the share within 3·noise = 0.075 of the spiral
Each cell is mean ± standard error over members.

The cells run as a sweep (``genlab.sweeps.benchmark``: the shipped spec ``benchmark``, on the
sweep engine); this module holds the protocol and the tables.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from genlab.base.errors import UserError
from genlab.base.stats import format_pm
from genlab.data.registry import get_dataset
from genlab.training.config import RunConfig, TrainConfig
from genlab.workflows.presets import BENCHMARK_GRID, PRESETS

SHOWN = {  # the columns of the Markdown table, per kind of dataset
    "mixture": ("modes_captured", "high_quality", "reverse_kl", "w1"),
    "swiss_roll": ("spiral_near", "spiral_tv", "w1", "mmd2"),
}

PUBLISHED = [  # (dataset, source, modes, % high quality, reverse KL), as printed
    ("ring", "GAN (PacGAN Table 1, 10 runs)", "6.3", "98.2", "0.45"),
    ("ring", "PacGAN4 (PacGAN Table 1)", "7.8", "95.9", "0.07"),
    ("ring", "VEEGAN (VEEGAN Table 1)", "8", "52.9", "—"),
    ("grid", "GAN (PacGAN Table 1, 10 runs)", "17.3", "94.8", "0.70"),
    ("grid", "PacGAN4 (PacGAN Table 1)", "24.8", "93.6", "0.04"),
    ("grid", "VEEGAN (VEEGAN Table 1)", "24.6", "40", "—"),
]


@dataclass(frozen=True)
class Protocol:
    """What the benchmark trains and how it measures (see the module docstring)."""

    datasets: tuple[str, ...] = ("swiss_roll", "ring", "grid")
    models: tuple[str, ...] = BENCHMARK_GRID
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    epochs: int = 2000
    n_samples: int = 2000
    batch_size: int = 64
    eval_samples: int = 2500
    quick: bool = False

    def __post_init__(self) -> None:
        for name in self.models:
            if name not in PRESETS:
                raise UserError(f"unknown model {name!r}; known: {', '.join(PRESETS)}")
        for name in self.datasets:
            get_dataset(name)
        self.run_config(self.models[0], self.datasets[0])  # validates the training settings

    def run_config(self, model: str, dataset: str) -> RunConfig:
        """The preset ``model`` on ``dataset`` under the protocol's schedule."""
        train = TrainConfig(dataset=dataset, n_samples=self.n_samples, epochs=self.epochs,
                            batch_size=self.batch_size, seeds=self.seeds,
                            eval_samples=self.eval_samples)  # fmt: skip
        return PRESETS[model].run_config(train)


def to_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _cell(metric: str, mean: float, se: float) -> str:
    scale = 100 if metric in ("high_quality", "spiral_near") else 1  # percentages
    return format_pm(mean * scale, se * scale, digits=3)


def to_markdown(rows: list[dict[str, Any]], protocol: Protocol) -> str:
    """One table per dataset, genlab's rows first, then the published rows (mixtures)."""
    by = {(r["model"], r["dataset"], r["metric"]): r for r in rows}
    full = (protocol.epochs, protocol.n_samples, protocol.eval_samples) == (2000, 2000, 2500)
    full = full and len(protocol.seeds) >= 5
    label = "the full protocol" if full else (
        "SHORTENED: not the protocol's 2000 epochs × 5 seeds, 2500 samples evaluated")  # fmt: skip
    out = [f"Benchmark: {len(protocol.seeds)} members per cell, {protocol.epochs} epochs, "
           f"mean ± s.e.; {label}.\n"]  # fmt: skip
    for model in (m for m in protocol.models if PRESETS[m].epoch_factor != 1 or PRESETS[m].train):
        t = protocol.run_config(model, protocol.datasets[0]).train
        if PRESETS[model].epoch_factor != 1:
            out.append(f"{model} trains longer: {t.epochs} epochs, lr decay {t.lr_decay}.\n")
        else:
            own = ", ".join(f"{k} {v}" for k, v in PRESETS[model].train.items())
            out.append(f"{model} departs from the protocol's schedule: {own}.\n")
    for dataset in protocol.datasets:
        shown = SHOWN["swiss_roll" if dataset == "swiss_roll" else "mixture"]
        names = [f"{m} (%)" if m in ("high_quality", "spiral_near") else m for m in shown]
        out += [f"### {dataset}\n", "| model | " + " | ".join(names) + " |",
                "|---|" + "---:|" * len(shown)]  # fmt: skip
        for model in protocol.models:
            vals = [by[(model, dataset, m)] for m in shown]
            out.append(
                f"| genlab {model} | "
                + " | ".join(_cell(m, v["mean"], v["se"]) for m, v in zip(shown, vals, strict=True))
                + " |"
            )
        floor = [by[(protocol.models[0], dataset, m)]["floor"] for m in shown]
        out.append(
            "| fresh data (floor) | "
            + " | ".join(_cell(m, f, 0).split(" ±")[0] for m, f in zip(shown, floor, strict=True))
            + " |"
        )
        for d, source, modes, hq, rkl in PUBLISHED:
            if d == dataset:
                out.append(f"| {source} | {modes} | {hq} | {rkl} | — |")
        out.append("")
    return "\n".join(out)
