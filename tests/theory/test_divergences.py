"""Contracts of the f-divergences: f(1) = 0, convexity, f', Fenchel–Young, closed forms."""

from __future__ import annotations

import math

import mpmath
import pytest
import torch

from genlab.theory.divergences import (
    DIVERGENCES,
    get_divergence,
    jensen_shannon,
    kullback_leibler,
    lambda_constant,
    lambda_gan,
    optimal_logit,
    perspective,
    value_integrand,
)

LAMBDAS = (0.1, 1.0, 10.0, 500.0, 1e6)
ALL = [DIVERGENCES[name]() for name in DIVERGENCES] + [lambda_gan(lam) for lam in LAMBDAS]
IDS = [d.name for d in ALL]
U = torch.logspace(-4, 4, 801, dtype=torch.float64)


@pytest.mark.parametrize("div", ALL, ids=IDS)
def test_f_vanishes_at_one(div):
    assert abs(float(div.f(torch.tensor([1.0], dtype=torch.float64)))) < 1e-15


@pytest.mark.parametrize("div", ALL, ids=IDS)
def test_f_is_convex(div):
    # midpoint convexity on random pairs spanning 8 decades, relative to the values' size
    g = torch.Generator().manual_seed(0)
    a, b = 10 ** (8 * torch.rand(2, 20000, generator=g, dtype=torch.float64) - 4)
    mid, avg = div.f((a + b) / 2), (div.f(a) + div.f(b)) / 2
    scale = 1 + div.f(a).abs() + div.f(b).abs()
    assert (mid <= avg + 1e-12 * scale).all()


@pytest.mark.parametrize("div", ALL, ids=IDS)
def test_derivative_matches_finite_differences(div):
    u = U[(U - 1).abs() > 1e-2]  # away from total variation's kink
    h = 1e-6 * u
    fd = (div.f(u + h) - div.f(u - h)) / (2 * h)
    torch.testing.assert_close(div.derivative(u), fd, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("div", ALL, ids=IDS)
def test_fenchel_young_equality_at_the_derivative(div):
    # f*(f'(u)) = u f'(u) − f(u): the sup defining f* is attained at u
    s = div.derivative(U)
    assert div.in_conjugate_domain(s).all()
    expected = s * U - div.f(U)
    torch.testing.assert_close(div.f_conjugate(s), expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("div", ALL, ids=IDS)
def test_fenchel_young_inequality(div):
    # f*(s) ≥ s·u − f(u) for every u > 0 and every s in the domain of f*
    lo, hi = div.conjugate_domain
    s = torch.linspace(max(lo, -30.0), min(hi, 30.0), 241, dtype=torch.float64)
    s = s[div.in_conjugate_domain(s)]
    bound = s[:, None] * U[None, :] - div.f(U)[None, :]
    gap = div.f_conjugate(s)[:, None] - bound
    assert (gap >= -1e-9 * (1 + bound.abs())).all()


BOUNDED = [d for d in ALL if any(math.isfinite(x) for x in d.conjugate_domain)]


@pytest.mark.parametrize("div", BOUNDED, ids=[d.name for d in BOUNDED])
def test_conjugate_is_infinite_off_its_domain(div):
    lo, hi = div.conjugate_domain
    off = torch.tensor([x for x in (lo - 1.0, hi + 1.0) if math.isfinite(x)], dtype=torch.float64)
    assert torch.isinf(div.f_conjugate(off)).all()


@pytest.mark.parametrize("lam", LAMBDAS)
def test_lambda_gan_matches_the_textbook_formula_in_high_precision(lam):
    mpmath.mp.dps = 50
    div = lambda_gan(lam)
    la = mpmath.mpf(lam)
    for u in (0.0, 1e-8, 0.3, 1.0, 1 + 1e-7, 2.5, 1e3, 1e9, 1e15):
        x = mpmath.mpf(u)
        exact = (x * mpmath.log(x) if u else 0) - (x + la) * mpmath.log(x + la)
        exact += (1 + la) * mpmath.log(1 + la)
        got = float(div.f(torch.tensor([u], dtype=torch.float64)))
        assert abs(got - float(exact)) <= 1e-12 * (1 + abs(float(exact)))
    c_exact = (1 + mpmath.mpf(lam)) * mpmath.log(1 + lam) - lam * mpmath.log(lam)
    assert lambda_constant(lam) == pytest.approx(float(c_exact), rel=1e-14)


@pytest.mark.parametrize("lam", LAMBDAS)
def test_lambda_gan_at_subnormal_and_huge_ratios(lam):
    # p/q underflows to a subnormal far in p's tails; f_λ(0) = c_λ and f_λ'(u) ≈ log(u/λ) there
    div = lambda_gan(lam)
    u = torch.tensor([0.0, 5e-324, 1e-310, 1e300], dtype=torch.float64)
    assert torch.isfinite(div.f(u)).all()
    assert float(div.f(u[:1])) == pytest.approx(lambda_constant(lam), rel=1e-14)
    assert float(div.f(u[1:2])) == pytest.approx(lambda_constant(lam), rel=1e-14)
    assert float(div.derivative(u[2:3])) == pytest.approx(
        math.log(1e-310) - math.log(lam), rel=1e-12
    )


def test_lambda_constant_special_values():
    assert lambda_constant(1.0) == pytest.approx(math.log(4), rel=1e-15)
    for lam in (1e-3, 0.1, 10.0, 500.0):  # c_λ = (1 + λ)·H(π), the binary entropy at π
        pi = 1 / (1 + lam)
        entropy = -pi * math.log(pi) - (1 - pi) * math.log1p(-pi)
        assert lambda_constant(lam) == pytest.approx((1 + lam) * entropy, rel=1e-12)


def test_lambda_gan_at_one_is_the_f_gan_gan_row_plus_log4():
    # f-GAN Table 2, "GAN": f(u) = u log u − (u + 1) log(u + 1), f*(t) = −log(1 − e^t);
    # the naive reference cancels terms of size u·log u, hence rtol 1e-10
    div = lambda_gan(1.0)
    naive = torch.xlogy(U, U) - (U + 1) * torch.log1p(U) + math.log(4)
    torch.testing.assert_close(div.f(U), naive, rtol=1e-10, atol=1e-12)
    t = -torch.logspace(-3, 2, 50, dtype=torch.float64)
    torch.testing.assert_close(
        div.f_conjugate(t), -torch.log(-torch.expm1(t)) - math.log(4), rtol=1e-12, atol=1e-12
    )


def test_jensen_shannon_generator_is_half_of_f_gan_row():
    # f-GAN's JS row integrates to 2·JS; ours is half of it
    expected = 0.5 * (torch.xlogy(U, U) - (U + 1) * torch.log((U + 1) / 2))
    torch.testing.assert_close(jensen_shannon().f(U), expected)


def test_perspective_is_kl_and_survives_underflow():
    log_p = torch.tensor([0.0, -3.0, -1e4, -800.0], dtype=torch.float64)
    log_q = torch.tensor([-1.0, -1.0, 0.0, -1e4], dtype=torch.float64)
    kl = perspective(kullback_leibler(), log_p, log_q)
    expected = torch.exp(log_p) * (log_p - log_q)
    torch.testing.assert_close(kl, expected)
    # λ-GAN: q f(p/q) → p·f'(∞) = 0 where q underflows against p; c_λ·q where p does
    vals = perspective(lambda_gan(500.0), log_p, log_q)
    assert torch.isfinite(vals).all()
    assert float(vals[2]) == pytest.approx(lambda_constant(500.0), rel=1e-12)
    assert abs(float(vals[3])) < 1e-300


def test_value_integrand_is_finite_at_extreme_logits():
    log_p = torch.tensor([0.0, -5.0], dtype=torch.float64)
    log_q = torch.tensor([-5.0, 0.0], dtype=torch.float64)
    s = torch.tensor([1e4, -1e4], dtype=torch.float64)
    v = value_integrand(log_p, log_q, s, 500.0)
    assert torch.isfinite(v).all()
    assert float(v[0]) == pytest.approx(-500 * math.exp(-5) * 1e4, rel=1e-12)
    s_star = optimal_logit(log_p, log_q, 500.0)
    assert torch.isfinite(value_integrand(log_p, log_q, s_star, 500.0)).all()


@pytest.mark.parametrize("lam", [0, -1.0, math.nan, math.inf, True, "1"])
def test_bad_lambda_names_value_and_range(lam):
    with pytest.raises(ValueError, match=r"lambda must be a finite number > 0, got"):
        lambda_gan(lam)


def test_unknown_divergence_lists_known():
    with pytest.raises(ValueError, match="known: kl, reverse_kl.*lambda_gan"):
        get_divergence("hellinger")
    with pytest.raises(ValueError, match="needs lam"):
        get_divergence("lambda_gan")
    assert get_divergence("lambda_gan", 2.0).name == "lambda_gan[2]"
