"""``genlab benchmark`` as a sweep: the protocol's grid on the sweep engine, then its tables.

The grid is the shipped spec ``benchmark`` (``genlab/sweeps/specs/benchmark.toml``: presets ×
datasets, 5 seeds per cell as the members of one run), with the ``Protocol``'s settings
written into it, so the cells run on a local cluster, in this process (``workers=0``) or on a
Dask cluster, like any sweep: resumable, a failed cell stopping no other. Then:

    DIR/protocol.json   the protocol (``genlab.workflows.benchmark.Protocol``)
    DIR/benchmark.csv   one row per (model, dataset, metric): mean, s.e., floor, members
    DIR/benchmark.md    one table per dataset: genlab's rows, the floor, the published rows
    DIR/spec.toml, sweep.json, results.csv, results.md, runs/CELL/   the sweep's own

The tables are written once every cell is done; a failed cell leaves them unwritten (the
sweep's own ``results.md`` shows what there is).
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from genlab.base import atomic
from genlab.base.checks import parse_seeds
from genlab.sweeps.runner import SweepPlan, SweepResult, plan_sweep
from genlab.sweeps.spec import PRESET_KEY, SweepSpec, parse_spec
from genlab.sweeps.specs import spec_path
from genlab.workflows.benchmark import Protocol, to_csv, to_markdown

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["benchmark_spec", "plan_benchmark", "protocol_of", "write_tables"]

DATASET_KEY = "train.dataset"


def protocol_of(spec_text: str) -> Protocol:
    """The ``Protocol`` a benchmark spec describes (the shipped one: ``Protocol()``)."""
    doc = tomllib.loads(spec_text)
    train, grid = doc["train"], doc["grid"]
    seeds = doc["sweep"]["seeds"]
    return Protocol(datasets=tuple(grid[DATASET_KEY]), models=tuple(grid[PRESET_KEY]),
                    seeds=parse_seeds(seeds) if isinstance(seeds, str) else tuple(seeds),
                    epochs=train["epochs"], n_samples=train["n_samples"],
                    batch_size=train["batch_size"], eval_samples=train["eval_samples"])  # fmt: skip


def benchmark_spec(protocol: Protocol, device: str = "auto") -> SweepSpec:
    """The shipped benchmark spec with ``protocol``'s settings (and ``device``) written in."""
    import tomli_w

    doc = tomllib.loads(spec_path("benchmark").read_text(encoding="utf-8"))
    doc["train"] |= {"epochs": protocol.epochs, "n_samples": protocol.n_samples,
                     "batch_size": protocol.batch_size, "eval_samples": protocol.eval_samples,
                     "device": device}  # fmt: skip
    doc["grid"] = {DATASET_KEY: list(protocol.datasets), PRESET_KEY: list(protocol.models)}
    doc["sweep"]["seeds"] = list(protocol.seeds)
    return parse_spec(tomli_w.dumps(doc), source="benchmark")


def plan_benchmark(
    protocol: Protocol, root: str | Path, device: str = "auto", *, force: bool = False
) -> SweepPlan:
    """The benchmark's sweep, checked, nothing written (``genlab.sweeps.runner.plan_sweep``).
    Each cell trains all its seeds as the members of one run, as the protocol says."""
    spec = benchmark_spec(protocol, device)
    return plan_sweep(spec, root, members_per_task=len(protocol.seeds), force=force)


def write_tables(protocol: Protocol, plan: SweepPlan, result: SweepResult) -> tuple[Path, Path]:
    """protocol.json, benchmark.csv and benchmark.md from the finished sweep's cells."""
    epochs = {c.name: c.config.train.epochs for c in plan.cells}
    rows: list[dict[str, Any]] = []
    for cell in result.rows:
        model, dataset = cell.values[PRESET_KEY], cell.values[DATASET_KEY]
        for metric, (mean, se, floor) in cell.metrics.items():
            rows.append({"model": model, "dataset": dataset, "metric": metric, "mean": mean,
                         "se": se, "floor": floor, "members": cell.members,
                         "epochs": epochs[cell.cell]})  # fmt: skip
    atomic.write_json(plan.root / "protocol.json", asdict(protocol))
    return (atomic.write_text(plan.root / "benchmark.csv", to_csv(rows)),
            atomic.write_text(plan.root / "benchmark.md", to_markdown(rows, protocol)))  # fmt: skip
