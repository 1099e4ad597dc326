"""Update rules: their equations, their known behaviour on bilinear games, the NumPy
reference against the compiled path, and the homework's loop and numbers."""

import numpy as np
import pytest

from genlab.minimax import MinimaxConfig, run_minimax
from genlab.minimax.games import BilinearGame, ShiftedLogisticGame
from genlab.minimax.kernels import RULE_CODES
from genlab.minimax.problem import make_shifted_logistic_problem
from genlab.minimax.rules import (
    RULES,
    alternating_step,
    extragradient_step,
    homework_step,
    optimistic_step,
    run_rule,
    simultaneous_step,
    uniform_average,
)

A = np.array([[1.0, 0.3], [-0.2, 0.8]])  # a generic nonsingular bilinear game xᵀAy
Z0 = (np.array([1.0, -0.5]), np.array([0.5, 1.0]))


def _norms(rule, steps, eta=0.1, **kw):
    thetas, phis = run_rule(BilinearGame(A), rule, *Z0, alpha=eta, beta=eta, steps=steps, **kw)
    return np.sqrt((thetas**2).sum(1) + (phis**2).sum(1))


def test_rule_lists_agree():
    assert tuple(RULE_CODES) == RULES


def test_simultaneous_gda_spirals_out_on_a_bilinear_game():
    r = _norms("simultaneous", 2000)
    assert np.all(np.diff(r) > 0)  # the norm grows at every step
    assert r[-1] > 5 * r[0]


@pytest.mark.parametrize("first", ["phi", "theta"])
def test_alternating_gda_stays_bounded_without_converging(first):
    r = _norms("alternating", 20000, first=first)
    r0 = np.hypot(np.linalg.norm(Z0[0]), np.linalg.norm(Z0[1]))
    assert r.max() < 2 * r0
    assert r[-5000:].min() > 0.3 * r0  # still cycling at the end


@pytest.mark.parametrize("rule", ["extragradient", "optimistic"])
def test_extragradient_and_optimistic_converge_to_the_saddle(rule):
    r = _norms(rule, 6000)
    assert r[-1] < 1e-4 * r[0]


def test_homework_rule_is_alternating_phi_first_when_lambda_is_zero():
    a = run_rule(BilinearGame(A), "homework", *Z0, alpha=0.1, beta=0.05, steps=50)
    b = run_rule(BilinearGame(A), "alternating", *Z0, alpha=0.1, beta=0.05, steps=50, first="phi")
    np.testing.assert_allclose(a[0], b[0], rtol=1e-14)
    np.testing.assert_allclose(a[1], b[1], rtol=1e-14)


def test_single_steps_follow_their_equations():
    game = BilinearGame(A)
    x, y = Z0
    a, b = 0.1, 0.2
    np.testing.assert_allclose(
        simultaneous_step(game, x, y, None, a, b), (x - a * A @ y, y + b * A.T @ x)
    )
    y1 = y + b * A.T @ x
    np.testing.assert_allclose(
        alternating_step(game, x, y, None, a, b, "phi"), (x - a * A @ y1, y1)
    )
    x1 = x - a * A @ y
    np.testing.assert_allclose(
        alternating_step(game, x, y, None, a, b, "theta"), (x1, y + b * A.T @ x1)
    )
    xh, yh = x - a * A @ y, y + b * A.T @ x
    np.testing.assert_allclose(
        extragradient_step(game, x, y, None, a, b), (x - a * A @ yh, y + b * A.T @ xh)
    )
    gx_prev, gy_prev = np.array([0.3, -0.1]), np.array([0.2, 0.4])
    xo, yo, cur = optimistic_step(game, x, y, None, a, b, (gx_prev, gy_prev))
    np.testing.assert_allclose(xo, x - 2 * a * A @ y + a * gx_prev)
    np.testing.assert_allclose(yo, y + 2 * b * A.T @ x - b * gy_prev)
    np.testing.assert_allclose(cur[0], A @ y)
    x0, y0, _ = optimistic_step(game, x, y, None, a, b, None)  # no past gradient: zero
    np.testing.assert_allclose((x0, y0), (x - 2 * a * A @ y, y + 2 * b * A.T @ x))
    # homework: the ridge term of the φ-step has step 1, not β
    pr = make_shifted_logistic_problem(n=6, p=3, lam=0.2, seed=1)
    g = ShiftedLogisticGame(pr.X, pr.Y, pr.lam)
    th, ph = pr.theta0, pr.phi0
    d = pr.X[2] - ph
    s = 1 / (1 + np.exp(pr.Y[2] * d @ th))
    ph1 = ph + b * pr.Y[2] * th * s - pr.lam * ph
    s1 = 1 / (1 + np.exp(pr.Y[2] * (pr.X[2] - ph1) @ th))
    th1 = th - a * (-pr.Y[2] * (pr.X[2] - ph1)) * s1
    np.testing.assert_allclose(homework_step(g, th, ph, 2, a, b), (th1, ph1), rtol=1e-13)


def test_uniform_average():
    x = np.arange(12.0).reshape(6, 2)
    expected = np.stack([x[: t + 1].mean(0) for t in range(6)])
    np.testing.assert_allclose(uniform_average(x), expected)


CASES = [{"rule": r} for r in RULES] + [
    {"rule": "alternating", "first": "theta"},
    {"rule": "homework", "full_batch": True},
    {"rule": "extragradient", "full_batch": True, "alpha": 0.5, "beta": 0.05},
    {"rule": "optimistic", "average": True},
    {"rule": "simultaneous", "full_batch": True, "average": True, "lam": 0.0},
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_compiled_path_matches_numpy_reference(case):
    cfg = MinimaxConfig(epochs=40, n=12, p=5, seed=3, **case)
    fast, ref = run_minimax(cfg), run_minimax(cfg.replace(backend="numpy"))
    for name in ("theta", "phi", "loss", "grad_theta_norm", "grad_phi_norm"):
        np.testing.assert_allclose(getattr(fast, name), getattr(ref, name), rtol=1e-10, atol=1e-12)
    if cfg.average:
        np.testing.assert_allclose(fast.theta_avg, ref.theta_avg, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(
            fast.theta_avg, uniform_average(fast.theta), rtol=1e-12, atol=1e-14
        )
    else:
        assert fast.theta_avg is None


def _homework_literal(epochs):
    """HW12 Problem 1's loop, verbatim except ``np.random`` -> a local RandomState."""
    N, p = 30, 20
    rs = np.random.RandomState(0)
    X = rs.randn(N, p)
    Y = 2 * rs.randint(2, size=N) - 1
    lamda = 0.001
    theta = 0.1 * rs.randn(p)
    phi = 0.1 * rs.randn(p)
    alpha, beta = 3e-1, 1e-4
    L_val, d_phi_val, d_theta_val, thetas = [], [], [], []
    for _ in range(epochs):
        for __ in range(N):
            ind = rs.randint(N)
            phi += (
                beta
                * Y[ind]
                * theta
                * np.exp(-Y[ind] * np.inner((X[ind, :] - phi), theta))
                / (1 + np.exp(-Y[ind] * np.inner((X[ind, :] - phi), theta)))
                - lamda * phi
            )
            theta -= (
                alpha
                * (-Y[ind] * (X[ind, :] - phi))
                * np.exp(-Y[ind] * np.inner((X[ind, :] - phi), theta))
                / (1 + np.exp(-Y[ind] * np.inner((X[ind, :] - phi), theta)))
            )
            L_i = (
                np.average(np.log(1 + np.exp(-Y * ((X - phi.reshape(1, -1)) @ theta))))
                - lamda / 2 * np.linalg.norm(phi, axis=0, ord=2) ** 2
            )
            d_phi = (
                np.average(Y / (1 + np.exp(Y * ((X - phi.reshape(1, -1)) @ theta)))) * theta
                - lamda * phi
            )
            d_theta = np.average(
                (-Y / (1 + np.exp(Y * ((X - phi.reshape(1, -1)) @ theta)))).reshape(-1, 1)
                * (X - phi.reshape(1, -1)),
                axis=0,
            )
            L_val.append(L_i)
            d_phi_val.append(d_phi)
            d_theta_val.append(d_theta)
            thetas.append(theta.copy())
    return (
        np.array(L_val),
        np.linalg.norm(d_theta_val, axis=1),
        np.linalg.norm(d_phi_val, axis=1),
        np.array(thetas),
    )


def test_homework_rule_reproduces_the_homework_loop():
    L, dt, dp, thetas = _homework_literal(epochs=10)
    res = run_minimax(MinimaxConfig(epochs=10))
    np.testing.assert_allclose(res.theta, thetas, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(res.loss, L, rtol=1e-11)
    np.testing.assert_allclose(res.grad_theta_norm, dt, rtol=1e-10)
    np.testing.assert_allclose(res.grad_phi_norm, dp, rtol=1e-10)


def test_homework_final_numbers():
    """5000 epochs: the homework's printed L = 0.002782, ‖∇θL‖ = 4.80e-4, ‖∇φL‖ = 3.66e-2.
    The full-precision values come from running the homework's own code (NumPy 2.4)."""
    res = run_minimax(MinimaxConfig())
    assert f"{res.final_loss:.6f}" == "0.002782"
    assert f"{res.final_grad_theta_norm:.2e}" == "4.80e-04"
    assert f"{res.final_grad_phi_norm:.2e}" == "3.66e-02"
    assert res.final_loss == pytest.approx(0.002782325126858347, rel=1e-9)
    assert res.final_grad_theta_norm == pytest.approx(0.0004803371562111055, rel=1e-9)
    assert res.final_grad_phi_norm == pytest.approx(0.036624793686825766, rel=1e-9)
