"""A minimax run's figures, drawn from its folder when asked: ``genlab plot RUN``, ``genlab
report`` (by itself), ``genlab minimax run --figures`` or ``write_run(..., figures=True)``.

A run writes its numbers (``trajectory.npz``, ``metrics.csv``, ``summary.json``) and no figure:
matplotlib's import and two PNGs cost more than the homework's 150 000 compiled steps. When
they are drawn, the run is read back (:func:`read_run`), the primal value and duality gap on
``GAP_POINTS`` log-spaced iterations are computed once into ``gap.npz``, and the two figures
go to ``figures/``:

    figures/homework.png     the homework's three panels: L, ‖∇θL‖, ‖∇φL‖ per iteration
    figures/primal_gap.png   Φ(θₜ) = max_φ L(θₜ, φ) and the gap Φ(θₜ) − L(θₜ, φₜ), log–log
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np

from genlab.base import atomic
from genlab.base.done import CONFIG, is_done
from genlab.base.errors import UserError
from genlab.minimax.config import MinimaxConfig, MinimaxResult
from genlab.minimax.folders import FIGURES, GAP, TRAJECTORY, is_minimax_run
from genlab.minimax.metrics import PrimalGap, primal_gap
from genlab.minimax.problem import ShiftedLogisticProblem

__all__ = ["GAP_POINTS", "draw", "draw_run_figures", "figures_current", "read_run",
           "write_gap"]  # fmt: skip

GAP_POINTS = 400
"""Iterations at which ``gap.npz`` holds the primal value and the gap (log-spaced)."""


def read_run(folder: str | Path) -> MinimaxResult:
    """The ``MinimaxResult`` a run folder holds (its config, instance, iterates, metrics)."""
    folder = Path(folder)
    if not (is_minimax_run(folder) and (folder / TRAJECTORY).is_file()):
        raise UserError(f"{folder} holds no minimax run (config.json and trajectory.npz)")
    record = json.loads((folder / CONFIG).read_text())
    config = MinimaxConfig(**{f.name: record[f.name] for f in fields(MinimaxConfig)
                              if f.name in record})  # fmt: skip  # older files: defaults
    with np.load(folder / TRAJECTORY) as z:
        a = {k: z[k] for k in z.files}
    problem = ShiftedLogisticProblem(a["X"], a["Y"], config.lam, a["theta0"], a["phi0"],
                                     a.get("indices"), config.seed)  # fmt: skip
    return MinimaxResult(config, problem, a["theta"], a["phi"], a.get("theta_avg"),
                         a.get("phi_avg"), a["loss"], a["grad_theta_norm"],
                         a["grad_phi_norm"])  # fmt: skip


def write_gap(result: MinimaxResult, folder: str | Path, *, num: int = GAP_POINTS) -> PrimalGap:
    """Φ(θₜ) and the gap at ``num`` log-spaced iterations of ``result``, into ``gap.npz``."""
    p = result.problem
    gap = primal_gap(p.X, p.Y, p.lam, result.reported_theta, result.reported_phi, num=num)
    atomic.save_npz(Path(folder) / GAP, **asdict(gap))
    return gap


def _read_gap(folder: Path) -> PrimalGap | None:
    """``gap.npz`` if it was computed from the trajectory now there."""
    try:
        if (folder / GAP).stat().st_mtime < (folder / TRAJECTORY).stat().st_mtime:
            return None
        with np.load(folder / GAP) as z:
            return PrimalGap(**{f.name: z[f.name] for f in fields(PrimalGap)})
    except (OSError, ValueError, KeyError):
        return None


def figures_current(folder: str | Path) -> bool:
    """Every figure is there and newer than the trajectory it was drawn from (if that is
    there: without it nothing could be drawn again)."""
    folder = Path(folder)
    made = [folder / "figures" / name for name in FIGURES]
    if not all(f.is_file() for f in made):
        return False
    source = folder / TRAJECTORY
    return not source.exists() or min(f.stat().st_mtime for f in made) >= source.stat().st_mtime


def draw_run_figures(
    folder: str | Path, *, force: bool = False, dpi: int = 100, result: MinimaxResult | None = None
) -> list[Path]:
    """Draw the run's figures (and ``gap.npz`` when missing) unless they are current
    (``force`` draws them anyway); ``result``: the run in memory, not read again. Returns the
    paths drawn."""
    folder = Path(folder)
    if not is_done(folder):
        raise UserError(f"{folder} is not a finished minimax run (no DONE)")
    if not force and figures_current(folder):
        return []
    return draw(folder, read_run(folder) if result is None else result, dpi=dpi)


def draw(
    folder: Path, result: MinimaxResult, *, dpi: int = 100, gap_points: int = GAP_POINTS
) -> list[Path]:
    """The figures of ``result`` into ``folder/figures`` (``gap.npz`` on ``gap_points``
    iterations computed if missing or stale), finished or not: ``write_run`` draws them
    before its ``DONE``."""
    from matplotlib.figure import Figure  # matplotlib: only when figures are drawn

    from genlab.minimax.plotting import homework_figure, plot_primal_gap

    gap = _read_gap(folder) or write_gap(result, folder, num=gap_points)
    out = folder / "figures"
    drawn = [atomic.save_figure(out / FIGURES[0], homework_figure(result), dpi=dpi)]
    fig = Figure(figsize=(8, 5))
    plot_primal_gap(gap, fig.add_subplot())
    drawn.append(atomic.save_figure(out / FIGURES[1], fig, dpi=dpi))
    return drawn
