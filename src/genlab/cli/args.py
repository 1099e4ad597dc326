"""Argument types and checks shared by the command-line modules (``cli`` and ``cli_problems``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from genlab.base.checks import parse_seeds
from genlab.base.errors import UserError
from genlab.training.rundir import RunDir


def seeds_arg(text: str) -> tuple[int, ...]:
    try:
        return parse_seeds(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def floats_arg(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas, got {text!r}"
        ) from None


def names_arg(text: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in text.split(",") if v.strip())


def open_runs(paths: Sequence[Path]) -> list[RunDir]:
    for path in paths:
        run = RunDir(path)
        if not run.config_file.exists():
            raise UserError(f"no run at {path} (no config.json)")
        if not run.checkpoint_file.exists():
            raise UserError(f"run {path} has no checkpoint yet: train it first")
    return [RunDir.open(p) for p in paths]
