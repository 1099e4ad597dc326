"""Argument checks shared by every layer, each raising ``UserError`` that quotes the value and
the allowed range."""

from __future__ import annotations

import math
import numbers
import re
from typing import Any

from genlab.base.errors import UserError


def is_int(value: Any) -> bool:
    """An integer (Python's or NumPy's) that is not a ``bool``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """An ``int`` or ``float`` that is not a ``bool``."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_int(
    name: str, value: Any, minimum: int = 1, maximum: int | None = None, *, why: str = ""
) -> int:
    """``int(value)`` if it is an integer in [minimum, maximum]; else ``UserError`` naming it."""
    if not is_int(value) or value < minimum or (maximum is not None and value > maximum):
        allowed = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise UserError(f"{name} must be an integer {allowed}{why}, got {value!r}")
    return int(value)


def check_finite(name: str, value: Any) -> float:
    """``value`` if it is a finite number."""
    if not is_number(value) or not math.isfinite(value):
        raise UserError(f"{name} must be a finite number, got {value!r}")
    return value


def check_positive(name: str, value: Any) -> float:
    """``value`` if it is a finite number > 0."""
    if not is_number(value) or not math.isfinite(value) or value <= 0:
        raise UserError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def check_nonnegative(name: str, value: Any) -> float:
    """``value`` if it is a finite number ≥ 0."""
    if not is_number(value) or not math.isfinite(value) or value < 0:
        raise UserError(f"{name} must be a finite number >= 0, got {value!r}")
    return value


def check_choice(what: str, value: Any, allowed: Any) -> str:
    """``value`` if it is one of ``allowed`` (names); else ``UserError`` listing them."""
    if value not in allowed:
        raise UserError(f"unknown {what} {value!r}; allowed: {', '.join(allowed)}")
    return value


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"3"`` → (3,), ``"0-15"`` → (0, …, 15), ``"1,4,9"`` → (1, 4, 9); ranges may mix."""
    seeds: list[int] = []
    for part in str(text).split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not m:
            raise UserError(
                f"malformed seed list {text!r}: use N, A-B (A <= B) or a comma list of those"
            )
        lo, hi = int(m[1]), int(m[2] if m[2] is not None else m[1])
        if hi < lo:
            raise UserError(f"malformed seed range {part.strip()!r}: the end is below the start")
        seeds.extend(range(lo, hi + 1))
    if len(set(seeds)) != len(seeds):
        raise UserError(f"seed list {text!r} repeats a seed")
    return tuple(seeds)
