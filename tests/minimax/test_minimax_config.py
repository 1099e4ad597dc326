"""MinimaxConfig validation: errors quote the bad value and the allowed range."""

import re

import pytest

from genlab.minimax import RULES, MinimaxConfig


def test_defaults_are_the_homework():
    c = MinimaxConfig()
    assert (c.rule, c.n, c.p, c.lam, c.alpha, c.beta, c.epochs, c.seed) == (
        "homework",
        30,
        20,
        1e-3,
        0.3,
        1e-4,
        5000,
        0,
    )
    assert c.steps == 150_000
    assert c.replace(epochs=2).steps == 60


@pytest.mark.parametrize(
    ("field", "value", "pattern"),
    [
        ("rule", "adam", "rule must be one of " + ", ".join(RULES) + "; got 'adam'"),
        ("epochs", 0, "epochs must be an integer >= 1, got 0"),
        ("epochs", 2.5, "epochs must be an integer >= 1, got 2.5"),
        ("alpha", 0.0, "alpha must be a finite number > 0, got 0.0"),
        ("beta", -1e-4, "beta must be a finite number > 0, got -0.0001"),
        ("alpha", float("nan"), "alpha must be a finite number > 0, got nan"),
        ("lam", -1.0, "lam must be a finite number >= 0, got -1.0"),
        ("n", 0, "n must be an integer >= 1, got 0"),
        ("p", 0, "p must be an integer >= 1, got 0"),
        ("seed", -1, r"seed must be an integer in \[0, 4294967295\], got -1"),
        ("first", "both", "first must be one of phi, theta; got 'both'"),
        ("backend", "jax", "backend must be one of numba, numpy; got 'jax'"),
        ("full_batch", 1, "full_batch must be a bool, got 1"),
    ],
)
def test_invalid_values_raise_with_the_value_and_range(field, value, pattern):
    with pytest.raises(ValueError, match=pattern if "\\" in pattern else re.escape(pattern)):
        MinimaxConfig(**{field: value})


def test_config_is_frozen():
    with pytest.raises(AttributeError):
        MinimaxConfig().alpha = 1.0  # type: ignore[misc]
