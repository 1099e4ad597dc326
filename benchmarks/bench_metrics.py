"""Cost of the sample-quality metrics at the protocol size (2500 vs 2500 points, 2-D).

For each dataset, a model-like sample set (the data with its noise tripled) is scored against
fresh data by each metric of the full set. Prints per metric the median wall-clock and CPU
seconds over ``--repeats`` runs, the total, and the cost of ``evaluate`` (cold: with its floors;
warm: floors cached) and ``evaluate_cheap``. Target: the full set under 2 s. CPU seconds are
what the metrics cost on an idle core; wall seconds include waiting for a shared machine.
With ``--floors`` it also prints every metric's floor (fresh vs fresh) per dataset.

    python benchmarks/bench_metrics.py [--datasets ring,grid,swiss_roll] [--n 2500]
                                       [--repeats 3] [--floors]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from genlab.data import DATASETS, get_dataset
from genlab.evaluation import suite as evaluation
from genlab.evaluation.knn import prdc
from genlab.evaluation.metrics import (
    energy_distance,
    kde_log_likelihood,
    mmd2,
    mmd2_and_energy,
    sliced_w2,
    wasserstein,
)
from genlab.evaluation.modes import mode_metrics
from genlab.evaluation.spiral import spiral_metrics


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of ``fn()``."""
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def distance_calls(x: np.ndarray, y: np.ndarray, *, alone: bool = False
                   ) -> dict[str, Callable[[], object]]:  # fmt: skip
    """The metrics of any dimension, each a call (``alone``: also MMD² and energy apart)."""
    calls: dict[str, Callable[[], object]] = {
        "sliced_w2 (500 proj.)": lambda: sliced_w2(x, y),
        "w1 (exact, ot.emd2)": lambda: wasserstein(x, y, p=1),
        "w2 (exact, ot.emd2)": lambda: wasserstein(x, y, p=2),
    }
    if alone:
        calls["mmd2 (6 RBF), alone"] = lambda: mmd2(x, y)
        calls["energy, alone"] = lambda: energy_distance(x, y)
    calls["mmd2 + energy, one pass"] = lambda: mmd2_and_energy(x, y)
    calls["prdc (k=5)"] = lambda: prdc(y, x)
    calls["kde_ll (Scott)"] = lambda: kde_log_likelihood(x, y)
    return calls


def metric_calls(name: str, x: np.ndarray, y: np.ndarray) -> dict[str, Callable[[], object]]:
    """Every metric of the registered dataset ``name``, each a call."""
    spec = get_dataset(name)
    calls = distance_calls(x, y, alone=True)
    if spec.centers is not None:
        centers = spec.centers().numpy()
        calls["mode metrics"] = lambda: mode_metrics(x, centers, spec.noise)
    if name == "swiss_roll":
        calls["spiral metrics"] = lambda: spiral_metrics(x, y)
    return calls


def bench(name: str, n: int, repeats: int) -> None:
    spec = get_dataset(name)
    x = spec.sample(n, noise=3 * spec.noise, generator=1).numpy()
    y = spec.sample(n, generator=2).numpy()
    print(f"\n### {name}: {n} vs {n} points, median of {repeats}\n")
    print("| metric | wall s | CPU s |")
    print("|---|---:|---:|")
    total_wall = total_cpu = 0.0
    for label, call in metric_calls(name, x, y).items():
        wall, cpu = timed(call, repeats)
        if not label.endswith("alone"):  # evaluate computes mmd2 and energy in one pass
            total_wall, total_cpu = total_wall + wall, total_cpu + cpu
        print(f"| {label} | {wall:.3f} | {cpu:.3f} |")
    print(f"| **total, full set (as in evaluate)** | **{total_wall:.3f}** | **{total_cpu:.3f}** |")
    w, c = timed(lambda: evaluation.evaluate(x, name, n=n, seed=12345), 1)  # a fresh seed: cold
    print(f"| evaluate, cold (computes the floors too) | {w:.3f} | {c:.3f} |")
    w, c = timed(lambda: evaluation.evaluate(x, name, n=n, seed=12345), repeats)
    print(f"| evaluate, warm (floors cached) | {w:.3f} | {c:.3f} |")
    evaluation.evaluate_cheap(x, name, n=n, seed=12345)
    w, c = timed(lambda: evaluation.evaluate_cheap(x, name, n=n, seed=12345), repeats)
    print(f"| evaluate_cheap, warm | {w:.3f} | {c:.3f} |")


def print_floors(names: list[str], n: int) -> None:
    rows = {name: evaluation.floors(name, n, seed=0) for name in names}
    metrics = list(dict.fromkeys(k for r in rows.values() for k in r))
    print(f"\n### floors: the metric between two fresh data sets, n = {n}, seed 0\n")
    print("| dataset | " + " | ".join(metrics) + " |")
    print("|---|" + "---:|" * len(metrics))
    for name, row in rows.items():
        cells = [f"{row[m]:.4g}" if m in row else "" for m in metrics]
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="ring,grid,swiss_roll")
    parser.add_argument("--n", type=int, default=2500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--floors", action="store_true", help="also print every dataset's floors")
    args = parser.parse_args()
    for name in args.datasets.split(","):
        bench(name, args.n, args.repeats)
    if args.floors:
        print_floors(list(DATASETS), args.n)


if __name__ == "__main__":
    main()
