"""Evaluate a sample set against its dataset: every metric next to its floor.

Empirical OT, MMD and energy distances shrink with n even between two samples of one
distribution, and mode and spiral shares are below 1 even for the data itself. So each metric is
paired with its *floor*: the same metric between two independent fresh data sets of the same
size n — what a perfect sampler would score. Protocol (DESIGN.md §4): n = 2500 samples per
model, several seeds, mean ± s.e. over seeds.

The reference sets are drawn from seeds derived from ``seed`` with ``np.random.SeedSequence``
(and a fixed tag), so they never coincide with a training set drawn with ``generator=seed``;
one ``seed`` gives every model the same reference sets (paired comparisons). Floors depend only
on (dataset, n, seed, noise) and are cached, so the second evaluation costs only its own metrics.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import numpy as np

from genlab.base.checks import check_int
from genlab.base.errors import UserError
from genlab.data.registry import get_dataset
from genlab.evaluation.knn import prdc
from genlab.evaluation.metrics import as_points, kde_log_likelihood, mmd2_and_energy, sliced_w2
from genlab.evaluation.metrics import wasserstein as exact_wasserstein
from genlab.evaluation.modes import mode_metrics
from genlab.evaluation.spiral import spiral_metrics

Better = Literal["lower", "higher", "floor"]
"""Which way is good: lower, higher, or closest to the floor (k-NN density, ≈ 1 for data)."""

_REFERENCE_TAG = 0x67656E6C  # separates evaluation seeds from training seeds
_SPIRALS = {"swiss_roll": 3.0}  # datasets with spiral metrics: threshold in units of noise


@dataclass(frozen=True)
class Score:
    """One metric of a sample set, and the same metric for fresh data (a perfect sampler)."""

    value: float
    floor: float
    better: Better


@dataclass(frozen=True)
class Evaluation:
    """All scores of one sample set against one dataset, in a fixed order.

    Attributes:
        dataset: registered dataset name.
        n: samples used (the first n of those given).
        seed: seed of the reference sets.
        scores: metric name → :class:`Score`.
    """

    dataset: str
    n: int
    seed: int
    scores: dict[str, Score]

    def as_dict(self) -> dict[str, str | int | float]:
        """A flat, JSON-ready record: ``{name: value, name + "_floor": floor, ...}``."""
        out: dict[str, str | int | float] = {"dataset": self.dataset, "n": self.n}
        out["seed"] = self.seed
        for name, score in self.scores.items():
            out[name] = score.value
            out[f"{name}_floor"] = score.floor
        return out


def _noise(dataset: str, noise: float | None) -> float:
    return get_dataset(dataset).noise if noise is None else float(noise)


@functools.lru_cache(maxsize=16)
def _references(dataset: str, n: int, seed: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    seeds = np.random.SeedSequence([seed, _REFERENCE_TAG]).generate_state(2)
    spec = get_dataset(dataset)
    sets = tuple(spec.sample(n, noise=noise, generator=int(s)).numpy() for s in seeds)
    for a in sets:
        a.flags.writeable = False  # shared through the cache
    return sets


def reference_sets(
    dataset: str, n: int = 2500, *, seed: int = 0, noise: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The two fresh data sets (reference, second draw) that :func:`evaluate` uses: (n, 2) each."""
    return _references(dataset, _check_n(n), int(seed), _noise(dataset, noise))


def _metric_set(
    x: np.ndarray, ref: np.ndarray, dataset: str, noise: float, cheap: bool
) -> dict[str, tuple[float, Better]]:
    """Every metric of ``x`` against the reference set ``ref``, with its direction."""
    out: dict[str, tuple[float, Better]] = {"sliced_w2": (sliced_w2(x, ref), "lower")}
    if not cheap:
        q = prdc(ref, x)
        mmd, energy = mmd2_and_energy(x, ref)
        out |= {
            "w1": (exact_wasserstein(x, ref, p=1), "lower"),
            "w2": (exact_wasserstein(x, ref, p=2), "lower"),
            "mmd2": (mmd, "lower"),
            "energy": (energy, "lower"),
            "precision": (q.precision, "higher"),
            "recall": (q.recall, "higher"),
            "density": (q.density, "floor"),
            "coverage": (q.coverage, "higher"),
            "kde_ll": (kde_log_likelihood(x, ref), "higher"),
        }
    spec = get_dataset(dataset)
    if spec.centers is not None:
        m = mode_metrics(x, spec.centers().numpy(), noise)
        out |= {
            "modes_captured": (float(m.modes_captured), "higher"),
            "high_quality": (m.high_quality, "higher"),
            "reverse_kl": (m.reverse_kl, "lower"),
        }
    if dataset in _SPIRALS:
        s = spiral_metrics(x, ref, threshold=_SPIRALS[dataset] * noise)
        out |= {
            "spiral_near": (s.near, "higher"),
            "spiral_w1": (s.coverage_w1, "lower"),
            "spiral_tv": (s.coverage_tv, "lower"),
        }
    return out


@functools.lru_cache(maxsize=32)
def _floors(dataset: str, n: int, seed: int, noise: float, cheap: bool) -> dict[str, float]:
    ref, ref2 = _references(dataset, n, seed, noise)
    return {k: v for k, (v, _) in _metric_set(ref2, ref, dataset, noise, cheap).items()}


def floors(
    dataset: str, n: int = 2500, *, seed: int = 0, noise: float | None = None
) -> dict[str, float]:
    """Every metric between the two fresh reference sets of :func:`reference_sets` (cached)."""
    return dict(_floors(dataset, _check_n(n), int(seed), _noise(dataset, noise), False))


def _check_n(n: int) -> int:
    return check_int("n", n, 10)


def _evaluate(
    samples: object, dataset: str, n: int, seed: int, noise: float | None, cheap: bool
) -> Evaluation:
    n = _check_n(n)
    x = as_points(samples, "samples", min_points=1)
    if len(x) < n:
        raise UserError(f"samples has {len(x)} points, fewer than n = {n}")
    x = x[:n]
    ref, _ = reference_sets(dataset, n, seed=seed, noise=noise)
    if x.shape[1] != ref.shape[1]:
        raise UserError(f"samples are {x.shape[1]}-D, dataset {dataset!r} is {ref.shape[1]}-D")
    sigma = _noise(dataset, noise)
    values = _metric_set(x, ref, dataset, sigma, cheap)
    floor = _floors(dataset, n, int(seed), sigma, cheap)
    scores = {k: Score(value=v, floor=floor[k], better=b) for k, (v, b) in values.items()}
    return Evaluation(dataset=dataset, n=n, seed=int(seed), scores=scores)


def evaluate(
    samples: object,
    dataset: str,
    *,
    n: int = 2500,
    seed: int = 0,
    noise: float | None = None,
) -> Evaluation:
    """The full metric set of ``samples[:n]`` against fresh data of ``dataset``, with floors.

    Metrics (lower is better unless noted): ``sliced_w2``, ``w1``, ``w2`` (exact OT),
    ``mmd2``, ``energy``; ``precision``, ``recall``, ``coverage`` (higher), ``density``
    (closest to its floor ≈ 1); ``kde_ll`` (higher: mean log-likelihood of the reference set
    under a Scott KDE of the samples); for mixtures ``modes_captured``, ``high_quality``
    (higher) and ``reverse_kl``; for the swiss roll ``spiral_near`` (higher), ``spiral_w1``,
    ``spiral_tv``. Cost ~1.9 s at n = 2500, plus the same once per (dataset, n, seed, noise)
    for the floors.

    Args:
        samples: (N, 2) array or tensor with N ≥ n; the first n rows are used.
        dataset: a registered dataset name (:data:`genlab.data.samplers.DATASETS`).
        n: samples per set (2500 in the VEEGAN / PacGAN protocol).
        seed: seed of the reference sets; keep it fixed across models to compare them.
        noise: the dataset's noise if it was trained with a non-default one (mixture std,
            swiss-roll noise); ``None`` uses the registered default.
    """
    return _evaluate(samples, dataset, n, seed, noise, cheap=False)


def evaluate_cheap(
    samples: object,
    dataset: str,
    *,
    n: int = 2500,
    seed: int = 0,
    noise: float | None = None,
) -> Evaluation:
    """The metrics cheap enough for every training snapshot, with floors (cf. :func:`evaluate`).

    ``sliced_w2``, plus the mode metrics for mixtures or the spiral metrics for the swiss roll:
    ~0.1 s at n = 2500 once the floors are cached.
    """
    return _evaluate(samples, dataset, n, seed, noise, cheap=True)


def snapshot_metrics(
    samples: np.ndarray, dataset: str, noise: float | None = None
) -> dict[str, list[float]]:
    """The cheap metrics (``evaluate_cheap``) of each member's samples (E, n, 2): name → [E].
    The training loop records them at every snapshot (``FitHooks.on_snapshot``)."""
    per_member = [evaluate_cheap(x, dataset, n=len(x), noise=noise).scores for x in samples]
    return {k: [s[k].value for s in per_member] for k in per_member[0]}
