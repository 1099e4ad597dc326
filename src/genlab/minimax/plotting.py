"""Figures of minimax runs: axes in, axes out (no pyplot state, no ``show``).

Metrics are computed elsewhere (``run.py``, ``metrics.py``); these functions only draw.
``max_points`` thins long curves by a constant stride for drawing speed (None: every point).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from genlab.base.errors import UserError
from genlab.minimax.config import MinimaxResult
from genlab.minimax.metrics import PrimalGap

__all__ = [
    "HOMEWORK_TITLES",
    "homework_figure",
    "plot_homework_panels",
    "plot_primal_gap",
    "plot_rule_comparison",
]

HOMEWORK_TITLES: tuple[str, str, str] = ("L function", "||D_theta L||", "||D_phi L||")


def _stride(n: int, max_points: int | None) -> int:
    return 1 if max_points is None or n <= max_points else -(-n // max_points)


def plot_homework_panels(
    result: MinimaxResult, axes: Sequence[Axes], *, max_points: int | None = None
) -> Sequence[Axes]:
    """HW12 Problem 1's figure on three axes: L, ‖∇θL‖, ‖∇φL‖ against the iteration, with the
    homework's titles ("L function", "||D_theta L||", "||D_phi L||") and linear scales."""
    if len(axes) != 3:
        raise UserError(f"need 3 axes, got {len(axes)}")
    s = _stride(result.steps, max_points)
    x = result.iterations[::s]
    series = (result.loss, result.grad_theta_norm, result.grad_phi_norm)
    for ax, title, y in zip(axes, HOMEWORK_TITLES, series, strict=True):
        ax.plot(x, y[::s])
        ax.set_title(title)
        ax.set_xlabel("iteration")
    return axes


def homework_figure(result: MinimaxResult, *, max_points: int | None = None) -> Figure:
    """A new figure laid out as the homework's (20 × 20 in, 3 × 1, its subplots_adjust)."""
    fig = Figure(figsize=(20, 20))
    fig.subplots_adjust(left=0.125, bottom=0.1, right=0.9, top=0.9, wspace=0.2, hspace=0.35)
    axes = [fig.add_subplot(3, 1, k) for k in (1, 2, 3)]
    plot_homework_panels(result, axes, max_points=max_points)
    return fig


def plot_primal_gap(gap: PrimalGap, ax: Axes, *, label: str | None = None) -> Axes:
    """Primal value ``Φ(θₜ) = max_φ L(θₜ, φ)`` and duality gap ``Φ(θₜ) − L(θₜ, φₜ)`` against
    the iteration, log–log (non-positive values are not drawn)."""
    prefix = "" if label is None else f"{label}: "
    primal = np.where(gap.primal > 0, gap.primal, np.nan)
    ax.plot(gap.steps, primal, label=f"{prefix}Φ(θ) = max_φ L(θ, φ)")
    ax.plot(
        gap.steps, np.where(gap.gap > 0, gap.gap, np.nan), "--", label=f"{prefix}gap Φ(θ) − L(θ, φ)"
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_title("primal value and duality gap")
    ax.legend()
    return ax


def plot_rule_comparison(
    results: Mapping[str, MinimaxResult],
    axes: Sequence[Axes],
    *,
    max_points: int | None = 4000,
) -> Sequence[Axes]:
    """‖∇θL‖ and ‖∇φL‖ of several runs (keyed by label) on two log-scale axes with the same
    limits; curves thinned to at most ``max_points`` points."""
    if len(axes) != 2:
        raise UserError(f"need 2 axes, got {len(axes)}")
    for label, res in results.items():
        s = _stride(res.steps, max_points)
        x = res.iterations[::s]
        axes[0].plot(x, res.grad_theta_norm[::s], label=label)
        axes[1].plot(x, res.grad_phi_norm[::s], label=label)
    for ax, title in zip(axes, ("||D_theta L||", "||D_phi L||"), strict=True):
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("iteration")
        ax.legend()
    limits = [ax.get_ylim() for ax in axes]  # one shared y range, so the panels compare
    shared = (min(lo for lo, _ in limits), max(hi for _, hi in limits))
    for ax in axes:
        ax.set_ylim(*shared)
    return axes
