"""The k-NN sample-quality metrics written out by brute force (Naeem et al. 2020): the
reference the evaluation's KD-tree and blockwise versions are tested against."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist


def brute_prdc(x: np.ndarray, y: np.ndarray, k: int) -> tuple[float, float, float, float]:
    """(precision, recall, density, coverage) of samples ``y`` against real points ``x``."""
    rx = np.sort(cdist(x, x), axis=1)[:, k]
    ry = np.sort(cdist(y, y), axis=1)[:, k]
    dxy = cdist(x, y)  # (N, M)
    inside = dxy <= rx[:, None]
    return (
        inside.any(axis=0).mean(),
        (dxy <= ry[None, :]).any(axis=1).mean(),
        inside.sum() / (k * len(y)),
        (dxy.min(axis=1) <= rx).mean(),
    )
