"""The exact inner maximum Φ(θ) = max_φ L(θ, φ) against brute-force maximisation."""

import numpy as np
import pytest
from scipy.optimize import minimize

from genlab.minimax import MinimaxConfig, inner_max, primal_gap, run_minimax
from genlab.minimax.games import shifted_logistic_grads, shifted_logistic_value
from genlab.minimax.problem import make_shifted_logistic_problem


def _brute_force(theta, X, Y, lam, rs, starts=6):
    """Best of L-BFGS runs over φ ∈ R^p from random starts of many scales."""
    best = -np.inf

    def f(ph):
        return -shifted_logistic_value(theta, ph, X, Y, lam)

    def g(ph):
        return -shifted_logistic_grads(theta, ph, X, Y, lam)[1]

    for _ in range(starts):
        x0 = rs.randn(theta.size) * 10 ** rs.uniform(-2, 3.5)
        r = minimize(f, x0, jac=g, method="L-BFGS-B", options={"maxiter": 3000, "gtol": 1e-11})
        best = max(best, -r.fun)
    return best


@pytest.mark.parametrize("lam", [1e-3, 0.05, 2.0])
def test_matches_brute_force_over_phi(lam):
    pr = make_shifted_logistic_problem(n=12, p=4, seed=2)
    rs = np.random.RandomState(0)
    thetas = np.concatenate([s * rs.randn(1, 4) for s in (0.05, 0.5, 3.0, 3.0)])
    res = inner_max(thetas, pr.X, pr.Y, lam)
    for th, value, c in zip(thetas, res.value, res.c, strict=True):
        # attained: Φ is the value at φ* = cθ ...
        assert shifted_logistic_value(th, c * th, pr.X, pr.Y, lam) == pytest.approx(
            value, rel=1e-12
        )
        # ... and no start of a local optimiser over R^p finds more
        brute = _brute_force(th, pr.X, pr.Y, lam, rs)
        assert value >= brute - 1e-9 * max(1.0, abs(brute))
        assert value == pytest.approx(brute, rel=1e-8, abs=1e-10)


def test_global_maximum_of_a_non_concave_slice():
    """Dense scan of L(θ, cθ) over the whole bracket: Φ is its maximum, and it is not the
    local maximum nearest to φ = 0 (so a local ascent from φ₀ would miss it)."""
    pr = make_shifted_logistic_problem(n=12, p=4, seed=2)
    lam = 0.05
    theta = 3.0 * np.random.RandomState(0).randn(4)
    q = theta @ theta
    c = np.linspace(-1.0 / lam, 1.0 / lam, 400_001)
    m = pr.Y * (pr.X @ theta - c[:, None] * q)  # margins at φ = cθ
    slice_ = np.logaddexp(0.0, -m).mean(axis=1) - 0.5 * lam * c**2 * q
    peaks = np.flatnonzero((slice_[1:-1] > slice_[:-2]) & (slice_[1:-1] > slice_[2:])) + 1
    assert peaks.size >= 2  # genuinely non-concave
    near = peaks[np.argmin(np.abs(c[peaks]))]
    res = inner_max(theta, pr.X, pr.Y, lam)
    assert float(res.value) >= slice_.max() - 1e-12
    assert float(res.value) == pytest.approx(slice_.max(), rel=1e-9)
    assert float(res.value) > slice_[near] + 1e-3


def test_theta_zero_and_lambda_zero():
    pr = make_shifted_logistic_problem(n=5, p=3)
    res = inner_max(np.zeros((2, 3)), pr.X, pr.Y, 0.1)
    np.testing.assert_allclose(res.value, np.log(2.0))
    with pytest.raises(ValueError, match="lam > 0"):
        inner_max(np.ones(3), pr.X, pr.Y, 0.0)


def test_gap_along_a_run_is_nonnegative():
    res = run_minimax(MinimaxConfig(epochs=20))
    gap = primal_gap(res.problem.X, res.problem.Y, res.problem.lam, res.theta, res.phi, num=50)
    assert gap.steps[0] == 1 and gap.steps[-1] == res.steps
    np.testing.assert_allclose(gap.loss, res.loss[gap.steps - 1], rtol=1e-12)
    assert np.all(gap.gap >= 0.0)
