"""Run directories for minimax runs, written with the atomic helpers (``genlab.base.atomic``).

``write_run(result, folder)`` writes::

    config.json        the resolved config, steps, versions
    trajectory.npz     θ, φ (and averages), per-step metrics, indices, X, Y, θ₀, φ₀
    metrics.csv        one row per epoch (every n-th step) plus the last step
    summary.json       final values, final gap, timings
    DONE               written last

and, with ``figures`` (else when asked: ``genlab.minimax.figures``), before ``DONE``::

    gap.npz            primal value and duality gap on a log-spaced subsample
    figures/homework.png, figures/primal_gap.png
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from genlab import __version__
from genlab.base.atomic import save_figure, save_npz_stored, write_json, write_text
from genlab.base.done import CONFIG, mark_done
from genlab.minimax import figures as run_figures
from genlab.minimax.config import ManySeedsResult, MinimaxConfig, MinimaxResult
from genlab.minimax.metrics import primal_gap
from genlab.minimax.run import comparison_table, format_comparison

__all__ = ["config_record", "write_comparison", "write_many_seeds", "write_run"]


def config_record(config: MinimaxConfig) -> dict[str, Any]:
    """The config as written to ``config.json``: every field, the derived step count, and
    the versions that produced the numbers."""
    from importlib.metadata import version  # not ``import scipy``: 0.2 s for a version string

    return {
        **config.to_dict(),
        "steps": config.steps,
        "versions": {
            "genlab": __version__,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": version("scipy"),
            "numba": version("numba"),
        },
        "machine": platform.machine(),
    }


def _metrics_csv(result: MinimaxResult) -> str:
    n = result.config.n
    rows = np.unique(np.append(np.arange(n - 1, result.steps, n), result.steps - 1))
    lines = ["step,epoch,loss,grad_theta_norm,grad_phi_norm"]
    for r in rows:
        lines.append(
            f"{r + 1},{(r + 1) / n:g},{result.loss[r]:.17g},"
            f"{result.grad_theta_norm[r]:.17g},{result.grad_phi_norm[r]:.17g}"
        )
    return "\n".join(lines) + "\n"


def write_run(
    result: MinimaxResult,
    folder: str | Path,
    *,
    figures: bool = False,
    gap_points: int = run_figures.GAP_POINTS,
    dpi: int = 100,
) -> Path:
    """Write the run directory of ``result`` into ``folder`` (created; files replaced).

    Args:
        result: the run.
        folder: the run directory.
        figures: draw the figures and ``gap.npz`` too (otherwise
            ``genlab.minimax.figures.draw_run_figures``, ``genlab plot`` or ``genlab report``
            draws them when asked).
        gap_points: log-spaced iterations at which ``gap.npz`` holds the gap.
        dpi: resolution of the figures.

    Returns:
        The folder.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / CONFIG, config_record(result.config))
    arrays = {
        "theta": result.theta,
        "phi": result.phi,
        "loss": result.loss,
        "grad_theta_norm": result.grad_theta_norm,
        "grad_phi_norm": result.grad_phi_norm,
        "X": result.problem.X,
        "Y": result.problem.Y,
        "theta0": result.problem.theta0,
        "phi0": result.problem.phi0,
    }
    if result.problem.indices is not None:
        arrays["indices"] = result.problem.indices
    if result.theta_avg is not None and result.phi_avg is not None:
        arrays["theta_avg"] = result.theta_avg
        arrays["phi_avg"] = result.phi_avg
    save_npz_stored(folder / run_figures.TRAJECTORY, **arrays)
    write_text(folder / "metrics.csv", _metrics_csv(result))
    if figures:  # an older gap.npz here predates the trajectory just written: drawn anew
        run_figures.draw(folder, result, dpi=dpi, gap_points=gap_points)
    X, Y, lam = result.problem.X, result.problem.Y, result.problem.lam  # the last iterate's gap
    gap = primal_gap(X, Y, lam, result.reported_theta[-1:], result.reported_phi[-1:], num=1)
    summary = {
        **result.summary(),
        "final_primal": float(gap.primal[-1]),
        "final_gap": float(gap.gap[-1]),
    }
    write_json(folder / "summary.json", summary)
    mark_done(folder)
    return folder


def write_comparison(
    results: Mapping[str, MinimaxResult],
    folder: str | Path,
    *,
    per_run: bool = True,
    dpi: int = 100,
) -> Path:
    """Compare runs (e.g. ``run.compare_rules``): ``comparison.json`` / ``comparison.md``
    (``comparison_table``), ``figures/comparison.png`` and, when ``per_run``, each run's
    directory under ``folder/<label>/`` (``write_run``); ``DONE`` last."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows = comparison_table(results)
    write_json(folder / "comparison.json", [asdict(r) for r in rows])
    write_text(folder / "comparison.md", format_comparison(rows) + "\n")
    from matplotlib.figure import Figure  # matplotlib: only where a figure is drawn

    from genlab.minimax.plotting import plot_rule_comparison

    fig = Figure(figsize=(14, 5))
    plot_rule_comparison(results, [fig.add_subplot(1, 2, k) for k in (1, 2)])
    save_figure(folder / "figures" / "comparison.png", fig, dpi=dpi)
    if per_run:
        for label, res in results.items():
            write_run(res, folder / label, dpi=dpi)
    mark_done(folder)
    return folder


def write_many_seeds(result: ManySeedsResult, folder: str | Path) -> Path:
    """``config.json``, ``metrics.npz`` (``(S, T)`` metrics as float32, seeds, final
    iterates), ``summary.json`` (mean ± s.e. over seeds, from the float64 run) and ``DONE``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / CONFIG, {**config_record(result.config), "seeds": result.seeds.tolist()})
    curves = {  # (S, T), stored as float32: 115 MB instead of 230 MB at 64 seeds
        name: np.asarray(getattr(result, name), np.float32)
        for name in ("loss", "grad_theta_norm", "grad_phi_norm")
    }
    save_npz_stored(  # stored, not deflated: zlib saved ~15 % for ~10 s at 64 seeds
        folder / "metrics.npz",
        seeds=result.seeds,
        **curves,
        final_theta=result.final_theta,
        final_phi=result.final_phi,
    )
    write_json(folder / "summary.json", result.summary())
    mark_done(folder)
    return folder
