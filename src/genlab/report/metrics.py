"""The report's metric tables: a run's ``evaluation.json`` next to floors and the homework.

Every metric in ``evaluation.json`` carries its direction (``better``: ``lower``, ``higher`` or
``floor``, set by ``genlab.evaluation.suite``), its mean and standard error over members and its
floor (the same metric between two fresh data sets: what a perfect sampler scores) with the
floor's own spread (``floor_se``). A metric is *worse than its floor* only beyond both spreads,
by the rule of :func:`genlab.evaluation.verdicts.verdict` (z = 4 combined standard errors on the
bad side; both sides for ``floor`` metrics); an ``evaluation.json`` without ``floor_se`` (written
before it was measured) renders with the spread taken as 0, and the page says so. Beside the
floor stands the ratio mean / floor or the difference mean − floor
(:func:`~genlab.evaluation.verdicts.versus_floor`), and one sentence sums the verdicts up. A
metric is *below the homework* when it is worse than the number the homework's own code reached
(:data:`HOMEWORK`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genlab.base.done import EVALUATION, METRICS
from genlab.evaluation.verdicts import Verdict, Z, verdict, verdict_sentence, versus_floor
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


VERDICT_BADGE = {
    "worse": ("worse than floor", "bad"),
    "within": ("within floor's spread", "good"),
    "better": ("better than floor", "info"),
}


def versus(name: str, mean: float, floor: float) -> str:
    """The contrast column: ``×1.61`` (ratio to the floor) or ``+0.032`` (difference)."""
    c = versus_floor(name, mean, floor)
    if math.isnan(c.value):
        return "—"
    return f"×{c.value:.3g}" if c.kind == "ratio" else f"{c.value:+.3g}"


def _spread_notes(verdicts: dict[str, Verdict], several: bool) -> list[Html]:
    out = []
    if any(v.floor_se_assumed for v in verdicts.values()):
        out.append(note(
            "This evaluation.json has no floor spread (floor_se; written before genlab measured "
            "it): the floor's spread is taken as 0, so any difference on the bad side counts as "
            "worse. genlab evaluate RUN measures it.",
            "warn",
        ))  # fmt: skip
    if not several and any(v.se_assumed and not v.floor_se_assumed for v in verdicts.values()):
        out.append(note(
            "One member: its own scatter cannot be measured, so the verdicts take it to be the "
            "floor's (what one draw of a perfect sampler scatters by).",
            "info",
        ))  # fmt: skip
    return out


def _rule(pairs: set[int]) -> str:
    k = (f"K = {' or '.join(map(str, sorted(pairs)))} pairs, per metric" if pairs
         else "not measured")  # fmt: skip
    return (
        f"Verdict: worse than the floor only when the mean lies beyond it on the bad side by "
        f"more than {Z:g} × √(s.e.² + floor s.e.²) (both sides for metrics closest to the "
        f"floor); floor s.e.: the floor's standard deviation over fresh pairs of data sets ({k}). "
        "vs floor: mean / floor (×) for distances, mean − floor for scores, counts, "
        "log-likelihoods and estimates that can be negative."
    )


def evaluation_section(run: Path, model: str | None = None, name: str = EVALUATION) -> Html:
    """The run's evaluation table with floors, homework references, verdicts and a summary;
    ``name``: another evaluation of the run's (``evaluation-SAMPLER….json``)."""
    path = run / name
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
    rows, classes, below_hw, verdicts, pairs = [], [], [], {}, set()
    for name, m in metrics.items():
        mean, se, floor = m.get("mean", math.nan), m.get("se", math.nan), m.get("floor", math.nan)
        floor_se, better = m.get("floor_se"), m.get("better")
        ref = HOMEWORK.get((model or "", name))
        v = verdicts[name] = verdict(mean, se, floor, floor_se, better)
        if m.get("floor_pairs"):
            pairs.add(int(m["floor_pairs"]))
        marks, below = [], False
        if v.status in VERDICT_BADGE:
            marks.append(badge(*VERDICT_BADGE[v.status]))
        if ref is not None and is_worse(mean, ref.value, better):
            marks.append(badge(f"below homework ({ref.value:.2f})", "bad"))
            below_hw.append((name, mean, ref))
            below = True
        elif ref is not None and not math.isnan(mean):
            marks.append(badge(f"as good as homework ({ref.value:.2f})", "good"))
        values = m.get("values", [])
        shown = ", ".join(fmt(v, 3) for v in values[:8]) + (", …" if len(values) > 8 else "")
        row = [name, WHAT.get(name, ""), DIRECTION.get(str(better), better or "?"), pm(mean, se),
               pm(floor, math.nan if floor_se is None else floor_se), versus(name, mean, floor),
               f"{ref.value:.2f}" if ref else "", join(marks, " ")]  # fmt: skip
        rows.append(row[:7] + [shown] + row[7:] if several else row)
        classes.append("worse" if below else "")  # the homework's number: the headline
    if verdicts:
        worse = any(v.status == "worse" for v in verdicts.values())
        out.append(note(verdict_sentence(verdicts), "warn" if worse else "info"))
    headers = ["metric", "what", "better", "mean ± s.e." if several else "value",
               "floor ± s.e.", "vs floor", "homework", *(["per member"] if several else []),
               "verdict"]  # fmt: skip
    out.append(table(headers, rows, row_classes=classes))
    out.append(tag("p", _rule(pairs)))
    out += _spread_notes(verdicts, several)
    for name, mean, ref in below_hw:
        out.append(note(f"{name} = {fmt(mean, 3)} is below the homework's {ref.value:.2f} "
                        f"({ref.text}).", "bad"))  # fmt: skip
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
