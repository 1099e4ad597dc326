"""k-nearest-neighbour fidelity and diversity: precision/recall and density/coverage.

A sample set's "manifold" is the union of balls B(x_i, r_k(x_i)) around its points, r_k the
distance to the k-th nearest other point of the same set. Precision asks how many generated
points fall in the real manifold (fidelity), recall how many real points fall in the generated
one (diversity). Density and coverage (Naeem et al. 2020) are the versions built only on the
real manifold, which is robust to outliers among the generated points.

All ball tests use a KD-tree (``scipy.spatial.cKDTree``): no n×m distance matrix is formed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from genlab.base.checks import check_int
from genlab.base.errors import UserError
from genlab.evaluation.metrics import as_points

_BIG_BALLS = 0.99  # balls above this radius quantile are tested directly (they are few)


@dataclass(frozen=True)
class PRDC:
    """Precision, recall, density and coverage of generated points against real points.

    Precision, recall and coverage lie in [0, 1], higher is better; density is ≈ 1 when the
    two sets share a distribution, above 1 when generated points crowd the dense real regions.
    """

    precision: float
    recall: float
    density: float
    coverage: float


def knn_radii(points: np.ndarray, k: int, tree: cKDTree | None = None) -> np.ndarray:
    """Distance from each point to its k-th nearest *other* point of the same set: (n,)."""
    tree = cKDTree(points) if tree is None else tree
    dist, _ = tree.query(points, k=k + 1)  # the first neighbour is the point itself
    return dist[:, k]


def ball_counts(queries: np.ndarray, centers: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """For each query q, #{j : ‖q − c_j‖ ≤ r_j}, the number of balls that contain it: (n_q,).

    Balls up to the 99th radius percentile τ are found with a KD-tree pair search within τ;
    the few larger ones (outliers, whose radius is large) are tested against every query.
    """
    counts = np.zeros(len(queries), dtype=np.int64)
    tau = float(np.quantile(radii, _BIG_BALLS))
    small = radii <= tau
    if small.any():
        pairs = cKDTree(queries).sparse_distance_matrix(
            cKDTree(centers[small]), np.nextafter(tau, np.inf), output_type="ndarray"
        )
        inside = pairs["v"] <= radii[small][pairs["j"]]
        counts += np.bincount(pairs["i"][inside], minlength=len(queries))
    if (~small).any():
        counts += (cdist(queries, centers[~small]) <= radii[~small]).sum(axis=1)
    return counts


def prdc(real: object, fake: object, *, k: int = 5) -> PRDC:
    """k-NN precision and recall, density and coverage of ``fake`` against ``real``.

    With r_k the k-th neighbour radius within a set, N real points X and M fake points Y:

    precision = (1/M) Σ_j 1[∃i: ‖Y_j − X_i‖ ≤ r_k(X_i)]     (Kynkäänniemi et al. 2019, Sec. 2)
    recall    = (1/N) Σ_i 1[∃j: ‖X_i − Y_j‖ ≤ r_k(Y_j)]
    density   = 1/(kM) Σ_j Σ_i 1[‖Y_j − X_i‖ ≤ r_k(X_i)]   (Naeem et al. 2020, Sec. 3)
    coverage  = (1/N) Σ_i 1[min_j ‖X_i − Y_j‖ ≤ r_k(X_i)]  (Naeem et al. 2020, Sec. 3)

    k = 5 is the value recommended by Naeem et al. (Kynkäänniemi et al. use 3 for images).
    Cost: O((N + M) log(N + M)) for well-behaved sets; ~20 ms at 2500 + 2500 points in 2-D.
    """
    x = as_points(real, "real")
    y = as_points(fake, "fake")
    if x.shape[1] != y.shape[1]:
        raise UserError(f"real and fake differ in dimension: {x.shape[1]} vs {y.shape[1]}")
    check_int("k", k)
    if min(len(x), len(y)) <= k:
        raise UserError(f"k = {k} needs more than k points in each set, got {len(x)}, {len(y)}")
    tree_x, tree_y = cKDTree(x), cKDTree(y)
    r_x = knn_radii(x, k, tree_x)
    r_y = knn_radii(y, k, tree_y)
    in_real = ball_counts(y, x, r_x)  # (M,) real balls containing each fake point
    in_fake = ball_counts(x, y, r_y)  # (N,) fake balls containing each real point
    nearest_fake, _ = tree_y.query(x, k=1)
    return PRDC(
        precision=float(np.mean(in_real > 0)),
        recall=float(np.mean(in_fake > 0)),
        density=float(in_real.sum() / (k * len(y))),
        coverage=float(np.mean(nearest_fake <= r_x)),
    )
