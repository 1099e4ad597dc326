"""Distribution distances, k-NN metrics and the evaluation record, against references."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import ot
import pytest
import scipy.stats
import torch
from knn_reference import brute_prdc
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from genlab.data import get_dataset
from genlab.evaluation import suite as evaluation
from genlab.evaluation.knn import ball_counts, knn_radii, prdc
from genlab.evaluation.metrics import (
    MMD_BANDWIDTH_FACTORS,
    as_points,
    energy_distance,
    kde_log_likelihood,
    median_distance,
    mmd2,
    mmd2_and_energy,
    projections,
    sliced_w2,
    wasserstein,
)


def ring(n: int, seed: int, noise: float = 0.01) -> np.ndarray:
    return get_dataset("ring").sample(n, noise=noise, generator=seed).numpy()


# -- validation ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (np.zeros(5), r"x must have shape \(n, d\)"),
        (np.zeros((2, 3, 2)), r"x must have shape \(n, d\)"),
        (np.zeros((1, 2)), "x needs at least 2 points, got 1"),
        (np.array([[0.0, 1.0], [np.nan, 0.0]]), "x has 1 non-finite"),
        (np.array([[0.0, np.inf], [1.0, 0.0]]), "x has 1 non-finite"),
        ([["a", "b"], ["c", "d"]], "x must be an array of numbers"),
    ],
)
def test_as_points_rejects(bad: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        as_points(bad, "x")


def test_as_points_accepts_tensors_and_lists() -> None:
    t = torch.arange(6, dtype=torch.float32).reshape(3, 2)
    assert as_points(t).dtype == np.float64
    np.testing.assert_array_equal(as_points(t), as_points(t.tolist()))


@pytest.mark.parametrize("metric", [sliced_w2, wasserstein, mmd2, energy_distance, prdc])
def test_metrics_reject_bad_inputs(metric) -> None:  # noqa: ANN001
    good = ring(20, 0)
    with pytest.raises(ValueError, match="non-finite"):
        metric(np.where(good > 0.5, np.nan, good), good)
    with pytest.raises(ValueError, match="dimension"):
        metric(good, np.zeros((20, 3)))


# -- Wasserstein --------------------------------------------------------------------------------
def test_sliced_w2_is_pots_estimator() -> None:
    x, y = ring(600, 1), ring(600, 2, noise=0.05)
    ref = ot.sliced_wasserstein_distance(x, y, n_projections=500, p=2, seed=0)
    assert sliced_w2(x, y) == pytest.approx(ref, rel=1e-12)
    ref = ot.sliced_wasserstein_distance(x[:400], y, n_projections=100, p=2, seed=3)
    assert sliced_w2(x[:400], y, n_projections=100, seed=3) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize(("d", "n", "seed"), [(1, 7, 0), (2, 500, 0), (64, 100, 3)])
def test_projections_are_pots_directions_bit_for_bit(d: int, n: int, seed: int) -> None:
    np.testing.assert_array_equal(projections(d, n, seed),
                                  ot.sliced.get_random_projections(d, n, seed=seed))  # fmt: skip


@pytest.mark.parametrize("p", [1, 2])
def test_wasserstein_equals_optimal_assignment(p: int) -> None:
    x, y = ring(300, 1), get_dataset("grid").sample(300, generator=2).numpy() / 4
    cost = cdist(x, y) ** p
    rows, cols = linear_sum_assignment(cost)
    assert wasserstein(x, y, p=p) == pytest.approx(cost[rows, cols].mean() ** (1 / p), rel=1e-10)


@pytest.mark.parametrize("p", [1, 2])
def test_wasserstein_of_a_translation_is_its_length(p: int) -> None:
    x = ring(200, 3, noise=0.3)
    assert wasserstein(x, x + [0.3, -0.4], p=p) == pytest.approx(0.5, rel=1e-10)
    assert wasserstein([[0.0, 0.0]], [[3.0, 4.0]], p=p) == pytest.approx(5.0)


def test_wasserstein_is_optimal_and_silent_at_2500_points() -> None:
    """The protocol size: no POT warning, and the value of an exact assignment solver."""
    x, y = ring(2500, 4), ring(2500, 5, noise=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = wasserstein(x, y, p=2)
    cost = cdist(x, y, "sqeuclidean")
    rows, cols = linear_sum_assignment(cost)
    assert value == pytest.approx(math.sqrt(cost[rows, cols].mean()), rel=1e-9)


@pytest.mark.filterwarnings("ignore:numItermax reached")
def test_wasserstein_refuses_a_truncated_solve() -> None:
    x, y = ring(300, 1), ring(300, 2, noise=0.1)
    with pytest.raises(RuntimeError, match="did not reach the optimum"):
        wasserstein(x, y, num_iter_max=50)


# -- kernels and energy -------------------------------------------------------------------------
def brute_mmd2(x: np.ndarray, y: np.ndarray, bandwidths: list[float]) -> float:
    def k(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        d2 = cdist(a, b, "sqeuclidean")
        return np.mean([np.exp(-d2 / (2 * s**2)) for s in bandwidths], axis=0)

    kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
    m, n = len(x), len(y)
    return (
        (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
        + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
        - 2 * kxy.mean()
    )


def brute_energy(x: np.ndarray, y: np.ndarray) -> float:
    m, n = len(x), len(y)
    return (
        2 * cdist(x, y).mean()
        - cdist(x, x).sum() / (m * (m - 1))
        - cdist(y, y).sum() / (n * (n - 1))
    )


def test_mmd2_and_energy_match_brute_force_across_blocks() -> None:
    """2100 points span two row blocks of 2048: the symmetric block sums must add up."""
    x, y = ring(2100, 1, noise=0.2), ring(150, 2, noise=0.1)
    bw = [0.05, 0.3, 1.0]
    assert mmd2(x, y, bandwidths=bw) == pytest.approx(brute_mmd2(x, y, bw), abs=1e-8)
    assert mmd2(y, x, bandwidths=bw) == pytest.approx(brute_mmd2(y, x, bw), abs=1e-8)
    assert energy_distance(x, y) == pytest.approx(brute_energy(x, y), abs=1e-6)
    both = mmd2_and_energy(x, y, bandwidths=bw)
    assert both == pytest.approx((brute_mmd2(x, y, bw), brute_energy(x, y)), abs=1e-6)
    assert mmd2_and_energy(x, y) == pytest.approx((mmd2(x, y), energy_distance(x, y)), abs=1e-12)


def test_mmd2_many_bandwidths_match_brute_force() -> None:
    """The float32 kernels, cache-sized blocks and blockwise sums agree with float64 brute
    force: for the default bandwidths and for a ladder down to kernels that underflow."""
    x, y = ring(700, 3, noise=0.2), ring(600, 4, noise=0.1)
    ladder = [2.0 / 2**s for s in range(12)]  # down to σ ≈ 1e-3: e^(−d²/2σ²) underflows
    for bw in (ladder, [1.0, 0.5, 0.3, 0.15]):
        assert mmd2(x, y, bandwidths=bw) == pytest.approx(brute_mmd2(x, y, bw), abs=1e-8)
    scale = median_distance(y)
    default = [f * scale for f in MMD_BANDWIDTH_FACTORS]
    assert mmd2(x, y) == pytest.approx(brute_mmd2(x, y, default), abs=1e-8)


def test_mmd2_rejects_bad_bandwidths() -> None:
    with pytest.raises(ValueError, match="bandwidths"):
        mmd2(ring(20, 0), ring(20, 1), bandwidths=[0.1, -1.0])
    with pytest.raises(ValueError, match="median pairwise distance 0"):
        mmd2(ring(20, 0), np.zeros((20, 2)))


def test_kde_log_likelihood_matches_scipy() -> None:
    s, x = ring(400, 1, noise=0.1), ring(300, 2, noise=0.1)
    ref = scipy.stats.gaussian_kde(s.T).logpdf(x.T).mean()
    assert kde_log_likelihood(s, x) == pytest.approx(ref, rel=1e-9)
    ref = scipy.stats.gaussian_kde(s.T, bw_method="silverman").logpdf(x.T).mean()
    assert kde_log_likelihood(s, x, bandwidth="silverman") == pytest.approx(ref, rel=1e-9)
    ref = scipy.stats.gaussian_kde(s.T, bw_method=0.2).logpdf(x.T).mean()
    assert kde_log_likelihood(s, x, bandwidth=0.2) == pytest.approx(ref, rel=1e-9)
    with pytest.raises(ValueError, match="bandwidth"):
        kde_log_likelihood(s, x, bandwidth="wide")


def test_kde_of_a_collapsed_set_is_finite_and_terrible() -> None:
    value = kde_log_likelihood(np.ones((50, 2)), ring(50, 1))
    assert math.isfinite(value) and value < -1e6


# -- one battery: ~0 for one distribution, large for different ones ----------------------------
DISTANCES = {
    "sliced_w2": sliced_w2,
    "w1": lambda x, y: wasserstein(x, y, p=1),
    "w2": wasserstein,
    "mmd2": mmd2,
    "energy": energy_distance,
}


# On the ring at n = 500, W2-type distances between two fresh sets are dominated by the
# multinomial noise of the 8 mode weights (~1/sqrt(62) of the mass moves ~0.8), so a set
# rotated by half a mode spacing, every sample between two modes, is only ~1.4x the floor for
# them; W1, MMD and energy, and the mode metrics, see it clearly.
SEPARATION = {"sliced_w2": 1.25, "w1": 4.0, "w2": 1.4, "mmd2": 100.0, "energy": 50.0}


@pytest.mark.parametrize("name", DISTANCES)
def test_distance_separates_distributions(name: str) -> None:
    metric = DISTANCES[name]
    data, fresh = ring(500, 1), ring(500, 2)
    half = math.pi / 8
    rotated = ring(500, 3) @ np.array(
        [[math.cos(half), -math.sin(half)], [math.sin(half), math.cos(half)]]
    )
    collapsed = ring(1, 4) + 0.01 * np.random.default_rng(0).normal(size=(500, 2))
    same = abs(metric(data, fresh))
    assert metric(data, rotated) > SEPARATION[name] * same
    assert metric(data, collapsed) > 5 * same


# -- k-NN precision / recall / density / coverage ----------------------------------------------
def test_ball_counts_match_brute_force_with_outliers() -> None:
    rng = np.random.default_rng(0)
    centers = np.concatenate([rng.normal(size=(300, 2)), 8 * rng.normal(size=(10, 2))])
    radii = knn_radii(centers, 5)
    queries = 2 * rng.normal(size=(400, 2))
    brute = (cdist(queries, centers) <= radii).sum(axis=1)
    np.testing.assert_array_equal(ball_counts(queries, centers, radii), brute)


def test_prdc_matches_brute_force() -> None:
    x, y = ring(300, 1, noise=0.05), ring(250, 2, noise=0.08)
    got = prdc(x, y, k=5)
    assert (got.precision, got.recall, got.density, got.coverage) == pytest.approx(
        brute_prdc(x, y, 5), abs=1e-12
    )


def test_prdc_known_cases() -> None:
    data, fresh = ring(1000, 1), ring(1000, 2)
    same = prdc(data, fresh)
    assert min(same.precision, same.recall, same.coverage) > 0.9
    assert same.density == pytest.approx(1.0, abs=0.1)
    far = prdc(data, fresh + 10.0)
    assert (far.precision, far.recall, far.density, far.coverage) == (0.0, 0.0, 0.0, 0.0)
    collapsed = prdc(data, np.repeat(data[:1], 1000, axis=0))
    assert collapsed.precision == 1.0 and collapsed.recall < 0.01 and collapsed.coverage < 0.05
    with pytest.raises(ValueError, match="k must be"):
        prdc(data, fresh, k=0)
    with pytest.raises(ValueError, match="more than k points"):
        prdc(data[:5], fresh, k=5)


# -- evaluate -----------------------------------------------------------------------------------
def test_evaluate_scores_data_at_its_floor_and_a_collapse_far_from_it() -> None:
    good = evaluation.evaluate(ring(400, 11), "ring", n=400)
    assert good.scores["modes_captured"].value == 8
    assert good.scores["high_quality"].value > 0.97
    assert good.scores["precision"].value > 0.9 and good.scores["recall"].value > 0.9
    for name in ("sliced_w2", "w1", "w2"):
        assert good.scores[name].value < 2 * good.scores[name].floor
    bad = evaluation.evaluate(ring(400, 12, noise=0.2)[:, ::-1] * 0.3, "ring", n=400)
    for name, score in bad.scores.items():
        if score.better == "lower":
            assert score.value > 2 * abs(score.floor) + 1e-3, name
        elif score.better == "higher":
            assert score.value < score.floor, name


def test_evaluate_record_is_deterministic_and_json_ready() -> None:
    x = get_dataset("swiss_roll").sample(300, generator=7)
    a = evaluation.evaluate_cheap(x, "swiss_roll", n=300, seed=3)
    b = evaluation.evaluate_cheap(x, "swiss_roll", n=300, seed=3)
    assert a == b
    assert list(a.scores) == ["sliced_w2", "spiral_near", "spiral_w1", "spiral_tv"]
    record = json.loads(json.dumps(a.as_dict()))
    assert record["dataset"] == "swiss_roll" and record["n"] == 300 and record["seed"] == 3
    assert record["spiral_near_floor"] == a.scores["spiral_near"].floor
    full = evaluation.evaluate(x, "moons", n=300)  # no mode or spiral metrics for moons
    assert "modes_captured" not in full.scores and "spiral_near" not in full.scores


def test_without_exact_ot_every_other_score_is_the_same(monkeypatch) -> None:
    x = ring(300, 5) * 1.1
    full = evaluation.evaluate(x, "ring", n=300, seed=4, floor_pairs=3, ot_pairs=2)
    monkeypatch.setattr(evaluation, "exact_wasserstein", None)  # never called without it
    lean = evaluation.evaluate(x, "ring", n=300, seed=4, floor_pairs=3, ot_pairs=2, exact_ot=False)
    assert set(full.scores) - set(lean.scores) == {"w1", "w2"}
    assert all(lean.scores[k] == full.scores[k] for k in lean.scores)


def test_reference_sets_are_independent_of_training_draws() -> None:
    ref, ref2 = evaluation.reference_sets("grid", 100, seed=0)
    train = get_dataset("grid").sample(100, generator=0).numpy()
    assert not np.allclose(ref, ref2) and not np.allclose(ref, train)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dataset": "nope"}, "unknown dataset 'nope'"),
        ({"n": 500}, "fewer than n = 500"),
        ({"n": 5}, "n must be an integer >= 10"),
    ],
)
def test_evaluate_rejects(kwargs: dict, match: str) -> None:
    args = {"dataset": "ring", "n": 100} | kwargs
    with pytest.raises(ValueError, match=match):
        evaluation.evaluate_cheap(ring(100, 0), args["dataset"], n=args["n"])


def test_evaluate_rejects_wrong_dimension() -> None:
    with pytest.raises(ValueError, match="3-D"):
        evaluation.evaluate_cheap(np.zeros((100, 3)), "ring", n=100)


def test_sliced_w2_reference_sort_is_remembered_by_content() -> None:
    """The reference's sorted projections are reused, yet a reference changed in place (same
    object, new values) is scored afresh: every value equals a computation from scratch."""

    def scratch(x: np.ndarray, y: np.ndarray) -> float:
        theta = projections(2, 500, 0)
        px, py = np.sort((x @ theta).T, axis=1), np.sort((y @ theta).T, axis=1)
        return float(np.sqrt(np.mean((px - py) ** 2)))

    x, y = ring(300, 5, noise=0.2), ring(300, 6, noise=0.1)
    assert sliced_w2(x, y) == sliced_w2(x, y) == scratch(x, y)
    y[:10] += 1.0
    assert sliced_w2(x, y) == scratch(x, y)
    assert sliced_w2(x, np.asfortranarray(y)) == scratch(x, y)
