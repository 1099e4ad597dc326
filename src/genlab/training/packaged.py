"""Compiled steps as AOTInductor packages: built once per machine, loaded in milliseconds.

``torch.compile`` (``genlab.training.compiled``) pays inductor's warm-up in every process that
compiles: ~30 s with a cold cache and ~5 s with a warm one, on a 2-core CPU. Here the same
whole step (forward, ``torch.func.grad`` and Adam, the equations of ``compiled.py``) is written
functionally, its new parameters and Adam state written back into its inputs at the end
(``copy_``, which AOTInductor turns into stores in place), traced to an aten graph with
``make_fx`` (``torch.export`` cannot trace ``torch.func.grad`` itself), exported, and compiled
ahead of time into a shared library with ``torch._inductor.aoti_compile_and_package``. The
package is kept in genlab's cache folder under a digest of everything it depends on (the
step's sources, architecture, members, input shapes, torch version and CPU); a later process
loads it with ``torch._C._aoti.AOTIModelPackageLoader`` in ~3 ms, without importing inductor,
and its step is ~0.8× the ``torch.compile`` step (``benchmarks/bench_aoti.py``).

One package per input signature: a run at batch 64 on 2000 points has two (steps of 64 and
the last step of 16). Each step is one call: the loader's cost per call is a few µs, so the
two-step calls that halve ``torch.compile``'s guard cost (``step_groups``) are not needed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import torch

from genlab.base.cache import cache_root
from genlab.base.heap import keep_freed_memory
from genlab.training.compile_rule import step_sources_digest

__all__ = ["INDUCTOR_CONFIGS", "PackagedStep", "adam", "prune_stale"]

INDUCTOR_CONFIGS = {"cpp.use_decompose_tanh": True}
"""Inductor's settings for a package. ``tanh`` as 2 / (1 + exp(−2x)) − 1 (inductor's own
option, off by default since torch 2.7, pytorch#148254): on this AVX-512 CPU SLEEF's
vectorised ``tanhf`` costs 2.7 ns a value and ``exp`` 0.9 ns, and the homework's networks
are tanh layers (the GAN's ensemble step at E = 16 went from 4.9 to 4.2 ms). The price: over
[−10, 10] its largest error is 1.8e-7 against SLEEF's 3.1e-8 (1.1e-6 relative for |x| > 0.1),
about one float32 rounding of the activations; the step is checked against eager to the same
tolerances as before."""


def adam(p, g, m, v, t, lr: torch.Tensor, betas: tuple[float, float], eps: float):
    """One Adam update, functionally: ``compiled.adam_``'s operations, returning
    (p, m, v, t, scalars).

    ``scalars`` = (lr / (1 − β₁ᵗ), sqrt(1 − β₂ᵗ)), the step size and the root of the second
    bias correction, is returned only to be a buffer of its own: as an output inductor must
    store it once, and the fused update reads it. Left inside the update, its two ``pow``
    were evaluated for every vector of 16 parameters.
    """
    b1, b2 = betas
    t = t + 1
    scalars = torch.stack((lr / (1 - b1**t), (1 - b2**t).sqrt()))
    m = m.lerp(g, 1 - b1)
    v = torch.addcmul(v * b2, g, g, value=1 - b2)
    return p - scalars[0] * (m / (v.sqrt() / scalars[1] + eps)), m, v, t, scalars


class _Traced(torch.nn.Module):
    def __init__(self, graph: torch.fx.GraphModule) -> None:
        super().__init__()
        self.graph_module = graph

    def forward(self, *inputs: torch.Tensor):
        return self.graph_module(*inputs)


def build_package(fn: Callable, inputs: Sequence[torch.Tensor], path: Path) -> None:
    """Trace ``fn(*inputs)`` (a tuple of tensors out; it may write into its inputs, which are
    traced as copies), export it and compile it into the AOTInductor package ``path``,
    written atomically (temporary name, rename)."""
    import torch._inductor
    from torch.fx.experimental.proxy_tensor import make_fx

    inputs = [t.clone() for t in inputs]  # traced for real: a step writing into its inputs
    with warnings.catch_warnings():  # torch's own pytree deprecation, nothing a user can act on
        warnings.filterwarnings("ignore", message=".*LeafSpec.*", category=FutureWarning)
        with torch.no_grad():
            graph = make_fx(fn, tracing_mode="real")(*inputs)
        exported = torch.export.export(_Traced(graph), tuple(inputs), strict=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".pt2")
        os.close(fd)
        try:
            torch._inductor.aoti_compile_and_package(
                exported, package_path=tmp, inductor_configs=INDUCTOR_CONFIGS
            )
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)


class PackagedStep:
    """``step(inputs) -> outputs`` (flat lists of tensors) of the functional step ``make()``
    returns, from the package of the inputs' signature (shapes, dtypes): loaded from the cache
    when there, else built there first (or in a temporary folder when the cache is off)."""

    def __init__(self, name: str, make: Callable[[], Callable], key: dict[str, Any]) -> None:
        self.name, self.make = name, make
        self.key = {"torch": version("torch"), "cpu": torch.backends.cpu.get_cpu_capability(),
                    "sources": step_sources_digest(), **key}  # fmt: skip
        self._loaded: dict[tuple, tuple[Path, Any]] = {}
        """(package, loader) by the inputs' shapes (a run's dtypes and layouts do not change)."""
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.built = 0
        """Packages this object had to build (0 when every one came from the cache)."""

    def package(self, signature: tuple) -> Path:
        """Where the package of this input signature lives."""
        text = json.dumps({**self.key, "inputs": signature}, sort_keys=True, default=str)
        digest = hashlib.sha256(text.encode()).hexdigest()[:32]
        return self._folder() / f"{self.name}-{digest}.pt2"

    def _folder(self) -> Path:
        """``packaged/`` in genlab's cache folder; a temporary folder of this object's own when
        the cache is off or cannot be written (the packages then last as long as the run)."""
        root = cache_root()
        if root is not None:
            folder = root / "packaged"
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError:
                pass
            else:
                if os.access(folder, os.W_OK):
                    return folder
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="genlab-aoti-")
        return Path(self._tmp.name)

    def paths(self) -> tuple[Path, ...]:
        """The packages loaded so far, one per input signature seen."""
        return tuple(path for path, _ in self._loaded.values())

    def __call__(self, inputs: list[torch.Tensor]) -> list[torch.Tensor]:
        shapes = tuple(t.shape for t in inputs)
        entry = self._loaded.get(shapes)
        if entry is None:
            path = self.package(_signature(inputs))
            entry = self._loaded[shapes] = (path, self._load(path, inputs))
        return entry[1].run(inputs)

    def _load(self, path: Path, inputs: list[torch.Tensor], retry: bool = True) -> Any:
        """The package's loader; a missing package is built first, and one that does not load
        (a cache copied in part, say) is built once again."""
        if not path.is_file():
            build_package(self.make(), inputs, path)
            self.built += 1
            prune_stale(path.parent)
        # the package's kernels run on OpenMP's threads: set them as torch's own (left unset,
        # two 150-epoch VAE runs took 23.6 and 26.2 ms an epoch, against 14.0 with it)
        torch.set_num_threads(torch.get_num_threads())
        keep_freed_memory()  # its outputs and intermediates are fresh buffers at every call
        try:
            loader = torch._C._aoti.AOTIModelPackageLoader(str(path), "model", False, 1, -1)
        except RuntimeError:
            if not retry:
                raise
            path.unlink(missing_ok=True)
            return self._load(path, inputs, retry=False)
        with contextlib.suppress(OSError):  # a cache this user may read but not write
            os.utime(path)  # its time of last use, for prune_stale
        return loader


STALE_DAYS = 30
"""A package no process has loaded for this long is removed after the next build."""


def prune_stale(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the packages in ``folder`` last used (built or loaded: their modification time)
    more than ``STALE_DAYS`` ago: those of earlier genlab or torch versions, of networks or
    batch shapes no longer trained. Returns what it removed. A package removed while another
    process was about to load it is built again there (``PackagedStep._load``)."""
    cutoff = (time.time() if now is None else now) - STALE_DAYS * 86400
    removed = []
    for package in folder.glob("*.pt2"):
        with contextlib.suppress(OSError):  # gone already, or not this user's to remove
            if package.stat().st_mtime < cutoff:
                package.unlink()
                removed.append(package)
    return removed


def _signature(inputs: Sequence[torch.Tensor]) -> tuple:
    return tuple((tuple(t.shape), str(t.dtype), t.is_contiguous()) for t in inputs)
