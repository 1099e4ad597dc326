"""How well samples trace the homework's swiss roll: closeness to the spiral, evenness along it.

The noiseless spiral is c(t) = 0.1·t·(cos t, sin t), t ∈ [π, 4π] (the support of
:func:`genlab.data.samplers.make_swiss_roll` without its noise). Each sample x is projected onto it:
t*(x) = argmin_t ‖x − c(t)‖, by a KD-tree over a dense grid of t followed by safeguarded Newton
steps on g(t) = (c(t) − x)·c′(t), accurate to ~1e-10 in distance.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from genlab.base.checks import check_int
from genlab.base.errors import UserError
from genlab.evaluation.metrics import as_points

T_MIN, T_MAX = math.pi, 4 * math.pi
SCALE = 0.1
THRESHOLD = 0.075
"""Default "near" distance: 3 × the swiss roll's noise std 0.025."""
COVERAGE_BINS = 25
_GRID = 16_384  # dense grid: spacing ≤ 7.3e-4 in arc length, refined by Newton afterwards
_NEWTON_STEPS = 4


@dataclass(frozen=True)
class SpiralMetrics:
    """Closeness to and evenness along the spiral of one sample set.

    Attributes:
        near: share of samples within ``threshold`` of the spiral (higher is better).
        coverage_w1: W1 (in radians of t) between the spiral parameters t* of the near samples
            and those of the near reference points (lower is better; 3π, the largest possible,
            when no sample is near).
        coverage_tv: total variation between their histograms over ``bins`` bins of equal
            probability under the data law of t (lower is better; 1 when no sample is near).
    """

    near: float
    coverage_w1: float
    coverage_tv: float


def spiral_point(t: np.ndarray) -> np.ndarray:
    """c(t) = 0.1·t·(cos t, sin t): (n, 2)."""
    t = np.asarray(t, dtype=np.float64)
    return SCALE * t[:, None] * np.stack((np.cos(t), np.sin(t)), axis=1)


@functools.lru_cache(maxsize=1)
def _dense_spiral() -> tuple[np.ndarray, cKDTree]:
    t = np.linspace(T_MIN, T_MAX, _GRID)
    return t, cKDTree(spiral_point(t))


def project_to_spiral(samples: object) -> tuple[np.ndarray, np.ndarray]:
    """The nearest spiral parameter t* ∈ [π, 4π] of each sample, and the distance: ((n,), (n,)).

    Newton on g(t) = (c − x)·c′, g′(t) = ‖c′‖² + (c − x)·c″, with
    c′ = 0.1·(cos t − t sin t, sin t + t cos t), c″ = 0.1·(−2 sin t − t cos t, 2 cos t − t sin t);
    a step is kept only if it brings the point closer, and t is clipped to [π, 4π].
    """
    x = as_points(samples, "samples", min_points=1)
    if x.shape[1] != 2:
        raise UserError(f"samples must be 2-D points, got shape {x.shape}")
    grid, tree = _dense_spiral()
    _, index = tree.query(x, k=1)
    t = grid[index]
    d2 = np.sum((spiral_point(t) - x) ** 2, axis=1)
    for _ in range(_NEWTON_STEPS):
        cos, sin = np.cos(t), np.sin(t)
        r = spiral_point(t) - x  # (n, 2)
        c1 = SCALE * np.stack((cos - t * sin, sin + t * cos), axis=1)
        c2 = SCALE * np.stack((-2 * sin - t * cos, 2 * cos - t * sin), axis=1)
        g = np.sum(r * c1, axis=1)
        gp = np.sum(c1 * c1, axis=1) + np.sum(r * c2, axis=1)
        step = np.divide(g, gp, out=np.zeros_like(g), where=gp > 0)
        t_new = np.clip(t - step, T_MIN, T_MAX)
        d2_new = np.sum((spiral_point(t_new) - x) ** 2, axis=1)
        better = d2_new < d2
        t, d2 = np.where(better, t_new, t), np.where(better, d2_new, d2)
    return t, np.sqrt(d2)


def coverage_bin_edges(bins: int = COVERAGE_BINS) -> np.ndarray:
    """Edges t_k = 2π·sqrt(0.25 + 3.75·k/bins): equal probability under the swiss roll's t law."""
    return 2 * math.pi * np.sqrt(0.25 + 3.75 * np.arange(bins + 1) / bins)


def wasserstein_1d(u: np.ndarray, v: np.ndarray) -> float:
    """W₁ between the empirical measures of the 1-D samples ``u`` and ``v`` (any sizes):
    W₁ = ∫ |F_u(t) − F_v(t)| dt, exact on the pieces between the sorted pooled values (as
    ``scipy.stats.wasserstein_distance``, without importing scipy.stats, ~1 s)."""
    u, v = np.sort(u), np.sort(v)
    pooled = np.sort(np.concatenate([u, v]))
    cdf_u = np.searchsorted(u, pooled[:-1], "right") / len(u)
    cdf_v = np.searchsorted(v, pooled[:-1], "right") / len(v)
    return float(np.sum(np.abs(cdf_u - cdf_v) * np.diff(pooled)))


def spiral_metrics(
    samples: object,
    reference: object,
    *,
    threshold: float = THRESHOLD,
    bins: int = COVERAGE_BINS,
) -> SpiralMetrics:
    """Share of samples near the spiral, and how evenly the near ones cover it.

    near = (1/n) Σ_i 1[dist(x_i, spiral) ≤ threshold];
    coverage_w1 = W1(t*(near samples), t*(near reference)), exact in 1-D;
    coverage_tv = ½ Σ_b |p̂_b − q̂_b| over equal-probability bins of t.
    ``reference`` is fresh data; a perfect sampler gets near ≈ 0.997 at threshold 3σ (the
    noise is mostly normal to the curve) and coverage at the floor of two fresh data sets.
    """
    if not (math.isfinite(threshold) and threshold > 0):
        raise UserError(f"threshold must be a finite number > 0, got {threshold!r}")
    check_int("bins", bins)
    t_x, d_x = project_to_spiral(samples)
    t_r, d_r = project_to_spiral(reference)
    near_x, near_r = t_x[d_x <= threshold], t_r[d_r <= threshold]
    if len(near_r) == 0:
        raise UserError(f"no reference point lies within threshold {threshold} of the spiral")
    if len(near_x) == 0:
        return SpiralMetrics(near=0.0, coverage_w1=T_MAX - T_MIN, coverage_tv=1.0)
    edges = coverage_bin_edges(bins)
    edges[0], edges[-1] = T_MIN, T_MAX  # the same values; exact so that no t* falls outside
    p = np.histogram(near_x, edges)[0] / len(near_x)
    q = np.histogram(near_r, edges)[0] / len(near_r)
    return SpiralMetrics(
        near=float(np.mean(d_x <= threshold)),
        coverage_w1=wasserstein_1d(near_x, near_r),
        coverage_tv=float(0.5 * np.abs(p - q).sum()),
    )
