"""Argument types and checks shared by the command-line modules (``main``, ``problems``,
``sweep``)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from genlab.base.checks import check_int, parse_seeds
from genlab.base.errors import UserError
from genlab.training.rundir import RunDir

if TYPE_CHECKING:
    from genlab.training.config import RunConfig

SEED_MAX = 2**32 - 1
"""Seeds also seed NumPy, whose legacy generators take 32 bits."""


def seeds_arg(text: str) -> tuple[int, ...]:
    try:
        seeds = parse_seeds(text)
        for s in seeds:
            check_int("seed", s, 0, SEED_MAX)
        return seeds
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def seed_arg(text: str) -> int:
    """One seed: an integer in [0, 2**32 − 1]."""
    try:
        return check_int("seed", int(text), 0, SEED_MAX)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"a seed must be an integer in [0, {SEED_MAX}], got {text!r}"
        ) from None


def floats_arg(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas, got {text!r}"
        ) from None


def names_arg(text: str) -> tuple[str, ...]:
    names = tuple(v.strip() for v in text.split(",") if v.strip())
    if not names:
        raise argparse.ArgumentTypeError(f"expected names separated by commas, got {text!r}")
    return names


def path_arg(text: str) -> Path:
    """A path; an empty one is refused (``Path("")`` would be the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a path, got {text!r}")
    return Path(text)


def open_runs(paths: Sequence[Path]) -> list[RunDir]:
    for path in paths:
        run = RunDir(path)
        if not run.config_file.exists():
            raise UserError(f"no run at {path} (no config.json)")
        if not run.has_checkpoint():
            raise UserError(f"run {path} has no checkpoint yet: train it first")
    return [RunDir.open(p) for p in paths]


# -- memory ---------------------------------------------------------------------------------------
MEMORY_SHARE = 4
"""Work may plan for at most 1/MEMORY_SHARE of the machine's memory: the estimates count only
the largest arrays, and a training run's measured peak is several times its estimate."""


def physical_memory() -> int | None:
    """Bytes of memory of this machine; None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None


def evaluation_memory(n: int) -> dict[str, int]:
    """Bytes of evaluating n points: the exact optimal transport (W1, W2) holds an n × n
    float64 cost matrix and as large a plan."""
    return {"n × n optimal transport": 2 * 8 * n * n}


def check_memory(what: str, parts: dict[str, int]) -> None:
    """``UserError`` when the estimate ``parts`` (name → bytes) exceeds the memory limit."""
    memory = physical_memory()
    total = sum(parts.values())
    if memory is None or total <= memory / MEMORY_SHARE:
        return
    detail = ", ".join(f"{name} {b / 2**30:.3g}" for name, b in parts.items() if b)
    raise UserError(
        f"{what} need ~{total / 2**30:.3g} GiB ({detail} GiB), more than the limit "
        f"{memory / MEMORY_SHARE / 2**30:.3g} GiB (1/{MEMORY_SHARE} of this machine's "
        f"{memory / 2**30:.3g} GiB of memory)"
    )


def check_run_fits(config: RunConfig, what: str = "", dim: int | None = None) -> None:
    """Refuse, before any work, a training run (``what``) of ``dim``-dimensional points
    (default: the dataset's) that this machine cannot hold."""
    from genlab.models.config import VAEConfig
    from genlab.training.config import memory_estimate, sampling_memory

    t, arch = config.train, config.arch
    noise = (
        f"latent_dim {arch.latent_dim}" if isinstance(arch, VAEConfig) else f"z_dim {arch.z_dim}"
    )
    members = f"{what}{len(t.seeds)} member(s) (seeds) of {t.n_samples} points (n_samples)"
    check_memory(f"{members} with {noise}", memory_estimate(config, dim))
    if t.eval_samples:
        parts = sampling_memory(config, t.eval_samples, dim=dim)
        parts |= evaluation_memory(t.eval_samples)
        check_memory(f"{what}eval_samples {t.eval_samples}: the final evaluation would", parts)
