"""Every sample-quality metric in d dimensions against POT / SciPy, and ``evaluate_points``."""

from __future__ import annotations

import numpy as np
import ot
import pytest
import scipy.stats
from knn_reference import brute_prdc
from scipy.spatial.distance import cdist, pdist

from genlab.base.errors import UserError
from genlab.evaluation import knn, metrics
from genlab.evaluation import suite as evaluation
from genlab.evaluation.knn import ball_counts, knn_radii, prdc
from genlab.evaluation.metrics import (
    MMD_BANDWIDTH_FACTORS,
    energy_distance,
    kde_log_likelihood,
    mmd2,
    mmd2_and_energy,
    sliced_w2,
    wasserstein,
)

DIMS = (1, 3, 8)


def mixture(n: int, d: int, seed: int, *, std: float = 0.3, shift: float = 0.0) -> np.ndarray:
    """n points of a 4-component Gaussian mixture in d dimensions (fixed centers), shifted."""
    centers = 2.0 * np.random.default_rng(12345 + d).normal(size=(4, d))
    rng = np.random.default_rng(seed)
    return centers[rng.integers(4, size=n)] + std * rng.normal(size=(n, d)) + shift


def pair(d: int, m: int = 230, r: int = 170) -> tuple[np.ndarray, np.ndarray]:
    """A model-like set (wider modes) of m points and a data set of r points: m ≠ r."""
    return mixture(m, d, 1, std=0.5), mixture(r, d, 2)


# -- distances against POT and SciPy ------------------------------------------------------------
@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("sizes", [(200, 200), (230, 170)])
def test_sliced_w2_is_pots_estimator(d: int, sizes: tuple[int, int]) -> None:
    x, y = pair(d, *sizes)
    for n_projections, seed in ((500, 0), (64, 7)):
        ref = ot.sliced_wasserstein_distance(x, y, n_projections=n_projections, p=2, seed=seed)
        got = sliced_w2(x, y, n_projections=n_projections, seed=seed)
        assert got == pytest.approx(ref, rel=1e-12)


def test_sliced_w2_in_1d_is_w2() -> None:
    x, y = pair(1)
    assert sliced_w2(x, y) == pytest.approx(wasserstein(x, y), rel=1e-9)


@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("p", [1, 2, 3])
def test_wasserstein_is_ot_emd2(d: int, p: int) -> None:
    x, y = pair(d)
    a, b = np.full(len(x), 1 / len(x)), np.full(len(y), 1 / len(y))
    cost = ot.dist(x, y, metric="sqeuclidean") if p == 2 else ot.dist(x, y, metric="euclidean") ** p
    ref = ot.emd2(a, b, cost, numItermax=10**7) ** (1 / p)
    assert wasserstein(x, y, p=p) == pytest.approx(ref, rel=1e-10)


def brute_mmd2_energy(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Unbiased MMD² (median-heuristic RBF mixture) and energy distance from full matrices."""
    m, n = len(x), len(y)
    scale = np.median(pdist(y[:1000]))
    dxx, dyy, dxy = cdist(x, x), cdist(y, y), cdist(x, y)
    mmd = []
    for f in MMD_BANDWIDTH_FACTORS:
        k = [np.exp(-(a**2) / (2 * (f * scale) ** 2)) for a in (dxx, dyy, dxy)]
        mmd.append(
            (k[0].sum() - m) / (m * (m - 1)) + (k[1].sum() - n) / (n * (n - 1)) - 2 * k[2].mean()
        )
    energy = 2 * dxy.mean() - dxx.sum() / (m * (m - 1)) - dyy.sum() / (n * (n - 1))
    return float(np.mean(mmd)), float(energy)


@pytest.mark.parametrize("d", DIMS)
def test_mmd2_and_energy_match_cdist(d: int) -> None:
    x, y = pair(d)
    ref_mmd, ref_energy = brute_mmd2_energy(x, y)
    # float32 kernels, float64 sums: ~1e-7 of the O(1) terms that the statistics subtract
    assert mmd2(x, y) == pytest.approx(ref_mmd, abs=1e-7)
    assert energy_distance(x, y) == pytest.approx(ref_energy, abs=1e-6 * np.sqrt(d))
    assert mmd2_and_energy(x, y) == pytest.approx((ref_mmd, ref_energy), abs=1e-6 * np.sqrt(d))


def test_pairwise_sums_are_exact_across_memory_bounded_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Blocks of a few rows (as for m > 4096 points) give the same sums as one block."""
    x, y = pair(3)
    whole = mmd2_and_energy(x, y), kde_log_likelihood(x, y)
    monkeypatch.setattr(metrics, "_BLOCK_ELEMENTS", 7 * 230)  # 7 rows per block
    assert metrics.block_rows(230) == 7
    assert mmd2_and_energy(x, y) == pytest.approx(whole[0], rel=1e-9, abs=1e-12)
    assert kde_log_likelihood(x, y) == pytest.approx(whole[1], rel=1e-12)


@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("bandwidth", ["scott", "silverman", 0.4])
def test_kde_log_likelihood_is_scipys_gaussian_kde(d: int, bandwidth: str | float) -> None:
    s, x = pair(d)
    ref = scipy.stats.gaussian_kde(s.T, bw_method=bandwidth).logpdf(x.T).mean()
    assert kde_log_likelihood(s, x, bandwidth=bandwidth) == pytest.approx(ref, rel=1e-9)


def test_kde_log_likelihood_explicit_formula_in_8d() -> None:
    """log p̂(x) = log (1/n) Σ_i N(x; s_i, h²Σ̂), h = n^(−1/(d+4)), written out term by term."""
    s, x = pair(8)
    n, d = s.shape
    cov = np.cov(s, rowvar=False) * n ** (-2 / (d + 4))
    dens = np.mean([scipy.stats.multivariate_normal(mean=c, cov=cov).pdf(x) for c in s], axis=0)
    assert kde_log_likelihood(s, x) == pytest.approx(np.log(dens).mean(), rel=1e-9)


# -- k-NN metrics against brute force -----------------------------------------------------------
@pytest.mark.parametrize("d", [*DIMS, 9, 64])  # 9 and 64: above KD_TREE_MAX_DIM
@pytest.mark.parametrize("k", [3, 5])
def test_prdc_matches_brute_force(d: int, k: int) -> None:
    real, fake = mixture(260, d, 2), mixture(200, d, 1, std=0.5)
    got = prdc(real, fake, k=k)
    assert (got.precision, got.recall, got.density, got.coverage) == pytest.approx(
        brute_prdc(real, fake, k), abs=1e-12
    )


@pytest.mark.parametrize("d", [3, 16])
def test_kd_tree_and_blocked_paths_agree(d: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(d)
    centers = np.concatenate([rng.normal(size=(300, d)), 8 * rng.normal(size=(10, d))])
    queries = 2 * rng.normal(size=(400, d))
    real, fake = mixture(300, d, 3), mixture(280, d, 4, std=0.4)
    runs = []
    for max_dim in (0, 100):  # everything blocked / everything on KD-trees
        monkeypatch.setattr(knn, "KD_TREE_MAX_DIM", max_dim)
        monkeypatch.setattr(metrics, "_BLOCK_ELEMENTS", 50 * 300)  # several blocks
        radii = knn_radii(centers, 5)
        runs.append((radii, ball_counts(queries, centers, radii), prdc(real, fake)))
    np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=1e-13)
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    assert runs[0][2] == runs[1][2]
    brute = (cdist(queries, centers) <= runs[0][0]).sum(axis=1)
    np.testing.assert_array_equal(runs[0][1], brute)


# -- at the floor for the same law, far from it for a shifted one --------------------------------
@pytest.mark.parametrize("d", [1, 3, 8, 64])
def test_same_law_is_near_its_floor_and_a_shift_is_far(d: int) -> None:
    n = 300
    ref, second, same = (mixture(n, d, s) for s in (10, 11, 12))
    shifted = mixture(n, d, 13, shift=1.0)  # one unit on every axis: far in any d
    near = evaluation.evaluate_points(same, ref, second)
    far = evaluation.evaluate_points(shifted, ref, second)
    for name in ("sliced_w2", "w1", "w2"):
        floor = near.scores[name].floor
        assert near.scores[name].value < 1.5 * floor, name
        assert far.scores[name].value > floor + 0.5, name  # OT floors grow like n^(-1/d)
    for name in ("mmd2", "energy"):  # unbiased: ~0 ± noise for the same law
        noise = abs(near.scores[name].floor) + abs(near.scores[name].value)
        assert far.scores[name].value > 10 * noise, name
    for name in ("precision", "recall", "coverage"):
        assert near.scores[name].value > near.scores[name].floor - 0.1, name
        assert far.scores[name].value < near.scores[name].value, name
    assert abs(near.scores["density"].value - near.scores["density"].floor) < 0.25
    assert near.scores["kde_ll"].value > far.scores["kde_ll"].value


# -- evaluate_points ----------------------------------------------------------------------------
FULL = ["sliced_w2", "w1", "w2", "mmd2", "energy", "precision", "recall", "density", "coverage",
        "kde_ll"]  # fmt: skip


@pytest.mark.parametrize("d", [1, 5])
def test_evaluate_points_scores_and_floors(d: int) -> None:
    x, ref, second = mixture(150, d, 1, std=0.5), mixture(120, d, 2), mixture(110, d, 3)
    ev = evaluation.evaluate_points(x, ref, second, name="mine.npy")
    assert (ev.dataset, ev.n, ev.seed) == ("mine.npy", 150, 0)
    assert list(ev.scores) == FULL
    floor = evaluation.evaluate_points(second, ref, second)  # second scores exactly its floor
    for name, score in ev.scores.items():
        assert floor.scores[name].value == score.floor == floor.scores[name].floor, name
        assert score.better == floor.scores[name].better
    assert ev.scores["w2"].value == wasserstein(x, ref)
    assert ev.scores["w1"].floor == wasserstein(second, ref, p=1)
    assert ev.scores["kde_ll"].value == kde_log_likelihood(x, ref)
    q = prdc(ref, x)
    assert (ev.scores["precision"].value, ev.scores["coverage"].value) == (q.precision, q.coverage)
    cheap = evaluation.evaluate_points(x, ref, second, cheap=True)
    assert list(cheap.scores) == ["sliced_w2"]
    assert cheap.scores["sliced_w2"] == ev.scores["sliced_w2"]
    assert cheap.as_dict()["sliced_w2_floor"] == sliced_w2(second, ref)


@pytest.mark.parametrize("dataset", ["ring", "swiss_roll"])
def test_evaluate_points_on_the_registered_references_is_evaluate(dataset: str) -> None:
    """With the reference sets of ``evaluate``, the same numbers, mode / spiral metrics too."""
    from genlab.data import get_dataset

    x = get_dataset(dataset).sample(300, noise=0.05, generator=5).numpy()
    ref, second = evaluation.reference_sets(dataset, 300)
    points = evaluation.evaluate_points(x, ref, second, dataset=dataset, name=dataset)
    assert points == evaluation.evaluate(x, dataset, n=300)
    cheap = evaluation.evaluate_points(x, ref, second, dataset=dataset, cheap=True, name=dataset)
    assert cheap == evaluation.evaluate_cheap(x, dataset, n=300)
    wide = evaluation.evaluate_points(x, ref, second, dataset=dataset, noise=0.05, cheap=True)
    assert wide.scores.keys() == cheap.scores.keys()


def test_evaluate_points_floors_are_cached_by_content() -> None:
    x, ref, second = mixture(100, 2, 1), mixture(100, 2, 2), mixture(100, 2, 3)
    first = evaluation.evaluate_points(x, ref, second, cheap=True)
    assert (
        evaluation.evaluate_points(x + 0.1, ref.copy(), second.copy(), cheap=True)
        .scores["sliced_w2"]
        .floor
        == first.scores["sliced_w2"].floor
    )
    second[0] += 1.0  # new content, new floor
    moved = evaluation.evaluate_points(x, ref, second, cheap=True)
    assert moved.scores["sliced_w2"].floor == sliced_w2(second, ref)
    assert moved.scores["sliced_w2"].floor != first.scores["sliced_w2"].floor


@pytest.mark.parametrize(
    ("shapes", "kwargs", "match"),
    [
        (((50, 3), (40, 5), (40, 5)), {}, "samples has 3-D points but reference has 5-D points"),
        (((50, 5), (40, 5), (40, 4)), {}, "second has 4-D points but reference has 5-D points"),
        (((50, 3), (40, 3), (40, 3)), {"dataset": "ring"}, "'ring' is 2-D but the points are 3-D"),
        (((50, 2), (40, 2), (40, 2)), {"dataset": "nope"}, "unknown dataset 'nope'"),
        (((5, 2), (40, 2), (40, 2)), {}, "samples needs at least 10 points, got 5"),
        (((50, 2), (40,), (40, 2)), {}, r"reference must have shape \(n, d\)"),
    ],
)
def test_evaluate_points_rejects(shapes: tuple, kwargs: dict, match: str) -> None:
    arrays = [np.random.default_rng(i).normal(size=s) for i, s in enumerate(shapes)]
    with pytest.raises(UserError, match=match):
        evaluation.evaluate_points(*arrays, **kwargs)


# -- snapshot metrics against a held-out set ----------------------------------------------------
def test_snapshot_metrics_against_a_reference() -> None:
    ref = mixture(90, 4, 2)
    samples = np.stack([mixture(60, 4, s) for s in (5, 6, 7)])  # (E, n, d)
    got = evaluation.snapshot_metrics(samples, "my_data", reference=ref)
    assert got == {"sliced_w2": [sliced_w2(x, ref) for x in samples]}
    with pytest.raises(UserError, match="samples has 4-D points but reference has 3-D points"):
        evaluation.snapshot_metrics(samples, "my_data", reference=ref[:, :3])


def test_snapshot_metrics_of_a_registered_dataset_against_a_reference() -> None:
    from genlab.data import get_dataset

    ref = get_dataset("ring").sample(200, generator=3).numpy()
    samples = np.stack([get_dataset("ring").sample(150, generator=s).numpy() for s in (5, 6)])
    got = evaluation.snapshot_metrics(samples, "ring", reference=ref)
    assert list(got) == ["sliced_w2", "modes_captured", "high_quality", "reverse_kl"]
    assert got["sliced_w2"] == [sliced_w2(x, ref) for x in samples]
    assert got["modes_captured"] == [8.0, 8.0]
    fresh = evaluation.snapshot_metrics(samples, "ring")  # fresh draws, as before
    assert fresh["modes_captured"] == got["modes_captured"]
    assert fresh["sliced_w2"] != got["sliced_w2"]


def test_snapshot_metrics_needs_a_dataset_or_a_reference() -> None:
    assert evaluation.snapshot_metrics(np.zeros((1, 20, 3)) + 1, None, reference=np.eye(3))
    with pytest.raises(UserError, match="needs a registered dataset or reference points"):
        evaluation.snapshot_metrics(np.zeros((1, 20, 2)), None)
