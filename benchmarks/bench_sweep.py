"""Sweep engine speed: 16 small cells on a 2-worker Dask LocalCluster against the same cells
one after another in this process, the engine's overhead per task, and what packing seeds as
members saves.

    .venv/bin/python benchmarks/bench_sweep.py [--epochs 60] [--n-samples 1000] [--workers 2]

1. Speed-up: 16 VAE cells (4 learning rates × 4 datasets, 1 seed each, eval 500 samples),
   serially (``genlab.sweeps.engine.run_serial``: one process, one torch thread, after a
   warm-up run) and on a fresh LocalCluster of ``--workers`` processes (``run_sweep``, wall time
   from the cluster's start, so its start-up and the workers' imports count against it); also
   the same 16 again on that cluster once warm (its workers' imports paid). Goal on 2 cores:
   ≥ 1.8× with the start-up.
2. Overhead per task: 32 tasks whose runs are already DONE, through the warm cluster
   (``run_on_dask``: submit, the worker opens and checks the run folder, the result and the
   start event come back).
3. Packing: one cell of 8 seeds as one task of 8 members against 8 tasks of one member,
   serially in this process (member-parallel vs run-parallel on one core).

Every timing is one run (these take seconds to minutes); a machine that other work shares
gives numbers that mean little: measure on a quiet machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

import torch

from genlab.sweeps.engine import Engine, connect, run_on_dask, run_serial
from genlab.sweeps.runner import plan_sweep, run_sweep
from genlab.sweeps.spec import parse_spec

SPEC = """
model = "vae"
[train]
n_samples = {n}
epochs = {epochs}
batch_size = 64
snapshots = 2
frames = 0
eval_samples = 500
device = "cpu"
[grid]
{grid}
[sweep]
seeds = {seeds}
members_per_task = {per_task}
"""
GRID16 = ('"train.lr" = [0.0005, 0.001, 0.0002, 0.002]\n'
          '"train.dataset" = ["swiss_roll", "ring", "grid", "moons"]')  # fmt: skip


def spec(args: argparse.Namespace, grid: str = GRID16, seeds: str = "[0]", per_task: int = 1):
    text = SPEC.format(n=args.n_samples, epochs=args.epochs, grid=grid, seeds=seeds,
                       per_task=per_task)  # fmt: skip
    return parse_spec(text, source="bench")


def timed(f) -> float:
    tic = time.perf_counter()
    f()
    return time.perf_counter() - tic


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--n-samples", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, {os.cpu_count()} cores, {args.workers} workers; cells: "
          f"VAE, {args.n_samples} points, {args.epochs} epochs, eval 500 samples\n")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        warm = plan_sweep(spec(args, '"train.lr" = [0.0005]'), root / "warm")
        run_serial(warm.tasks)  # this process's imports and first-call costs, paid once

        serial = plan_sweep(spec(args), root / "serial")
        t_serial = timed(lambda: run_serial(serial.tasks))
        cold = plan_sweep(spec(args), root / "cold")
        engine = Engine(workers=args.workers)
        results = []
        t_cold = timed(lambda: results.append(run_sweep(cold, engine)))
        assert not results[0].failed, f"cells failed: {results[0].failed}"
        print(f"{'16 cells':36} {'seconds':>8} {'speed-up':>9}")
        print(f"{'serial, one process':36} {t_serial:8.1f} {1:9.2f}")
        print(f"{'Dask, cold LocalCluster (start-up)':36} {t_cold:8.1f} {t_serial / t_cold:9.2f}")

        with connect(engine) as client:
            run_on_dask(client, plan_sweep(spec(args), root / "warm-up").tasks)
            again = plan_sweep(spec(args), root / "again")
            t_warm = timed(lambda: run_on_dask(client, again.tasks))
            print(f"{'Dask, warm cluster':36} {t_warm:8.1f} {t_serial / t_warm:9.2f}")
            redo = [
                dataclasses.replace(t, key=f"{t.key}-{i}") for i in range(2) for t in again.tasks
            ]
            t_redo = timed(lambda: run_on_dask(client, redo))  # all DONE: the engine's cost alone
        print(f"\nengine overhead per task (its run DONE already, warm cluster): "
              f"{t_redo / len(redo) * 1e3:.0f} ms ({len(redo)} tasks on {args.workers} workers: "
              f"{t_redo / len(redo) * args.workers * 1e3:.0f} ms of a worker each)")  # fmt: skip

        packed = plan_sweep(spec(args, '"train.lr" = [0.0005]', "[0, 1, 2, 3, 4, 5, 6, 7]", 8),
                            root / "packed")  # fmt: skip
        single = plan_sweep(spec(args, '"train.lr" = [0.0005]', "[0, 1, 2, 3, 4, 5, 6, 7]", 1),
                            root / "single")  # fmt: skip
        t_packed = timed(lambda: run_serial(packed.tasks))
        t_single = timed(lambda: run_serial(single.tasks))
        print(f"packing 8 seeds: 1 task of 8 members {t_packed:.1f} s, 8 tasks of 1 member "
              f"{t_single:.1f} s: {t_single / t_packed:.2f}× faster packed")  # fmt: skip


if __name__ == "__main__":
    main()
