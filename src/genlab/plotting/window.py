"""Plot windows: the box of data space a figure shows, one ``[lo, hi]`` per dimension.

A registered dataset has its own window [−limit, limit]^d (``DatasetSpec.limit``): for the 2-D
ones the homework's look, and for every dataset the same window in every run on it, so that
runs compare at a glance. A user's data file (any dimension) gets a window derived from the
data itself: per dimension, robust percentiles widened by a margin, so that a few outliers do
not squash the picture into a corner.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.base.errors import UserError
from genlab.data.registry import DATASETS

QUANTILES = (1.0, 99.0)
"""The percentiles of the data that bound a derived window (before the margin)."""
MARGIN = 0.15
"""The margin added on each side of a derived window, as a share of its width."""


def square_window(limit: float, d: int = 2) -> np.ndarray:
    """[−limit, limit] in each of ``d`` dimensions, (d, 2)."""
    return np.tile([-float(limit), float(limit)], (d, 1))


def data_window(
    points: np.ndarray, *, quantiles: tuple[float, float] = QUANTILES, margin: float = MARGIN
) -> np.ndarray:
    """A window (d, 2) around ``points`` (n, d): per dimension the ``quantiles`` percentiles of
    the finite values, widened by ``margin`` × the width on each side.

    A dimension whose percentiles coincide (most values equal) falls back to its full range;
    one without any spread (a constant, a single point) gets a width of 1 around its value
    (±0.5 around 0 when it has no finite value), so that the window is never empty.
    """
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] < 1:
        raise UserError(f"points must be (n, d) with d >= 1, got shape {points.shape}")
    window = np.empty((points.shape[1], 2))
    for j, column in enumerate(points.T):
        values = column[np.isfinite(column)]
        if not values.size:
            window[j] = (-0.5, 0.5)
            continue
        lo, hi = np.percentile(values, quantiles)
        if not _spread(lo, hi):  # most values equal: the full range, else a unit width
            lo, hi = values.min(), values.max()
        if _spread(lo, hi):
            width = hi - lo
            window[j] = (lo - margin * width, hi + margin * width)
        else:
            window[j] = ((lo + hi) / 2 - 0.5, (lo + hi) / 2 + 0.5)
    return window


def _spread(lo: float, hi: float) -> bool:
    return bool(hi - lo > 1e-12 * max(1.0, abs(lo), abs(hi)))


def registered_limit(train: Any, d: int) -> float | None:
    """The half-width of the registered dataset's window when the run trained on one (no user
    file: ``train.data`` missing or None) of dimension ``d``, else None.

    Args:
        train: the run's ``TrainConfig``.
        d: the data's dimension.
    """
    if getattr(train, "data", None) is not None:
        return None
    spec = DATASETS.get(getattr(train, "dataset", None) or "")
    if spec is None or getattr(spec, "dim", 2) != d:
        return None
    return float(spec.limit)


def run_window(train: Any, data: np.ndarray) -> tuple[np.ndarray, float | None]:
    """The window of a run's figures, (d, 2), and the registered half-width (or None).

    Args:
        train: the run's ``TrainConfig``.
        data: the training data of the member shown, (N, d).
    """
    limit = registered_limit(train, data.shape[-1])
    if limit is not None:
        return square_window(limit, data.shape[-1]), limit
    return data_window(data), None
