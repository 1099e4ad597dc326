"""The user's own points made ready for a run: a seeded held-out split and, on request,
per-dimension standardization.

``split_points(points, holdout=F, seed=s)`` holds out round(F·N) points, drawn by a NumPy
permutation from ``seed``, that the model never sees: the evaluation compares samples with
them, and its floor is the held-out set against an equally large part of the training set.
With ``standardize``, the model trains on z = (x − mean) / std, mean and std taken over the
training part only (no held-out point leaks into them); a dimension of zero spread keeps
std = 1 (scikit-learn's ``StandardScaler`` does the same). Samples, figures and metrics come
back in the data's own units, x = z·std + mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genlab.base.errors import UserError

MIN_HELDOUT = 10
"""The fewest held-out points an evaluation compares with (its k-NN metrics use k = 5)."""


@dataclass(frozen=True)
class UserData:
    """A user's points split for a run, in the data's own units (float64)."""

    train: np.ndarray
    """(N_train, d): what every member trains on (each shuffles its own batches)."""
    holdout: np.ndarray
    """(N_holdout, d): what the evaluation compares with."""
    mean: np.ndarray
    """(d,) the training part's mean when standardized, else zeros."""
    std: np.ndarray
    """(d,) the training part's standard deviation when standardized, else ones."""

    @property
    def dim(self) -> int:
        return int(self.train.shape[1])

    @property
    def standardized(self) -> bool:
        return bool(np.any(self.mean != 0) or np.any(self.std != 1))

    def to_model(self, x: np.ndarray) -> np.ndarray:
        """z = (x − mean) / std: the units the model trains in."""
        return (x - self.mean) / self.std

    def to_data(self, z: np.ndarray) -> np.ndarray:
        """x = z·std + mean: back in the data's own units."""
        return z * self.std + self.mean

    def arrays(self) -> dict[str, np.ndarray]:
        return {"train": self.train, "holdout": self.holdout, "mean": self.mean, "std": self.std}


def split_points(
    points: np.ndarray, *, holdout: float, seed: int = 0, standardize: bool = False
) -> UserData:
    """``points`` (N, d) split into a training part and round(holdout·N) held-out points
    (a permutation drawn from ``seed``), with standardization statistics when asked."""
    x = np.asarray(points, dtype=np.float64)
    n = len(x)
    n_out = int(holdout * n + 0.5)
    if n - n_out < 1:
        raise UserError(f"holdout {holdout} of {n} points leaves no point to train on")
    perm = np.random.default_rng(seed).permutation(n)
    train, out = x[perm[n_out:]], x[perm[:n_out]]
    d = x.shape[1]
    mean, std = np.zeros(d), np.ones(d)
    if standardize:
        mean, std = train.mean(axis=0), train.std(axis=0)
        std = np.where(std > 0, std, 1.0)
    return UserData(np.ascontiguousarray(train), np.ascontiguousarray(out), mean, std)
