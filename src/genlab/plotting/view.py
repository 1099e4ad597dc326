"""How a run's points are drawn in its dimension d: the window and one panel of points.

``View.of(train, data)`` takes the window from ``genlab.plotting.window`` (the registered
dataset's, else derived from the data) and the corner's dimensions; ``View.panel`` draws one
panel of points in the run's dimension, as the snapshot grid and the single-epoch figures do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from genlab.plotting.density import plot_density
from genlab.plotting.points import corner_dims, plot_marginal, plot_pair
from genlab.plotting.window import run_window

REFERENCE_POINTS = 5000
"""At most this many data points (an even, seeded subsample) enter the data's histograms and
contours drawn beside the samples (a user's file may hold many more)."""


def snapshot_epochs(snaps: dict[str, np.ndarray], kind: str) -> list[int]:
    """The epochs N of the arrays ``kind_N`` in snapshots.npz, in order."""
    return sorted(int(k.rsplit("_", 1)[1]) for k in snaps if k.rsplit("_", 1)[0] == kind)


def member_data(data: np.ndarray, member: int) -> np.ndarray:
    """The training data of ``member`` from data.npy (E', N, d): E' = E (each member its own
    draw) or 1 (a data file, shared by every member)."""
    return data[min(member, len(data) - 1)]


def thin(points: np.ndarray, n: int = REFERENCE_POINTS) -> np.ndarray:
    """At most ``n`` of ``points``, a seeded subsample in their order (all when fewer)."""
    if len(points) <= n:
        return points
    return points[np.sort(np.random.default_rng(0).choice(len(points), n, replace=False))]


@dataclass(frozen=True)
class View:
    """How a run's points are drawn: the window (d, 2), the registered square window's
    half-width (the homework's panels, as they always were) or None, the corner's dims."""

    window: np.ndarray
    limit: float | None
    dims: tuple[int, ...]

    @classmethod
    def of(cls, train: Any, data: np.ndarray) -> View:
        """The view of a run on ``data`` (N, d), its ``TrainConfig`` being ``train``."""
        window, limit = run_window(train, data)
        return cls(window, limit, corner_dims(data.shape[-1]))

    @property
    def d(self) -> int:
        return len(self.window)

    @property
    def pair_note(self) -> str:
        """For d > 2, what a one-pair panel shows."""
        return f" · x1, x2 of {self.d} dimensions" if self.d > 2 else ""

    def panel(
        self, ax: Axes, points: np.ndarray, *, reference: np.ndarray | None = None,
        title: str | None = None, data: bool = False,
    ) -> Axes:  # fmt: skip
        """One panel of ``points`` (n, d): d = 2 the homework's density (no reference); d = 1
        the KDE over the reference's histogram; d > 2 the pair (x1, x2) under the reference's
        contours. ``data``: the points are the data themselves (d = 1: a grey histogram)."""
        pair = None if reference is None else reference[:, : min(self.d, 2)]  # (n, 1 or 2)
        if self.d == 1:
            values = points[:, 0]
            return plot_marginal(ax, None if data else values, window=self.window[0],
                                 reference=values if data else pair, title=title)  # fmt: skip
        if self.d == 2 and self.limit is not None:
            return plot_density(ax, points, limit=self.limit, title=title)
        if self.d == 2:
            return plot_density(ax, points, window=self.window, title=title)
        return plot_pair(ax, points[:, :2], reference=pair, window=self.window[:2], title=title)
