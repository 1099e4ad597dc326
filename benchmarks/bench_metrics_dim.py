"""Cost of the sample-quality metrics as the dimension grows (2500 vs 2500 points, d = 2, 8, 64).

Data: a Gaussian mixture in d dimensions (8 components, centers ~ N(0, 4·I), component std 0.3);
the model-like sample set is the same mixture with components 1.5× wider. Each metric of the
full set (as ``evaluate_points`` computes it) is timed on the samples against a fresh reference
set, then one whole evaluation, ``evaluate_points(samples, reference, second)``: cold (the
floor, second vs reference, computed too) and warm (floor cached). Prints per d the median
seconds over ``--repeats`` runs and the ratio to the first d, as wall-clock and as CPU time
(CPU seconds are what the metrics cost on an idle core; wall includes waiting for a shared
machine).

    python benchmarks/bench_metrics_dim.py [--dims 2,8,64] [--n 2500] [--repeats 3]
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_metrics import distance_calls, timed  # the same calls and timer as in 2-D

from genlab.evaluation import suite as evaluation


def mixture(n: int, d: int, seed: int, std: float = 0.3) -> np.ndarray:
    """n points of an 8-component Gaussian mixture in d dimensions (centers fixed per d)."""
    centers = 2.0 * np.random.default_rng(d).normal(size=(8, d))
    rng = np.random.default_rng(seed)
    return centers[rng.integers(8, size=n)] + std * rng.normal(size=(n, d))


def bench(d: int, n: int, repeats: int) -> dict[str, tuple[float, float]]:
    """label → (wall, CPU) seconds at dimension d."""
    x, ref, second = mixture(n, d, 1, std=0.45), mixture(n, d, 2), mixture(n, d, 3)
    rows: dict[str, tuple[float, float]] = {}
    for label, call in distance_calls(x, ref).items():
        rows[label] = timed(call, repeats)
    walls, cpus = zip(*rows.values(), strict=True)
    rows["**total, full set**"] = (sum(walls), sum(cpus))
    evaluation._FLOOR_CACHE.clear()  # cold: the floor (second vs reference) is computed as well
    rows["evaluate_points, cold (with its floor)"] = timed(
        lambda: evaluation.evaluate_points(x, ref, second), 1
    )
    rows["evaluate_points, warm (floor cached)"] = timed(
        lambda: evaluation.evaluate_points(x, ref, second), repeats
    )
    rows["evaluate_points, cheap, warm"] = timed(
        lambda: evaluation.evaluate_points(x, ref, second, cheap=True), repeats
    )
    return rows


def print_table(results: dict[int, dict[str, tuple[float, float]]], which: int, title: str) -> None:
    dims = list(results)
    first = results[dims[0]]
    print(f"\n### {title} seconds (median), ratio to d = {dims[0]}\n")
    head = " | ".join(f"d = {d} | × d={dims[0]}" if d != dims[0] else f"d = {d}" for d in dims)
    print(f"| metric | {head} |")
    print("|---|" + "---:|" * (2 * len(dims) - 1))
    for label in first:
        cells = []
        for d in dims:
            t = results[d][label][which]
            cells.append(f"{t:.3f}")
            if d != dims[0]:
                cells.append(f"{t / max(first[label][which], 1e-9):.1f}")
        print(f"| {label} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", default="2,8,64")
    parser.add_argument("--n", type=int, default=2500)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    dims = [int(d) for d in args.dims.split(",")]
    print(f"{args.n} vs {args.n} points, Gaussian mixture, median of {args.repeats}")
    results = {d: bench(d, args.n, args.repeats) for d in dims}
    print_table(results, 0, "wall-clock")
    print_table(results, 1, "CPU")


if __name__ == "__main__":
    main()
