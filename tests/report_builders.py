"""Small synthetic folders in the shapes ``genlab reproduce`` writes, for the report's tests.

Metric directions and summaries come from genlab's own code (``evaluation.Score``,
``run_evaluation.summarise``), tables from its own formatters, so that the files here change
when the real ones do.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from PIL import Image

from genlab.base import atomic
from genlab.evaluation.runs import summarise
from genlab.evaluation.suite import Evaluation, Score
from genlab.theory.identity import TheoryRow
from genlab.theory.table import to_markdown

ENV = {
    "genlab": "0.1.0", "torch": "2.9.9+cpu", "numpy": "2.4.6", "python": "3.11.7",
    "platform": "Linux-test", "machine": "x86_64", "cpu_count": 2, "device": "cpu",
    "torch_threads": 2, "created": "2026-01-02T03:04:05+0000", "command": "genlab reproduce",
}  # fmt: skip


def png(path: Path, size: tuple[int, int] = (48, 36), color: str = "seagreen") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path)
    return path


def gif(path: Path, frames: int = 3) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    images = [Image.new("RGB", (40, 40), (40 * k, 120, 80)) for k in range(frames)]
    images[0].save(path, save_all=True, append_images=images[1:], duration=100, loop=0)
    return path


def evaluation(model: str, values: dict[str, list[float]]) -> dict[str, Any]:
    """An evaluation.json for ``model`` whose members scored ``values`` (name → per member);
    floors and directions as genlab's evaluation would give them."""
    floors = {"sliced_w2": (0.02, "lower"), "recall": (0.98, "higher"),
              "density": (0.98, "floor"), "spiral_near": (0.998, "higher")}  # fmt: skip
    members = len(next(iter(values.values())))
    evals = [
        Evaluation(
            "swiss_roll",
            2500,
            0,
            {k: Score(v[e], floors[k][0], floors[k][1]) for k, v in values.items()},
        )  # fmt: skip
        for e in range(members)
    ]
    return {"run": model, "model": model, "dataset": "swiss_roll", "seeds": list(range(members)),
            "n": 2500, "reference_seed": 0, "epoch": 4, "complete": True,
            "samples": "generated samples" if model == "gan" else "decoded prior samples",
            "metrics": summarise(evals)}  # fmt: skip


def training_run(
    folder: Path, model: str, *, spiral_near: float = 0.95, epochs: int = 2000,
    extras: bool = False, done: bool = True,
) -> Path:  # fmt: skip
    """A VAE or GAN run directory: config, metrics log, evaluation, figures, DONE."""
    config = {"model": model, "train": {"dataset": "swiss_roll", "epochs": epochs, "seeds": [0, 1]},
              "arch": {"lam": 500.0}, "environment": ENV}  # fmt: skip
    atomic.write_json(folder / "config.json", config)
    lines = [
        {
            "epoch": e,
            "loss": [1.0, 1.1],
            "eval": {"sliced_w2": [0.1, 0.2], "spiral_near": [0.5, 0.7]},
        }
        for e in (400, 800)
    ]
    atomic.write_text(folder / "metrics.jsonl", "".join(json.dumps(r) + "\n" for r in lines))
    values = {"sliced_w2": [0.05, 0.07], "recall": [0.99, 0.995], "density": [0.9, 0.95],
              "spiral_near": [spiral_near - 0.01, spiral_near + 0.01]}  # fmt: skip
    atomic.write_json(folder / "evaluation.json", evaluation(model, values))
    for ep in (400, 800):
        png(folder / "figures" / f"epoch_{ep}.png", (50, 50))
        if model == "vae":
            png(folder / "figures" / f"prior_epoch_{ep}.png", (50, 50), "orange")
    png(folder / "figures" / "snapshots.png", (120, 40))
    png(folder / "figures" / "losses.png", (90, 40), "gray")
    if extras:
        gif(folder / "figures" / "evolution.gif")
        if model == "vae":
            gif(folder / "figures" / "evolution_prior.gif")
        else:
            png(folder / "figures" / "gan_lab.png", (160, 40), "purple")
    if done:
        atomic.write_json(folder / "DONE", {"seconds": 60.0, "epochs": epochs})
    return folder


def problem1(folder: Path) -> Path:
    hw = folder / "homework"
    atomic.write_json(
        hw / "config.json",
        {
            "rule": "homework",
            "epochs": 5000,
            "alpha": 0.3,
            "versions": {"scipy": "1.17.1", "numba": "0.68.1"},
        },
    )
    atomic.write_json(hw / "summary.json", {"rule": "homework", "final_loss": 0.0028,
                                            "final_gap": 582917.77})  # fmt: skip
    png(hw / "figures" / "homework.png", (60, 60))
    png(hw / "figures" / "primal_gap.png")
    atomic.write_text(hw / "DONE", "")
    rows = [{"rule": r, "final_loss": 1.0, "final_gap": 2.0} for r in ("homework", "optimistic")]
    atomic.write_json(folder / "compare" / "comparison.json", rows)
    png(folder / "compare" / "figures" / "comparison.png")
    atomic.write_text(folder / "compare" / "DONE", "")
    atomic.write_json(folder / "DONE", {"seconds": 5.0})
    return folder


def theory_rows(mc_difference: float = 1e-3) -> list[TheoryRow]:
    nan = math.nan
    return [
        TheoryRow("gaussian_1d", 500.0, "quadrature", -6.866, -6.866, 1e-15, nan, nan, nan,
                  -7.2, 0.0, 3200, 0.01),
        TheoryRow("gaussian_1d", 500.0, "monte_carlo", -6.87, -6.87 - mc_difference,
                  mc_difference, 0.016, 0.003, 0.016, -7.2, 0.0, 100000, 0.02),
    ]  # fmt: skip


def problem2(folder: Path, mc_difference: float = 1e-3) -> Path:
    atomic.write_text(folder / "check" / "table.md", to_markdown(theory_rows(mc_difference)))
    atomic.write_json(folder / "check" / "config.json", {"n_samples": 100000})
    d = folder / "discriminator"
    atomic.write_text(
        d / "members.md", "| seed | lam | d_mae |\n|---|---|---|\n| 0 | 500 | 0.0087 |\n"
    )
    atomic.write_json(d / "config.json", {"lam": 500.0, "steps": 20000})
    png(d / "figures" / "discriminator.png", (190, 44))
    png(d / "figures" / "losses.png")
    atomic.write_json(folder / "DONE", {"seconds": 20.0})
    return folder


def reproduction(
    root: Path, *, quick: bool = False, manifest: bool = True, failed: str | None = None,
    extras: bool = False, gan_spiral: float = 0.95, vae_spiral: float = 0.85,
) -> Path:  # fmt: skip
    """A complete reproduction folder; ``failed`` names a stage that failed (its ERROR.json and
    manifest entry, no DONE)."""
    problem1(root / "problem1")
    problem2(root / "problem2")
    training_run(root / "vae", "vae", spiral_near=vae_spiral, extras=extras)
    training_run(root / "gan", "gan", spiral_near=gan_spiral, extras=extras)
    titles = {"problem1": "Problem 1: minimax SGDA", "problem2": "Problem 2: the λ-GAN theorem",
              "vae": "Problem 3: VAE", "gan": "Problem 4: λ-GAN, λ = 500"}  # fmt: skip
    stages = []
    for name, title in titles.items():
        entry = {"stage": name, "title": title, "folder": name, "status": "done", "seconds": 30.0}
        if name == failed:
            (root / name / "DONE").unlink()
            error = {
                "error": "RuntimeError: the <b>loss</b> & diverged",
                "traceback": 'Traceback (most recent call last):\n  File "x.py"\nBOOM\n',
            }
            atomic.write_json(root / name / "ERROR.json", error)
            entry |= {"status": "failed"} | error
        atomic.write_json(root / name / "SETTINGS.json", {"seeds": [0, 1], "quick": quick})
        stages.append(entry)
    if manifest:
        atomic.write_json(root / "reproduce.json", {
            "started": "2026-01-02T03:00:00+00:00", "finished": "2026-01-02T03:02:05+00:00",
            "seconds": 125.0, "settings": {"seeds": [0, 1], "quick": quick, "device": "cpu"},
            "environment": ENV, "stages": stages,
        })  # fmt: skip
    return root
