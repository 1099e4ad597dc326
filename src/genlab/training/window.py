"""The box the data lie in, per dimension, in the data's own units.

A registered dataset's is its plotting window [−limit, limit]^d; a data file's is the range of
its training part, widened by ``PAD`` of that range on each side (a dimension of zero range
gets ±1). The guards bound the model's samples by multiples of its half-widths; GAN Lab's view
evaluates the discriminator over it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genlab.data.registry import get_dataset
from genlab.data.user_data import UserData
from genlab.training.config import TrainConfig

PAD = 0.1
"""Margin added on each side of a data file's range, as a fraction of that range."""


@dataclass(frozen=True)
class Window:
    """[lo, hi] per dimension, and what it is called in messages."""

    lo: np.ndarray
    hi: np.ndarray
    name: str

    @property
    def center(self) -> np.ndarray:
        return (self.lo + self.hi) / 2

    @property
    def half_width(self) -> np.ndarray:
        return (self.hi - self.lo) / 2


def data_window(train: TrainConfig, data: UserData | None = None) -> Window:
    """The window of a run's data: the registered dataset's, or the data file's training range."""
    if data is None:
        spec = get_dataset(train.dataset)
        lim = np.full(spec.dim, float(spec.limit))
        return Window(-lim, lim, f"the {spec.name} window's half-width {spec.limit:g}")
    lo, hi = data.train.min(axis=0), data.train.max(axis=0)
    pad = np.where(hi > lo, PAD * (hi - lo), 1.0)
    return Window(lo - pad, hi + pad, "the data's half-range (padded 10 %)")
