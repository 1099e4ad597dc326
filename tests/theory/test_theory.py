"""The λ-GAN theorem checked numerically: identity, bounds, λ = 1, weighted JS, validation."""

from __future__ import annotations

import csv
import io
import math

import pytest
import torch

from genlab.theory import identity as theory
from genlab.theory.densities import gaussian
from genlab.theory.divergences import (
    jensen_shannon,
    kullback_leibler,
    lambda_constant,
    lambda_gan,
    optimal_logit,
    perspective,
    value_integrand,
    weighted_js_integrand,
)
from genlab.theory.identity import (
    PAIRS,
    Pair,
    check_theorem,
    get_pair,
    monte_carlo_rows,
    quadrature_rows,
)
from genlab.theory.table import to_csv, to_markdown

LAMS = (0.1, 1.0, 10.0, 500.0)
# coarser grids than the defaults keep the suite fast; the identity does not depend on spacing
FAST_N = {"gaussian_1d": 1600, "gaussian_2d": 240, "ring_vs_gaussian": 660,
          "swiss_roll_vs_gaussian": 165}  # fmt: skip


@pytest.fixture(scope="module")
def evaluated():
    """Per pair: (grid, log p, log q) on the fast grid, computed once."""
    out = {}
    for name in PAIRS:
        pair = get_pair(name)
        grid = pair.grid(FAST_N[name])
        out[name] = (pair, grid, pair.p.log_prob(grid.points), pair.q.log_prob(grid.points))
    return out


def test_every_pair_is_exercised():
    assert set(PAIRS) == set(FAST_N)


@pytest.mark.parametrize("name", list(PAIRS))
def test_identity_holds_by_quadrature(name):
    rows = quadrature_rows(get_pair(name), LAMS, FAST_N[name])
    assert [r.lam for r in rows] == list(LAMS)
    for r in rows:
        assert abs(r.difference) < 1e-8, r
        assert r.lower_bound == -lambda_constant(r.lam) and r.upper_bound == 0.0
        assert r.lower_bound < r.lhs < r.upper_bound  # strict: p ≠ q, p ≪ q
        assert r.n == FAST_N[name] ** get_pair(name).p.dim and math.isnan(r.stderr)


@pytest.mark.parametrize("lam", [0.1, 500.0])
def test_optimal_discriminator_is_the_maximiser(evaluated, lam):
    _, grid, lp, lq = evaluated["swiss_roll_vs_gaussian"]
    s_star = optimal_logit(lp, lq, lam)
    best = grid.integrate(value_integrand(lp, lq, s_star, lam))
    x = grid.points
    for direction in (torch.ones_like(lp), x[:, 0], torch.sin(3 * x[:, 1])):
        for eps in (-0.1, -1e-3, 1e-3, 0.1):
            v = grid.integrate(value_integrand(lp, lq, s_star + eps * direction, lam))
            assert v < best  # V is strictly concave in s: any perturbation loses


# On a grid, P = Σ w p and Q = Σ w q are 1 only up to the rule's error (~3e-5 for the swiss
# roll on the coarse test grid), and the identities below carry them: checked exactly (to
# rounding) with P and Q, and to 1e-8 with P = Q = 1 where the grid resolves p.


@pytest.mark.parametrize("name", list(PAIRS))
def test_lambda_one_is_twice_js_minus_log4(evaluated, name):
    # V_1(D*) = ∫p log D* + q log(1 − D*) = 2·JS − log 2·(P + Q)  →  2·JS − log 4
    _, grid, lp, lq = evaluated[name]
    mass_p, mass_q = grid.integrate(lp.exp()), grid.integrate(lq.exp())
    js = grid.integrate(perspective(jensen_shannon(), lp, lq))
    js_half = grid.integrate(weighted_js_integrand(lp, lq, 0.5))
    v = grid.integrate(value_integrand(lp, lq, optimal_logit(lp, lq, 1.0), 1.0))
    assert 0 < js < math.log(2)
    assert js == pytest.approx(js_half, abs=1e-12)
    assert v == pytest.approx(2 * js - math.log(2) * (mass_p + mass_q), abs=1e-12)
    if name != "swiss_roll_vs_gaussian":
        assert v == pytest.approx(2 * js - math.log(4), abs=1e-8)


@pytest.mark.parametrize("name", list(PAIRS))
def test_lambda_divergence_is_a_weighted_jensen_shannon(evaluated, name):
    # D_{f_λ}(p‖q) = (1 + λ)·JS_π(p, q), π = 1/(1 + λ); on the grid the two differ by
    # log(1 + λ)·(P − Q) exactly
    _, grid, lp, lq = evaluated[name]
    mass_p, mass_q = grid.integrate(lp.exp()), grid.integrate(lq.exp())
    for lam in LAMS:
        d_f = grid.integrate(perspective(lambda_gan(lam), lp, lq))
        pi = 1 / (1 + lam)
        js_pi = (1 + lam) * grid.integrate(weighted_js_integrand(lp, lq, pi))
        assert js_pi == pytest.approx(d_f + math.log1p(lam) * (mass_p - mass_q), abs=1e-12 * lam)
        if name != "swiss_roll_vs_gaussian":
            assert js_pi == pytest.approx(d_f, abs=1e-8 * (1 + math.log1p(lam)))
        assert 0 < d_f < lambda_constant(lam)
        # the weights matter: swapping π and 1 − π gives a different number (for λ ≠ 1)
        if lam != 1.0:
            swapped = (1 + lam) * grid.integrate(weighted_js_integrand(lp, lq, 1 - pi))
            assert abs(swapped - d_f) > 1e-3 * d_f


def test_equal_densities_attain_the_lower_bound():
    g = gaussian([0.3], [[0.7]])
    rows = quadrature_rows(Pair("same", g, g, -10.0, 10.0, 2000), LAMS)
    for r in rows:
        assert r.lhs == pytest.approx(-lambda_constant(r.lam), abs=1e-12)
        assert r.rhs == pytest.approx(-lambda_constant(r.lam), abs=1e-12)


def test_grid_reproduces_the_gaussian_kl_closed_form(evaluated):
    pair, grid, lp, lq = evaluated["gaussian_2d"]
    mu0, s0 = torch.zeros(2, dtype=torch.float64), torch.tensor([[1.0, 0.5], [0.5, 1.0]])
    mu1, s1 = torch.tensor([1.0, -0.5]), torch.tensor([[2.0, 0.0], [0.0, 0.5]])
    s0, s1, mu1 = s0.double(), s1.double(), mu1.double()
    inv1, dmu = torch.linalg.inv(s1), mu1 - mu0
    kl = 0.5 * (torch.trace(inv1 @ s0) + dmu @ inv1 @ dmu - 2 + torch.logdet(s1) - torch.logdet(s0))
    assert grid.integrate(perspective(kullback_leibler(), lp, lq)) == pytest.approx(
        float(kl), abs=1e-10
    )


@pytest.mark.parametrize("name,n", [("gaussian_2d", 20_000), ("swiss_roll_vs_gaussian", 4_000)])
def test_monte_carlo_agrees_within_its_standard_error(evaluated, name, n):
    pair, grid, lp, lq = evaluated[name]
    mc = monte_carlo_rows(pair, LAMS, n, generator=7)
    for r in mc:
        exact = grid.integrate(value_integrand(lp, lq, optimal_logit(lp, lq, r.lam), r.lam))
        assert r.method == "monte_carlo" and r.n == n and r.stderr > 0
        assert abs(r.difference) < 4 * r.stderr, r
        assert abs(r.lhs - exact) < 4 * r.stderr and abs(r.rhs - exact) < 4 * r.stderr


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"lams": [1.0, 0.0]}, r"lambda must be a finite number > 0, got 0\.0"),
        ({"lams": [-2.0]}, r"lambda must be a finite number > 0, got -2\.0"),
        ({"lams": [math.nan]}, r"lambda must be a finite number > 0, got nan"),
        ({"pairs": ["gaussian_1d", "moons"]}, r"unknown pair 'moons'; known pairs: gaussian_1d"),
        ({"methods": ["exact"]}, r"unknown method 'exact'; allowed: quadrature, monte_carlo"),
        ({"grid_n": 0}, r"grid size n must be an integer >= 1, got 0"),
        ({"n_samples": 1}, r"n_samples must be an integer >= 2, got 1"),
        ({"lams": []}, r"must each name at least one value"),
    ],
)
def test_bad_arguments_raise_before_any_work(monkeypatch, kwargs, match):
    def no_work(*args, **kw):
        raise AssertionError("work started before validation")

    monkeypatch.setattr(theory, "get_pair", no_work)
    with pytest.raises(ValueError, match=match):
        check_theorem(**{"pairs": ["gaussian_1d"], **kwargs})


def test_pair_validation():
    g1, g2 = gaussian([0.0], [[1.0]]), gaussian([0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="p is 1-D but q is 2-D"):
        Pair("bad", g1, g2, -1.0, 1.0, 10)
    with pytest.raises(ValueError, match=r"finite low < high, got low=nan"):
        Pair("bad", g1, g1, math.nan, 1.0, 10)
    with pytest.raises(ValueError, match=r"grid size n must be an integer >= 1, got 0"):
        Pair("bad", g1, g1, -1.0, 1.0, 0)


def test_tables_render_every_row():
    rows = check_theorem(["gaussian_1d"], [1.0, 500.0], n_samples=500, seed=3)
    assert [(r.method, r.lam) for r in rows] == [
        ("quadrature", 1.0), ("quadrature", 500.0), ("monte_carlo", 1.0), ("monte_carlo", 500.0)
    ]  # fmt: skip
    md = to_markdown(rows).splitlines()
    assert len(md) == 2 + len(rows) and md[0].startswith("| pair | λ | method |")
    assert "| gaussian_1d | 500 | quadrature |" in md[3] and "—" in md[3]
    back = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert len(back) == len(rows)
    for r, d in zip(rows, back, strict=True):
        assert float(d["lhs"]) == r.lhs and float(d["rhs"]) == r.rhs and int(d["n"]) == r.n
    assert math.isnan(float(back[0]["stderr"]))
    # same seed, same Monte Carlo numbers
    again = check_theorem(["gaussian_1d"], [1.0], ["monte_carlo"], n_samples=500, seed=3)
    assert again[0].lhs == rows[2].lhs
