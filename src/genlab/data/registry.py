"""The registry of named datasets.

A ``DatasetSpec`` names its sampler and mode centers by reference (``"module:function"``,
resolved on first use), so that the names, noise levels and plot windows are known without
importing torch: validating a configuration or printing ``genlab --help`` costs nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from genlab.base.errors import UserError

Ref = Callable[..., Any] | str
"""A callable, or ``"module:function"`` (a module of ``genlab.data`` when relative)."""


def resolve(ref: Ref) -> Callable[..., Any]:
    """The callable behind a reference."""
    if callable(ref):
        return ref
    module, _, name = ref.partition(":")
    package = "genlab.data" if module.startswith(".") else None
    return getattr(importlib.import_module(module, package), name)


@dataclass(frozen=True)
class DatasetSpec:
    """A named distribution: its sampler, default noise, plot window, mode centers and
    dimension (2 but for the 3-D swiss roll)."""

    name: str
    sampler_ref: Ref
    """``make_<name>(n_samples, *, noise, generator)``, or a reference to it."""
    noise: float
    limit: float
    """Half-width of the plotting window [−limit, limit]^dim."""
    description: str
    centers_ref: Ref | None = None
    """Mode centers (K, 2), for mixtures (used by the mode-coverage metrics)."""
    dim: int = 2
    """The dimension of its points."""

    @property
    def sampler(self) -> Callable[..., Any]:
        return resolve(self.sampler_ref)

    @property
    def centers(self) -> Callable[[], Any] | None:
        return None if self.centers_ref is None else resolve(self.centers_ref)

    def sample(self, n_samples: int, *, noise: float | None = None, generator: Any = None) -> Any:
        """``n_samples`` points (a float64 tensor (n, dim)); ``noise`` None: the default."""
        return self.sampler(
            n_samples, noise=self.noise if noise is None else noise, generator=generator
        )


DATASETS: dict[str, DatasetSpec] = {}


def register(spec: DatasetSpec) -> DatasetSpec:
    """Add a dataset to the registry (names are unique)."""
    if spec.name in DATASETS:
        raise UserError(f"dataset {spec.name!r} is already registered")
    DATASETS[spec.name] = spec
    return spec


def get_dataset(name: str) -> DatasetSpec:
    """The registered dataset called ``name``; an unknown name lists the known ones."""
    try:
        return DATASETS[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(DATASETS))
        raise UserError(f"unknown dataset {name!r}; known datasets: {known}") from None


_S, _T = ".samplers:", ".toy_suite:"
for _spec in (
    DatasetSpec("swiss_roll", _S + "make_swiss_roll", 0.025, 1.5, "the homework's 2-D swiss roll"),
    DatasetSpec(
        "ring", _S + "make_ring", 0.01, 1.5, "8 Gaussians on a circle", _S + "ring_centers"
    ),  # fmt: skip
    DatasetSpec(
        "grid", _S + "make_grid", 0.05, 6.0, "25 Gaussians on a 5×5 grid", _S + "grid_centers"
    ),  # fmt: skip
    DatasetSpec(
        "8gaussians",
        _T + "make_eight_gaussians",
        0.5 / 1.414,
        4.0,
        "8 Gaussians on a circle (FFJORD)",
        _T + "eight_gaussians_centers",
    ),  # fmt: skip
    DatasetSpec(
        "25gaussians",
        _T + "make_twenty_five_gaussians",
        0.05 / 2.828,
        2.0,
        "25 Gaussians on a small 5×5 grid (WGAN-GP)",
        _T + "twenty_five_gaussians_centers",
    ),  # fmt: skip
    DatasetSpec("moons", _T + "make_moons", 0.2, 4.0, "two moons (FFJORD)"),
    DatasetSpec("circles", _T + "make_circles", 0.24, 4.0, "two concentric circles (FFJORD)"),
    DatasetSpec("rings", _T + "make_rings", 0.08, 4.0, "four concentric rings (FFJORD)"),
    DatasetSpec("checkerboard", _T + "make_checkerboard", 0.0, 4.0, "a checkerboard (FFJORD)"),
    DatasetSpec("pinwheel", _T + "make_pinwheel", 0.1, 4.0, "a five-armed pinwheel (FFJORD)"),
    DatasetSpec("2spirals", _T + "make_two_spirals", 0.1, 4.0, "two interleaved spirals (FFJORD)"),
    DatasetSpec(
        "swiss_roll_3d",
        ".surfaces:make_swiss_roll_3d",
        0.025,
        1.5,
        "the homework's swiss roll as a 3-D surface",
        dim=3,
    ),  # fmt: skip
):
    register(_spec)
