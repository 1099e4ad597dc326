"""The sweep's results table: one row per cell, mean ± s.e. over all of its members.

A cell's members are spread over its tasks' run folders; each run's ``evaluation.json`` holds
one value per member and metric, so a cell's mean and standard error (ddof = 1) are taken over
the values of all its runs together, as if it had been trained as one run. ``results.csv``
holds every metric (``METRIC_mean``, ``METRIC_se``, ``METRIC_floor``); ``results.md`` the
headline ones, with the floor (the metric between two fresh data sets) of each dataset.
The run folders themselves are ordinary runs: ``genlab compare DIR/runs/*`` and
``genlab report DIR/runs/*`` read them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genlab.base.errors import UserError
from genlab.base.stats import format_pm, mean_se
from genlab.sweeps.cells import Cell, Task

__all__ = ["HEADLINE", "CellResult", "collect", "to_csv", "to_markdown"]

HEADLINE = ("w1", "mmd2", "modes_captured", "high_quality", "reverse_kl", "spiral_near",
            "spiral_tv")  # fmt: skip
"""The metrics of the Markdown table, those a cell has, in this order."""


@dataclass(frozen=True)
class CellResult:
    """A cell's row: its grid values, state, members, and per metric (mean, s.e., floor)."""

    cell: str
    values: dict[str, Any]
    status: str
    members: int
    dataset: str | None = None
    metrics: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    runs: tuple[str, ...] = ()


def collect(root: Path, cells: list[Cell], tasks: list[Task], states: dict[str, str]
            ) -> list[CellResult]:  # fmt: skip
    """Each cell's row from its runs' ``evaluation.json`` (``states``: cell → state; a cell
    that is not done gets its state and no metrics, one whose evaluation cannot be read the
    state ``damaged``)."""
    from genlab.training.rundir import RunDir

    rows = []
    for cell in cells:
        mine = [t for t in tasks if t.cell == cell.name]
        state = states[cell.name]
        members = sum(len(t.seeds) for t in mine)
        if state not in ("done", "skipped") or not cell.config.train.eval_samples:
            rows.append(CellResult(cell.name, cell.values, state, members,
                                   runs=tuple(t.folder for t in mine)))  # fmt: skip
            continue
        values: dict[str, list[float]] = {}
        floors: dict[str, float] = {}
        dataset = None
        try:
            for task in mine:
                run = RunDir(root / task.folder)
                result = run.read_json(run.evaluation_file)
                dataset = result.get("dataset", dataset)
                for name, s in result["metrics"].items():
                    values.setdefault(name, []).extend(s["values"])
                    floors[name] = s["floor"]
        except (UserError, OSError, KeyError, TypeError):  # `genlab verify DIR` says what
            rows.append(CellResult(cell.name, cell.values, "damaged", members,
                                   runs=tuple(t.folder for t in mine)))  # fmt: skip
            continue
        metrics = {m: (*mean_se(v), floors[m]) for m, v in values.items()}
        rows.append(CellResult(cell.name, cell.values, "done", members, dataset, metrics,
                               tuple(t.folder for t in mine)))  # fmt: skip
    return rows


def _metric_names(rows: list[CellResult]) -> list[str]:
    names: list[str] = []
    for r in rows:
        names += [m for m in r.metrics if m not in names]
    return names


def to_csv(rows: list[CellResult]) -> str:
    """One row per cell: its grid values, status, members, runs, and every metric's mean, s.e.
    and floor."""
    keys = list(dict.fromkeys(k for r in rows for k in r.values))
    names = _metric_names(rows)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["cell", *keys, "status", "members", "dataset", "runs",
                *(f"{m}_{s}" for m in names for s in ("mean", "se", "floor"))])  # fmt: skip
    for r in rows:
        cells = [r.values.get(k, "") for k in keys]
        stats = [x for m in names for x in (r.metrics.get(m) or ("", "", ""))]
        w.writerow([r.cell, *cells, r.status, r.members, r.dataset or "", " ".join(r.runs),
                    *stats])  # fmt: skip
    return buf.getvalue()


def _number(x: float) -> str:
    return f"{x:.4g}"


def to_markdown(rows: list[CellResult], title: str = "Sweep") -> str:
    """The headline metrics per cell (mean ± s.e. over its members), and each dataset's
    floors."""
    keys = list(dict.fromkeys(k for r in rows for k in r.values))
    names = [m for m in HEADLINE if m in _metric_names(rows)]
    done = sum(r.status == "done" for r in rows)
    out = [f"{title}: {len(rows)} cells ({done} done), mean ± s.e. over each cell's members.\n",
           "| " + " | ".join([*keys, "E", "status", *names]) + " |",
           "|" + "---|" * (len(keys) + 2) + "---:|" * len(names)]  # fmt: skip
    for r in rows:
        stats = [format_pm(*r.metrics[m][:2]) if m in r.metrics else "—" for m in names]
        row = [str(r.values.get(k, "")) for k in keys] + [str(r.members), r.status, *stats]
        out.append("| " + " | ".join(row) + " |")
    for dataset in dict.fromkeys(r.dataset for r in rows if r.dataset is not None):
        floor = {m: s[2] for r in rows if r.dataset == dataset for m, s in r.metrics.items()}
        cells = [_number(floor[m]) if m in floor else "—" for m in names]
        out.append("| " + " | ".join([f"floor ({dataset})", *[""] * len(keys[1:]), "", "",
                                       *cells]) + " |")  # fmt: skip
    return "\n".join(out) + "\n"
