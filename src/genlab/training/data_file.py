"""A run on the user's own points: read the file, split it, and resolve the configuration.

``prepare_data(config)`` reads ``config.train.data`` (``genlab.data.load_points``), or checks
the array the caller already holds, splits it (``genlab.data.split_points``: the held-out
fraction ``holdout``, seeded by ``holdout_seed``, standardized when asked), and returns the
configuration with ``n_samples`` set to the training part's size. Every problem is a
``UserError`` raised before any file is written.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from genlab.base.errors import UserError
from genlab.data.files import check_points, load_points
from genlab.data.user_data import MIN_HELDOUT, UserData, split_points
from genlab.models.config import VAEConfig
from genlab.training.config import RunConfig, TrainConfig


def prepare_data(
    config: RunConfig, points: object | None = None
) -> tuple[RunConfig, UserData | None]:
    """``config`` resolved for its data file (or for ``points``, an N × d array), and the split
    it trains on; ``(config, None)`` for a registered dataset."""
    t = config.train
    if t.data is None and points is None:
        return config, None
    where = t.data if t.data is not None else "the data array"
    x = load_points(where) if points is None else check_points(points, where)
    data = split_points(x, holdout=t.holdout, seed=t.holdout_seed, standardize=t.standardize)
    n, n_out, n_train = len(x), len(data.holdout), len(data.train)
    if n_out == 0:
        raise UserError(f"holdout {t.holdout} of {n} points in {where} holds out none; "
                        "raise it (allowed: up to 0.5)")  # fmt: skip
    if t.eval_samples and n_out < MIN_HELDOUT:
        raise UserError(
            f"holdout {t.holdout} of {n} points in {where} holds out {n_out}; the evaluation "
            f"needs at least {MIN_HELDOUT}: raise holdout (up to 0.5), or skip the evaluation "
            "with eval_samples 0"
        )
    if t.n_samples not in (TrainConfig.n_samples, n_train):
        raise UserError(
            f"n_samples is the training part of {where} ({n_train} of {n} points with holdout "
            f"{t.holdout}), got {t.n_samples}; leave it out"
        )
    if t.batch_size > n_train:
        raise UserError(
            f"batch_size {t.batch_size} is larger than the training part of {where} "
            f"({n_train} of {n} points with holdout {t.holdout}); allowed: 1..{n_train}"
        )
    arch = config.arch
    if (
        isinstance(arch, VAEConfig)
        and arch.sampler == "posterior_gmm"
        and (arch.gmm_components > n_train)
    ):
        raise UserError(
            f"gmm_components {arch.gmm_components} exceeds the training part of {where} "
            f"({n_train} of {n} points with holdout {t.holdout}), which the mixture is fitted "
            f"to; allowed: 1..{n_train}"
        )
    train = dataclasses.replace(t, n_samples=n_train, data=absolute(t.data))
    return dataclasses.replace(config, train=train), data


def absolute(spec: str | None) -> str | None:
    """A data file's spec with its path made absolute (an npz key kept), so that the run's
    ``config.toml`` trains from anywhere."""
    if spec is None:
        return None
    head, colon, key = spec.rpartition(":")
    if colon and head.lower().endswith(".npz"):
        return f"{Path(head).resolve()}:{key}"
    return str(Path(spec).resolve())
