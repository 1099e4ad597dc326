"""Where a run computes: ``auto`` picks CUDA when there is one."""

from __future__ import annotations

import torch

from genlab.base.checks import check_choice
from genlab.base.errors import UserError


def resolve_device(name: str) -> torch.device:
    """``auto`` → cuda when available, else cpu. Asking for cuda without one is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    check_choice("device", name, ("auto", "cpu", "cuda"))
    if name == "cuda" and not torch.cuda.is_available():
        raise UserError("device 'cuda' was asked for, but no CUDA device is available")
    return torch.device(name)
