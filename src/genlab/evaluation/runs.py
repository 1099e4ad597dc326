"""Sample quality of trained runs: ``evaluation.json`` and the comparison table of runs.

Every member is evaluated on its own samples (generated points; VAE: decoded prior samples)
against fresh data (``genlab.evaluation.evaluate``), and each metric is summarised over members
as mean ± standard error (s.e. = std / sqrt(E), ddof = 1), next to its real-vs-real floor.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genlab.base import atomic
from genlab.base.errors import UserError
from genlab.base.lock import folder_lock
from genlab.base.rng import member_generators
from genlab.base.stats import format_pm, mean_se
from genlab.evaluation.suite import Evaluation, evaluate
from genlab.training.loop import FitResult, load_model
from genlab.training.rundir import RunDir


def summarise(evaluations: list[Evaluation]) -> dict[str, dict[str, Any]]:
    """metric → {values (per member), mean, se, floor, better}."""
    out = {}
    for name, score in evaluations[0].scores.items():
        values = [e.scores[name].value for e in evaluations]
        mean, se = mean_se(values)
        out[name] = {"values": values, "mean": mean, "se": se, "floor": score.floor,
                     "better": score.better}  # fmt: skip
    return out


def _kind(model: str, sampler: str | None) -> str:
    if model == "vae":
        return "decoded prior samples"
    if sampler == "rejection":
        return "generated samples after discriminator rejection sampling"
    return "generated samples"


def evaluation_file(run: RunDir, sampler: str | None = None) -> Path:
    """Where ``evaluate_run`` writes: ``evaluation.json`` for the run's own sampler,
    ``evaluation-SAMPLER.json`` for another one."""
    if sampler in (None, run.config().sampler):
        return run.evaluation_file
    return run.path / f"evaluation-{sampler}.json"


def evaluate_run(
    run: RunDir,
    *,
    n: int = 2500,
    seed: int = 0,
    sampler: str | None = None,
    trained: FitResult | None = None,
) -> dict[str, Any]:
    """Draw n samples per member from the run's model, evaluate them, write evaluation.json.

    ``sampler`` (a GAN's ``GANConfig.sampler``) overrides the run's own; its result goes to
    ``evaluation-SAMPLER.json`` instead, so the run's own evaluation stays. ``trained``: the
    model ``fit`` just returned (its checkpoint is then not read again)."""
    config = run.config()
    t = config.train
    used = config.sampler if sampler is None else sampler
    if trained is not None and sampler is None:
        model, epoch = trained.model, trained.epoch
    else:
        ckpt = run.load_checkpoint()
        if ckpt is None:
            raise UserError(f"run {run.path} has no checkpoint yet: train it first")
        model, epoch = load_model(run, sampler=sampler, checkpoint=ckpt), ckpt["epoch"]
    samples = model.sample(n, generators=member_generators(t.seeds, "sample", "cpu", seed))
    evaluations = [evaluate(x.numpy(), t.dataset, n=n, seed=seed, noise=t.noise) for x in samples]
    result = {
        "run": str(run.path),
        "model": config.model,
        "dataset": t.dataset,
        "seeds": list(t.seeds),
        "n": n,
        "reference_seed": seed,
        "epoch": epoch,
        "complete": epoch == t.epochs,
        "samples": _kind(config.model, used),
        "metrics": summarise(evaluations),
    }
    with folder_lock(run.path):
        run.record(atomic.write_json(evaluation_file(run, sampler), result))
    return result


@dataclass(frozen=True)
class Comparison:
    """Runs side by side: one row per run, one column per metric (mean ± s.e.)."""

    runs: list[dict[str, Any]]

    def metrics(self) -> list[str]:
        names: list[str] = []
        for r in self.runs:
            names += [m for m in r["metrics"] if m not in names]
        return names

    def to_markdown(self) -> str:
        names = self.metrics()
        head = "| run | model | dataset | E | " + " | ".join(names) + " |"
        lines = [head, "|" + "---|" * (4 + len(names))]
        for r in self.runs:
            cells = []
            for m in names:
                s = r["metrics"].get(m)
                cells.append("—" if s is None else format_pm(s["mean"], s["se"]))
            row = [Path(r["run"]).name, r["model"], r["dataset"], str(len(r["seeds"]))]
            lines.append("| " + " | ".join(row + cells) + " |")
        for dataset in dict.fromkeys(r["dataset"] for r in self.runs):
            floors = {m: r["metrics"][m]["floor"] for r in self.runs
                      if r["dataset"] == dataset for m in r["metrics"]}  # fmt: skip
            cells = [f"{floors[m]:.4g}" if m in floors else "—" for m in names]
            lines.append(f"| floor (data vs data) | | {dataset} | | " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["run", "model", "dataset", "members", "metric", "mean", "se", "floor"])
        for r in self.runs:
            for m, s in r["metrics"].items():
                w.writerow([r["run"], r["model"], r["dataset"], len(r["seeds"]), m,
                            s["mean"], s["se"], s["floor"]])  # fmt: skip
        return buf.getvalue()


def compare_runs(runs: list[RunDir], *, n: int = 2500, seed: int = 0) -> Comparison:
    """Each run's evaluation.json (computed when missing or made with other n / seed)."""
    results: list[dict[str, Any]] = []
    for run in runs:
        path = run.evaluation_file
        made = run.read_json(path) if path.exists() else None
        made = made if isinstance(made, dict) else {}
        key = (made.get("n"), made.get("reference_seed"), made.get("epoch"))
        fresh = key != (n, seed, run.checkpoint_epoch())
        results.append(evaluate_run(run, n=n, seed=seed) if fresh else made)
    return Comparison(results)
