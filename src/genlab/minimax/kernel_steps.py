"""Compiled update rules for the shifted logistic game (fast path of ``rules.py``).

``run_steps`` advances a state array through steps t0 … t1−1 of a rule and records every
iterate; the equations are those of ``rules.py`` (tests compare the two to 1e-10). One state
array ``st`` with a row per vector (θ, φ, extrapolated point, previous gradients, averages)
instead of separate arrays or slices: a slice or a non-inlined call with array arguments
per step costs atomic reference-count updates, tens of ns each.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from genlab.minimax._jit import JIT as _JIT

__all__ = ["N_STATE_ROWS", "RULE_CODES", "average_rows", "new_state", "run_steps"]

RULE_CODES = {
    "homework": 0,
    "simultaneous": 1,
    "alternating": 2,
    "extragradient": 3,
    "optimistic": 4,
}
_HOMEWORK, _SIMULTANEOUS, _ALTERNATING, _EXTRAGRADIENT, _OPTIMISTIC = range(5)

# Rows of the per-run state ``st`` (N_STATE_ROWS, p).
_TH, _PH, _D, _TH_H, _PH_H, _PREV_T, _PREV_P, _AVG_T, _AVG_P = range(9)
N_STATE_ROWS = 9


@njit(**_JIT)
def _sigmoid_neg(m):
    """σ(−m) = 1/(1 + e^m) without overflow."""
    if m >= 0.0:
        e = math.exp(-m)
        return e / (1.0 + e)
    return 1.0 / (1.0 + math.exp(m))


# Both gradients are written through two numbers. For a summand i (stochastic) or the
# batch mean (i < 0), with wⱼ = σ(−mⱼ)Yⱼ/N:
#     ∇θ = Sφ − D,   ∇φ = Sθ − λφ,
# where S = σ(−mᵢ)Yᵢ and D = S·Xᵢ (summand), or S = Σⱼ wⱼ and D = Σⱼ wⱼXⱼ (batch).
# The update loops compute D on the fly (summand) or read it from st[_D] (batch), so no
# gradient vector is ever stored for a single sample: extra passes over p cost more than
# the arithmetic on this 20-dimensional problem.


@njit(inline="always", **_JIT)
def _coef_sample(X, Y, st, a, b, i):
    """``S = σ(−mᵢ)Yᵢ`` with ``mᵢ = Yᵢ(Xᵢ − φ)ᵀθ`` at ``θ = st[a]``, ``φ = st[b]``."""
    p = X.shape[1]
    p4 = p - p % 4
    m0 = m1 = m2 = m3 = 0.0  # four accumulators: a quarter of the dependency chain
    for k in range(0, p4, 4):
        m0 += (X[i, k] - st[b, k]) * st[a, k]
        m1 += (X[i, k + 1] - st[b, k + 1]) * st[a, k + 1]
        m2 += (X[i, k + 2] - st[b, k + 2]) * st[a, k + 2]
        m3 += (X[i, k + 3] - st[b, k + 3]) * st[a, k + 3]
    for k in range(p4, p):
        m0 += (X[i, k] - st[b, k]) * st[a, k]
    return _sigmoid_neg(Y[i] * ((m0 + m1) + (m2 + m3))) * Y[i]


@njit(**_JIT)
def _coef_batch(X, Y, st, a, b):
    """``S = Σⱼ wⱼ``; writes ``st[_D] = Σⱼ wⱼXⱼ`` (``wⱼ = σ(−mⱼ)Yⱼ/N``) at ``st[a], st[b]``."""
    n, p = X.shape
    pt = 0.0
    for k in range(p):
        pt += st[b, k] * st[a, k]
        st[_D, k] = 0.0
    S = 0.0
    for j in range(n):
        xt = 0.0
        for k in range(p):
            xt += X[j, k] * st[a, k]
        w = _sigmoid_neg(Y[j] * (xt - pt)) * Y[j] / n
        S += w
        for k in range(p):
            st[_D, k] += w * X[j, k]
    return S


@njit(inline="always", **_JIT)
def _coef(X, Y, st, a, b, i):
    return _coef_sample(X, Y, st, a, b, i) if i >= 0 else _coef_batch(X, Y, st, a, b)


@njit(**_JIT)
def run_steps(
    X, Y, lam, st, indices, t0, t1, full_batch, rule, first_theta, alpha, beta, TH, PH, o0
):
    """Steps ``t0 … t1−1`` of ``rule`` on ``θ = st[_TH]``, ``φ = st[_PH]``; the iterate after
    step t goes to row ``o0 + t − t0`` of ``TH``, ``PH``. Equations: see ``rules.py``."""
    p = X.shape[1]
    for t in range(t0, t1):
        i = -1 if full_batch else indices[t]
        r = o0 + t - t0
        if rule == _HOMEWORK and i >= 0:  # the default rule, one sample: fused passes
            S = _coef_sample(X, Y, st, _TH, _PH, i)
            m = 0.0
            for k in range(p):  # φ += βSθ − λφ, and the margin at the new φ
                ph = st[_PH, k] + beta * S * st[_TH, k] - lam * st[_PH, k]
                st[_PH, k] = ph
                m += (X[i, k] - ph) * st[_TH, k]
            S = _sigmoid_neg(Y[i] * m) * Y[i]
            for k in range(p):  # θ −= α∇θ = α S (φ − Xᵢ), and record
                th = st[_TH, k] - alpha * S * (st[_PH, k] - X[i, k])
                st[_TH, k] = th
                TH[r, k] = th
                PH[r, k] = st[_PH, k]
            continue
        if rule == _HOMEWORK:  # φ += βSθ − λφ, then θ −= α∇θ at the new φ
            S = _coef(X, Y, st, _TH, _PH, i)
            for k in range(p):
                st[_PH, k] = st[_PH, k] + beta * S * st[_TH, k] - lam * st[_PH, k]
            S = _coef(X, Y, st, _TH, _PH, i)
            for k in range(p):
                d = S * X[i, k] if i >= 0 else st[_D, k]
                st[_TH, k] -= alpha * (S * st[_PH, k] - d)
        elif rule == _SIMULTANEOUS:
            S = _coef(X, Y, st, _TH, _PH, i)
            for k in range(p):
                d = S * X[i, k] if i >= 0 else st[_D, k]
                gt = S * st[_PH, k] - d
                gp = S * st[_TH, k] - lam * st[_PH, k]
                st[_TH, k] -= alpha * gt
                st[_PH, k] += beta * gp
        elif rule == _ALTERNATING and first_theta:
            S = _coef(X, Y, st, _TH, _PH, i)
            for k in range(p):
                d = S * X[i, k] if i >= 0 else st[_D, k]
                st[_TH, k] -= alpha * (S * st[_PH, k] - d)
            S = _coef(X, Y, st, _TH, _PH, i)
            for k in range(p):
                st[_PH, k] += beta * (S * st[_TH, k] - lam * st[_PH, k])
        elif rule == _ALTERNATING:
            S = _coef(X, Y, st, _TH, _PH, i)
            for k in range(p):
                st[_PH, k] += beta * (S * st[_TH, k] - lam * st[_PH, k])
            S = _coef(X, Y, st, _TH, _PH, i)
            for k in range(p):
                d = S * X[i, k] if i >= 0 else st[_D, k]
                st[_TH, k] -= alpha * (S * st[_PH, k] - d)
        elif rule == _EXTRAGRADIENT:
            S = _coef(X, Y, st, _TH, _PH, i)
            for k in range(p):
                d = S * X[i, k] if i >= 0 else st[_D, k]
                st[_TH_H, k] = st[_TH, k] - alpha * (S * st[_PH, k] - d)
                st[_PH_H, k] = st[_PH, k] + beta * (S * st[_TH, k] - lam * st[_PH, k])
            S = _coef(X, Y, st, _TH_H, _PH_H, i)
            for k in range(p):
                d = S * X[i, k] if i >= 0 else st[_D, k]
                st[_TH, k] -= alpha * (S * st[_PH_H, k] - d)
                st[_PH, k] += beta * (S * st[_TH_H, k] - lam * st[_PH_H, k])
        else:  # optimistic; the "previous" gradient is zero at t = 0
            S = _coef(X, Y, st, _TH, _PH, i)
            for k in range(p):
                d = S * X[i, k] if i >= 0 else st[_D, k]
                gt = S * st[_PH, k] - d
                gp = S * st[_TH, k] - lam * st[_PH, k]
                pt, pp = (0.0, 0.0) if t == 0 else (st[_PREV_T, k], st[_PREV_P, k])
                st[_TH, k] = st[_TH, k] - 2.0 * alpha * gt + alpha * pt
                st[_PH, k] = st[_PH, k] + 2.0 * beta * gp - beta * pp
                st[_PREV_T, k] = gt
                st[_PREV_P, k] = gp
        for k in range(p):
            TH[r, k] = st[_TH, k]
            PH[r, k] = st[_PH, k]


@njit(**_JIT)
def average_rows(st, TH, PH, AT, AP, nrows, t0):
    """Running uniform average: rows of ``AT``/``AP`` get ``x̄ₜ = x̄ₜ₋₁ + (xₜ − x̄ₜ₋₁)/(t+1)``
    for the iterates in the first ``nrows`` rows of ``TH``/``PH`` (steps t0, t0+1, …); the
    running state lives in ``st[_AVG_T]``, ``st[_AVG_P]``."""
    p = st.shape[1]
    for r in range(nrows):
        t = t0 + r
        c = 1.0 / (t + 1)
        for k in range(p):
            at, ap = st[_AVG_T, k], st[_AVG_P, k]
            at = TH[r, k] if t == 0 else at + (TH[r, k] - at) * c
            ap = PH[r, k] if t == 0 else ap + (PH[r, k] - ap) * c
            st[_AVG_T, k], st[_AVG_P, k] = at, ap
            AT[r, k], AP[r, k] = at, ap


def new_state(theta0: np.ndarray, phi0: np.ndarray) -> np.ndarray:
    """The per-run state ``st`` for ``run_steps``: θ₀ and φ₀ in their rows, zeros elsewhere."""
    st = np.zeros((N_STATE_ROWS, theta0.shape[0]))
    st[_TH] = theta0
    st[_PH] = phi0
    return st
