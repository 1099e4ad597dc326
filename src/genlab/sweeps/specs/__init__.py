"""The sweep specifications genlab ships: ``genlab sweep NAME --out DIR`` runs one by name.

``example``: a small GAN study, λ × update rule × dataset over 8 seeds (docs/sweeps.md).
``benchmark``: the quality benchmark's protocol, presets × datasets over 5 seeds (what
``genlab benchmark`` runs, ``genlab.sweeps.benchmark``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["SPECS", "spec_path"]

SPECS = ("example", "benchmark")


def spec_path(name: str) -> Path:
    """The file of the shipped spec ``name`` (one of ``SPECS``)."""
    from genlab.base.checks import check_choice

    check_choice("shipped sweep spec", name, SPECS)
    return Path(str(resources.files(__name__) / f"{name}.toml"))
