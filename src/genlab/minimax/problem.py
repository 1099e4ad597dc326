"""The homework's problem instance, drawn exactly as HW12 Problem 1 draws it.

The homework seeds NumPy's legacy global generator and draws, in this order::

    np.random.seed(0)
    X = np.random.randn(N, p)
    Y = 2 * np.random.randint(2, size=N) - 1
    theta = 0.1 * np.random.randn(p)
    phi = 0.1 * np.random.randn(p)
    ... then one ``np.random.randint(N)`` per SGD step.

We use a private ``np.random.RandomState(seed)`` (the same stream as the global one after
``np.random.seed(seed)``) and pre-draw all step indices at once: ``rs.randint(N, size=k)``
yields the same integers as k scalar ``rs.randint(N)`` calls (legacy bounded integers are
drawn one by one with the same masked rejection sampler either way; checked in
``tests/test_minimax_problem.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genlab.minimax.games import ShiftedLogisticGame

__all__ = ["ShiftedLogisticProblem", "draw_indices", "make_shifted_logistic_problem"]


@dataclass(frozen=True, eq=False)
class ShiftedLogisticProblem:
    """Data, starting point and sample indices of one instance.

    Attributes:
        X: ``(N, p)`` data.
        Y: ``(N,)`` labels in {−1, +1} (float64).
        lam: ridge weight λ on the adversary's shift.
        theta0: ``(p,)`` starting point of the minimizing player.
        phi0: ``(p,)`` starting point of the maximizing player.
        indices: ``(steps,)`` int64 sample index per step, or None for full-batch runs.
        seed: the seed the instance was drawn from.
    """

    X: np.ndarray
    Y: np.ndarray
    lam: float
    theta0: np.ndarray
    phi0: np.ndarray
    indices: np.ndarray | None
    seed: int

    @property
    def game(self) -> ShiftedLogisticGame:
        return ShiftedLogisticGame(self.X, self.Y, self.lam)


def draw_indices(rs: np.random.RandomState, n: int, steps: int) -> np.ndarray:
    """``steps`` draws of ``rs.randint(n)``, in one call (same stream as a loop of calls)."""
    return rs.randint(n, size=steps).astype(np.int64, copy=False)


def make_shifted_logistic_problem(
    *,
    n: int = 30,
    p: int = 20,
    lam: float = 1e-3,
    seed: int = 0,
    steps: int | None = None,
) -> ShiftedLogisticProblem:
    """Draw the homework's instance (defaults: N = 30, p = 20, λ = 0.001, seed 0).

    Args:
        n: number of samples N.
        p: dimension p.
        lam: ridge weight λ.
        seed: seed of the legacy ``RandomState`` (0 ≤ seed < 2³²).
        steps: how many per-step sample indices to draw after θ₀, φ₀ (None: none, as for
            full-batch runs; the earlier draws do not depend on it).

    Returns:
        The instance, bit-identical to the homework's draws for the same seed.
    """
    rs = np.random.RandomState(seed)
    X = rs.randn(n, p)
    Y = (2 * rs.randint(2, size=n) - 1).astype(np.float64)
    theta0 = 0.1 * rs.randn(p)
    phi0 = 0.1 * rs.randn(p)
    indices = None if steps is None else draw_indices(rs, n, steps)
    return ShiftedLogisticProblem(X, Y, float(lam), theta0, phi0, indices, int(seed))
