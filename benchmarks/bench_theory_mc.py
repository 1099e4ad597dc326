"""Monte Carlo accuracy against cost for the λ-GAN identity, with quadrature as the truth.

For every pair and λ, V_λ(D*) is computed once by quadrature (accurate to ~1e-7 or better),
then by Monte Carlo with n samples per expectation over several seeds. Prints, per (pair, λ,
n): the mean reported standard error, the root-mean-square actual error of the lhs against
quadrature (they should agree), and the seconds per estimate.

    python benchmarks/bench_theory_mc.py [--sizes 1000,10000,100000] [--seeds 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import math

import torch

from genlab.theory.identity import (
    DEFAULT_LAMBDAS,
    PAIRS,
    get_pair,
    monte_carlo_rows,
    quadrature_rows,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--pairs", default=",".join(PAIRS))
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sizes = [int(s) for s in args.sizes.split(",")]
    print("| pair | λ | n | s.e. lhs | RMS error lhs | s.e. rhs | RMS error rhs | s per estimate |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.pairs.split(","):
        pair = get_pair(name)
        truth = {r.lam: r.lhs for r in quadrature_rows(pair, DEFAULT_LAMBDAS)}
        for n in sizes:
            runs = [
                monte_carlo_rows(pair, DEFAULT_LAMBDAS, n, generator=s) for s in range(args.seeds)
            ]
            for i, lam in enumerate(DEFAULT_LAMBDAS):
                rows = [run[i] for run in runs]

                def mean(values: list[float]) -> float:
                    return sum(values) / len(values)

                se_l, se_r = mean([r.lhs_stderr for r in rows]), mean([r.rhs_stderr for r in rows])
                err_l = math.sqrt(mean([(r.lhs - truth[lam]) ** 2 for r in rows]))
                err_r = math.sqrt(mean([(r.rhs - truth[lam]) ** 2 for r in rows]))
                secs = mean([r.seconds for r in rows])
                print(f"| {name} | {lam:g} | {n} | {se_l:.1e} | {err_l:.1e} | {se_r:.1e} "
                      f"| {err_r:.1e} | {secs:.3f} |")  # fmt: skip


if __name__ == "__main__":
    main()
