"""Sweep engine speed: 16 small cells on a 2-worker Dask LocalCluster against the same cells
one after another in one process, the engine's overhead per task, and what packing seeds as
members saves.

    .venv/bin/python benchmarks/bench_sweep.py [--epochs 300] [--n-samples 1000] [--workers 2]
                                               [--rounds 2]

1. Whole commands, as a user runs them (each a fresh process, its imports included):
   ``genlab sweep SPEC --workers 0`` (the 16 cells one after another in that process, no
   Dask) against ``genlab sweep SPEC --workers 2`` (a local cluster started by the command).
2. In this process, ``--rounds`` times in alternation (the machine's speed drifts over
   minutes, so each ratio compares neighbours): the 16 cells serially
   (``genlab.sweeps.engine.run_serial``, one torch thread) against the same 16 on the
   cluster, cold in the first round (the wall time from the cluster's start: its start-up and
   the workers' imports count), warm after.
3. Overhead per task: 32 tasks whose runs are already DONE, through the warm cluster
   (``run_on_dask``: submit, the worker opens and checks the run folder, the result and the
   start event come back).
4. Packing: one cell of 8 seeds as one task of 8 members against 8 tasks of one member,
   serially in this process (member-parallel vs run-parallel on one core).

The cells: VAE, ``--n-samples`` points, ``--epochs`` epochs, one seed each, 4 learning rates ×
4 datasets, evaluation on 500 samples; no figures (sweeps draw none). Goal on 2 cores: ≥ 1.8×.
A machine that other work shares gives numbers that mean little: measure on a quiet one.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from genlab.sweeps.engine import Engine, connect, run_on_dask, run_serial
from genlab.sweeps.runner import plan_sweep
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


def whole_command(spec_text: str, out: Path, workers: int) -> float:
    """Seconds of ``genlab sweep SPEC --out OUT --workers N`` as a fresh process."""
    spec_file = out.with_suffix(".toml")
    spec_file.write_text(spec_text)
    genlab = Path(sys.executable).with_name("genlab")
    argv = [str(genlab), "sweep", str(spec_file), "--out", str(out), "--workers", str(workers)]
    tic = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - tic


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--n-samples", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, {os.cpu_count()} cores, {args.workers} workers; cells: "
          f"VAE, {args.n_samples} points, {args.epochs} epochs, eval 500 samples\n")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        text = spec(args).text
        t_one = whole_command(text, root / "cmd-serial", 0)
        t_many = whole_command(text, root / "cmd-cluster", args.workers)
        print(f"{'16 cells, whole commands':44} {'seconds':>8} {'speed-up':>9}")
        print(f"{'genlab sweep --workers 0 (one process)':44} {t_one:8.1f} {1:9.2f}")
        print(f"{f'genlab sweep --workers {args.workers} (local cluster)':44} {t_many:8.1f} "
              f"{t_one / t_many:9.2f}\n")  # fmt: skip

        warm = plan_sweep(spec(args, '"train.lr" = [0.0005]'), root / "warm")
        run_serial(warm.tasks)  # this process's imports and first-call costs, paid once
        engine = Engine(workers=args.workers)
        ratios = []
        print(f"{'16 cells in this process, alternated':44} {'serial':>8} {'Dask':>8} "
              f"{'speed-up':>9}")  # fmt: skip
        with contextlib.ExitStack() as stack:
            client = None
            for r in range(args.rounds):
                serial = plan_sweep(spec(args), root / f"serial-{r}")
                t_serial = timed(lambda p=serial: run_serial(p.tasks))
                cells = plan_sweep(spec(args), root / f"dask-{r}")
                if client is None:  # the first round starts the cluster inside its timing
                    tic = time.perf_counter()
                    client = stack.enter_context(connect(engine))
                    run_on_dask(client, cells.tasks)
                    t_dask, label = time.perf_counter() - tic, "cold (its start-up counted)"
                else:
                    t_dask, label = timed(lambda p=cells, c=client: run_on_dask(c, p.tasks)), "warm"
                ratios.append(t_serial / t_dask)
                print(f"{f'round {r + 1}, cluster {label}':44} {t_serial:8.1f} {t_dask:8.1f} "
                      f"{ratios[-1]:9.2f}")  # fmt: skip
            if len(ratios) > 1:
                print(f"{'median over the warm rounds':44} {'':8} {'':8} "
                      f"{statistics.median(ratios[1:]):9.2f}")  # fmt: skip
            again = plan_sweep(spec(args), root / "dask-0")
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
