"""f-divergences, their convex conjugates, and the λ-GAN divergence of hw12 Problem 2.

An f-divergence is D_f(p‖q) = ∫ q(x) f(p(x)/q(x)) dx for a convex generator f with f(1) = 0
(Csiszár 1967; Ali & Silvey 1966). Its convex (Fenchel) conjugate f*(t) = sup_u (t·u − f(u))
gives the variational bound that f-GAN trains (Nowozin, Cseke & Tomioka 2016, "f-GAN", eq. 4):

    D_f(p‖q) ≥ sup_T  E_p[T(x)] − E_q[f*(T(x))],   equality at T = f'(p/q).

**The λ-GAN divergence.** f_λ(u) = u log u − (u + λ) log(u + λ) + (1 + λ) log(1 + λ), λ > 0.
f_λ(1) = 0, f_λ'(u) = log(u/(u + λ)) < 0, f_λ''(u) = λ/(u(u + λ)) > 0: convex and decreasing.
Its conjugate (solve t = f_λ'(u), i.e. u = λe^t/(1 − e^t)) is

    f_λ*(t) = −λ log(1 − e^t) − c_λ,   t < 0,   c_λ = (1 + λ) log(1 + λ) − λ log λ.

Put T = log D with D ∈ (0, 1) into the bound: E_p log D + λ E_q log(1 − D) + c_λ ≤ D_{f_λ}(p‖q),
i.e. V_λ(D) ≤ D_{f_λ}(p‖q) − c_λ, with equality at log D* = f_λ'(p/q), D* = p/(p + λq): the hw12
theorem, max_D V_λ = D_{f_λ}(p‖q) − c_λ. At λ = 1, f_1 is f-GAN's "GAN" row plus log 4.

**Weighted Jensen–Shannon.** With π = 1/(1 + λ) and m = πp + (1 − π)q = (p + λq)/(1 + λ),

    JS_π(p, q) = π KL(p‖m) + (1 − π) KL(q‖m)
               = π ∫p log(p/(p + λq)) + (1 − π) ∫q log(q/(p + λq)) + log(1 + λ),

and expanding ∫ q f_λ(p/q) = ∫p log(p/(p + λq)) + λ∫q log(q/(p + λq)) + (1 + λ) log(1 + λ)
gives D_{f_λ}(p‖q) = (1 + λ)·JS_π(p, q). Since JS_π ≤ H(π) (the binary entropy),
0 ≤ D_{f_λ} ≤ (1 + λ)H(π) = c_λ, hence −c_λ ≤ max_D V_λ ≤ 0; at λ = 1: 2·JS − log 4.

Every function works on float64 tensors and in log space where it matters: at λ = 500 the
optimal D sits near 1/(1 + λ), so log D and log(1 − D) are taken from logits via softplus.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from genlab.base.errors import UserError

Fn = Callable[[torch.Tensor], torch.Tensor]
INF = math.inf


@dataclass(frozen=True)
class FDivergence:
    """A generator f with its conjugate f*, derivative f', and the effective domain of f*.

    ``f_conjugate`` returns +inf outside ``conjugate_domain`` (the convention for closed convex
    functions); the domain is an open interval unless ``conjugate_domain_closed``.
    """

    name: str
    f: Fn
    """The generator f(u), u ≥ 0 (convex, f(1) = 0)."""
    f_conjugate: Fn
    """f*(t) = sup_u (t·u − f(u))."""
    derivative: Fn
    """f'(u) (a subgradient where f has a kink)."""
    conjugate_domain: tuple[float, float]
    conjugate_domain_closed: bool = False
    source: str = "Nowozin, Cseke & Tomioka 2016, f-GAN, Tables 1-2"

    def in_conjugate_domain(self, t: torch.Tensor) -> torch.Tensor:
        return _inside(self.conjugate_domain, self.conjugate_domain_closed, t)


def _inside(domain: tuple[float, float], closed: bool, t: torch.Tensor) -> torch.Tensor:
    lo, hi = domain
    return ((t >= lo) & (t <= hi)) if closed else ((t > lo) & (t < hi))


def _outside_inf(
    domain: tuple[float, float], closed: bool, t: torch.Tensor, value: torch.Tensor
) -> torch.Tensor:
    """``value`` on the domain, +inf off it (nan/inf computed off the domain are discarded)."""
    return torch.where(_inside(domain, closed, t), value, torch.full_like(t, INF))


def kullback_leibler() -> FDivergence:
    """KL(p‖q) = ∫ p log(p/q).  f(u) = u log u,  f*(t) = exp(t − 1),  t ∈ ℝ.  (f-GAN Tables 1-2)"""
    return FDivergence(
        "kl",
        f=lambda u: torch.xlogy(u, u),
        f_conjugate=lambda t: torch.exp(t - 1),
        derivative=lambda u: 1 + torch.log(u),
        conjugate_domain=(-INF, INF),
    )


def reverse_kl() -> FDivergence:
    """KL(q‖p).  f(u) = −log u,  f*(t) = −1 − log(−t),  t < 0.  (f-GAN Tables 1-2)"""
    dom = (-INF, 0.0)
    return FDivergence(
        "reverse_kl",
        f=lambda u: -torch.log(u),
        f_conjugate=lambda t: _outside_inf(dom, False, t, -1 - torch.log(-t)),
        derivative=lambda u: -1 / u,
        conjugate_domain=dom,
    )


def pearson_chi2() -> FDivergence:
    """Pearson χ² = ∫ (p − q)²/q.  f(u) = (u − 1)²,  f*(t) = t²/4 + t,  t ∈ ℝ.

    Source: f-GAN Tables 1-2.
    """
    return FDivergence(
        "pearson_chi2",
        f=lambda u: (u - 1).square(),
        f_conjugate=lambda t: t.square() / 4 + t,
        derivative=lambda u: 2 * (u - 1),
        conjugate_domain=(-INF, INF),
    )


def squared_hellinger() -> FDivergence:
    """H² = ∫ (√p − √q)².  f(u) = (√u − 1)²,  f*(t) = t/(1 − t),  t < 1.  (f-GAN Tables 1-2)

    No factor ½, as in f-GAN's table.
    """
    dom = (-INF, 1.0)
    return FDivergence(
        "squared_hellinger",
        f=lambda u: (u.sqrt() - 1).square(),
        f_conjugate=lambda t: _outside_inf(dom, False, t, t / (1 - t)),
        derivative=lambda u: 1 - u.rsqrt(),
        conjugate_domain=dom,
    )


def total_variation() -> FDivergence:
    """TV = ½∫|p − q|.  f(u) = ½|u − 1|,  f*(t) = t on |t| ≤ ½.  (f-GAN Tables 1-2)

    f' is the subgradient ½·sign(u − 1) (0 at the kink u = 1).
    """
    dom = (-0.5, 0.5)
    return FDivergence(
        "total_variation",
        f=lambda u: 0.5 * (u - 1).abs(),
        f_conjugate=lambda t: _outside_inf(dom, True, t, t),
        derivative=lambda u: 0.5 * torch.sign(u - 1),
        conjugate_domain=dom,
        conjugate_domain_closed=True,
    )


def jensen_shannon() -> FDivergence:
    """JS = ½ KL(p‖m) + ½ KL(q‖m), m = (p + q)/2.

    f(u) = ½[u log u − (u + 1) log((u + 1)/2)],  f*(t) = −½ log(2 − e^{2t}),  t < ½ log 2.

    f-GAN's Table 1 lists the generator without the ½, which integrates to 2·JS; this is that
    row scaled by ½ (and (a·f)*(t) = a·f*(t/a) for its conjugate).
    """
    dom = (-INF, 0.5 * math.log(2))
    return FDivergence(
        "jensen_shannon",
        f=lambda u: 0.5 * (torch.xlogy(u, u) - (u + 1) * torch.log((u + 1) / 2)),
        f_conjugate=lambda t: _outside_inf(dom, False, t, -0.5 * torch.log(2 - torch.exp(2 * t))),
        derivative=lambda u: 0.5 * (torch.log(2 * u) - torch.log1p(u)),
        conjugate_domain=dom,
    )


def check_lambda(lam: float) -> float:
    """λ as a float, or ValueError naming the value and the allowed range (0, ∞)."""
    if isinstance(lam, bool) or not isinstance(lam, (int, float)):
        raise UserError(f"lambda must be a finite number > 0, got {lam!r}")
    if not math.isfinite(lam) or lam <= 0:
        raise UserError(f"lambda must be a finite number > 0, got {lam!r}")
    return float(lam)


def lambda_constant(lam: float) -> float:
    """c_λ = (1 + λ) log(1 + λ) − λ log λ, computed as log(1 + λ) + λ·log(1 + 1/λ).

    The rearranged form has no cancellation for large λ (c_λ ≈ log λ + 1 as λ → ∞) and
    c_λ → 0 as λ → 0. c_1 = log 4. (hw12 Problem 2)
    """
    lam = check_lambda(lam)
    return math.log1p(lam) + lam * math.log1p(1 / lam)


def lambda_gan(lam: float) -> FDivergence:
    """The λ-GAN divergence of hw12 Problem 2 (λ = 1: f-GAN's "GAN" row plus log 4).

    f_λ(u) = u log u − (u + λ) log(u + λ) + (1 + λ) log(1 + λ)
           = −u·log1p(λ/u) − λ·log1p((u − 1)/(1 + λ)) + log1p(λ)   (the form used: exact 0 at
             u = 1, and no cancellation between terms of size u·log u for large u or λ),
    f_λ'(u) = log(u/(u + λ)) = −log1p(λ/u)  (the latter for u ≥ 1),
    f_λ*(t) = −λ log(1 − e^t) − c_λ,  t < 0  (derived in the module docstring).
    """
    lam = check_lambda(lam)
    log1p_lam, c = math.log1p(lam), lambda_constant(lam)
    dom = (-INF, 0.0)

    def log_ratio(u: torch.Tensor) -> torch.Tensor:  # log(u/(u + λ)) = f_λ'(u)
        # −log1p(λ/u) is exact for u ≥ 1; below, λ/u may overflow (u subnormal)
        return torch.where(u < 1, torch.log(u) - torch.log(u + lam), -torch.log1p(lam / u))

    def f(u: torch.Tensor) -> torch.Tensor:
        first = torch.where(u == 0, 0.0, u * log_ratio(u))  # u log(u/(u + λ)) → 0 at u = 0
        return first - lam * torch.log1p((u - 1) / (1 + lam)) + log1p_lam

    def f_conjugate(t: torch.Tensor) -> torch.Tensor:
        return _outside_inf(dom, False, t, -lam * torch.log(-torch.expm1(t)) - c)

    return FDivergence(
        f"lambda_gan[{lam:g}]",
        f=f,
        f_conjugate=f_conjugate,
        derivative=log_ratio,
        conjugate_domain=dom,
        source="hw12 Problem 2; conjugate derived here (f-GAN's GAN row at λ = 1)",
    )


DIVERGENCES: dict[str, Callable[[], FDivergence]] = {
    "kl": kullback_leibler,
    "reverse_kl": reverse_kl,
    "pearson_chi2": pearson_chi2,
    "squared_hellinger": squared_hellinger,
    "total_variation": total_variation,
    "jensen_shannon": jensen_shannon,
}


def get_divergence(name: str, lam: float | None = None) -> FDivergence:
    """A divergence by name; ``"lambda_gan"`` needs ``lam``. Unknown names list the known ones."""
    if name == "lambda_gan":
        if lam is None:
            raise UserError("divergence 'lambda_gan' needs lam, a finite number > 0")
        return lambda_gan(lam)
    if name not in DIVERGENCES:
        known = ", ".join([*DIVERGENCES, "lambda_gan"])
        raise UserError(f"unknown divergence {name!r}; known: {known}")
    return DIVERGENCES[name]()


# --- pointwise integrands in log space -------------------------------------------------------


def _times(weight: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
    """weight·value with 0·(±inf or nan) = 0: a zero density contributes nothing."""
    return torch.where(weight == 0, torch.zeros_like(value), weight * value)


def perspective(div: FDivergence, log_p: torch.Tensor, log_q: torch.Tensor) -> torch.Tensor:
    """The integrand q·f(p/q) of D_f, from log densities, through the generator f itself.

    Where p ≤ q it is q·f(u) with u = e^{log p − log q} ≤ 1; where p > q it is p·(f(u)/u), so
    neither factor underflows against an overflowing one. Non-finite where u overflows.
    """
    r = log_p - log_q
    r = torch.where(torch.isneginf(log_p) & torch.isneginf(log_q), 0.0, r)  # 0/0: no mass
    small = r <= 0
    u_small = torch.where(small, r, 0.0).exp()  # u ≤ 1
    u_big = torch.where(small, 0.0, r).exp()  # u ≥ 1
    return torch.where(
        small,
        _times(log_q.exp(), div.f(u_small)),
        _times(log_p.exp(), div.f(u_big) / u_big),
    )


def optimal_logit(log_p: torch.Tensor, log_q: torch.Tensor, lam: float) -> torch.Tensor:
    """logit D*_λ = log p − log λ − log q, for D*_λ = p/(p + λq) (hw12 Problem 2)."""
    return log_p - math.log(check_lambda(lam)) - log_q


def value_integrand(
    log_p: torch.Tensor, log_q: torch.Tensor, logit: torch.Tensor, lam: float
) -> torch.Tensor:
    """p·log D + λ·q·log(1 − D) with log D = −softplus(−s), log(1 − D) = −softplus(s).

    Integrating it over x gives V_λ(D) = E_p log D + λ E_q log(1 − D) (hw12 Problem 2).
    """
    lam = check_lambda(lam)
    return _times(log_p.exp(), -F.softplus(-logit)) + lam * _times(log_q.exp(), -F.softplus(logit))


def weighted_js_integrand(log_p: torch.Tensor, log_q: torch.Tensor, pi: float) -> torch.Tensor:
    """π·p·log(p/m) + (1 − π)·q·log(q/m), m = πp + (1 − π)q; integrates to JS_π(p, q)."""
    if not 0 < pi < 1:
        raise UserError(f"pi must lie in (0, 1), got {pi!r}")
    log_m = torch.logaddexp(math.log(pi) + log_p, math.log1p(-pi) + log_q)
    return pi * _times(log_p.exp(), log_p - log_m) + (1 - pi) * _times(log_q.exp(), log_q - log_m)
