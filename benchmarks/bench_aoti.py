"""AOTInductor for the single-run VAE step: build, load and step cost against eager, --compile.

``--compile`` (``genlab.training.compiled``) pays inductor's warm-up in every process: ~30 s
with a cold cache, ~5 s with a warm one. An AOTInductor package (``torch.export`` of the same
whole step, compiled ahead of time into a shared library) is loaded instead. This measures
whether that pays, for the homework's VAE at E = 1:

1. build: the step (two Adam steps per call, as ``step_groups`` runs them) written
   functionally, traced to an aten graph with ``make_fx`` (``torch.export`` cannot trace
   ``torch.func.grad`` directly: "Cannot access data pointer of Tensor that doesn't have
   storage"), exported, and packaged with ``torch._inductor.aoti_compile_and_package``;
2. in a fresh process: ``import torch``, loading the package through
   ``torch._C._aoti.AOTIModelPackageLoader`` (``torch._inductor.aoti_load_package`` would
   import ``torch._inductor``, ~1.2 s), and the package's outputs against the traced step's;
3. in one process, one moment: µs per step of genlab's eager step, its ``--compile`` step
   (after its warm-up, which is printed) and the package, fastest of ``ROUNDS`` rounds.

    .venv/bin/python benchmarks/bench_aoti.py [--threads 1] [--package PATH]

``--package PATH`` reuses a package built before (by this script, for this torch); the
build takes ~30 s and needs a C++ compiler, as ``--compile`` does.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch.func import grad

from genlab import objectives as obj
from genlab.models.nn import mlp_apply, mlp_size
from genlab.optim.adam import adam_state
from genlab.training import build_model, make_trainer, training_data
from genlab.training.config import RunConfig, TrainConfig

ROUNDS = 5
BATCH = 64


def vae_trainer(compile: bool):
    cfg = RunConfig("vae", TrainConfig(seeds=(0,), compile=compile))
    device = torch.device("cpu")
    x = training_data(cfg, device)
    return make_trainer(build_model(cfg, device), cfg), x


def functional_step(trainer):
    """step2(w, m, v, t, lr, x1, e1, x2, e2) -> (w, m, v, t, losses1, losses2): two steps of
    ``compiled_vae_step``'s equations, returning new tensors instead of updating in place."""
    enc, dec = trainer.model.encoder.layout, trainer.model.decoder.layout
    n_enc, reg = mlp_size(enc), trainer.arch.reg_coeff
    group = trainer.opt.param_groups[0]
    (b1, b2), eps_adam = group["betas"], group["eps"]

    def losses(w, x, eps):
        def encode(x):
            mu, log_std = mlp_apply(w, enc, x).chunk(2, dim=-1)
            return mu, log_std

        out = torch.stack(
            obj.vae_losses(encode, lambda z: mlp_apply(w, dec, z, n_enc), x, eps, reg)
        )
        return out[0].sum(), out

    def adam(p, g, m, v, t, lr):
        t = t + 1
        m = m.lerp(g, 1 - b1)
        v = v * b2 + (1 - b2) * g * g
        denom = v.sqrt() / (1 - b2**t).sqrt() + eps_adam
        return p - lr * m / denom / (1 - b1**t), m, v, t

    def step2(w, m, v, t, lr, x1, e1, x2, e2):
        g, o1 = grad(losses, has_aux=True)(w, x1, e1)
        w, m, v, t = adam(w, g, m, v, t, lr)
        g, o2 = grad(losses, has_aux=True)(w, x2, e2)
        w, m, v, t = adam(w, g, m, v, t, lr)
        return w, m, v, t, o1, o2

    return step2


def step_inputs(trainer, x) -> tuple[torch.Tensor, ...]:
    """The step's inputs after one eager step (so that Adam's state exists)."""
    latent = trainer.arch.latent_dim
    gen = torch.Generator().manual_seed(0)
    trainer._eager_step(x[:, :BATCH], torch.randn(1, BATCH, latent, generator=gen))
    st = adam_state(trainer.opt, trainer.flat)
    lr = torch.tensor(trainer.opt.param_groups[0]["lr"], dtype=torch.float64)
    return (trainer.flat.detach().clone(), st["exp_avg"].clone(), st["exp_avg_sq"].clone(),
            st["step"].clone(), lr, x[:, :BATCH].clone(),
            torch.randn(1, BATCH, latent, generator=gen), x[:, BATCH : 2 * BATCH].clone(),
            torch.randn(1, BATCH, latent, generator=gen))  # fmt: skip


def build(package: Path, io_file: Path) -> None:
    from torch.fx.experimental.proxy_tensor import make_fx

    trainer, x = vae_trainer(compile=False)
    step2 = functional_step(trainer)
    args = step_inputs(trainer, x)
    tic = time.perf_counter()
    with torch.no_grad():
        graph = make_fx(step2, tracing_mode="real")(*args)
        reference = step2(*args)
    traced = time.perf_counter() - tic

    class Step(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.graph = graph

        def forward(self, *a: torch.Tensor):
            return self.graph(*a)

    tic = time.perf_counter()
    exported = torch.export.export(Step(), args, strict=False)
    exported_s = time.perf_counter() - tic
    tic = time.perf_counter()
    torch._inductor.aoti_compile_and_package(exported, package_path=str(package))
    packaged = time.perf_counter() - tic
    torch.save({"args": args, "reference": reference}, io_file)
    print(f"build: make_fx {traced:.1f} s ({len(graph.graph.nodes)} nodes), export "
          f"{exported_s:.1f} s, aoti_compile_and_package {packaged:.1f} s")  # fmt: skip


def best_per_step(fn, steps_per_call: int, calls: int = 100) -> float:
    for _ in range(10):
        fn()
    best = float("inf")
    for _ in range(ROUNDS):
        tic = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - tic) / (calls * steps_per_call))
    return best * 1e6


def measure(package: Path, io_file: Path, threads: int) -> None:
    torch.set_num_threads(threads)
    tic = time.perf_counter()
    loader = torch._C._aoti.AOTIModelPackageLoader(str(package), "model", False, 1, -1)
    load_s = time.perf_counter() - tic
    io = torch.load(io_file)
    args, reference = list(io["args"]), io["reference"]
    out = loader.run(args)
    diff = max((o - r).abs().max().item() for o, r in zip(out, reference, strict=True))
    print(f"load package {load_s * 1e3:.1f} ms; max |package − traced step| {diff:.2e}")

    eager, x = vae_trainer(compile=False)
    xs, es = [x[:, :BATCH], x[:, BATCH : 2 * BATCH]], [args[6], args[8]]
    us_eager = best_per_step(lambda: eager._eager_step(xs[0], es[0]), 1)
    compiled, _ = vae_trainer(compile=True)
    tic = time.perf_counter()
    compiled.compiled(xs, es)
    warm_up = time.perf_counter() - tic
    us_compiled = best_per_step(lambda: compiled.compiled(xs, es), 2)

    def aoti() -> None:
        args[:4] = loader.run(args)[:4]

    us_aoti = best_per_step(aoti, 2)
    print(f"threads {threads}; µs per step (fastest of {ROUNDS} rounds):")
    print(f"  eager       {us_eager:6.0f}")
    print(f"  --compile   {us_compiled:6.0f}  ({us_eager / us_compiled:.2f}× eager; "
          f"warm-up in this process {warm_up:.1f} s)")  # fmt: skip
    print(f"  AOTI        {us_aoti:6.0f}  ({us_eager / us_aoti:.2f}× eager; "
          f"load {load_s * 1e3:.1f} ms)")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--package", type=Path, default=None)
    ap.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure_only:
        measure(args.package, args.package.with_suffix(".io.pt"), args.threads)
        return
    with tempfile.TemporaryDirectory() as tmp:
        package = args.package or Path(tmp) / "vae_step.pt2"
        if args.package is None or not package.exists():
            build(package, package.with_suffix(".io.pt"))
        cmd = [sys.executable, __file__, "--measure-only", "--package", str(package),
               "--threads", str(args.threads)]  # fmt: skip
        tic = time.perf_counter()
        subprocess.run(cmd, check=True)  # a fresh process: no inductor imported, nothing warm
        print(f"fresh measuring process, whole: {time.perf_counter() - tic:.1f} s")


if __name__ == "__main__":
    main()
