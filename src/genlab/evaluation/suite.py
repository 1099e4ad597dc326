"""Evaluate a sample set against its dataset: every metric next to its floor.

Empirical OT, MMD and energy distances shrink with n even between two samples of one
distribution, and mode and spiral shares are below 1 even for the data itself. So each metric is
paired with its *floor*: the same metric between two independent fresh data sets of the same
size n — what a perfect sampler would score. Protocol (DESIGN.md §4): n = 2500 samples per
model, several seeds, mean ± s.e. over seeds.

The reference sets are drawn from seeds derived from ``seed`` with ``np.random.SeedSequence``
(and a fixed tag), so they never coincide with a training set drawn with ``generator=seed``;
one ``seed`` gives every model the same reference sets (paired comparisons). Floors depend only
on (dataset, n, seed, noise) and are cached, in the process and on disk
(:mod:`genlab.evaluation.floor_cache`), so the second evaluation costs only its own metrics.

The floor's own sampling spread (``Score.floor_se``, asked for with ``floor_pairs=K``): the
standard deviation (ddof = 1) of the metric over K pairs that share the reference set, the first
pair being the floor's own (so ``floor`` is the same with or without it) and the other K − 1
second sets fresh draws (the next words of the same ``SeedSequence``). It is the standard error
of the floor, a single pair's value. The reference set is shared because every member is scored
against it too: the comparison mean − floor is paired, and its noise is that of the second set
given the reference.

:func:`genlab.evaluation.runs.evaluate_run` uses K = :data:`FLOOR_PAIRS` = 10, and for the two
exact OT metrics (``w1``, ``w2``: ~80 % of a metric set's cost) only the first
:data:`OT_FLOOR_PAIRS` = 5 (``ot_pairs``). Why not K = 5 for all: the verdicts
(:mod:`genlab.evaluation.verdicts`) divide by this s.d., and one from 4 degrees of freedom is
now and then far too small (a spiral_w1 s.d. of 0.017 from 5 pairs where 30 pairs give 0.065),
so that a sampler drawn from the data is called worse; 9 degrees of freedom cost little for
the cheap metrics. Why not 10 for OT as well: 5 more exact OT solves, ~7 s at n = 2500. Cost,
once per (dataset, n, seed, noise) in a process like the floor (so E members, or a VAE and a GAN
on one dataset, pay it once): 9 cheap metric sets and 4 OT pairs, measured at n = 2500 in 2-D
as 12 s, 4.4–5.2 times one member's full metric set (2.3–2.7 s; two shared cores at load ~3);
~9 s on an idle core (a set's 1.9 s). An ``evaluate_run`` of one member at n = 2500 (the
default ``genlab train`` evaluation) goes from ~2 sets (member + floor) to ~7.

For a user's own N × d data (1 ≤ d ≤ 64), :func:`evaluate_points` scores samples against
held-out points the model never saw; the floor pairs an equally large part of the training set
with the same held-out points. Its floors are cached by the content of the two point sets, so
evaluating E members against one held-out set computes them once.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import hashlib
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from genlab.base.checks import check_int
from genlab.base.cores import usable_cores
from genlab.base.errors import UserError
from genlab.data.registry import DATASETS, get_dataset
from genlab.evaluation.floor_cache import cached
from genlab.evaluation.knn import prdc
from genlab.evaluation.metrics import as_points, kde_log_likelihood, mmd2_and_energy, sliced_w2
from genlab.evaluation.metrics import wasserstein as exact_wasserstein
from genlab.evaluation.modes import mode_metrics
from genlab.evaluation.spiral import spiral_metrics

Better = Literal["lower", "higher", "floor"]
"""Which way is good: lower, higher, or closest to the floor (k-NN density, ≈ 1 for data)."""

_REFERENCE_TAG = 0x67656E6C  # separates evaluation seeds from training seeds
_SPIRALS = {"swiss_roll": 3.0}  # datasets with spiral metrics: threshold in units of noise
_MIN_POINTS = 10  # per set in evaluate_points: k-NN metrics need more than k = 5
_FLOOR_CACHE: dict[tuple[object, ...], dict[str, float]] = {}  # evaluate_points' floors
_FLOOR_CACHE_SIZE = 32  # ≥ the FLOOR_PAIRS sets of one held-out set
_FLOOR_LOCK = threading.Lock()
_SUBSET_TAG = 0x666C7372  # the random training subsets of floor_subsets

FLOOR_PAIRS = 10
"""K, the pairs over which :func:`genlab.evaluation.runs.evaluate_run` measures the floor's
spread (the floor's own pair and 9 more) for every metric but the exact OT ones."""
OT_FLOOR_PAIRS = 5
"""K for ``w1`` and ``w2`` (exact OT, ~80 % of a metric set's cost): the first 5 pairs."""


@dataclass(frozen=True)
class Score:
    """One metric of a sample set, and the same metric for fresh data (a perfect sampler).

    ``floor_se``: the floor's standard deviation over ``floor_pairs`` pairs (``None`` when only
    the floor's own pair was computed, ``floor_pairs == 1``).
    """

    value: float
    floor: float
    better: Better
    floor_se: float | None = None
    floor_pairs: int = 1


@dataclass(frozen=True)
class Evaluation:
    """All scores of one sample set against one dataset, in a fixed order.

    Attributes:
        dataset: registered dataset name (:func:`evaluate`), or the data's name
            (:func:`evaluate_points`).
        n: samples used (the first n of those given; all of them in :func:`evaluate_points`).
        seed: seed of the reference sets.
        scores: metric name → :class:`Score`.
    """

    dataset: str
    n: int
    seed: int
    scores: dict[str, Score]

    def as_dict(self) -> dict[str, str | int | float]:
        """A flat, JSON-ready record: ``{name: value, name + "_floor": floor, ...}``, with
        ``name + "_floor_se"`` where the floor's spread was measured."""
        out: dict[str, str | int | float] = {"dataset": self.dataset, "n": self.n}
        out["seed"] = self.seed
        for name, score in self.scores.items():
            out[name] = score.value
            out[f"{name}_floor"] = score.floor
            if score.floor_se is not None:
                out[f"{name}_floor_se"] = score.floor_se
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
    """The two fresh data sets (reference, second draw) that :func:`evaluate` uses: (n, d) each."""
    return _references(dataset, _check_n(n), int(seed), _noise(dataset, noise))


def _metric_set(
    x: np.ndarray,
    ref: np.ndarray,
    dataset: str | None,
    noise: float,
    cheap: bool,
    exact_ot: bool = True,
) -> dict[str, tuple[float, Better]]:
    """Every metric of ``x`` (m, d) against the reference set ``ref`` (r, d), with its direction.

    The distances, k-NN and KDE metrics work in any d and for m ≠ r; the mode and spiral
    metrics are added only for a registered ``dataset`` that has them (2-D). Without
    ``exact_ot`` the full set lacks ``w1`` and ``w2`` (the floor's later spread pairs).
    """
    out: dict[str, tuple[float, Better]] = {"sliced_w2": (sliced_w2(x, ref), "lower")}
    if not cheap:
        with _beside(exact_wasserstein, x, ref, p=1, run=exact_ot) as w1:
            w2 = exact_wasserstein(x, ref, p=2) if exact_ot else math.nan
            q = prdc(ref, x)
            mmd, energy = mmd2_and_energy(x, ref)
        if exact_ot:
            out |= {"w1": (w1.result(), "lower"), "w2": (w2, "lower")}
        out |= {
            "mmd2": (mmd, "lower"),
            "energy": (energy, "lower"),
            "precision": (q.precision, "higher"),
            "recall": (q.recall, "higher"),
            "density": (q.density, "floor"),
            "coverage": (q.coverage, "higher"),
            "kde_ll": (kde_log_likelihood(x, ref), "higher"),
        }
    if dataset is None:
        return out
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


@contextlib.contextmanager
def _beside(f: Callable[..., float], *args: Any, run: bool = True, **kwargs: Any) -> Iterator[Any]:
    """``f(*args, **kwargs)`` on a second thread while the block runs, where this process has
    two cores or more (else inline); yields its future. The exact OT solves release the GIL:
    W₁ beside W₂ and the other metrics costs about one solve instead of two."""
    if not run:
        yield None
    elif usable_cores() > 1:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            yield pool.submit(f, *args, **kwargs)
    else:
        done: concurrent.futures.Future = concurrent.futures.Future()
        done.set_result(f(*args, **kwargs))
        yield done


@functools.lru_cache(maxsize=32)
def _floors(
    dataset: str, n: int, seed: int, noise: float, cheap: bool, exact_ot: bool = True
) -> dict[str, float]:
    def compute() -> dict[str, float]:
        ref, ref2 = _references(dataset, n, seed, noise)
        metrics = _metric_set(ref2, ref, dataset, noise, cheap, exact_ot)
        return {k: v for k, (v, _) in metrics.items()}

    key = (dataset, n, seed, noise, cheap) + (() if exact_ot else (False,))  # full: old keys
    return cached("floor", key, compute)


def floors(
    dataset: str, n: int = 2500, *, seed: int = 0, noise: float | None = None
) -> dict[str, float]:
    """Every metric between the two fresh reference sets of :func:`reference_sets` (cached)."""
    return dict(_floors(dataset, _check_n(n), int(seed), _noise(dataset, noise), False))


@functools.lru_cache(maxsize=16)
def _floor_spread(
    dataset: str, n: int, seed: int, noise: float, cheap: bool, pairs: int, ot_pairs: int
) -> dict[str, tuple[float, int]]:
    """The floor's standard deviation over ``pairs`` pairs sharing the reference set, the exact
    OT metrics over the first ``ot_pairs`` of them (none for 0; cached): name → (s.d., pairs
    used)."""
    key = (dataset, n, seed, noise, cheap, pairs, ot_pairs)
    return cached("spread", key, lambda: _compute_spread(*key))


def _compute_spread(
    dataset: str, n: int, seed: int, noise: float, cheap: bool, pairs: int, ot_pairs: int
) -> dict[str, tuple[float, int]]:
    ref, _ = _references(dataset, n, seed, noise)
    words = np.random.SeedSequence([seed, _REFERENCE_TAG]).generate_state(pairs + 1)[2:]
    spec = get_dataset(dataset)
    values = [_floors(dataset, n, seed, noise, cheap, ot_pairs > 0)]  # the floor's own, cached
    for k, word in enumerate(words, 1):  # (reference, second): the first two words
        second = spec.sample(n, noise=noise, generator=int(word)).numpy()
        metrics = _metric_set(second, ref, dataset, noise, cheap, exact_ot=k < ot_pairs)
        values.append({name: v for name, (v, _) in metrics.items()})
    return _spread_over(values)


def _spread_over(values: list[dict[str, float]]) -> dict[str, tuple[float, int]]:
    """name → (s.d. with ddof = 1, count) over the pairs' values that have the metric."""
    out = {}
    for name in values[0]:
        v = [pair[name] for pair in values if name in pair]
        out[name] = (float(np.std(v, ddof=1)) if len(v) > 1 else math.nan, len(v))
    return out


def _check_n(n: int) -> int:
    return check_int("n", n, 10)


def _check_pairs(floor_pairs: int, ot_pairs: int | None, exact_ot: bool) -> tuple[int, int]:
    """(K, the pairs of them for the exact OT metrics: none without ``exact_ot``)."""
    pairs = check_int("floor_pairs", floor_pairs, 1)
    ot = pairs if ot_pairs is None else min(check_int("ot_pairs", ot_pairs, 1), pairs)
    return pairs, ot if exact_ot else 0


def _scores(
    values: dict[str, tuple[float, Better]],
    floor: dict[str, float],
    spread: dict[str, tuple[float, int]] | None,
) -> dict[str, Score]:
    if spread is None:
        return {k: Score(value=v, floor=floor[k], better=b) for k, (v, b) in values.items()}
    return {k: Score(value=v, floor=floor[k], better=b, floor_se=spread[k][0],
                     floor_pairs=spread[k][1])
            for k, (v, b) in values.items()}  # fmt: skip


def _evaluate(
    samples: object,
    dataset: str,
    n: int,
    seed: int,
    noise: float | None,
    cheap: bool,
    floor_pairs: int = 1,
    ot_pairs: int | None = None,
    exact_ot: bool = True,
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
    values = _metric_set(x, ref, dataset, sigma, cheap, exact_ot)
    floor = _floors(dataset, n, int(seed), sigma, cheap, exact_ot)
    pairs, ot = _check_pairs(floor_pairs, ot_pairs, exact_ot)
    spread = _floor_spread(dataset, n, int(seed), sigma, cheap, pairs, ot) if pairs > 1 else None
    scores = _scores(values, floor, spread)
    return Evaluation(dataset=dataset, n=n, seed=int(seed), scores=scores)


def evaluate(
    samples: object,
    dataset: str,
    *,
    n: int = 2500,
    seed: int = 0,
    noise: float | None = None,
    floor_pairs: int = 1,
    ot_pairs: int | None = None,
    exact_ot: bool = True,
) -> Evaluation:
    """The full metric set of ``samples[:n]`` against fresh data of ``dataset``, with floors.

    Metrics (lower is better unless noted): ``sliced_w2``, ``w1``, ``w2`` (exact OT),
    ``mmd2``, ``energy``; ``precision``, ``recall``, ``coverage`` (higher), ``density``
    (closest to its floor ≈ 1); ``kde_ll`` (higher: mean log-likelihood of the reference set
    under a Scott KDE of the samples); for mixtures ``modes_captured``, ``high_quality``
    (higher) and ``reverse_kl``; for the swiss roll ``spiral_near`` (higher), ``spiral_w1``,
    ``spiral_tv``. Cost ~1.9 s at n = 2500, plus the same once per (dataset, n, seed, noise)
    for the floors, and ``floor_pairs − 1`` times that once more for the floor's spread.

    Args:
        samples: (N, d) array or tensor with N ≥ n, d the dataset's dimension; the first n rows
            are used.
        dataset: a registered dataset name (:data:`genlab.data.samplers.DATASETS`).
        n: samples per set (2500 in the VEEGAN / PacGAN protocol).
        seed: seed of the reference sets; keep it fixed across models to compare them.
        noise: the dataset's noise if it was trained with a non-default one (mixture std,
            swiss-roll noise); ``None`` uses the registered default.
        floor_pairs: K, the pairs over which to measure the floor's spread (``Score.floor_se``,
            see the module's docstring); 1 measures none.
        ot_pairs: the first this many of them give the spread of the exact OT metrics ``w1``
            and ``w2`` (the costly ones); ``None``: all K.
        exact_ot: compute ``w1`` and ``w2`` (two exact OT solves and the POT import, ~2 s of
            the ~2.5 s a set costs at n = 2500); without, the set lacks them and the other
            scores are unchanged.
    """
    return _evaluate(samples, dataset, n, seed, noise, False, floor_pairs, ot_pairs, exact_ot)


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


def _digest(a: np.ndarray) -> tuple[tuple[int, ...], bytes]:
    return a.shape, hashlib.blake2b(np.ascontiguousarray(a).tobytes(), digest_size=16).digest()


def _point_floors(
    reference: np.ndarray,
    second: np.ndarray,
    dataset: str | None,
    noise: float,
    cheap: bool,
    exact_ot: bool = True,
) -> dict[str, float]:
    """Every metric of ``second`` against ``reference``, cached by the content of both sets."""
    key = (_digest(reference), _digest(second), dataset, noise, cheap, exact_ot)
    with _FLOOR_LOCK:
        cached = _FLOOR_CACHE.get(key)
    if cached is None:
        metrics = _metric_set(second, reference, dataset, noise, cheap, exact_ot)
        cached = {k: v for k, (v, _) in metrics.items()}
        with _FLOOR_LOCK:
            while len(_FLOOR_CACHE) >= _FLOOR_CACHE_SIZE:
                del _FLOOR_CACHE[next(iter(_FLOOR_CACHE))]  # the oldest entry
            _FLOOR_CACHE[key] = cached
    return cached


@functools.cache
def _dataset_dim(dataset: str) -> int:
    return int(get_dataset(dataset).sample(2, generator=0).shape[1])


def _check_dims(reference: np.ndarray, dataset: str | None, **others: np.ndarray) -> None:
    d = reference.shape[1]
    for label, a in others.items():
        if a.shape[1] != d:
            raise UserError(
                f"{label} has {a.shape[1]}-D points but reference has {d}-D points: the point "
                "sets must share their dimension"
            )
    if dataset is not None and (dim := _dataset_dim(dataset)) != d:
        raise UserError(f"dataset {dataset!r} is {dim}-D but the points are {d}-D")


def evaluate_points(
    samples: np.ndarray,
    reference: np.ndarray,
    second: np.ndarray,
    *,
    dataset: str | None = None,
    noise: float | None = None,
    cheap: bool = False,
    name: str = "data",
    spread: Sequence[np.ndarray] = (),
    ot_pairs: int | None = None,
    exact_ot: bool = True,
) -> Evaluation:
    """Every metric of ``samples`` against held-out ``reference`` points, floored by ``second``.

    score = metric(samples, reference), floor = metric(second, reference): what a sampler as
    good as the training data itself scores against the same held-out points. For the floor to
    be the score of a perfect sampler, ``second`` should be as large as ``samples`` and drawn
    like the training data, never overlapping ``reference``. The metrics are those of
    :func:`evaluate` (:func:`evaluate_cheap` with ``cheap``), all defined for any d and for
    unequal sizes; their d-dependent choices (MMD bandwidths from the median heuristic, the
    KDE's Scott factor) are taken from ``reference``, or from the samples for the KDE, and are
    documented in :mod:`genlab.evaluation.metrics`. Floors are cached by the content of
    ``reference`` and ``second``. CPU cost at m = r = 2500 (full set, floor cached): ~2 s in
    2-D, ~4 s in 64-D; twice that when the floor is computed too
    (``benchmarks/bench_metrics_dim.py``), and once more per set of ``spread`` (each cached
    like the floor). :func:`floor_subsets` draws ``second`` and ``spread`` from a training set.

    Args:
        samples: (m, d) model samples, in data units.
        reference: (r, d) held-out points.
        second: (r', d) an equally large part of the training set (the floor's pair).
        dataset: a registered dataset whose mode or spiral metrics to add (2-D); ``None``
            for none.
        noise: that dataset's noise if not its registered default; ignored without dataset.
        cheap: only the cheap metrics (``sliced_w2``, and the dataset's mode/spiral ones).
        name: what the data are called; becomes ``Evaluation.dataset``.
        spread: more sets drawn like ``second`` (as large); with them, ``Score.floor_se`` is
            the floor's standard deviation over ``second`` and these (K = 1 + len(spread)
            pairs, all against ``reference``), and ``floor`` is unchanged.
        ot_pairs: the first this many pairs (``second``'s included) give the spread of the
            exact OT metrics ``w1`` and ``w2``; ``None``: all of them.
        exact_ot: compute ``w1`` and ``w2`` at all (as in :func:`evaluate`).

    Returns:
        An :class:`Evaluation` with ``dataset=name``, ``n=m`` and ``seed=0``.

    Raises:
        UserError: for fewer than 10 points in a set, non-finite values, sets of different
            dimension, or a ``dataset`` of another dimension than the points.
    """
    x = as_points(samples, "samples", min_points=_MIN_POINTS)
    ref = as_points(reference, "reference", min_points=_MIN_POINTS)
    ref2 = as_points(second, "second", min_points=_MIN_POINTS)
    more = [as_points(s, f"spread[{i}]", min_points=_MIN_POINTS) for i, s in enumerate(spread)]
    _check_dims(
        ref, dataset, samples=x, second=ref2, **{f"spread[{i}]": s for i, s in enumerate(more)}
    )
    sigma = 0.0 if dataset is None else _noise(dataset, noise)
    values = _metric_set(x, ref, dataset, sigma, cheap, exact_ot)
    floor = _point_floors(ref, ref2, dataset, sigma, cheap, exact_ot)
    _, ot = _check_pairs(1 + len(more), ot_pairs, exact_ot)
    others = [_point_floors(ref, s, dataset, sigma, cheap, k < ot) for k, s in enumerate(more, 1)]
    scores = _scores(values, floor, _spread_over([floor, *others]) if others else None)
    return Evaluation(dataset=name, n=len(x), seed=0, scores=scores)


def floor_subsets(train: np.ndarray, m: int, pairs: int, *, seed: int = 0) -> list[np.ndarray]:
    """``pairs`` sets of m training points for the floor (the first) and its spread.

    The first is ``train[:m]``, the floor's own set, then the next disjoint blocks
    ``train[k·m:(k+1)·m]`` while they fit (a split's training part is in random order already),
    then random subsets of m drawn without replacement from ``seed``. When ``train`` holds fewer
    than ``pairs``·m points the later sets overlap the earlier ones, so the spread they give is
    an underestimate (by about a factor sqrt(1 − m / len(train)); nothing is left of it when
    ``train`` holds only m points).

    Args:
        train: (N, d) training points in random order.
        m: points per set (at most N are taken).
        pairs: K, the number of sets.
        seed: seed of the random subsets.

    Returns:
        K arrays of min(m, N) points each.
    """
    m, pairs = min(check_int("m", m, 1), len(train)), check_int("pairs", pairs, 1)
    blocks = [train[k * m : (k + 1) * m] for k in range(disjoint_subsets(len(train), m, pairs))]
    for k in range(len(blocks), pairs):
        rng = np.random.default_rng(np.random.SeedSequence([seed, _SUBSET_TAG, k]))
        blocks.append(train[np.sort(rng.choice(len(train), size=m, replace=False))])
    return blocks


def disjoint_subsets(n_train: int, m: int, pairs: int) -> int:
    """How many of :func:`floor_subsets`' sets are disjoint blocks of the training points."""
    return min(pairs, n_train // max(min(m, n_train), 1)) if n_train else 0


def snapshot_metrics(
    samples: np.ndarray,
    dataset: str | None,
    noise: float | None = None,
    *,
    reference: np.ndarray | None = None,
) -> dict[str, list[float]]:
    """The cheap metrics (``evaluate_cheap``) of each member's samples (E, n, d): name → [E].

    The training loop records them at every snapshot (``FitHooks.on_snapshot``). Without
    ``reference`` each member is scored against fresh draws of the registered ``dataset``;
    with ``reference`` (r, d), against those points (a held-out set): ``sliced_w2``, plus the
    mode or spiral metrics when ``dataset`` is a registered dataset that has them (``None``, or
    any other name such as a user's data file, gets ``sliced_w2`` alone).
    """
    if reference is None:
        if dataset is None:
            raise UserError("snapshot_metrics needs a registered dataset or reference points")
        per_member = [evaluate_cheap(x, dataset, n=len(x), noise=noise).scores for x in samples]
        return {k: [s[k].value for s in per_member] for k in per_member[0]}
    ref = as_points(reference, "reference")
    known = dataset if dataset in DATASETS else None
    sigma = 0.0 if known is None else _noise(known, noise)
    values = []
    for x in samples:
        points = as_points(x, "samples")
        _check_dims(ref, known, samples=points)
        values.append(_metric_set(points, ref, known, sigma, cheap=True))
    return {k: [v[k][0] for v in values] for k in values[0]}
