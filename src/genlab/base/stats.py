"""Mean ± standard error over members or seeds, and how it is printed."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


def mean_se(values: Iterable[float]) -> tuple[float, float]:
    """Mean and standard error s.e. = std / √n (ddof = 1); s.e. is NaN for a single value."""
    v = np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=float)
    se = float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else math.nan
    return float(v.mean()), se


def format_pm(mean: float, se: float, digits: int = 4, se_digits: int = 2) -> str:
    """``mean ± se`` with ``digits`` significant digits (``se_digits`` for the s.e.); the
    mean alone when the s.e. is NaN (a single member)."""
    if math.isnan(se):
        return f"{mean:.{digits}g}"
    return f"{mean:.{digits}g} ± {se:.{se_digits}g}"
