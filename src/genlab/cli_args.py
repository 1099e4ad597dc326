"""Argument types and checks shared by the command-line modules (``cli`` and ``cli_problems``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from genlab.config import parse_seeds
from genlab.runs import RunDir


class UsageError(ValueError):
    """Bad input: reported with exit code 2."""


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
        if not (path / "config.json").exists():
            raise UsageError(f"no run at {path} (no config.json)")
        if not (path / "checkpoints" / "last.pt").exists():
            raise UsageError(f"run {path} has no checkpoint yet: train it first")
    return [RunDir.open(p) for p in paths]
