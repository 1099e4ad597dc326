"""The homework (hw12), reproduced stage by stage into one folder (default ``runs/reproduce``).

    problem1/  minimax SGDA: the homework's rule, the other rules compared, the primal gap
    problem2/  the λ-GAN theorem: identity table (check/), discriminator against D* (discriminator/)
    vae/       Problem 3: the VAE on the swiss roll
    gan/       Problem 4: the λ-GAN (λ = 500) on the swiss roll

    reproduce.json  the manifest: settings, machine and versions, each stage's status and time
    report.html     everything above as one self-contained page (``genlab.report.page``)

A stage whose folder holds ``DONE`` is skipped unless forced; an interrupted training stage
resumes from its checkpoint. A stage that raises is recorded as failed (its ``ERROR.json``),
and the others still run and report. ``quick`` shortens every stage (and says so).
"""

from __future__ import annotations

import json
import shutil
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from genlab.base import atomic
from genlab.base.done import is_done, mark_done
from genlab.base.errors import UserError
from genlab.training.config import RunConfig, TrainConfig
from genlab.training.device import resolve_device
from genlab.training.rundir import RunDir, environment


@dataclass(frozen=True)
class Stage:
    """One part of the reproduction: a name, its folder, and the function that fills it."""

    name: str
    title: str
    folder: str
    run: Callable[[Path, ReproduceSettings, Callable | None], None]
    """``run(folder, settings, on_epoch)``: fills the folder; ``on_epoch`` follows training."""
    model: str | None = None
    """The model a training stage trains (``vae``/``gan``); None for the other stages."""


@dataclass(frozen=True)
class ReproduceSettings:
    """What the whole reproduction runs with (validated: bad values fail before any stage)."""

    seeds: tuple[int, ...] = (0,)
    quick: bool = False
    device: str = "auto"

    def __post_init__(self) -> None:
        TrainConfig(seeds=self.seeds, device=self.device)  # validates seeds and device

    def record(self) -> dict[str, Any]:
        return {"seeds": list(self.seeds), "quick": self.quick}


def training_config(model: str, settings: ReproduceSettings) -> RunConfig:
    """The homework's settings (2000 epochs; 200 when quick) with the chosen members."""
    epochs = 200 if settings.quick else 2000
    train = TrainConfig(epochs=epochs, seeds=settings.seeds, device=settings.device)
    return RunConfig(model, train)


def train_stage(model: str) -> Callable[[Path, ReproduceSettings, Callable | None], None]:
    def run(path: Path, settings: ReproduceSettings, on_epoch: Callable | None) -> None:
        from genlab.workflows.pipeline import train_run

        if RunDir(path).config_file.exists():  # its settings were checked by ``check_stages``
            run_dir = RunDir.open(path)
        else:
            config = training_config(model, settings)
            run_dir = RunDir.create(path, config, environment(str(resolve_device(settings.device))))
        train_run(run_dir, on_epoch=on_epoch, exact_ot=True)  # the report shows w1, w2

    return run


def theory_stage(path: Path, settings: ReproduceSettings, on_epoch: Callable | None) -> None:
    """Problem 2: both sides of the identity (quadrature and Monte Carlo), and a discriminator
    trained alone against the optimal one (p = swiss roll, q = a Gaussian, λ = 500)."""
    from genlab.theory.discriminator_fit import FitConfig, fit_discriminator
    from genlab.theory.identity import DEFAULT_LAMBDAS, PAIRS, check_theorem
    from genlab.theory.outputs import write_check, write_discriminator

    tic = time.perf_counter()
    n_mc = 20_000 if settings.quick else 100_000
    rows = check_theorem(tuple(PAIRS), DEFAULT_LAMBDAS, n_samples=n_mc, seed=settings.seeds[0])
    write_check(path / "check", rows, {"pairs": list(PAIRS), "lambdas": DEFAULT_LAMBDAS,
                                       "n_samples": n_mc, "quick": settings.quick})  # fmt: skip
    steps, n_eval = (2_000, 20_000) if settings.quick else (20_000, 100_000)
    fit = fit_discriminator(
        FitConfig(lam=500.0, steps=steps, seeds=settings.seeds, eval_samples=n_eval)
    )
    write_discriminator(path / "discriminator", fit)
    mark_done(path, {"seconds": time.perf_counter() - tic})


def minimax_stage(path: Path, settings: ReproduceSettings, on_epoch: Callable | None) -> None:
    """Problem 1: the homework's SGDA (its exact update, ``homework`` rule), the textbook rules
    on the same instance, and the primal gap Φ(θₜ) − L(θₜ, φₜ)."""
    from genlab.minimax import MinimaxConfig, compare_rules, run_minimax, write_comparison
    from genlab.minimax import write_run as write_minimax_run

    tic = time.perf_counter()
    config = MinimaxConfig(epochs=500 if settings.quick else 5000, seed=settings.seeds[0])
    write_minimax_run(run_minimax(config), path / "homework", figures=True)
    rules = ("homework", "simultaneous", "alternating", "extragradient", "optimistic")
    write_comparison(compare_rules(config, rules), path / "compare", per_run=False)
    mark_done(path, {"seconds": time.perf_counter() - tic})


STAGES: list[Stage] = [
    Stage("problem1", "Problem 1: minimax SGDA", "problem1", minimax_stage),
    Stage("problem2", "Problem 2: the λ-GAN theorem", "problem2", theory_stage),
    Stage("vae", "Problem 3: VAE", "vae", train_stage("vae"), "vae"),
    Stage("gan", "Problem 4: λ-GAN, λ = 500", "gan", train_stage("gan"), "gan"),
]


@dataclass(frozen=True)
class StageResult:
    """How one stage went: ``done``, ``skipped`` (complete already) or ``failed``."""

    stage: str
    title: str
    folder: str
    status: str
    seconds: float
    error: str | None = None
    traceback: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def check_stages(stages: list[Stage], root: Path, settings: ReproduceSettings, *, force: bool):
    """Fail before any work if a complete stage, or an unfinished training run, was made with
    other settings (unless forced)."""
    if force:
        return
    for stage in stages:
        path = root / stage.folder
        if (
            stage.model is not None
            and not is_done(path)
            and RunDir(path).config_file.exists()
            and RunDir.open(path).config() != training_config(stage.model, settings)
        ):
            raise UserError(f"{path} holds a run of other settings; force it to redo it")
        if is_done(path) and (made := stage_settings(path)) not in (
            None,
            settings.record(),
        ):
            raise UserError(
                f"{path} is complete but was made with {made}, not {settings.record()}; "
                "force it to redo it, or choose another folder"
            )


def run_stage(
    stage: Stage, root: Path, settings: ReproduceSettings, *, force: bool,
    on_epoch: Callable | None = None,
) -> StageResult:  # fmt: skip
    """Run one stage unless complete. An exception fails the stage, not the reproduction: it is
    recorded in the stage's ``ERROR.json`` and returned, and the next stage runs."""
    path = root / stage.folder
    check_stages([stage], root, settings, force=force)
    if is_done(path) and not force:
        return StageResult(stage.name, stage.title, stage.folder, "skipped", 0.0)
    if force and path.exists():
        shutil.rmtree(path)
    (path / "ERROR.json").unlink(missing_ok=True)
    tic = time.perf_counter()
    try:
        stage.run(path, settings, on_epoch)
    except Exception as err:  # noqa: BLE001 - a failed stage is reported, never hidden
        result = StageResult(stage.name, stage.title, stage.folder, "failed",
                             time.perf_counter() - tic, f"{type(err).__name__}: {err}",
                             traceback.format_exc())  # fmt: skip
        atomic.write_json(
            path / "ERROR.json", {"error": result.error, "traceback": result.traceback}
        )
        return result
    atomic.write_json(path / "SETTINGS.json", settings.record())
    return StageResult(stage.name, stage.title, stage.folder, "done", time.perf_counter() - tic)


def reproduce(
    root: Path, settings: ReproduceSettings, stages: list[Stage] | None = None, *,
    force: bool = False, on_epoch: Callable[[Stage, Any], None] | None = None,
    on_stage: Callable[[Stage, StageResult | None], None] | None = None,
) -> Path:  # fmt: skip
    """Run the stages into ``root`` (``on_epoch(stage, record)`` follows training), keep
    ``reproduce.json`` (the manifest) current after each, and write ``report.html``; return
    the report's path. ``on_stage(stage, None)`` is called
    before a stage and ``on_stage(stage, result)`` after it.

    A skipped stage keeps its entry (status and time) from the manifest of the run that made
    it; when every stage is skipped, neither the manifest nor an up-to-date report is rewritten.
    """
    from genlab.report.page import build_report

    stages = STAGES if stages is None else stages
    check_stages(stages, root, settings, force=force)
    root.mkdir(parents=True, exist_ok=True)
    device = str(resolve_device(settings.device))
    path = root / "reproduce.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    made = {s["stage"]: s for s in old.get("stages", []) if s.get("status") == "done"}
    manifest: dict[str, Any] = {
        "started": _now(), "settings": {**settings.record(), "device": device},
        "environment": environment(device), "stages": [],
    }  # fmt: skip
    tic, ran = time.perf_counter(), False
    for stage in stages:
        if on_stage is not None:
            on_stage(stage, None)
        follow = None if on_epoch is None else (lambda record, s=stage: on_epoch(s, record))
        result = run_stage(stage, root, settings, force=force, on_epoch=follow)
        skipped = result.status == "skipped" and stage.name in made
        manifest["stages"].append(made[stage.name] if skipped else result.to_json())
        ran = ran or result.status != "skipped"
        manifest |= {"finished": _now(), "wall_seconds": time.perf_counter() - tic,
                     "seconds": sum(s["seconds"] for s in manifest["stages"])}  # fmt: skip
        if ran or not old:
            atomic.write_json(path, manifest)
        if on_stage is not None:
            on_stage(stage, result)
    report, html = root / "report.html", build_report([root])
    if not report.exists() or report.read_text(encoding="utf-8") != html:
        atomic.write_text(report, html)
    return report


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def stage_settings(path: Path) -> dict[str, Any] | None:
    """The settings a complete stage was made with (None for a stage from before they were
    recorded: then a training stage's own config says them)."""
    if (path / "SETTINGS.json").exists():
        return json.loads((path / "SETTINGS.json").read_text())
    if RunDir(path).config_file.exists() and RunDir(path).checkpoint_file.parent.exists():
        t = RunDir.open(path).config().train
        return {"seeds": list(t.seeds), "quick": t.epochs != 2000}
    return None
