"""genlab's command line: ``genlab VERB ...``. With ``problems`` (the verbs of Problems 1 and 2)
and ``args`` (argument types), the only modules that parse arguments, set globals or print.

Each verb parses, calls the library and prints. Modules are imported where they are used, so
that ``genlab --help`` or a rejected argument costs no torch import. Bad input (``UserError``)
exits with code 2 before any work or file write; a diverging run exits with 1; any other
exception is a bug: exit 1, its traceback shown with ``genlab --debug``.
"""

from __future__ import annotations

import argparse
import errno
import gc
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from genlab.base.errors import NonFiniteLossError, UserError
from genlab.cli.args import (
    check_memory,
    check_run_fits,
    evaluation_memory,
    floats_arg,
    names_arg,
    open_runs,
    path_arg,
    seed_arg,
    seeds_arg,
)
from genlab.cli.paths import check_output_dir, check_output_file
from genlab.cli.plot import add_plot_parser
from genlab.cli.problems import add_minimax_parser, add_theory_parser
from genlab.cli.sweep import add_engine_options, add_sweep_parser
from genlab.cli.verify import add_verify_parser
from genlab.data.registry import DATASETS, get_dataset
from genlab.models.config import GANConfig, VAEConfig
from genlab.training.config import RunConfig, TrainConfig, sampling_memory
from genlab.training.rundir import RunDir


# -- training -------------------------------------------------------------------------------
def widths_arg(text: str) -> tuple[int, ...]:
    """Hidden-layer widths, ``128,128`` (an empty text: no hidden layer); the configuration
    checks their range."""
    try:
        return tuple(int(v) for v in text.split(",")) if text.strip() else ()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected integer widths separated by commas, e.g. 128,128, got {text!r}"
        ) from None


def activations_arg(text: str) -> tuple[str, ...]:
    """Activation names, ``leaky_relu,tanh`` (an empty text: none); the configuration checks
    the names."""
    return tuple(v.strip() for v in text.split(",")) if text.strip() else ()


COMPILE_MODES = ("auto", "on", "off")
TRAIN_OPTIONS = {  # option -> (config section, field, type, help)
    "--dataset": ("train", "dataset", str, f"dataset name ({', '.join(DATASETS)})"),
    "--data": (
        "train",
        "data",
        str,
        "your own points instead: FILE.npy, FILE.npz[:KEY] or "
        "FILE.csv, N × d with N ≥ 10, 1 ≤ d ≤ 64",
    ),  # fmt: skip
    "--holdout": ("train", "holdout", float, "with --data: fraction held out for evaluation"),
    "--holdout-seed": ("train", "holdout_seed", int, "with --data: seed of the held-out split"),
    "--n-samples": ("train", "n_samples", int, "training points per member"),
    "--noise": ("train", "noise", float, "dataset noise std"),
    "--epochs": ("train", "epochs", int, "training epochs"),
    "--batch-size": ("train", "batch_size", int, "minibatch size"),
    "--lr": ("train", "lr", float, "Adam learning rate"),
    "--lr-decay": ("train", "lr_decay", float, "last fraction of epochs, lr falling towards 0"),
    "--seeds": ("train", "seeds", seeds_arg, "members, e.g. 0, 0-15 or 1,4,9"),
    "--device": ("train", "device", str, "auto, cpu or cuda"),
    "--threads": ("train", "threads", int, "CPU threads (0: torch's default)"),
    "--checkpoint-every": ("train", "checkpoint_every", int, "epochs between checkpoints"),
    "--eval-samples": ("train", "eval_samples", int, "samples per member to evaluate (0: skip)"),
    "--snapshots": ("train", "snapshots", int, "snapshots of the samples over the epochs"),
    "--frames": ("train", "frames", int, "frames of the training animation (0: none)"),
    "--latent-dim": ("vae", "latent_dim", int, "VAE latent dimension"),
    "--encoder-hidden": ("vae", "encoder_hidden", widths_arg, "VAE encoder hidden widths"),
    "--encoder-activations": (
        "vae",
        "encoder_activations",
        activations_arg,
        "VAE encoder activations, one per hidden layer",
    ),
    "--decoder-hidden": ("vae", "decoder_hidden", widths_arg, "VAE decoder hidden widths"),
    "--decoder-activations": (
        "vae",
        "decoder_activations",
        activations_arg,
        "VAE decoder activations, one per hidden layer",
    ),
    "--reg-coeff": ("vae", "reg_coeff", float, "VAE weight of the MSE term"),
    "--lambda": ("gan", "lam", float, "λ, the weight of the generated term in D's loss"),
    "--z-dim": ("gan", "z_dim", int, "GAN noise dimension"),
    "--generator-hidden": ("gan", "generator_hidden", widths_arg, "generator hidden widths"),
    "--generator-activations": (
        "gan",
        "generator_activations",
        activations_arg,
        "generator activations, one per hidden layer",
    ),
    "--discriminator-hidden": (
        "gan",
        "discriminator_hidden",
        widths_arg,
        "discriminator hidden widths",
    ),
    "--discriminator-activations": (
        "gan",
        "discriminator_activations",
        activations_arg,
        "discriminator activations, one per hidden layer",
    ),
    "--generator-loss": ("gan", "generator_loss", str, "nonsaturating or saturating"),
    "--rule": ("gan", "rule", str, "how one game step updates D and G"),
    "--base-optimizer": ("gan", "base_optimizer", str, "the step the rule applies: adam or sgd"),
    "--sampler": (
        "model",
        "sampler",
        str,
        "GAN: generator, or rejection (D corrects G's "
        "samples); VAE: prior, or posterior_gmm (a mixture fitted to the encodings)",
    ),
    "--rejection-gamma": (
        "gan",
        "rejection_gamma",
        float,
        "with --sampler rejection: DRS's γ shift (> 0 stricter; default 0)",
    ),
    "--gmm-components": (
        "vae",
        "gmm_components",
        int,
        "with --sampler posterior_gmm: the mixture's components, 1 to 1000",
    ),
    "--pack": ("gan", "pack", int, "PacGAN: D scores packs of this many points, 1 to 8"),
    "--objective": ("gan", "objective", str, "lambda_gan, or wgan_gp (WGAN-GP's critic)"),
    "--gp-weight": ("gan", "gp_weight", float, "wgan_gp: weight of the gradient penalty, > 0"),
    "--critic-steps": ("gan", "critic_steps", int, "D steps per G step (alternating), 1 to 20"),
    "--adam-betas": ("gan", "adam_betas", floats_arg, "Adam's B1,B2 for both players, in [0, 1)"),
}


def add_train_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a VAE or a λ-GAN (homework defaults)")
    p.add_argument("model", choices=("vae", "gan"))
    for opt, (section, name, typ, help_) in TRAIN_OPTIONS.items():
        if section == "model":  # both models, each its own default
            shown = ", ".join(f"{m.upper()} {_default(c, name)}"
                              for m, c in (("gan", GANConfig), ("vae", VAEConfig)))  # fmt: skip
        else:
            d = _default({"train": TrainConfig, "vae": VAEConfig, "gan": GANConfig}[section], name)
            shown = "the dataset's" if d is None else ",".join(map(str, d)) if isinstance(
                d, tuple) else d  # fmt: skip
        p.add_argument(opt, type=typ, default=None, help=f"{help_} (default: {shown})")
    p.add_argument("--preset", help="a named preset (``genlab presets``); options override it")
    p.add_argument(
        "--config",
        type=path_arg,
        metavar="FILE.toml",
        help="a run configuration file (e.g. RUN/config.toml of an earlier run, "
        "which trains that run again); options override it; not with --preset",
    )
    p.add_argument("--standardize", action=argparse.BooleanOptionalAction, default=None,
                   help="with --data: train on standardized points (default: off)")  # fmt: skip
    p.add_argument("--compile", nargs="?", const="on", choices=COMPILE_MODES, default=None,
                   help="torch.compile the step: auto (the default: when the run is long "
                   "enough for it to pay), on (--compile), off (--no-compile)")  # fmt: skip
    p.add_argument("--no-compile", dest="compile", action="store_const", const="off",
                   help="never compile the step (as --compile off)")  # fmt: skip
    p.add_argument("--figures", action="store_true",
                   help="draw the run's figures at the end (else: genlab plot RUN, or "
                   "genlab report RUN, draws them when wanted)")  # fmt: skip
    p.add_argument("--exact-ot", action="store_true",
                   help="add the exact OT metrics w1, w2 to the final evaluation (~2 s; else "
                   "genlab evaluate, compare or report adds them)")  # fmt: skip
    p.add_argument("--resume", type=path_arg, metavar="RUN", help="continue an interrupted run")
    p.add_argument("--out", type=path_arg, help="run folder (default: runs/MODEL-DATASET-TIME)")
    p.set_defaults(func=cmd_train)


def _default(config: type, name: str) -> Any:
    return {f.name: f.default for f in fields(config)}[name]


def config_from_args(args: argparse.Namespace) -> RunConfig:
    given: dict[str, dict[str, Any]] = {"train": {}, "vae": {}, "gan": {}}
    for opt, (section, name, _, _) in TRAIN_OPTIONS.items():
        value = getattr(args, opt.lstrip("-").replace("-", "_"))
        section = args.model if section == "model" else section
        if value is not None:
            if section not in ("train", args.model):
                raise UserError(f"{opt} applies to the {section.upper()}, not to {args.model}")
            given[section][name] = value
    if args.data is not None and args.n_samples is not None:
        raise UserError("--n-samples applies to a registered dataset; with --data, the file's "
                        "training part sets it (see --holdout)")  # fmt: skip
    if args.compile in ("on", "off"):
        given["train"]["compile"] = args.compile == "on"
    if args.standardize is not None:
        given["train"]["standardize"] = args.standardize
    if args.config is not None:
        import dataclasses

        from genlab.training.config_file import read_config

        if args.preset is not None:
            raise UserError("--preset and --config: pick one (a config file holds a whole run)")
        config = read_config(args.config)
        if config.model != args.model:
            raise UserError(
                f"--config {args.config} trains a {config.model}, not a {args.model}: "
                f"run `genlab train {config.model} --config {args.config}`"
            )
        arch = with_options(config.arch, given[args.model])
        return RunConfig(args.model, dataclasses.replace(config.train, **given["train"]), arch)
    if args.preset is None:
        arch = (VAEConfig if args.model == "vae" else GANConfig)(**given[args.model])
        return RunConfig(args.model, TrainConfig(**given["train"]), arch)
    import dataclasses

    from genlab.workflows.presets import get_preset

    preset = get_preset(args.preset)
    if preset.model != args.model:
        raise UserError(f"preset {args.preset!r} trains a {preset.model}, not a {args.model}")
    config = preset.run_config(TrainConfig())
    arch = with_options(config.arch, given[args.model])
    return RunConfig(args.model, dataclasses.replace(config.train, **given["train"]), arch)


SAMPLER_SETTING = {VAEConfig: "gmm_components", GANConfig: "rejection_gamma"}
"""The option that sets each model's sampler (the mixture's K, the rejection γ)."""


def with_options(arch: VAEConfig | GANConfig, given: dict[str, Any]) -> VAEConfig | GANConfig:
    """``arch`` (a preset's, a config file's) with the options given. Another ``--sampler``
    without its setting takes that sampler's default one: a preset's K or γ belongs to the
    preset's own sampler (``--sampler prior`` on a mixture preset samples the prior)."""
    import dataclasses

    given = dict(given)
    if given.get("sampler", arch.sampler) != arch.sampler:
        name = SAMPLER_SETTING[type(arch)]
        default = next(f.default for f in fields(arch) if f.name == name)
        given.setdefault(name, default)
    return dataclasses.replace(arch, **given)


def progress(desc: str, total: int) -> tuple[Callable, Callable]:
    """A tqdm bar on a terminal, silence otherwise: (on_epoch, close). The bar starts at the
    first epoch it is shown, so a resumed run's bar starts where the run does."""
    from tqdm import tqdm

    bars: list = []

    def on_epoch(record) -> None:
        if not bars:
            bars.append(tqdm(total=total, initial=record.epoch - 1, desc=desc, unit="ep",
                             disable=not sys.stderr.isatty()))  # fmt: skip
        post = {k: f"{sum(v) / len(v):.4g}" for k, v in record.losses.items()}
        post["steps/s"] = f"{record.steps / max(record.seconds, 1e-9):.0f}"
        bars[0].set_postfix(post, refresh=False)
        bars[0].update(1)

    def close() -> None:
        for bar in bars:
            bar.close()

    return on_epoch, close


def auto_compile(config: RunConfig, split: Any) -> RunConfig:
    """``--compile auto``: the rule of ``genlab.training.compile_rule``, said in one line."""
    import dataclasses

    from genlab.training.compile_rule import choose_compile, epoch_points
    from genlab.training.device import resolve_device

    device = resolve_device(config.train.device).type
    choice = choose_compile(config, epoch_points(config, split), device)
    print(f"compile: {choice.why}")
    return dataclasses.replace(
        config, train=dataclasses.replace(config.train, compile=choice.compile)
    )


def cmd_train(args: argparse.Namespace) -> int:
    from genlab import api

    if args.resume is not None:
        options = [o.lstrip("-").replace("-", "_") for o in TRAIN_OPTIONS if o != "--lr"]
        if any(
            getattr(args, o) is not None
            for o in [*options, "out", "compile", "standardize", "preset", "config"]
        ):
            raise UserError(
                "--resume continues a run with its saved config; drop other options "
                "(only --lr may change, for the rest of the run)"
            )
        if not RunDir(args.resume).config_file.exists():
            raise UserError(f"--resume {args.resume}: no run there (no config.json)")
        run = RunDir.open(args.resume)
        if run.config().model != args.model:
            run.load_checkpoint()  # an edited config.json is named by its seal, field by field
            raise UserError(f"--resume {run.path} is a {run.config().model} run, not {args.model}")
        if run.is_done():
            if args.figures:
                api.load(run.path).draw_figures()
            print(f"{run.path} is already complete")
            return 0
        out = check_output_dir("--resume", run.path)
        if args.lr is not None:
            from genlab.training.checkpoints import amend

            for change in amend(run, lr=args.lr):
                print(f"amended {run.path}: {change}")
        config, split = run.config(), None
        dim: int | None = run.data_dim()
    else:
        from genlab.training.data_file import prepare_data

        config, split = prepare_data(config_from_args(args))  # reads and checks --data
        dim = split.dim if split is not None else config.train.data_dim
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = "data" if split is not None else config.train.dataset
        out = args.out if args.out is not None else Path("runs") / (
            f"{args.model}-{name}-{stamp}")  # fmt: skip
        if RunDir(out).config_file.exists():
            raise UserError(f"{out} already holds a run; use --resume {out} or another --out")
        check_output_dir("--out", out)
        if args.compile == "auto" or (args.compile is None and args.config is None):
            config = auto_compile(config, split)
    check_run_fits(config, dim=dim)
    if config.train.compile:
        from genlab.training.compile_rule import check_compiler
        from genlab.training.device import resolve_device

        check_compiler(config, resolve_device(config.train.device).type)
    on_epoch, close = progress(f"train {args.model}", config.train.epochs)
    try:
        api.train(
            config,
            out=out,
            on_epoch=on_epoch,
            data=split,
            figures=args.figures,
            exact_ot=args.exact_ot,
        )
    finally:
        close()
    print(f"wrote {out}")
    return 0


# -- sampling and data ----------------------------------------------------------------------
def cmd_sample(args: argparse.Namespace) -> int:
    import numpy as np

    from genlab import api
    from genlab.base import atomic

    if args.n < 1:
        raise UserError(f"-n must be >= 1, got {args.n}")
    if args.output.suffix not in (".npy", ".csv"):
        raise UserError(f"-o must end in .npy or .csv, got {args.output}")
    check_output_file("-o", args.output)
    (run,) = open_runs([args.run])
    seeds = run.config().train.seeds
    if args.member is not None and not 0 <= args.member < len(seeds):
        raise UserError(f"--member must be in 0..{len(seeds) - 1}, got {args.member}")
    members = None if args.member is None else 1
    check_memory(f"-n {args.n} samples of {members or len(seeds)} member(s)",
                 sampling_memory(run.config(), args.n, members, run.data_dim()))  # fmt: skip
    x = api.load(run.path).sample(args.n, seed=args.seed, member=args.member,
                                  sampler=args.sampler, rejection_gamma=args.rejection_gamma,
                                  gmm_components=args.gmm_components)  # fmt: skip
    if not run.is_done():
        print(f"note: {run.path} is not complete; sampled its last checkpoint", file=sys.stderr)
    if args.output.suffix == ".npy":
        atomic.save_npy(args.output, x)
    else:
        rows = x if x.ndim == 2 else np.concatenate(
            [np.column_stack((np.full(len(m), i), m)) for i, m in enumerate(x)])  # fmt: skip
        d = x.shape[-1]
        header = "x,y" if d == 2 else ",".join(f"x{i}" for i in range(1, d + 1))
        header = header if x.ndim == 2 else f"member,{header}"
        lines = [header] + [",".join(f"{v:.9g}" for v in row) for row in rows]
        atomic.write_text(args.output, "\n".join(lines) + "\n")
    print(f"wrote {args.output} ({x.shape})")
    return 0


def cmd_data_plot(args: argparse.Namespace) -> int:
    from matplotlib.backend_bases import FigureCanvasBase

    from genlab.base import atomic
    from genlab.plotting.density import homework_style, plot_density, subplots

    spec = get_dataset(args.name)
    formats = FigureCanvasBase.get_supported_filetypes()
    if args.output.suffix.lstrip(".") not in formats:
        raise UserError(f"-o {args.output}: the suffix must be one of {', '.join(formats)}")
    if args.n < 3:
        raise UserError(f"-n must be >= 3 for a density plot, got {args.n}")
    check_output_file("-o", args.output)
    # the points, float64, and their binning onto the grid: measured, ~130 bytes a point
    check_memory(f"-n {args.n} points", {"points and their binning": 130 * args.n})
    x = spec.sample(args.n, generator=args.seed).numpy()
    with homework_style():
        if spec.dim == 2:
            fig, ax = subplots(figsize=(5, 5))
            plot_density(ax, x, limit=spec.limit, title=f"True {spec.description}")
        else:  # a corner plot: pairwise densities and marginals
            from genlab.plotting.points import plot_corner
            from genlab.plotting.window import square_window

            fig, axes = subplots(spec.dim, spec.dim, figsize=(2 * spec.dim, 2 * spec.dim),
                                 squeeze=False)  # fmt: skip
            plot_corner(axes, x, window=square_window(spec.limit, spec.dim))
            fig.suptitle(f"True {spec.description}")
        atomic.save_figure(args.output, fig, dpi=100)
    print(f"wrote {args.output}")
    return 0


def cmd_data_list(args: argparse.Namespace) -> int:
    for spec in DATASETS.values():
        print(
            f"{spec.name:14} noise {spec.noise:<8.4g} window ±{spec.limit:<5.3g} {spec.description}"
        )
    return 0


# -- evaluation ---------------------------------------------------------------------------
def check_evaluation(run: RunDir, n: int) -> None:
    """Refuse an evaluation of n samples per member this machine cannot hold."""
    parts = sampling_memory(run.config(), n) | evaluation_memory(n)
    check_memory(f"--n {n}: evaluating {run.path} would", parts)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from genlab.evaluation.runs import Comparison, evaluate_run, evaluation_file

    if args.n < 50:
        raise UserError(f"--n must be >= 50, got {args.n}")
    (run,) = open_runs([args.run])
    check_evaluation(run, args.n)
    where = evaluation_file(run, args.sampler, args.rejection_gamma, args.gmm_components)
    check_output_file("evaluate: the run's", where)
    result = evaluate_run(run, n=args.n, seed=args.seed, sampler=args.sampler,
                          rejection_gamma=args.rejection_gamma,
                          gmm_components=args.gmm_components)  # fmt: skip
    if not result["complete"]:
        print(f"note: {run.path} is not complete; evaluated its checkpoint at epoch "
              f"{result['epoch']}", file=sys.stderr)  # fmt: skip
    print(Comparison([result]).to_markdown())
    print(f"wrote {where}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from genlab.base import atomic
    from genlab.evaluation.runs import compare_runs

    if args.n < 50:
        raise UserError(f"--n must be >= 50, got {args.n}")
    if args.out is not None:  # before any evaluation: each may rewrite a run's evaluation.json
        check_output_dir("--out", args.out, "comparison.md", "comparison.csv")
    runs = open_runs(args.runs)
    for run in runs:
        check_evaluation(run, args.n)
    table = compare_runs(runs, n=args.n, seed=args.seed)
    print(table.to_markdown())
    if args.out is not None:
        atomic.write_text(args.out / "comparison.md", table.to_markdown())
        atomic.write_text(args.out / "comparison.csv", table.to_csv())
        print(f"wrote {args.out}")
    return 0


# -- the quality benchmark ------------------------------------------------------------------
def cmd_benchmark(args: argparse.Namespace) -> int:
    from genlab.cli.sweep import check_task_fits, run_with_bar
    from genlab.sweeps.benchmark import plan_benchmark, write_tables
    from genlab.sweeps.engine import Engine
    from genlab.training.device import resolve_device
    from genlab.workflows.benchmark import Protocol

    given = {k: v for k, v in (("models", args.models), ("datasets", args.datasets))
             if v is not None}  # fmt: skip
    epochs = args.epochs if args.epochs is not None else (100 if args.quick else 2000)
    protocol = Protocol(seeds=args.seeds, epochs=epochs, quick=args.quick,
                        eval_samples=args.eval_samples, **given)  # fmt: skip
    engine = Engine(scheduler=args.scheduler, workers=args.workers,
                    connect_timeout=args.connect_timeout)  # fmt: skip
    device = resolve_device(args.device)
    plan = plan_benchmark(protocol, args.out, str(device), force=args.force)
    for task in plan.todo:
        check_task_fits(task)
    check_output_dir("--out", args.out, "protocol.json", "benchmark.csv", "benchmark.md",
                     "spec.toml", "sweep.json", "results.csv", "results.md")  # fmt: skip
    print(f"benchmark: {len(plan.cells)} cells (models × datasets) × {len(protocol.seeds)} "
          f"seeds, {len(plan.todo)} to train on {engine.describe()}", flush=True)  # fmt: skip
    result = run_with_bar(plan, engine, f"genlab benchmark ... --out {args.out}")
    if result is None:
        return 130
    if result.failed:
        print(f"genlab: {len(result.failed)} cell(s) failed: {', '.join(result.failed)} "
              f"(errors in {result.manifest}); the benchmark's tables need every cell",
              file=sys.stderr)  # fmt: skip
        return 1
    csv, md = write_tables(protocol, plan, result)
    print(md.read_text())
    print(f"wrote {csv} and {md}")
    return 0


# -- the main job ---------------------------------------------------------------------------
def cmd_reproduce(args: argparse.Namespace) -> int:
    from genlab.training.device import resolve_device
    from genlab.workflows.reproduce import STAGES, ReproduceSettings, reproduce, training_config

    settings = ReproduceSettings(seeds=args.seeds, quick=args.quick, device=args.device)
    resolve_device(settings.device)
    stages = [s for s in STAGES if args.only is None or s.name in args.only]
    if args.only is not None and (unknown := set(args.only) - {s.name for s in STAGES}):
        known = ", ".join(s.name for s in STAGES)
        raise UserError(f"unknown stage(s) {', '.join(sorted(unknown))}; known: {known}")
    for stage in stages:
        if stage.model is not None:
            check_run_fits(training_config(stage.model, settings), f"stage {stage.name}: ")
    check_output_dir("--out", args.out, "reproduce.json", "report.html")
    tic, failed = time.perf_counter(), []
    bars: dict[str, tuple[Callable, Callable]] = {}

    def on_epoch(stage, record) -> None:
        if stage.name not in bars:
            total = training_config(stage.model, settings).train.epochs
            bars[stage.name] = progress(stage.title, total)
        bars[stage.name][0](record)

    def on_stage(stage, result) -> None:
        where = args.out / stage.folder
        if stage.name in bars:
            bars.pop(stage.name)[1]()
        if result is None:
            print(f"[{stages.index(stage) + 1}/{len(stages)}] {stage.title} ...", flush=True)
        elif result.status == "skipped":
            print(f"  {where}: complete, skipped (--force to redo)")
        elif result.status == "failed":
            failed.append(stage.name)
            print(f"  FAILED after {result.seconds:.1f} s: {result.error}", file=sys.stderr)
        else:
            print(f"  wrote {where} in {result.seconds:.1f} s")

    try:
        report = reproduce(args.out, settings, stages, force=args.force, on_stage=on_stage,
                           on_epoch=on_epoch)  # fmt: skip
    finally:
        for _, close in bars.values():
            close()
    print(f"reproduction done in {time.perf_counter() - tic:.1f} s: {args.out}")
    print(f"report: {report}")
    if failed:
        print(f"genlab: stage(s) failed: {', '.join(failed)} (see the report)", file=sys.stderr)
    return 1 if failed else 0


def cmd_report(args: argparse.Namespace) -> int:
    from genlab.report.page import write_report

    for path in args.runs:
        if not path.is_dir():
            raise UserError(f"no run or reproduction folder at {path}")
    out = args.output if args.output is not None else args.runs[0] / "report.html"
    check_output_file("-o" if args.output is not None else "report: the page", out)
    print(f"wrote {write_report(args.runs, out, title=args.title)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="genlab",
        description="Train, evaluate and understand small generative models and minimax "
        "optimizers (the homework hw12 and beyond).",
    )
    parser.add_argument("--debug", action="store_true", help="show the traceback of a bug")
    sub = parser.add_subparsers(dest="command", required=True)
    add_train_parser(sub)
    add_theory_parser(sub)
    add_minimax_parser(sub)
    p = sub.add_parser("benchmark", help="models × datasets × seeds, with the published tables")
    p.add_argument("--quick", action="store_true", help="100 epochs instead of 2000")
    p.add_argument("--epochs", type=int, help="override the training length")
    p.add_argument("--seeds", type=seeds_arg, default=(0, 1, 2, 3, 4), help="members per cell")
    p.add_argument("--eval-samples", type=int, default=2500,
                   help="samples per member evaluated (the protocol: 2500)")  # fmt: skip
    p.add_argument("--models", type=names_arg, help="subset of the protocol's models")
    p.add_argument("--datasets", type=names_arg, help="subset of swiss_roll,ring,grid")
    p.add_argument("--device", default="auto")
    p.add_argument("--out", type=path_arg, default=Path("runs/benchmark"))
    add_engine_options(p)
    p.add_argument("--force", action="store_true", help="redo complete cells")
    p.set_defaults(func=cmd_benchmark)
    p = sub.add_parser("evaluate", help="sample-quality metrics of a run, into evaluation.json")
    p.add_argument("run", type=path_arg)
    p.add_argument("--n", type=int, default=2500, help="samples per member")
    p.add_argument("--seed", type=seed_arg, default=0, help="seed of the reference data")
    p.add_argument("--sampler", help="a sampler instead of the run's own (GAN: generator, "
                   "rejection; VAE: prior, posterior_gmm)")  # fmt: skip
    p.add_argument("--rejection-gamma", type=float, metavar="G",
                   help="the rejection sampler's γ shift (DRS) instead of the run's")  # fmt: skip
    p.add_argument("--gmm-components", type=int, metavar="K",
                   help="the posterior_gmm sampler's components instead of the run's")  # fmt: skip
    p.set_defaults(func=cmd_evaluate)
    p = sub.add_parser("compare", help="a table of runs' metrics (mean ± s.e. over members)")
    p.add_argument("runs", type=path_arg, nargs="+")
    p.add_argument("--n", type=int, default=2500, help="samples per member")
    p.add_argument("--seed", type=seed_arg, default=0, help="seed of the reference data")
    p.add_argument("--out", type=path_arg, help="folder for comparison.md and comparison.csv")
    p.set_defaults(func=cmd_compare)
    p = sub.add_parser("sample", help="draw samples from a trained run (its own sampler)")
    p.add_argument("run", type=path_arg)
    p.add_argument("-n", type=int, default=2000, help="samples per member")
    p.add_argument("-o", "--output", type=path_arg, required=True, help="FILE.npy or FILE.csv")
    p.add_argument("--member", type=int, help="only this member (index into the run's seeds)")
    p.add_argument("--seed", type=seed_arg, default=0, help="sampling seed")
    p.add_argument("--sampler", help="a sampler instead of the run's own (GAN: generator, "
                   "rejection; VAE: prior, posterior_gmm)")  # fmt: skip
    p.add_argument("--rejection-gamma", type=float, metavar="G",
                   help="the rejection sampler's γ shift (DRS) instead of the run's")  # fmt: skip
    p.add_argument("--gmm-components", type=int, metavar="K",
                   help="the posterior_gmm sampler's components instead of the run's")  # fmt: skip
    p.set_defaults(func=cmd_sample)
    data = sub.add_parser("data", help="datasets").add_subparsers(dest="data_cmd", required=True)
    p = data.add_parser("plot", help="density plot of a dataset")
    p.add_argument("name")
    p.add_argument("-o", "--output", type=path_arg, required=True)
    p.add_argument("-n", type=int, default=2000)
    p.add_argument("--seed", type=seed_arg, default=0)
    p.set_defaults(func=cmd_data_plot)
    data.add_parser("list", help="list the datasets").set_defaults(func=cmd_data_list)
    p = sub.add_parser("reproduce", help="the homework, reproduced, into runs/reproduce")
    p.add_argument("--out", type=path_arg, default=Path("runs/reproduce"))
    p.add_argument("--seeds", type=seeds_arg, default=(0,), help="members, e.g. 0-4 for error bars")
    p.add_argument("--quick", action="store_true", help="shortened runs, labelled as quick")
    p.add_argument("--force", action="store_true", help="redo complete stages")
    p.add_argument("--only", type=names_arg, help="stages to run (problem1,problem2,vae,gan)")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda (training stages)")
    p.set_defaults(func=cmd_reproduce)
    p = sub.add_parser("report", help="one self-contained HTML page of a reproduction or of runs")
    p.add_argument("runs", type=path_arg, nargs="+", help="a reproduce folder, or run folders")
    p.add_argument("-o", "--output", type=path_arg,
                   help="FILE.html (default: FIRST_RUN/report.html)")  # fmt: skip
    p.add_argument("--title", help="the page's title")
    p.set_defaults(func=cmd_report)
    sub.add_parser("presets", help="list the named presets").set_defaults(func=cmd_presets)
    add_verify_parser(sub)
    add_plot_parser(sub)
    add_sweep_parser(sub)
    return parser


def cmd_presets(args: argparse.Namespace) -> int:
    from genlab.workflows.presets import PRESETS

    for preset in PRESETS.values():
        print(f"{preset.name:36} {preset.model}  {preset.description}")
    return 0


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one line each: ``genlab: warning: ...`` (no source line)."""
    print(f"genlab: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    warnings.showwarning = show_warning
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "out", "") is None and hasattr(args, "out_default"):
        args.out = Path(args.out_default)
    try:
        return args.func(args)
    except UserError as err:
        print(f"genlab: error: {err}", file=sys.stderr)
        return 2
    except NonFiniteLossError as err:
        print(f"genlab: training diverged: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; continue with --resume RUN (the last checkpoint is kept)")
        return 130
    except Exception as err:
        from genlab.models.rejection import RejectionSamplingError

        if isinstance(err, RejectionSamplingError):
            print(f"genlab: sampling failed: {err}; `--sampler generator` draws G(z)",
                  file=sys.stderr)  # fmt: skip
            return 1
        if isinstance(err, OSError) and err.errno == errno.ENOSPC:
            print(f"genlab: error: no space left on the device ({err.filename or 'writing'}); "
                  "the last checkpoint is kept: free space, then resume the run",
                  file=sys.stderr)  # fmt: skip
            return 1
        if args.debug:
            raise
        print(f"genlab: internal error: {type(err).__name__}: {err}\n"
              "  this is a bug in genlab; `genlab --debug ...` shows the traceback",
              file=sys.stderr)  # fmt: skip
        return 1


def run() -> int:
    """The ``genlab`` console script: ``main``, then every object frozen out of the collector.

    By the time ``main`` returns, its files are written, flushed and closed; what is left is
    the interpreter's shutdown, whose garbage collections walk the millions of objects that
    torch and numba leave behind (0.15 s of a 0.9 s ``genlab minimax run``, 0.3 s of a
    training run, measured). ``gc.freeze`` moves them out of the collector's reach; the
    operating system frees the memory at exit anyway. Not in ``main``, which tests call in
    their own long-lived process.
    """
    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(run())
