"""Sample quality of trained runs: ``evaluation.json`` and the comparison table of runs.

Every member is evaluated on its own samples (generated points; VAE: decoded prior samples)
against fresh data of a registered dataset (``genlab.evaluation.evaluate``), or, for a run on a
data file, against its held-out points (``evaluate_points``: m = min(n, held-out) samples
against the first m held-out points, the floor those against m training points); each metric
is summarised over members as mean ± standard error (s.e. = std / sqrt(E), ddof = 1), next to
its real-vs-real floor and the floor's own spread (``floor_se``: its standard deviation over
K = ``FLOOR_PAIRS`` = 10 pairs, 5 for the exact OT metrics, :mod:`genlab.evaluation.suite`;
for a data file, the held-out points against K sets of m training points,
:func:`~genlab.evaluation.suite.floor_subsets`), which ``genlab.evaluation.verdicts`` reads.
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
from genlab.data.user_data import MIN_HELDOUT, UserData
from genlab.evaluation.suite import FLOOR_PAIRS, OT_FLOOR_PAIRS, Evaluation, evaluate
from genlab.models.config import DEFAULT_GMM_COMPONENTS, GANConfig, VAEConfig
from genlab.training.loop import FitResult, load_model, sampling_config
from genlab.training.rundir import RunDir


def summarise(evaluations: list[Evaluation]) -> dict[str, dict[str, Any]]:
    """metric → {values (per member), mean, se, floor, better}, with floor_se and floor_pairs
    (the floor's spread and the K pairs it was measured over) where the spread was measured."""
    out: dict[str, dict[str, Any]] = {}
    for name, score in evaluations[0].scores.items():
        values = [e.scores[name].value for e in evaluations]
        mean, se = mean_se(values)
        out[name] = {"values": values, "mean": mean, "se": se, "floor": score.floor,
                     "better": score.better}  # fmt: skip
        if score.floor_se is not None:
            out[name] |= {"floor_se": score.floor_se, "floor_pairs": score.floor_pairs}
    return out


def _kind(arch: VAEConfig | GANConfig) -> str:
    if isinstance(arch, VAEConfig):
        if arch.sampler == "posterior_gmm":
            return (f"decoded samples of a {arch.gmm_components}-component Gaussian mixture "
                    "fitted to the training encodings")  # fmt: skip
        return "decoded prior samples"
    if arch.sampler == "rejection":
        return "generated samples after discriminator rejection sampling"
    return "generated samples"


def _setting(arch: VAEConfig | GANConfig) -> str:
    """The file-name tag of a sampler's setting other than its default: ``-gammaG`` for a
    rejection γ ≠ 0, ``-kK`` for a mixture of K ≠ 50 components. G is γ's short form (``2``,
    ``0.5``) where that reads back as γ, else its shortest exact one (``repr``), so that two
    values never share a file."""
    if isinstance(arch, GANConfig):
        gamma = arch.rejection_gamma
        if gamma == 0:
            return ""
        return f"-gamma{gamma:g}" if float(f"{gamma:g}") == gamma else f"-gamma{gamma!r}"
    if arch.sampler == "posterior_gmm" and arch.gmm_components != DEFAULT_GMM_COMPONENTS:
        return f"-k{arch.gmm_components}"
    return ""


def _sampler_setting(arch: VAEConfig | GANConfig) -> dict[str, Any]:
    """The sampler's own setting, as evaluation.json records it."""
    if isinstance(arch, GANConfig) and arch.sampler == "rejection":
        return {"rejection_gamma": arch.rejection_gamma}
    if isinstance(arch, VAEConfig) and arch.sampler == "posterior_gmm":
        return {"gmm_components": arch.gmm_components}
    return {}


def evaluation_file(
    run: RunDir,
    sampler: str | None = None,
    rejection_gamma: float | None = None,
    gmm_components: int | None = None,
) -> Path:
    """Where ``evaluate_run`` writes: ``evaluation.json`` for the run's own sampler and
    setting, ``evaluation-SAMPLER.json`` for another sampler at its default setting, and
    ``evaluation-SAMPLER-gammaG.json`` / ``evaluation-SAMPLER-kK.json`` at another one
    (``genlab.training.loop.sampling_config``)."""
    config = run.config()
    used = sampling_config(config, sampler, rejection_gamma, gmm_components).arch
    if used == config.arch:
        return run.evaluation_file
    return run.path / f"evaluation-{used.sampler}{_setting(used)}.json"


def evaluate_run(
    run: RunDir,
    *,
    n: int = 2500,
    seed: int = 0,
    sampler: str | None = None,
    trained: FitResult | None = None,
    exact_ot: bool = True,
    rejection_gamma: float | None = None,
    gmm_components: int | None = None,
) -> dict[str, Any]:
    """Draw n samples per member from the run's model, evaluate them, write evaluation.json.

    ``sampler`` (``GANConfig.sampler``, ``VAEConfig.sampler``) overrides the run's own; its
    result goes to ``evaluation-SAMPLER.json`` instead, so the run's own evaluation stays; so does
    ``rejection_gamma``, the rejection sampler's γ, and ``gmm_components``, the
    ``posterior_gmm`` sampler's mixture size (:func:`evaluation_file`). ``trained``: the
    model ``fit`` just returned (its checkpoint is then not read again). Without ``exact_ot``
    the metrics lack ``w1`` and ``w2`` and the file says ``"exact_ot": false``
    (:func:`lacks_exact_ot`); the samples, and so every other metric, are the same."""
    config = run.config()
    t = config.train
    overrides = (sampler, rejection_gamma, gmm_components)
    used = sampling_config(config, *overrides).arch
    if trained is not None and overrides == (None, None, None):
        model, epoch = trained.model, trained.epoch
    else:
        ckpt = run.load_checkpoint()
        if ckpt is None:
            raise UserError(f"run {run.path} has no checkpoint yet: train it first")
        model = load_model(run, sampler=sampler, rejection_gamma=rejection_gamma,
                           gmm_components=gmm_components, checkpoint=ckpt)  # fmt: skip
        epoch = ckpt["epoch"]
    data = run.user_data()
    m = n if data is None else _compared(data, n, run)
    samples = model.sample(m, generators=member_generators(t.seeds, "sample", "cpu", seed))
    if data is None:
        evaluations = [evaluate(x.numpy(), t.dataset, n=n, seed=seed, noise=t.noise,
                                floor_pairs=FLOOR_PAIRS, ot_pairs=OT_FLOOR_PAIRS,
                                exact_ot=exact_ot)
                       for x in samples]  # fmt: skip
        against: dict[str, Any] = {"dataset": t.dataset}
    else:
        from genlab.evaluation.suite import disjoint_subsets, evaluate_points, floor_subsets

        name = t.data_name
        second, *more = floor_subsets(data.train, m, FLOOR_PAIRS, seed=seed)  # second = train[:m]
        evaluations = [evaluate_points(x.numpy().astype(float), data.holdout[:m], second,
                                       name=name, spread=more, ot_pairs=OT_FLOOR_PAIRS,
                                       exact_ot=exact_ot)
                       for x in samples]  # fmt: skip
        blocks = disjoint_subsets(len(data.train), m, FLOOR_PAIRS)
        against = {"dataset": name, "data": t.data, "compared": m,
                   "reference": f"{m} of {len(data.holdout)} held-out points",
                   "floor_pair": f"{m} training points",
                   "floor_spread": f"{FLOOR_PAIRS} sets of {len(second)} training points "
                                   f"({OT_FLOOR_PAIRS} for w1, w2), {blocks} disjoint"}  # fmt: skip
    result = {
        "run": str(run.path),
        "model": config.model,
        **against,
        "seeds": list(t.seeds),
        "n": n,
        "reference_seed": seed,
        "epoch": epoch,
        "complete": epoch == t.epochs,
        "samples": _kind(used),
        "sampler": used.sampler,
        **_sampler_setting(used),
        "exact_ot": exact_ot,
        "metrics": summarise(evaluations),
    }
    with folder_lock(run.path):
        run.record(atomic.write_json(evaluation_file(run, *overrides), result))
    return result


def lacks_exact_ot(result: dict[str, Any]) -> bool:
    """Whether an ``evaluation.json`` was written without the exact OT metrics (files written
    before the flag existed always have them)."""
    return result.get("exact_ot") is False


def _compared(data: UserData, n: int, run: RunDir) -> int:
    """The samples per member an evaluation against ``data``'s held-out points compares."""
    if len(data.holdout) < MIN_HELDOUT:
        raise UserError(
            f"run {run.path} holds out {len(data.holdout)} points; an evaluation needs at least "
            f"{MIN_HELDOUT}: train with a larger holdout"
        )
    return min(n, len(data.holdout))


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
    """Each run's evaluation.json (computed when missing, made with other n / seed, or
    without the exact OT metrics)."""
    results: list[dict[str, Any]] = []
    for run in runs:
        path = run.evaluation_file
        made = run.read_json(path) if path.exists() else None
        made = made if isinstance(made, dict) else {}
        key = (made.get("n"), made.get("reference_seed"), made.get("epoch"))
        fresh = key != (n, seed, run.checkpoint_epoch()) or lacks_exact_ot(made)
        results.append(evaluate_run(run, n=n, seed=seed) if fresh else made)
    return Comparison(results)
