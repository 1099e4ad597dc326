"""The homework's instance and its pre-drawn index stream."""

import numpy as np
import pytest

from genlab.minimax.problem import draw_indices, make_shifted_logistic_problem


@pytest.mark.parametrize("n", [1, 2, 7, 30, 32, 1000, 2**31 - 1])
def test_vector_randint_is_the_stream_of_scalar_calls(n):
    """``rs.randint(n, size=k)`` must give what k calls of ``rs.randint(n)`` give, and leave
    the generator in the same state (so later draws agree too)."""
    a, b = np.random.RandomState(3), np.random.RandomState(3)
    scalar = [a.randint(n) for _ in range(500)]
    np.testing.assert_array_equal(draw_indices(b, n, 500), scalar)
    assert a.randn() == b.randn()


def test_instance_is_drawn_in_the_homework_order():
    rs = np.random.RandomState(0)  # the homework: np.random.seed(0), then these draws
    X = rs.randn(30, 20)
    Y = 2 * rs.randint(2, size=30) - 1
    theta = 0.1 * rs.randn(20)
    phi = 0.1 * rs.randn(20)
    first = [rs.randint(30) for _ in range(100)]
    pr = make_shifted_logistic_problem(steps=100)
    np.testing.assert_array_equal(pr.X, X)
    np.testing.assert_array_equal(pr.Y, Y)
    np.testing.assert_array_equal(pr.theta0, theta)
    np.testing.assert_array_equal(pr.phi0, phi)
    np.testing.assert_array_equal(pr.indices, first)
    assert pr.indices.dtype == np.int64 and pr.Y.dtype == np.float64


def test_full_batch_instance_has_the_same_data_and_no_indices():
    a = make_shifted_logistic_problem(seed=5, steps=10)
    b = make_shifted_logistic_problem(seed=5)
    assert b.indices is None
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.phi0, b.phi0)
    assert make_shifted_logistic_problem(seed=6).X[0, 0] != a.X[0, 0]
