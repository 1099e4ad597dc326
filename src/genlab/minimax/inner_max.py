"""The exact inner maximum ``Φ(θ) = max_φ L(θ, φ)`` of the shifted logistic game.

Why a 1-D problem. ``∇φ L(θ, φ) = (1/N) Σᵢ σ(−mᵢ) Yᵢ θ − λφ`` (see ``games.py``), so every
stationary φ satisfies ``φ = cθ`` with the scalar ``c = (1/(λN)) Σᵢ σ(−mᵢ)Yᵢ``. For λ > 0,
``L(θ, φ) → −∞`` as ``‖φ‖ → ∞`` (softplus grows linearly, the ridge quadratically), so the
maximum exists, is stationary, and ``Φ(θ) = max_c L(θ, cθ)``.

The 1-D function. With ``aᵢ = Xᵢᵀθ``, ``q = ‖θ‖²`` and the margin shift ``t = cq``,
``mᵢ = Yᵢ(aᵢ − t)`` and::

    g(t) = L(θ, (t/q)θ) = (1/N) Σᵢ softplus(Yᵢ(t − aᵢ)) − (λ/2q) t²
    g'(t) = h(t) − (λ/q) t,     h(t) = (1/N) Σᵢ σ(Yᵢ(t − aᵢ)) Yᵢ ∈ (−n₋/N, n₊/N)
    g''(t) = (1/N) Σᵢ σ'(t − aᵢ) − λ/q

(n₊, n₋: the numbers of positive and negative labels). g need not be concave: h is a
staircase of N sigmoid steps at ``t = aᵢ``, and g has up to N + 1 local maxima. Typically the
global one is *far* away, near ``t = q n₊/(Nλ)`` or ``−q n₋/(Nλ)``, where the shift pushes one
class entirely across the boundary (value ≈ (n±/N)² q/(2λ)).

Bracketing. A stationary point has ``(λ/q)t = h(t)``, so ``t ∈ (t_lo, t_hi) = (−qn₋/(Nλ),
qn₊/(Nλ))``, with ``g'(t_lo) > 0 > g'(t_hi)``. Since ``σ'(u) ≤ e^{−|u|}``, g is concave
wherever every ``|t − aᵢ| ≥ W = log(q/λ)``; so outside ``[min a − W, max a + W]`` each of the
two outer pieces holds at most one local maximum. We evaluate g' on a uniform grid of
``grid`` points over the inner piece plus the piece ends, bisect every cell where g' changes
sign from + to −, and keep the best root. This is exact (to the bisection's ~1e-15) unless two
critical points share one grid cell; even then the error is at most δ²/8 (δ: the grid step in
t, since g'' ≤ 1/4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genlab.base.errors import UserError
from genlab.minimax.games import expit

__all__ = ["InnerMax", "inner_max"]


@dataclass(frozen=True, eq=False)
class InnerMax:
    """``Φ(θ) = max_φ L(θ, φ)``, attained at ``φ* = c θ``.

    Attributes:
        value: ``(...)`` Φ(θ).
        c: ``(...)`` the maximising coefficient (0 where θ = 0, where Φ = log 2 at φ* = 0).
    """

    value: np.ndarray
    c: np.ndarray


def _dg(t: np.ndarray, a: np.ndarray, Y: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """g'(t) for rows of a: ``t`` (K, M), ``a`` (K, N), ``slope`` = λ/q (K, 1)."""
    u = Y * (t[..., None] - a[:, None, :])  # (K, M, N) = −margins
    return (expit(u) * Y).mean(axis=-1) - slope * t


def _g(t: np.ndarray, a: np.ndarray, Y: np.ndarray, half_slope: np.ndarray) -> np.ndarray:
    """g(t) for rows of a (same shapes as ``_dg``; ``half_slope`` = λ/(2q))."""
    u = Y * (t[..., None] - a[:, None, :])
    return np.logaddexp(0.0, u).mean(axis=-1) - half_slope * t * t


def _inner_max_rows(
    theta: np.ndarray, X: np.ndarray, Y: np.ndarray, lam: float, grid: int, iters: int
) -> tuple[np.ndarray, np.ndarray]:
    """Φ and c for a (K, p) block of θ with q > 0."""
    n = X.shape[0]
    a = theta @ X.T  # (K, N)
    q = np.sum(theta * theta, axis=1, keepdims=True)  # (K, 1)
    slope = lam / q
    n_pos = np.count_nonzero(Y > 0)
    t_lo = -q * (n - n_pos) / (n * lam)  # (K, 1)
    t_hi = q * n_pos / (n * lam)
    width = np.log(np.maximum(q / lam, 1.0)) + 1.0
    in_lo = np.clip(a.min(axis=1, keepdims=True) - width, t_lo, t_hi)
    in_hi = np.clip(a.max(axis=1, keepdims=True) + width, t_lo, t_hi)
    frac = np.linspace(0.0, 1.0, grid)
    pts = np.concatenate([t_lo, in_lo + (in_hi - in_lo) * frac, t_hi], axis=1)  # (K, M) sorted
    d = _dg(pts, a, Y, slope)
    # cells [pts[j], pts[j+1]] where g' goes from > 0 to <= 0 hold a local maximum
    rows, cols = np.nonzero((d[:, :-1] > 0.0) & (d[:, 1:] <= 0.0))
    lo = pts[rows, cols]
    hi = pts[rows, cols + 1]
    a_c, s_c = a[rows], slope[rows]
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        pos = _dg(mid[:, None], a_c, Y, s_c)[:, 0] > 0.0
        lo = np.where(pos, mid, lo)
        hi = np.where(pos, hi, mid)
    root = 0.5 * (lo + hi)
    val = _g(root[:, None], a_c, Y, 0.5 * s_c)[:, 0]
    best_val = np.full(theta.shape[0], -np.inf)
    np.maximum.at(best_val, rows, val)
    best_t = np.zeros(theta.shape[0])
    hit = val == best_val[rows]
    best_t[rows[hit]] = root[hit]
    # never report less than the best grid point (guards the δ²/8 case)
    gvals = _g(pts, a, Y, 0.5 * slope)
    j = np.argmax(gvals, axis=1)
    grid_best = gvals[np.arange(theta.shape[0]), j]
    use_grid = grid_best > best_val
    best_val = np.where(use_grid, grid_best, best_val)
    best_t = np.where(use_grid, pts[np.arange(theta.shape[0]), j], best_t)
    return best_val, best_t / q[:, 0]


def inner_max(
    theta: np.ndarray,
    X: np.ndarray,
    Y: np.ndarray,
    lam: float,
    *,
    grid: int = 1024,
    iters: int = 100,
    chunk: int = 64,
) -> InnerMax:
    """The global maximum over φ of ``L(θ, φ)``, vectorised over θ (see the module notes).

    Args:
        theta: ``(..., p)`` points (e.g. a subsampled trajectory).
        X: ``(N, p)`` data; Y: ``(N,)`` labels in {−1, +1}.
        lam: ridge weight λ > 0 (for λ = 0 the supremum is +∞ unless θ = 0).
        grid: grid points over the non-concave piece of the 1-D problem.
        iters: bisection steps per candidate (100 halvings exhaust float64).
        chunk: θ rows per vectorised block (memory ≈ chunk · grid · N · 8 bytes · a few).

    Returns:
        ``InnerMax(value, c)`` with ``Φ(θ) = L(θ, cθ)``.
    """
    if not lam > 0.0:
        raise UserError(f"inner_max needs lam > 0 (the supremum is +inf otherwise), got {lam}")
    theta = np.asarray(theta, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    flat = theta.reshape(-1, theta.shape[-1])
    value = np.full(flat.shape[0], np.log(2.0))  # θ = 0: L(0, φ) = log 2 − (λ/2)‖φ‖²
    c = np.zeros(flat.shape[0])
    nonzero = np.flatnonzero(np.any(flat != 0.0, axis=1))
    for s in range(0, nonzero.size, chunk):
        rows = nonzero[s : s + chunk]
        value[rows], c[rows] = _inner_max_rows(flat[rows], X, Y, lam, grid, iters)
    shape = theta.shape[:-1]
    return InnerMax(value.reshape(shape), c.reshape(shape))
