"""When compiling the training step pays for itself: ``genlab train --compile auto`` (the
command line's default).

A compiled step (``genlab.training.compiled``) is ~2× faster than the eager one at E = 1, but
the run first pays a warm-up. On a CPU the compiled step is an AOTInductor package
(``genlab.training.packaged``): built once (~25 s for a VAE or GAN at batch 64 on a 2-core
CPU, two packages: steps of 64 and the epoch's last, shorter one) and then loaded in
milliseconds by every later run of the same step. The rule compares warm-up and saving, both
counted in eager steps of one member (``t₁``), so that it holds on a faster or slower machine
alike:

    compile  ⇔  steps · saving(E)  >  MARGIN · warm-up(model, packages built or not)

where ``steps`` = epochs · ⌈n_train / batch_size⌉ and ``saving(E)`` is what one step saves, in
t₁, with E members (linear between E = 1 and E = 16, constant beyond; the member axis already
batches most of the work). Measured on a 2-core CPU (``benchmarks/bench_train_speed.py`` for
the per-step times; the first epoch of whole ``genlab train --epochs 150 --compile`` processes
with an empty and then a filled cache for the warm-ups; docs/results.md):

    model  warm-up cold / warm   saving at E = 1   at E = 16
    vae    35 000 / 100 t₁       0.56 t₁           0.11 t₁
    gan    24 000 / 100 t₁       0.52 t₁           0.23 t₁

So once a step's packages are built every run of it compiles that is longer than a few
hundred steps (a 150-epoch run included); before, only runs long enough to pay the build
(the homework's 2000-epoch GAN does, its VAE nearly: 64,000 × 0.56 against 1.25 × 35,000).
The packages count as built when a compiled run of this very step (model, architecture,
members, batch shapes, torch version) left a marker under genlab's cache folder naming them
(:func:`remember_compiled`) and every one of them is still there. Only the CPU was measured,
so ``auto`` never compiles on a GPU; a step that cannot be compiled (a GAN other than the
homework's) is never compiled.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import math
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from genlab.base import atomic
from genlab.base.cache import cache_root
from genlab.base.errors import UserError
from genlab.training.config import GANConfig, RunConfig

__all__ = ["MARGIN", "CompileChoice", "choose_compile", "epoch_points", "remember_compiled"]

MARGIN = 1.25
"""The saving must beat the warm-up by this factor (timings vary by ±20 % here)."""
_WARMUP = {"vae": (35_000, 100), "gan": (24_000, 100)}  # (cold, warm) in t₁
_SAVING = {"vae": (0.56, 0.11), "gan": (0.52, 0.23)}  # (E = 1, E = 16) in t₁ per step


@dataclass(frozen=True)
class CompileChoice:
    """What ``auto`` decided, and why, in a sentence."""

    compile: bool
    why: str


def epoch_points(config: RunConfig, data: Any) -> int:
    """The points one epoch goes through: a data file's training part (``data``, a
    ``UserData``), else the registered dataset's ``n_samples``."""
    return config.train.n_samples if data is None else len(data.train)


def compilable(config: RunConfig) -> bool:
    """The steps ``genlab.training.compiled`` compiles: a VAE's, and the homework's GAN step."""
    arch = config.arch
    if not isinstance(arch, GANConfig):
        return True
    plain = (arch.rule, arch.base_optimizer, arch.objective, arch.pack, arch.critic_steps)
    return plain == ("alternating", "adam", "lambda_gan", 1, 1)


def saving(model: str, members: int) -> float:
    """What one compiled step saves, in eager single-member steps (see the module docstring)."""
    one, sixteen = _SAVING[model]
    e = min(max(members, 1), 16)
    return one + (sixteen - one) * (e - 1) / 15


_STEP_SOURCES = ("training/compiled.py", "training/packaged.py", "objectives.py", "models/nn.py")


@functools.cache
def step_sources_digest() -> str:
    """A digest of the sources the compiled step is made of: a package built from other
    sources (another genlab) is another package, and its marker counts for nothing."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for rel in _STEP_SOURCES:
        h.update(rel.encode() + (root / rel).read_bytes())
    return h.hexdigest()


def _marker(config: RunConfig, n_train: int) -> Path | None:
    root = cache_root()
    if root is None:
        return None
    t = config.train
    step = {"torch": version("torch"), "model": config.model,
            "arch": dataclasses.asdict(config.arch), "members": len(t.seeds),
            "batch": t.batch_size, "last": n_train % t.batch_size, "dim": t.data_dim,
            "sources": step_sources_digest()}  # fmt: skip
    key = hashlib.sha256(json.dumps(step, sort_keys=True, default=str).encode()).hexdigest()
    return root / "compiled" / f"{key[:32]}.json"


def _warm(config: RunConfig, n_train: int) -> bool:
    """Whether a compiled run of this step left its packages, and they are all still there."""
    marker = _marker(config, n_train)
    if marker is None or not marker.is_file():
        return False
    try:
        packages = json.loads(marker.read_text()).get("packages") or []
    except (OSError, ValueError, AttributeError):
        return False
    return bool(packages) and all(Path(p).is_file() for p in packages)


def cpp_compiler() -> str | None:
    """The C++ compiler inductor builds the packages with (``$CXX``, else ``g++``; ``clang++``
    on macOS), where it is on the PATH; None when there is none."""
    name = os.environ.get("CXX") or ("clang++" if sys.platform == "darwin" else "g++")
    return shutil.which(name)


def check_compiler(config: RunConfig, device: str) -> None:
    """A compiled CPU run needs a C++ compiler: ``UserError`` before any work when none."""
    if config.train.compile and device == "cpu" and cpp_compiler() is None:
        raise UserError("--compile on needs a C++ compiler to build the compiled step "
                        "(g++, or the one $CXX names), and none was found on the PATH; "
                        "install one or train with --compile off")  # fmt: skip


def choose_compile(config: RunConfig, n_train: int, device: str) -> CompileChoice:
    """``auto``: compile when the run is long enough for the compiled step to pay (module
    docstring). ``n_train``: the points an epoch goes through; ``device``: the resolved one."""
    if device != "cpu":
        return CompileChoice(False, f"auto: eager on {device} (the rule was measured on a CPU)")
    if not compilable(config):
        return CompileChoice(False, "auto: eager (only the homework's GAN step compiles)")
    if cpp_compiler() is None:
        return CompileChoice(False, "auto: eager (no C++ compiler on the PATH to build with)")
    t = config.train
    steps = t.epochs * math.ceil(n_train / t.batch_size)
    warm = _warm(config, n_train)
    cost = _WARMUP[config.model][warm]
    gain = steps * saving(config.model, len(t.seeds))
    cache = "its packages built" if warm else "its packages to build"
    verdict = gain > MARGIN * cost
    return CompileChoice(
        verdict,
        f"auto: {'compiled' if verdict else 'eager'} ({steps:,} steps would save the time of "
        f"~{gain:,.0f} eager steps; the warm-up costs ~{cost:,}, {cache})",
    )


def remember_compiled(config: RunConfig, n_train: int, packages: Sequence[Path]) -> None:
    """Note the compiled step's ``packages`` (``FitResult.packages``), so that ``auto`` counts
    its next warm-up as a load. Best effort: an unwritable cache is skipped; a run without
    packages (compiled off the CPU) notes nothing."""
    marker = _marker(config, n_train)
    if marker is None or not packages:
        return
    record = {"model": config.model, "members": len(config.train.seeds),
              "packages": sorted(str(p) for p in packages)}  # fmt: skip
    with contextlib.suppress(OSError, ValueError):
        if marker.is_file() and json.loads(marker.read_text()) == record:
            return
    with contextlib.suppress(OSError):
        atomic.write_json(marker, record)
