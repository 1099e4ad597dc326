"""Compiled full-batch metrics ``(L, ‖∇θL‖, ‖∇φL‖)`` at many iterates of the shifted
logistic game (fast path of ``metrics.trajectory_metrics_numpy``).

Per block of at most ``_ROWS`` iterates: the two N×p products are BLAS matrix products over
the whole block (``np.dot``); the elementwise work in between runs in passes that may
reassociate sums (``FAST``, so that LLVM vectorises the reductions), except the exponential,
whose Cody–Waite range reduction reassociation could undo. numba has no SVML here, so
``exp`` is a branch-free polynomial (~1 ulp) that LLVM vectorises, and the N ``log1p`` of
the softplus sum are folded into one (``_weights``). Data are zero-padded to a multiple of
8 samples; padding has label 0 and drops out of every sum.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from genlab.minimax._jit import FAST as _FAST
from genlab.minimax._jit import JIT as _JIT

__all__ = ["metrics_rows", "pad_data"]

_LN2_HI = 6.93147180369123816490e-01  # Cody–Waite split of ln 2 (fdlibm)
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_PAD = 8
_ROWS = 128  # iterates per block


@njit(inline="always", **_JIT)
def _exp_poly(x):
    """``(exp(r), k)`` with ``exp(x) = 2ᵏ exp(r)`` for ``−708 ≤ x ≤ 0``: k = round(x/ln2),
    r = x − k ln2 in Cody–Waite form (|r| ≤ ln2/2), exp(r) by its degree-13 Taylor polynomial
    (truncation < 1e-17). 2ᵏ is applied by the caller through the exponent bits."""
    k = math.floor(x * _INV_LN2 + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    q = 1.0 / 6227020800.0
    q = q * r + 1.0 / 479001600.0
    q = q * r + 1.0 / 39916800.0
    q = q * r + 1.0 / 3628800.0
    q = q * r + 1.0 / 362880.0
    q = q * r + 1.0 / 40320.0
    q = q * r + 1.0 / 5040.0
    q = q * r + 1.0 / 720.0
    q = q * r + 1.0 / 120.0
    q = q * r + 1.0 / 24.0
    q = q * r + 1.0 / 6.0
    q = q * r + 0.5
    q = q * r + 1.0
    return q * r + 1.0, k


@njit(fastmath=_FAST, **_JIT)
def _dots(TH, PH, r0, nrows, PT, PP):
    """``PT[j] = φᵀθ``, ``PP[j] = ‖φ‖²`` for iterates r0 + j, j < nrows."""
    p = TH.shape[1]
    for j in range(nrows):
        r = r0 + j
        pt = 0.0
        pp = 0.0
        for k in range(p):
            pt += PH[r, k] * TH[r, k]
            pp += PH[r, k] * PH[r, k]
        PT[j] = pt
        PP[j] = pp


@njit(**_JIT)
def _margins_exp(Yp, nrows, PT, M, E, bits, scale):
    """Given ``M[j] = Xθ``: margins ``M[j] ← Y ⊙ (Xθ − φᵀθ)`` and ``E[j] = exp(−|M[j]|)``
    (clamped at exp(−708) ≈ 3e-308), ~1 ulp (``_exp_poly``); ``bits`` (int64) and ``scale``
    (float64) are views of one buffer. No reassociation here (Cody–Waite)."""
    npad = M.shape[1]
    for j in range(nrows):
        pt = PT[j]
        for i in range(npad):
            mi = Yp[i] * (M[j, i] - pt)
            M[j, i] = mi
            v, k = _exp_poly(max(-abs(mi), -708.0))
            E[j, i] = v
            bits[j, i] = (np.int64(k) + 1023) << 52
    for j in range(nrows):
        for i in range(npad):
            E[j, i] *= scale[j, i]


@njit(fastmath=_FAST, **_JIT)
def _weights(Yp, n, lam, nrows, M, E, PP, W, SS, out, o0):
    """From margins ``M`` and ``E = exp(−|M|)``: weights ``W[j, i] = σ(−mᵢ)Yᵢ/N``, their sum
    ``SS[j] = S`` and ``out[0, o0 + j] = L = (1/N) Σ softplus(−mᵢ) − (λ/2)‖φ‖²``, with
    ``σ(−m) = e/(1+e)`` (m ≥ 0) or ``1/(1+e)`` and ``softplus(−m) = max(−m, 0) + log1p(e)``.

    The N ``log1p`` are folded into one: ``Σ log1p(eᵢ) = log1p(P)``, ``P = Π(1 + eᵢ) − 1``
    updated as ``P ← P + e + P·e`` (no cancellation, so no loss of relative accuracy for tiny
    e), in four interleaved products merged by ``(1+A)(1+B) − 1 = A + B + AB``.
    """
    npad = M.shape[1]
    inv_n = 1.0 / n
    for j in range(nrows):
        S = 0.0
        hinge = 0.0
        for i in range(npad):
            mi = M[j, i]
            ei = E[j, i] * (Yp[i] * Yp[i])  # 0 on padding
            rr = 1.0 / (1.0 + ei)
            sg = ei * rr if mi >= 0.0 else rr  # σ(−m)
            E[j, i] = ei
            W[j, i] = sg * Yp[i] * inv_n
            S += W[j, i]
            hinge += max(-mi, 0.0)
        a0 = a1 = a2 = a3 = 0.0
        for i in range(0, npad, 4):
            e0, e1, e2, e3 = E[j, i], E[j, i + 1], E[j, i + 2], E[j, i + 3]
            a0 = a0 + e0 + a0 * e0
            a1 = a1 + e1 + a1 * e1
            a2 = a2 + e2 + a2 * e2
            a3 = a3 + e3 + a3 * e3
        a0 = a0 + a1 + a0 * a1
        a2 = a2 + a3 + a2 * a3
        SS[j] = S
        out[0, o0 + j] = (hinge + math.log1p(a0 + a2 + a0 * a2)) * inv_n - 0.5 * lam * PP[j]


@njit(fastmath=_FAST, **_JIT)
def _grad_norms(lam, TH, PH, r0, nrows, G, SS, out, o0):
    """Given ``G[j] = Xᵀw``: ``out[1:, o0 + j] = ‖Sφ − Xᵀw‖, ‖Sθ − λφ‖`` (= ‖∇θL‖, ‖∇φL‖)."""
    p = TH.shape[1]
    for j in range(nrows):
        r = r0 + j
        S = SS[j]
        gt2 = 0.0
        gp2 = 0.0
        for k in range(p):
            gt = S * PH[r, k] - G[j, k]
            gp = S * TH[r, k] - lam * PH[r, k]
            gt2 += gt * gt
            gp2 += gp * gp
        out[1, o0 + j] = math.sqrt(gt2)
        out[2, o0 + j] = math.sqrt(gp2)


@njit(**_JIT)
def _scratch(npad, p):
    bits = np.empty((_ROWS, npad), np.int64)
    return (
        np.empty((_ROWS, npad)),  # M: margins
        np.empty((_ROWS, npad)),  # E: exp(−|margins|)
        bits,
        bits.view(np.float64),
        np.empty((_ROWS, npad)),  # W: weights
        np.empty((_ROWS, p)),  # G: Xᵀw
        np.empty(_ROWS),  # PT: φᵀθ
        np.empty(_ROWS),  # PP: ‖φ‖²
        np.empty(_ROWS),  # SS: Σw
    )


@njit(**_JIT)
def metrics_rows(XT, Xp, Yp, n, lam, TH, PH, r0, r1, out, o0):
    """``out[:, o0 + r − r0] = (L, ‖∇θL‖, ‖∇φL‖)`` at ``(TH[r], PH[r])`` for r in [r0, r1).

    ``XT`` (p, N_pad), ``Xp`` (N_pad, p), ``Yp`` (N_pad,) from ``pad_data``. With margins m,
    ``w = σ(−m) ⊙ Y / N`` and ``S = Σw``: ``∇θL = −Xᵀw + Sφ``, ``∇φL = Sθ − λφ``.
    """
    M, E, bits, scale, W, G, PT, PP, SS = _scratch(XT.shape[1], XT.shape[0])
    for b0 in range(r0, r1, _ROWS):
        nr = min(_ROWS, r1 - b0)
        o = o0 + b0 - r0
        np.dot(TH[b0 : b0 + nr], XT, M[:nr])  # Xθ, one row per iterate
        _dots(TH, PH, b0, nr, PT, PP)
        _margins_exp(Yp, nr, PT, M, E, bits, scale)
        _weights(Yp, n, lam, nr, M, E, PP, W, SS, out, o)
        np.dot(W[:nr], Xp, G[:nr])  # Xᵀw
        _grad_norms(lam, TH, PH, b0, nr, G, SS, out, o)


def pad_data(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Xᵀ, X, Y)`` zero-padded to a multiple of 8 samples: (p, N_pad), (N_pad, p), (N_pad,)."""
    n, p = X.shape
    npad = -(-n // _PAD) * _PAD
    Xp = np.zeros((npad, p))
    Xp[:n] = X
    Yp = np.zeros(npad)
    Yp[:n] = Y
    return np.ascontiguousarray(Xp.T), Xp, Yp
