"""Speed of the homework's minimax run (HW12 Problem 1): literal loop vs NumPy vs numba.

Runs, in one process: the homework's own loop (verbatim, with a local RandomState), the
NumPy reference (``backend="numpy"``: the rules of ``rules.py`` in a Python loop, metrics
vectorised afterwards), the compiled path (``run_minimax``, metrics included), and 64 seeds
of the full run (``run_many_seeds``). The two Python loops run ``--epochs`` epochs (default
500 = 15 000 steps) and their time is scaled linearly to the full 5000 epochs (both are a
constant cost per step); ``--epochs 5000`` runs them in full. Compiled timings are the best
of ``--repeat`` runs after a warm-up call (compilation / cache load reported separately).

    python benchmarks/bench_minimax.py [--epochs 500] [--repeat 3] [--seeds 64]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from genlab.minimax import MinimaxConfig, run_many_seeds, run_minimax

FULL_EPOCHS = 5000


def homework_literal(epochs: int) -> tuple[float, float, float]:
    """HW12 Problem 1, cells [1]–[2], verbatim except ``np.random`` -> a local RandomState."""
    N, p = 30, 20
    rs = np.random.RandomState(0)
    X = rs.randn(N, p)
    Y = 2 * rs.randint(2, size=N) - 1
    lamda = 0.001
    theta = 0.1 * rs.randn(p)
    phi = 0.1 * rs.randn(p)
    alpha = 3e-1
    beta = 1e-4
    L_val, d_phi_val, d_theta_val = [], [], []
    for _ in range(epochs):
        for __ in range(N):
            ind = rs.randint(N)
            phi += (
                beta
                * Y[ind]
                * theta
                * np.exp(-Y[ind] * np.inner((X[ind, :] - phi), theta))
                / (1 + np.exp(-Y[ind] * np.inner((X[ind, :] - phi), theta)))
                - lamda * phi
            )  # noqa: E501
            theta -= (
                alpha
                * (-Y[ind] * (X[ind, :] - phi))
                * np.exp(-Y[ind] * np.inner((X[ind, :] - phi), theta))
                / (1 + np.exp(-Y[ind] * np.inner((X[ind, :] - phi), theta)))
            )  # noqa: E501
            L_i = (
                np.average(np.log(1 + np.exp(-Y * ((X - phi.reshape(1, -1)) @ theta))))
                - lamda / 2 * np.linalg.norm(phi, axis=0, ord=2) ** 2
            )  # noqa: E501
            d_phi = (
                np.average(Y / (1 + np.exp(Y * ((X - phi.reshape(1, -1)) @ theta)))) * theta
                - lamda * phi
            )  # noqa: E501
            d_theta = np.average(
                (-Y / (1 + np.exp(Y * ((X - phi.reshape(1, -1)) @ theta)))).reshape(-1, 1)
                * (X - phi.reshape(1, -1)),
                axis=0,
            )  # noqa: E501
            L_val.append(L_i)
            d_phi_val.append(d_phi)
            d_theta_val.append(d_theta)
    return L_val[-1], float(np.linalg.norm(d_theta_val[-1])), float(np.linalg.norm(d_phi_val[-1]))


def timed(fn, repeat: int = 1):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=500, help="epochs for the two Python loops")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=64)
    args = ap.parse_args()
    scale = FULL_EPOCHS / args.epochs
    cfg = MinimaxConfig()
    print(f"load average {os.getloadavg()}, CPUs {len(os.sched_getaffinity(0))}")

    t_lit, lit = timed(lambda: homework_literal(args.epochs))
    t_np, res_np = timed(lambda: run_minimax(cfg.replace(epochs=args.epochs, backend="numpy")))
    t_first, _ = timed(lambda: run_minimax(cfg))
    t_nb, res = timed(lambda: run_minimax(cfg), args.repeat)
    t_many, many = timed(lambda: run_many_seeds(cfg, range(args.seeds)), args.repeat)
    full_lit = t_lit * scale

    check = run_minimax(cfg.replace(epochs=args.epochs))
    print(
        f"literal loop at {args.epochs} epochs: L={lit[0]:.6g}; compiled: L={check.final_loss:.6g} "
        f"(|diff| {abs(lit[0] - check.final_loss):.1e}); NumPy reference: "
        f"{abs(res_np.final_loss - check.final_loss):.1e}"
    )
    print(
        f"full run: L={res.final_loss:.6f}  ||D_theta L||={res.final_grad_theta_norm:.2e}  "
        f"||D_phi L||={res.final_grad_phi_norm:.2e}"
    )
    print(f"first compiled call (compile or cache load + run): {t_first:.2f} s\n")
    rows = [
        ("homework literal loop", args.epochs, t_lit, full_lit),
        ("NumPy reference (backend=numpy)", args.epochs, t_np, t_np * scale),
        ("numba run_minimax (150k steps + metrics)", FULL_EPOCHS, t_nb, t_nb),
        (f"numba run_many_seeds ({args.seeds} seeds)", FULL_EPOCHS, t_many, t_many),
    ]
    print("| method | epochs run | time (s) | full 5000 epochs (s) | speed-up vs literal |")
    print("|---|---|---|---|---|")
    for name, ep, t, full in rows:
        ratio = full_lit / full
        if name.startswith("numba run_many"):
            ratio = full_lit * args.seeds / full
            name += " [ratio per seed]"
        print(f"| {name} | {ep} | {t:.3f} | {full:.3f} | {ratio:.0f}x |")
    scaled = (
        "measured" if args.epochs == FULL_EPOCHS else f"scaled x{scale:g} from {args.epochs} epochs"
    )
    print(f"\nfull-run times of the Python loops are {scaled}.")
    del many


if __name__ == "__main__":
    main()
