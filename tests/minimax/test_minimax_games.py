"""Games: closed-form values and gradients against finite differences and stable limits."""

import numpy as np
import pytest

from genlab.minimax.games import (
    BilinearGame,
    ShiftedLogisticGame,
    bilinear_grads,
    bilinear_value,
    shifted_logistic_grads,
    shifted_logistic_sample_grads,
    shifted_logistic_value,
)


def _instance(seed=0, n=7, p=5):
    rs = np.random.RandomState(seed)
    X = rs.randn(n, p)
    Y = 2.0 * rs.randint(2, size=n) - 1
    return X, Y, rs.randn(p), 0.5 * rs.randn(p)


def _fd_grad(f, x, h=1e-6):
    g = np.empty_like(x)
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = h
        g[k] = (f(x + e) - f(x - e)) / (2 * h)
    return g


@pytest.mark.parametrize("lam", [0.0, 1e-3, 0.7])
def test_shifted_logistic_grads_match_finite_differences(lam):
    X, Y, theta, phi = _instance()
    g_theta, g_phi = shifted_logistic_grads(theta, phi, X, Y, lam)
    fd_theta = _fd_grad(lambda t: shifted_logistic_value(t, phi, X, Y, lam), theta)
    fd_phi = _fd_grad(lambda f: shifted_logistic_value(theta, f, X, Y, lam), phi)
    np.testing.assert_allclose(g_theta, fd_theta, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(g_phi, fd_phi, rtol=1e-6, atol=1e-9)


def test_value_is_the_homework_formula():
    X, Y, theta, phi = _instance(1)
    lam = 1e-3
    literal = np.average(np.log(1 + np.exp(-Y * ((X - phi.reshape(1, -1)) @ theta)))) - lam / 2 * (
        np.linalg.norm(phi) ** 2
    )
    assert shifted_logistic_value(theta, phi, X, Y, lam) == pytest.approx(literal, rel=1e-13)


def test_sample_grads_average_to_the_full_batch_gradient():
    X, Y, theta, phi = _instance(2)
    lam = 0.3
    per = [shifted_logistic_sample_grads(theta, phi, X[i], Y[i], lam) for i in range(len(Y))]
    full = shifted_logistic_grads(theta, phi, X, Y, lam)
    np.testing.assert_allclose(np.mean([g[0] for g in per], axis=0), full[0], rtol=1e-12)
    np.testing.assert_allclose(np.mean([g[1] for g in per], axis=0), full[1], rtol=1e-12)


def test_broadcasts_over_a_trajectory():
    X, Y, theta, phi = _instance(3)
    thetas = np.stack([theta, 2 * theta, -theta])
    phis = np.stack([phi, 0 * phi, phi])
    vals = shifted_logistic_value(thetas, phis, X, Y, 0.1)
    gt, gp = shifted_logistic_grads(thetas, phis, X, Y, 0.1)
    for k in range(3):
        assert vals[k] == pytest.approx(shifted_logistic_value(thetas[k], phis[k], X, Y, 0.1))
        np.testing.assert_allclose(gt[k], shifted_logistic_grads(thetas[k], phis[k], X, Y, 0.1)[0])
        np.testing.assert_allclose(gp[k], shifted_logistic_grads(thetas[k], phis[k], X, Y, 0.1)[1])


def test_huge_margins_neither_overflow_nor_lose_the_tail():
    X, Y, theta, phi = _instance(4)
    m = Y * ((X - phi) @ theta)
    big = 1e4 / np.abs(m).min()  # all |margins| >= 1e4: exp(+-1e4) overflows naively
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = shifted_logistic_value(big * theta, phi, X, Y, 0.0)
        gt, gp = shifted_logistic_grads(big * theta, phi, X, Y, 0.0)
    # softplus(-m) -> max(-m, 0): only the misclassified points contribute, linearly
    assert value == pytest.approx(np.maximum(-big * m, 0.0).mean(), rel=1e-12)
    assert np.all(np.isfinite(gt)) and np.all(np.isfinite(gp))
    # a moderately large margin keeps its exponentially small tail: softplus(-40) = e^-40
    x, y = np.array([[1.0]]), np.array([1.0])
    assert shifted_logistic_value(np.array([40.0]), np.array([0.0]), x, y, 0.0) == pytest.approx(
        np.exp(-40.0), rel=1e-12
    )


def test_game_object_validates_labels_and_lambda():
    X, Y, *_ = _instance()
    with pytest.raises(ValueError, match="labels"):
        ShiftedLogisticGame(X, 0.5 * Y, 0.1)
    with pytest.raises(ValueError, match="lam"):
        ShiftedLogisticGame(X, Y, -1.0)
    game = ShiftedLogisticGame(X, Y, 0.1)
    assert (game.n, game.p) == X.shape


def test_bilinear_grads_match_finite_differences():
    rs = np.random.RandomState(5)
    A, x, y = rs.randn(3, 4), rs.randn(3), rs.randn(4)
    gx, gy = bilinear_grads(x, y, A)
    np.testing.assert_allclose(gx, _fd_grad(lambda u: bilinear_value(u, y, A), x), rtol=1e-7)
    np.testing.assert_allclose(gy, _fd_grad(lambda v: bilinear_value(x, v, A), y), rtol=1e-7)
    assert BilinearGame(A).value(x, y) == pytest.approx(x @ A @ y)
