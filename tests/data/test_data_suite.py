"""The dataset registry: every sampler seeded, deterministic, and faithful to its source."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from genlab.data import DATASETS, DatasetSpec, get_dataset, register
from genlab.evaluation.metrics import sliced_w2

NAMES = list(DATASETS)
FFJORD_SUITE = [
    "8gaussians",
    "25gaussians",
    "moons",
    "circles",
    "rings",
    "checkerboard",
    "pinwheel",
    "2spirals",
]


def test_the_suite_is_registered() -> None:
    assert set(FFJORD_SUITE) | {"swiss_roll", "ring", "grid", "swiss_roll_3d"} == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_sampler_contract(name: str) -> None:
    spec = get_dataset(name)
    x = spec.sample(1000, generator=0)
    assert x.dtype == torch.float64 and x.shape == (1000, spec.dim) and torch.isfinite(x).all()
    assert torch.equal(x, spec.sample(1000, generator=0))
    assert torch.equal(x, spec.sample(1000, generator=torch.Generator().manual_seed(0)))
    assert not torch.allclose(x, spec.sample(1000, generator=1))
    g = torch.Generator().manual_seed(5)
    assert not torch.allclose(spec.sample(1000, generator=g), spec.sample(1000, generator=g))
    inside = (x.abs() <= spec.limit).all(dim=1).double().mean()
    assert inside >= 0.995, f"{name}: only {inside:.3f} of the points inside the plot window"


@pytest.mark.parametrize("name", NAMES)
def test_sampler_validates(name: str) -> None:
    spec = get_dataset(name)
    with pytest.raises(ValueError, match="n_samples"):
        spec.sample(0, generator=0)
    with pytest.raises(ValueError, match="noise"):
        spec.sample(10, noise=-1.0, generator=0)


@pytest.mark.parametrize("name", [n for n in NAMES if DATASETS[n].centers is not None])
def test_mixture_modes_are_distinct_and_fed(name: str) -> None:
    spec = get_dataset(name)
    centers = spec.centers()
    gaps = torch.cdist(centers, centers) + torch.eye(len(centers)) * 1e9
    assert gaps.min() > 6 * spec.noise  # modes separate: no two 3σ balls overlap
    x = spec.sample(4000, generator=2)
    nearest = torch.cdist(x, centers).argmin(dim=1)
    counts = torch.bincount(nearest, minlength=len(centers))
    assert counts.min() > 0.5 * len(x) / len(centers)
    resid = x - centers[nearest]
    assert resid.std().item() == pytest.approx(spec.noise, rel=0.05)


def test_known_geometry() -> None:
    r8 = get_dataset("8gaussians").centers().norm(dim=1)
    torch.testing.assert_close(r8, torch.full((8,), 4 / 1.414, dtype=torch.float64))
    grid = get_dataset("25gaussians").centers()
    assert grid.abs().max().item() == pytest.approx(4 / 2.828)
    for name, radii in {"circles": [1.5, 3.0], "rings": [0.75, 1.5, 2.25, 3.0]}.items():
        r = get_dataset(name).sample(2000, noise=0.0, generator=0).norm(dim=1)
        np.testing.assert_allclose(np.unique(r.numpy().round(9)), radii)
    board = get_dataset("checkerboard").sample(2000, generator=0)
    assert board.abs().max() <= 4
    parity = (torch.floor(board[:, 0] / 2) + torch.floor(board[:, 1] / 2)).remainder(2)
    assert (parity == 0).all()


# -- the formulas, against NumPy transcriptions of the FFJORD / WGAN-GP code ------------------
def ffjord(name: str, n: int, rng: np.random.RandomState) -> np.ndarray:  # noqa: C901
    """The sources' samplers, written from their code (sklearn parts inlined)."""
    if name == "8gaussians":
        u = [(1, 0), (-1, 0), (0, 1), (0, -1)]
        u += [(a / np.sqrt(2), b / np.sqrt(2)) for a in (1, -1) for b in (1, -1)]
        c = 4.0 * np.array(u)[rng.randint(8, size=n)]
        return (c + 0.5 * rng.randn(n, 2)) / 1.414
    if name == "25gaussians":
        ij = np.stack(np.meshgrid(range(-2, 3), range(-2, 3)), -1).reshape(-1, 2)
        return (2.0 * ij[rng.randint(25, size=n)] + 0.05 * rng.randn(n, 2)) / 2.828
    if name == "moons":  # sklearn make_moons(noise=0.1): an even grid of angles per moon
        t = np.linspace(0, np.pi, n // 2)
        m = np.concatenate([np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 1 - np.sin(t) - 0.5]])
        return (m + 0.1 * rng.randn(*m.shape)) * 2 + np.array([-1, -0.2])
    if name in ("circles", "rings"):
        radii = [1.0, 0.5] if name == "circles" else [1.0, 0.75, 0.5, 0.25]
        t = np.linspace(0, 2 * np.pi, n // len(radii), endpoint=False)
        c = np.concatenate([r * np.c_[np.cos(t), np.sin(t)] for r in radii])
        if name == "circles":  # make_circles(noise=0.08), then ×3
            return 3 * (c + 0.08 * rng.randn(*c.shape))
        return 3 * c + 0.08 * rng.randn(*c.shape)
    if name == "checkerboard":
        x1 = rng.rand(n) * 4 - 2
        x2 = rng.rand(n) - rng.randint(0, 2, n) * 2 + np.floor(x1) % 2
        return np.c_[x1, x2] * 2
    if name == "pinwheel":
        per = n // 5
        f = rng.randn(5 * per, 2) * np.array([0.3, 0.1])
        f[:, 0] += 1.0
        angles = np.linspace(0, 2 * np.pi, 5, endpoint=False)[np.repeat(np.arange(5), per)]
        angles = angles + 0.25 * np.exp(f[:, 0])
        rot = np.stack([np.cos(angles), -np.sin(angles), np.sin(angles), np.cos(angles)])
        return 2 * np.einsum("ti,tij->tj", f, rot.T.reshape(-1, 2, 2))
    if name == "2spirals":
        s = np.sqrt(rng.rand(n // 2, 1)) * 540 * (2 * np.pi) / 360
        dx = -np.cos(s) * s + rng.rand(n // 2, 1) * 0.5
        dy = np.sin(s) * s + rng.rand(n // 2, 1) * 0.5
        return np.vstack((np.hstack((dx, dy)), np.hstack((-dx, -dy)))) / 3 + 0.1 * rng.randn(n, 2)
    raise KeyError(name)


@pytest.mark.parametrize("name", FFJORD_SUITE)
def test_matches_its_source(name: str) -> None:
    """Sliced W2 to the source's sampler is at the level of two draws of our own."""
    spec = get_dataset(name)
    ours, ours2 = spec.sample(2000, generator=0), spec.sample(2000, generator=1)
    theirs = ffjord(name, 2000, np.random.RandomState(0))
    floor = sliced_w2(ours, ours2)
    assert sliced_w2(ours, theirs) < 2.5 * floor + 0.005, f"{name}: floor {floor:.4f}"


def test_the_source_check_can_fail() -> None:
    """A mirrored pinwheel (a sign slip in the rotation) is far from the source."""
    ours = get_dataset("pinwheel").sample(2000, generator=0).numpy() * [1, -1]
    theirs = ffjord("pinwheel", 2000, np.random.RandomState(0))
    floor = sliced_w2(get_dataset("pinwheel").sample(2000, generator=1), theirs)
    assert sliced_w2(ours, theirs) > 3 * floor


def test_registry_errors() -> None:
    with pytest.raises(ValueError, match="unknown dataset 'nope'; known datasets: 25gaussians"):
        get_dataset("nope")
    spec = DATASETS["moons"]
    with pytest.raises(ValueError, match="already registered"):
        register(DatasetSpec("moons", spec.sampler, 0.1, 4.0, "duplicate"))
    assert math.isfinite(spec.limit)


def test_the_3d_swiss_roll_projects_onto_the_homeworks_roll() -> None:
    """(x₁, x₃) of the 3-D roll is the homework's 2-D roll: same spiral, same noise; x₂ is
    uniform over the height."""
    x = get_dataset("swiss_roll_3d").sample(4000, generator=0).numpy()
    roll, again = (get_dataset("swiss_roll").sample(4000, generator=g).numpy() for g in (1, 2))
    assert sliced_w2(x[:, [0, 2]], roll) < 1.5 * sliced_w2(again, roll)  # within the floor
    assert abs(x[:, 1].min() + 0.5) < 0.1 and abs(x[:, 1].max() - 0.5) < 0.1
