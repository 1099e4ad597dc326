"""The λ-GAN theorem of hw12 Problem 2, checked numerically on pairs with exact densities.

For V_λ(D) = E_p log D + λ E_q log(1 − D) the maximiser is D* = p/(p + λq) and

    max_D V_λ(D) = V_λ(D*) = D_{f_λ}(p‖q) − c_λ,   c_λ = (1 + λ) log(1 + λ) − λ log λ,

with −c_λ ≤ V_λ(D*) ≤ 0 (see ``genlab.theory.divergences``). The two sides are computed by separate
code paths: the left from the discriminator's logit s* = log p − log λ − log q through
log D = −softplus(−s), log(1 − D) = −softplus(s); the right from the generator f_λ evaluated
at the density ratio p/q. Each row is computed

* by quadrature: a midpoint rule on a window holding all but ~1e-9 of both densities, so the
  sides agree to ~c_λ·(1 − ∫_window q) plus rounding;
* by Monte Carlo: lhs from x ~ p and y ~ q, rhs = E_q f_λ(p/q) − c_λ from independent y' ~ q,
  each with its standard error; the samples are shared across λ.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import torch

from genlab.base.checks import check_int
from genlab.base.errors import UserError
from genlab.data.samplers import as_generator
from genlab.theory.densities import Density, gaussian, ring, swiss_roll
from genlab.theory.divergences import (
    check_lambda,
    lambda_constant,
    lambda_gan,
    optimal_logit,
    perspective,
    value_integrand,
)
from genlab.theory.quadrature import Grid, uniform_grid

METHODS = ("quadrature", "monte_carlo")
DEFAULT_LAMBDAS = (0.1, 1.0, 10.0, 500.0)


@dataclass(frozen=True)
class Pair:
    """Two densities p, q of the same dimension and the quadrature window for them.

    The window [low, high]^dim must hold all but ~1e-9 of p and of q (the quadrature error of
    the identity is about c_λ times q's missing mass); ``n`` cells per axis must resolve p's
    narrowest feature (spacing ≤ 0.8σ gives ~1e-9 relative accuracy, see ``quadrature``).
    """

    name: str
    p: Density
    q: Density
    low: float
    high: float
    n: int

    def __post_init__(self) -> None:
        if self.p.dim != self.q.dim:
            raise UserError(f"pair {self.name!r}: p is {self.p.dim}-D but q is {self.q.dim}-D")
        uniform_grid(self.low, self.high, 1, self.p.dim)  # validates the window
        _count("grid size n", self.n, 1)

    def grid(self, n: int | None = None) -> Grid:
        return uniform_grid(self.low, self.high, self.n if n is None else n, self.p.dim)


PAIRS: dict[str, Callable[[], Pair]] = {
    "gaussian_1d": lambda: Pair(
        "gaussian_1d", gaussian([0.0], [[1.0]]), gaussian([1.0], [[2.25]]), -16.0, 16.0, 3200
    ),
    "gaussian_2d": lambda: Pair(
        "gaussian_2d",
        gaussian([0.0, 0.0], [[1.0, 0.5], [0.5, 1.0]]),
        gaussian([1.0, -0.5], [[2.0, 0.0], [0.0, 0.5]]),
        -12.0,
        12.0,
        480,
    ),
    "ring_vs_gaussian": lambda: Pair(
        "ring_vs_gaussian",
        ring(),
        gaussian([0.0, 0.0], [[0.25, 0.0], [0.0, 0.25]], "gaussian"),
        -3.3,
        3.3,
        1320,
    ),
    "swiss_roll_vs_gaussian": lambda: Pair(
        "swiss_roll_vs_gaussian",
        swiss_roll(),
        gaussian([0.0, 0.0], [[0.25, 0.0], [0.0, 0.25]], "gaussian"),
        -3.3,
        3.3,
        330,
    ),
}
"""Pairs (p, q) with exact densities; each window misses < 1e-9 of q's mass (N(0, 0.5²I) on
[−3.3, 3.3]²: 8e-11) and its spacing is at most 0.8 of p's narrowest std (0.02 for the swiss
roll's 0.025 noise, 0.005 for the ring's 0.01)."""


def pair_for(p: Density, q: Density, *, spacing: float = 0.8) -> Pair:
    """A pair with an automatic window: [−w, w]^dim, w = the larger ``support``, and a spacing
    of ``spacing`` × the smaller ``scale`` (see ``Density``)."""
    if not (math.isfinite(spacing) and spacing > 0):
        raise UserError(f"spacing must be a finite number > 0, got {spacing!r}")
    w = max(p.support, q.support)
    n = math.ceil(2 * w / (spacing * min(p.scale, q.scale)))
    return Pair(f"{p.name}_vs_{q.name}", p, q, -w, w, n)


def get_pair(name: str) -> Pair:
    """The registered pair called ``name``; an unknown name lists the known ones."""
    if name not in PAIRS:
        raise UserError(f"unknown pair {name!r}; known pairs: {', '.join(PAIRS)}")
    return PAIRS[name]()


@dataclass(frozen=True)
class TheoryRow:
    """One check of max_D V_λ = D_{f_λ}(p‖q) − c_λ."""

    pair: str
    lam: float
    method: str
    """``quadrature`` or ``monte_carlo``."""
    lhs: float
    """V_λ(D*), from the optimal logit."""
    rhs: float
    """D_{f_λ}(p‖q) − c_λ, from the generator f_λ at p/q."""
    difference: float
    """lhs − rhs."""
    stderr: float
    """Standard error of the difference (Monte Carlo); nan for quadrature."""
    lhs_stderr: float
    """Standard error of lhs (Monte Carlo); nan for quadrature."""
    rhs_stderr: float
    """Standard error of rhs (Monte Carlo); nan for quadrature."""
    lower_bound: float
    """−c_λ."""
    upper_bound: float
    """0."""
    n: int
    """Grid points (quadrature) or samples per expectation (Monte Carlo)."""
    seconds: float
    """Wall time of the row, including evaluating the densities (shared across λ)."""


def _count(name: str, value: int, minimum: int) -> int:
    return check_int(name, value, minimum)


def validate(pairs: Sequence[str], lams: Sequence[float], methods: Sequence[str]) -> None:
    """Check every argument before any work; ValueError names the value and the allowed set."""
    if not pairs or not lams or not methods:
        raise UserError("pairs, lambdas and methods must each name at least one value")
    for name in pairs:
        if name not in PAIRS:
            raise UserError(f"unknown pair {name!r}; known pairs: {', '.join(PAIRS)}")
    for lam in lams:
        check_lambda(lam)
    for m in methods:
        if m not in METHODS:
            raise UserError(f"unknown method {m!r}; allowed: {', '.join(METHODS)}")


def _row(
    pair: str, lam: float, method: str, lhs: float, rhs: float, se: tuple[float, float],
    n: int, seconds: float,
) -> TheoryRow:  # fmt: skip
    se_l, se_r = se
    c = lambda_constant(lam)
    se_d = math.sqrt(se_l**2 + se_r**2)
    return TheoryRow(pair, lam, method, lhs, rhs, lhs - rhs, se_d, se_l, se_r, -c, 0.0, n, seconds)


def quadrature_rows(pair: Pair, lams: Iterable[float], n: int | None = None) -> list[TheoryRow]:
    """Both sides of the identity by the midpoint rule on ``pair.grid(n)``, one row per λ."""
    lams = [check_lambda(lam) for lam in lams]
    grid = pair.grid(n)
    start = time.perf_counter()
    log_p, log_q = pair.p.log_prob(grid.points), pair.q.log_prob(grid.points)
    shared = time.perf_counter() - start
    rows = []
    for lam in lams:
        start = time.perf_counter()
        s = optimal_logit(log_p, log_q, lam)
        lhs = grid.integrate(value_integrand(log_p, log_q, s, lam))
        rhs = grid.integrate(perspective(lambda_gan(lam), log_p, log_q)) - lambda_constant(lam)
        if not (math.isfinite(lhs) and math.isfinite(rhs)):
            raise UserError(
                f"pair {pair.name!r}, lambda {lam:g}: non-finite quadrature (lhs={lhs}, "
                f"rhs={rhs}); p/q overflows on the window [{pair.low}, {pair.high}]"
            )
        seconds = shared + time.perf_counter() - start
        rows.append(
            _row(pair.name, lam, "quadrature", lhs, rhs, (math.nan,) * 2, len(grid.points), seconds)
        )
    return rows


def _mean_se(x: torch.Tensor) -> tuple[float, float]:
    return float(x.mean()), float(x.std() / math.sqrt(len(x)))


def monte_carlo_rows(
    pair: Pair, lams: Iterable[float], n_samples: int, *, generator: torch.Generator | int | None
) -> list[TheoryRow]:
    """Both sides by Monte Carlo with n_samples draws per expectation, one row per λ.

    lhs = mean_x log D*(x) + λ·mean_y log(1 − D*(y)), x ~ p, y ~ q; rhs = mean_y' f_λ(p/q)(y')
    − c_λ, y' ~ q independent of y; ``stderr`` = sqrt(lhs_stderr² + rhs_stderr²).
    """
    lams = [check_lambda(lam) for lam in lams]
    _count("n_samples", n_samples, 2)
    g = as_generator(generator)
    start = time.perf_counter()
    x, y, y2 = (
        pair.p.sample(n_samples, generator=g),
        *(pair.q.sample(n_samples, generator=g) for _ in range(2)),
    )
    lp_x, lq_x = pair.p.log_prob(x), pair.q.log_prob(x)
    lp_y, lq_y = pair.p.log_prob(y), pair.q.log_prob(y)
    ratio = torch.exp(pair.p.log_prob(y2) - pair.q.log_prob(y2))  # p/q at y' ~ q
    shared = time.perf_counter() - start
    rows = []
    for lam in lams:
        start = time.perf_counter()
        log_d = -torch.nn.functional.softplus(-optimal_logit(lp_x, lq_x, lam))
        log_1md = -torch.nn.functional.softplus(optimal_logit(lp_y, lq_y, lam))
        (a, se_a), (b, se_b) = _mean_se(log_d), _mean_se(log_1md)
        f_vals = lambda_gan(lam).f(ratio)
        if not torch.isfinite(f_vals).all():
            raise UserError(f"pair {pair.name!r}: p/q overflows at samples of q (lambda {lam:g})")
        rhs, se_r = _mean_se(f_vals)
        se_l = math.sqrt(se_a**2 + (lam * se_b) ** 2)
        seconds = shared + time.perf_counter() - start
        row = _row(pair.name, lam, "monte_carlo", a + lam * b, rhs - lambda_constant(lam),
                   (se_l, se_r), n_samples, seconds)  # fmt: skip
        rows.append(row)
    return rows


def check_theorem(
    pairs: Sequence[str] = tuple(PAIRS),
    lams: Sequence[float] = DEFAULT_LAMBDAS,
    methods: Sequence[str] = METHODS,
    *,
    n_samples: int = 100_000,
    seed: int = 0,
    grid_n: int | None = None,
) -> list[TheoryRow]:
    """The table the CLI prints: every pair × method × λ (all arguments validated first).

    Monte Carlo for pair i draws from the seed (seed, i) stream, so rows are reproducible and
    independent across pairs. ``grid_n`` overrides each pair's grid size.
    """
    validate(pairs, lams, methods)
    _count("n_samples", n_samples, 2)
    if grid_n is not None:
        _count("grid size n", grid_n, 1)
    rows: list[TheoryRow] = []
    for i, name in enumerate(pairs):
        pair = get_pair(name)
        if "quadrature" in methods:
            rows += quadrature_rows(pair, lams, grid_n)
        if "monte_carlo" in methods:
            g = torch.Generator().manual_seed(seed * 1_000_003 + i)
            rows += monte_carlo_rows(pair, lams, n_samples, generator=g)
    return rows
