"""Compiled (numba) fast path for the shifted logistic game: update rules and metrics.

Same equations as ``rules.py`` (the NumPy reference; tests check agreement to 1e-10),
specialised to ``L(θ, φ) = (1/N) Σᵢ softplus(−Yᵢ(Xᵢ − φ)ᵀθ) − (λ/2)‖φ‖²``:

* ``trajectory``: T steps of a rule, every iterate written into preallocated ``(T, p)``
  arrays (sample indices pre-drawn; full batch ignores them).
* ``trajectory_metrics``: afterwards, ``L``, ``‖∇θL‖``, ``‖∇φL‖`` at every recorded iterate,
  in blocks of ``_ROWS`` iterates (memory bounded by the block, not by T).
* ``seed_run``: both, chunk by chunk (``_CHUNK`` steps into a small buffer, then their
  metrics), so that many seeds × 150 000 steps never hold a trajectory in memory. It calls
  the same ``run_steps`` and ``metrics_rows`` and so reproduces the two above bit for bit.
  The kernels release the GIL (``nogil``): seeds run in parallel on plain threads, which
  avoids numba's slow ``parallel=True`` compilation. The drivers are plain Python looping
  over chunks: a compiled driver would re-optimise every kernel it calls (seconds of
  compilation each) to save microseconds.

Why the code looks the way it does (each point measured on the homework problem):

* the metrics dominate: per step two N×p products, done as BLAS matrix products over a
  block of iterates, and N exponentials. numba has no SVML here, so ``exp`` is a branch-free
  polynomial (~1 ulp) that LLVM vectorises, and the N ``log1p`` of the softplus sum are
  folded into one (``_weights``);
* ``error_model="numpy"``: with Python's error model every division carries a zero check
  that blocks vectorisation;
* reductions may be reassociated (``_FAST``, so that LLVM vectorises them) except in the
  exponential, whose Cody–Waite split reassociation could undo;
* data are zero-padded to a multiple of 8 samples; padding has label 0 and drops out;
* no non-inlined call with array arguments per step: each costs atomic reference-count
  updates (tens of ns), so work is handed over in blocks and small helpers are inlined.
"""

from __future__ import annotations

import numpy as np

from genlab.minimax.kernel_metrics import metrics_rows, pad_data
from genlab.minimax.kernel_steps import (
    _AVG_P,
    _AVG_T,
    _PH,
    _TH,
    N_STATE_ROWS,
    RULE_CODES,
    average_rows,
    new_state,
    run_steps,
)

__all__ = [
    "N_STATE_ROWS",
    "RULE_CODES",
    "average_rows",
    "metrics_rows",
    "new_state",
    "pad_data",
    "run_steps",
    "running_mean",
    "seed_run",
    "trajectory",
    "trajectory_metrics",
]

_CHUNK = 4096  # steps per chunk in seed_run (a Python-level loop: keep calls few)


def trajectory(
    X, Y, lam, theta0, phi0, indices, full_batch, rule, first_theta, alpha, beta, thetas, phis
) -> None:
    """Run ``thetas.shape[0]`` steps; row t of ``thetas``/``phis`` gets the iterate after
    step t + 1. ``indices[t]`` is the sample of step t (ignored when ``full_batch``)."""
    run_steps(
        X,
        Y,
        lam,
        new_state(theta0, phi0),
        indices,
        0,
        thetas.shape[0],
        full_batch,
        rule,
        first_theta,
        alpha,
        beta,
        thetas,
        phis,
        0,
    )


def running_mean(thetas, phis, avg_thetas, avg_phis) -> None:
    """Uniform running averages of both trajectories (the same recursion as ``seed_run``)."""
    st = new_state(thetas[0], phis[0])
    average_rows(st, thetas, phis, avg_thetas, avg_phis, thetas.shape[0], 0)


def trajectory_metrics(XT, Xp, Yp, n, lam, thetas, phis, out) -> None:
    """``out[:, t] = (L, ‖∇θL‖, ‖∇φL‖)`` at ``(thetas[t], phis[t])``; out: (3, T)."""
    metrics_rows(XT, Xp, Yp, n, lam, thetas, phis, 0, thetas.shape[0], out, 0)


def seed_run(
    X, Y, lam, theta0, phi0, indices, full_batch, rule, first_theta, alpha, beta, average, out
) -> np.ndarray:
    """One run with its metrics, chunk by chunk, without keeping the trajectory: the metrics
    of every iterate (of the running uniform average when ``average``) go to ``out``
    (3, T). Returns (4, p): the last θ, φ and the last reported θ, φ. Each kernel call
    releases the GIL, so seeds can run on threads."""
    steps = out.shape[1]
    n, p = X.shape
    XT, Xp, Yp = pad_data(X, Y)
    st = new_state(theta0, phi0)
    TH, PH = np.empty((_CHUNK, p)), np.empty((_CHUNK, p))
    AT, AP = np.empty((_CHUNK, p)), np.empty((_CHUNK, p))
    for t0 in range(0, steps, _CHUNK):
        t1 = min(steps, t0 + _CHUNK)
        run_steps(
            X, Y, lam, st, indices, t0, t1, full_batch, rule, first_theta, alpha, beta, TH, PH, 0
        )
        if average:
            average_rows(st, TH, PH, AT, AP, t1 - t0, t0)
            metrics_rows(XT, Xp, Yp, n, lam, AT, AP, 0, t1 - t0, out, t0)
        else:
            metrics_rows(XT, Xp, Yp, n, lam, TH, PH, 0, t1 - t0, out, t0)
    last_t, last_p = (_AVG_T, _AVG_P) if average else (_TH, _PH)
    return np.stack([st[_TH], st[_PH], st[last_t], st[last_p]])
