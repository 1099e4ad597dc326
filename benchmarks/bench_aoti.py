"""The compiled step's AOTInductor packages: the cost of a build, of a load, and what a step saves.

On a CPU ``--compile`` runs the whole step from AOTInductor packages
(``genlab.training.packaged``). For the homework's VAE and GAN at E = 1 this prints:

1. the build, in a process of its own with an empty ``GENLAB_CACHE``: one compiled epoch,
   which builds the step's packages (steps of 64 and the epoch's last one of 16);
2. in a fresh process on that cache: ``import torch``, the first compiled epoch (which loads
   the packages), and µs per step of the eager step and of the packaged one in the same
   process, fastest of ``bench_train_speed.ROUNDS`` rounds of ``--epochs`` epochs each.

    .venv/bin/python benchmarks/bench_aoti.py [--threads 2] [--epochs 5] [--models vae,gan]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time


def build(model: str) -> None:
    from bench_train_speed import epoch_runner

    epoch, _, trainer = epoch_runner(model, compile=True)
    tic = time.perf_counter()
    epoch()
    print(f"{model}: build, first compiled epoch {time.perf_counter() - tic:.1f} s "
          f"({trainer.compiled.packaged.built} packages)")  # fmt: skip


def measure(model: str, epochs: int, imported: float) -> None:
    import torch
    from bench_train_speed import epoch_runner, fastest_per_step  # after torch was timed

    compiled, steps, trainer = epoch_runner(model, compile=True)
    tic = time.perf_counter()
    compiled()
    first = time.perf_counter() - tic
    assert trainer.compiled.packaged.built == 0, "the packages were not in the cache"
    eager, _, _ = epoch_runner(model, compile=False)
    runs = (("eager", eager), ("packaged", compiled))
    us = {name: fastest_per_step(epoch, epochs, steps) * 1e6 for name, epoch in runs}
    print(f"{model}: import torch {imported:.2f} s; first compiled epoch, packages loaded "
          f"{first * 1e3:.0f} ms; µs per step (with the epoch's shuffle and noise), "
          f"{torch.get_num_threads()} threads: eager {us['eager']:.0f}, packaged "
          f"{us['packaged']:.0f} ({us['eager'] / us['packaged']:.2f}×)")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--models", default="vae,gan")
    ap.add_argument("--stage", choices=("build", "measure"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage:
        tic = time.perf_counter()
        import torch

        imported = time.perf_counter() - tic
        torch.set_num_threads(args.threads)
        for model in args.models.split(","):
            if args.stage == "build":
                build(model)
            else:
                measure(model, args.epochs, imported)
        return
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "GENLAB_CACHE": cache}
        base = [sys.executable, __file__, "--threads", str(args.threads), "--epochs",
                str(args.epochs), "--models", args.models]  # fmt: skip
        for stage in ("build", "measure"):  # fresh processes: nothing warm but the cache
            subprocess.run([*base, "--stage", stage], env=env, check=True)


if __name__ == "__main__":
    main()
