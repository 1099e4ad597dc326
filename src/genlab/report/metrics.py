"""The report's metric tables: a run's ``evaluation.json`` next to floors and the homework.

Every metric in ``evaluation.json`` carries its direction (``better``: ``lower``, ``higher`` or
``floor``, set by ``genlab.evaluation.suite``), its mean and standard error over members and its
floor (the same metric between two fresh data sets: what a perfect sampler scores). A metric is
*worse than its floor* when its mean lies on the bad side of the floor (for ``floor`` metrics,
whose target is the floor itself, whenever it differs from it); it is *below the homework* when
it is worse than the number the homework's own code reached (:data:`HOMEWORK`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genlab.base.done import EVALUATION, METRICS
from genlab.report.html import Html, badge, fmt, join, note, table, tag


@dataclass(frozen=True)
class Reference:
    """A number the homework's own code reached, for one model and metric."""

    value: float
    text: str


HOMEWORK: dict[tuple[str, str], Reference] = {
    ("gan", "spiral_near"): Reference(
        0.90,
        "the share of generated samples within 0.075 of the spiral that the homework's own "
        "code reaches",
    ),
    ("vae", "spiral_near"): Reference(
        0.82,
        "the share of prior samples decode(z) within 0.075 of the spiral that the homework's "
        "own code reaches",
    ),
}
"""(model, metric) → the homework's number (README, "Quality of the homework's models")."""

DIRECTION = {"lower": "lower", "higher": "higher", "floor": "closest to floor"}


def is_worse(value: float, target: float, better: str | None) -> bool:
    """Whether ``value`` is worse than ``target`` for a metric whose direction is ``better``
    (False when the direction is unknown or a number is NaN)."""
    if any(isinstance(v, float) and math.isnan(v) for v in (value, target)):
        return False
    if better == "lower":
        return value > target
    if better == "higher":
        return value < target
    if better == "floor":
        return value != target
    return False


def pm(mean: float, se: float) -> str:
    """``mean ± se`` (just the mean when the s.e. is NaN: a single member)."""
    return fmt(mean) if math.isnan(se) else f"{fmt(mean)} ± {se:.2g}"


def read_json(path: Path) -> Any:
    """JSON with NaN allowed (``evaluation.json`` writes NaN s.e. for a single member)."""
    return json.loads(path.read_text())


WHAT = {
    "sliced_w2": "sliced Wasserstein-2 distance",
    "w1": "Wasserstein-1 (exact optimal transport)",
    "w2": "Wasserstein-2 (exact optimal transport)",
    "mmd2": "squared MMD, RBF kernels",
    "energy": "energy distance",
    "precision": "k-NN precision: samples on the data manifold",
    "recall": "k-NN recall: data covered by the samples",
    "density": "k-NN density (≈ 1 for data)",
    "coverage": "k-NN coverage of the data",
    "kde_ll": "log-likelihood of fresh data under a KDE of the samples",
    "modes_captured": "modes with a high-quality sample",
    "high_quality": "share within 3σ of a mode",
    "reverse_kl": "KL(samples' mode shares ‖ uniform)",
    "spiral_near": "share within 0.075 (3 × noise) of the spiral",
    "spiral_w1": "unevenness along the spiral (W1 of the spiral parameter)",
    "spiral_tv": "unevenness along the spiral (total variation)",
}
"""A few words on each metric of ``genlab.evaluation.suite`` (its docstrings say more)."""


def _intro(ev: dict[str, Any], model: str | None) -> str:
    seeds = ev.get("seeds", [])
    what = str(ev.get("samples", "samples"))
    members = f"{len(seeds)} member{'s' if len(seeds) != 1 else ''}"
    return (
        f"{what[:1].upper()}{what[1:]} of the {(model or '?').upper()} on "
        f"{ev.get('dataset', '?')}, {ev.get('n', '?')} per member; n = {members} "
        f"(seed{'s' if len(seeds) != 1 else ''} {', '.join(map(str, seeds))}); "
        + (
            "one member gives no standard error. "
            if len(seeds) == 1
            else "mean ± s.e. over members. "
        )
        + "Floor: the same metric between two fresh data sets of the same size (a perfect "
        "sampler's score)."
    )


def evaluation_section(run: Path, model: str | None = None) -> Html:
    """The run's evaluation table with floors, homework references, verdicts and a summary."""
    path = run / EVALUATION
    if not path.exists():
        return note(
            f"No evaluation.json in {run.name}: sample quality not measured "
            f"(genlab evaluate {run.name} computes it).",
            "warn",
        )
    ev = read_json(path)
    model = model or ev.get("model")
    metrics: dict[str, dict[str, Any]] = ev.get("metrics", {})
    several = len(ev.get("seeds", [])) > 1
    out: list[object] = [tag("p", _intro(ev, model))]
    if ev.get("complete") is False:
        out.append(note(f"Evaluated at epoch {ev.get('epoch')}: the run is not complete.", "warn"))
    rows, classes, worse_floor, below_hw = [], [], [], []
    for name, m in metrics.items():
        mean, se, floor = m.get("mean", math.nan), m.get("se", math.nan), m.get("floor", math.nan)
        better, ref = m.get("better"), HOMEWORK.get((model or "", name))
        marks, below = [], False
        if is_worse(mean, floor, better):
            marks.append(badge("worse than floor", "bad"))
            worse_floor.append(name)
        if ref is not None and is_worse(mean, ref.value, better):
            marks.append(badge(f"below homework ({ref.value:.2f})", "bad"))
            below_hw.append((name, mean, ref))
            below = True
        elif ref is not None and not math.isnan(mean):
            marks.append(badge(f"as good as homework ({ref.value:.2f})", "good"))
        values = m.get("values", [])
        shown = ", ".join(fmt(v, 3) for v in values[:8]) + (", …" if len(values) > 8 else "")
        row = [name, WHAT.get(name, ""), DIRECTION.get(str(better), better or "?"), pm(mean, se),
               fmt(floor), f"{ref.value:.2f}" if ref else "", join(marks, " ")]  # fmt: skip
        rows.append(row[:6] + [shown] + row[6:] if several else row)
        classes.append("worse" if below else "")  # the homework's number: the headline
    headers = ["metric", "what", "better", "mean ± s.e." if several else "value", "floor",
               "homework", *(["per member"] if several else []), "verdict"]  # fmt: skip
    out.append(table(headers, rows, row_classes=classes))
    for name, mean, ref in below_hw:
        out.append(note(f"{name} = {fmt(mean, 3)} is below the homework's {ref.value:.2f} "
                        f"({ref.text}).", "bad"))  # fmt: skip
    if worse_floor:
        rest = [n for n in metrics if n not in worse_floor]
        out.append(note(
            f"{len(worse_floor)} of {len(metrics)} metrics are worse than their floor: "
            f"{', '.join(worse_floor)}."
            + (f" At or better than the floor: {', '.join(rest)}." if rest else ""),
            "warn",
        ))  # fmt: skip
    elif metrics:
        out.append(note("Every metric is at or better than its floor.", "info"))
    return join(out)


def snapshot_table(run: Path) -> Html:
    """The cheap metrics logged at each snapshot (``eval`` in metrics.jsonl), mean over members."""
    path = run / METRICS
    if not path.exists():
        return Html("")
    records = []
    for line in path.read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:  # a torn last line of an interrupted run
            continue
        if isinstance(record.get("eval"), dict):
            records.append(record)
    if not records:
        return Html("")
    names = list(records[-1]["eval"])
    rows = []
    for r in records:
        cells = []
        for k in names:
            v = [float(x) for x in r["eval"].get(k, [])]
            cells.append(fmt(sum(v) / len(v)) if v else "—")
        rows.append([r.get("epoch", "?"), *cells])
    caption = tag(
        "p",
        "Cheap metrics at each snapshot, mean over members (fresh reference data "
        "of the same size; see the table above for directions and floors).",
    )
    return join([caption, table(["epoch", *names], rows)])
