"""Checks the training tests share: exact equality of nested states, and an on_epoch callback
that interrupts a run."""

from __future__ import annotations

import torch


def assert_nested_equal(a, b, where="") -> None:
    """Exact equality of nested dicts/lists of tensors and plain values."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and torch.equal(a, b), where
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            assert_nested_equal(a[k], b[k], f"{where}/{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_nested_equal(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


class Interrupt:
    """An on_epoch callback that raises KeyboardInterrupt after epoch ``at``."""

    def __init__(self, at: int) -> None:
        self.at = at

    def __call__(self, record) -> None:
        if record.epoch == self.at:
            raise KeyboardInterrupt
