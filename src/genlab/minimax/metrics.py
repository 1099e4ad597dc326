"""Full-batch metrics along a trajectory: ``L``, ``‖∇θL‖``, ``‖∇φL‖`` at every iterate, and
the primal value / duality gap on a subsample.

The homework records, after each step, the full-batch value and both gradient norms. We
record the trajectory first and evaluate them afterwards, vectorised: in NumPy over chunks
of iterates (the reference; memory ∝ chunk · N), or in the compiled kernel (the fast path).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genlab.minimax import kernels
from genlab.minimax.games import shifted_logistic_grads, shifted_logistic_value
from genlab.minimax.inner_max import inner_max

__all__ = [
    "PrimalGap",
    "TrajectoryMetrics",
    "primal_gap",
    "trajectory_metrics",
    "trajectory_metrics_numpy",
]


@dataclass(frozen=True, eq=False)
class TrajectoryMetrics:
    """Per-iterate full-batch metrics, each ``(T,)``."""

    loss: np.ndarray
    grad_theta_norm: np.ndarray
    grad_phi_norm: np.ndarray


def trajectory_metrics_numpy(
    X: np.ndarray,
    Y: np.ndarray,
    lam: float,
    thetas: np.ndarray,
    phis: np.ndarray,
    *,
    chunk: int = 8192,
) -> TrajectoryMetrics:
    """Reference: ``games.shifted_logistic_value/grads`` on chunks of ``chunk`` iterates."""
    steps = thetas.shape[0]
    out = np.empty((3, steps))
    for s in range(0, steps, chunk):
        th, ph = thetas[s : s + chunk], phis[s : s + chunk]
        g_theta, g_phi = shifted_logistic_grads(th, ph, X, Y, lam)
        out[0, s : s + chunk] = shifted_logistic_value(th, ph, X, Y, lam)
        out[1, s : s + chunk] = np.linalg.norm(g_theta, axis=1)
        out[2, s : s + chunk] = np.linalg.norm(g_phi, axis=1)
    return TrajectoryMetrics(out[0], out[1], out[2])


def trajectory_metrics(
    X: np.ndarray, Y: np.ndarray, lam: float, thetas: np.ndarray, phis: np.ndarray
) -> TrajectoryMetrics:
    """Fast path (compiled, blocked); agrees with ``trajectory_metrics_numpy`` to ~1e-15."""
    XT, Xp, Yp = kernels.pad_data(np.asarray(X, np.float64), np.asarray(Y, np.float64))
    thetas = np.ascontiguousarray(thetas, dtype=np.float64)
    phis = np.ascontiguousarray(phis, dtype=np.float64)
    out = np.empty((3, thetas.shape[0]))
    kernels.trajectory_metrics(XT, Xp, Yp, X.shape[0], float(lam), thetas, phis, out)
    return TrajectoryMetrics(out[0], out[1], out[2])


@dataclass(frozen=True, eq=False)
class PrimalGap:
    """Primal value and duality gap on a subsample of the iterations.

    Attributes:
        steps: ``(K,)`` 1-based iteration numbers (the iterate after that many steps).
        primal: ``(K,)`` ``Φ(θₜ) = max_φ L(θₜ, φ)`` (``inner_max``).
        loss: ``(K,)`` ``L(θₜ, φₜ)``.
        gap: ``(K,)`` ``Φ(θₜ) − L(θₜ, φₜ) ≥ 0``.
        c: ``(K,)`` the maximiser ``φ* = cθₜ``.
    """

    steps: np.ndarray
    primal: np.ndarray
    loss: np.ndarray
    gap: np.ndarray
    c: np.ndarray


def primal_gap(
    X: np.ndarray,
    Y: np.ndarray,
    lam: float,
    thetas: np.ndarray,
    phis: np.ndarray,
    *,
    num: int = 400,
    grid: int = 1024,
) -> PrimalGap:
    """``Φ(θₜ)`` and the gap at ``num`` iterations spaced evenly on a log scale (always
    including the first and the last), to show both the transient and the tail."""
    steps = thetas.shape[0]
    idx = np.unique(np.geomspace(1, steps, num=min(num, steps)).round().astype(np.int64)) - 1
    inner = inner_max(thetas[idx], X, Y, lam, grid=grid)
    loss = shifted_logistic_value(thetas[idx], phis[idx], X, Y, lam)
    return PrimalGap(idx + 1, inner.value, loss, inner.value - loss, inner.c)
