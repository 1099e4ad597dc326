"""``genlab sweep SPEC --out DIR``: a grid of runs on Dask (``genlab.sweeps``), with a progress
bar over the cells and the results table at the end.

Part of the command line: it parses the arguments, draws the bar and prints. Nothing here
imports Dask or torch at module level, so ``genlab --help`` stays cheap.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from genlab.base.errors import UserError
from genlab.cli.args import path_arg
from genlab.cli.paths import check_output_dir

OUTPUTS = ("spec.toml", "sweep.json", "results.csv", "results.md")


def add_sweep_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sweep", help="a grid of runs (configuration fields × seeds) on Dask",
                       description="Train every cell of a grid (docs/sweeps.md): on a local "
                       "cluster of one worker process per core, or on an existing Dask cluster "
                       "(--scheduler). Complete cells are skipped; a failed cell stops no "
                       "other; the exit code is 1 when one failed.")  # fmt: skip
    p.add_argument("spec", help="a sweep spec FILE.toml, or the name of a shipped one (example)")
    p.add_argument("--out", type=path_arg, required=True, metavar="DIR",
                   help="the sweep's folder; with --scheduler on a file system every worker "
                   "reaches")  # fmt: skip
    add_engine_options(p)
    p.add_argument(
        "--members-per-task",
        type=int,
        metavar="M",
        help="at most M seeds trained together per task (default: the spec's, or 8)",
    )
    p.add_argument("--force", action="store_true", help="redo complete cells")
    p.set_defaults(func=cmd_sweep)


def add_engine_options(p: argparse.ArgumentParser) -> None:
    """Where a sweep's tasks run (``genlab sweep``, ``genlab benchmark``)."""
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="an existing Dask cluster's scheduler, tcp://HOST:PORT "
                   "(default: a local cluster)")  # fmt: skip
    p.add_argument("--workers", type=int,
                   help="local cluster: worker processes (default: cores); 0 runs the tasks "
                   "one after another in this process, without Dask")  # fmt: skip
    p.add_argument("--connect-timeout", type=float, default=5.0, metavar="SECONDS",
                   help="give up reaching --scheduler after this long (default: 5)")  # fmt: skip


def check_task_fits(task: Any) -> None:
    """Refuse, before any work, a task that one worker of this machine's size cannot hold (the
    check of ``genlab train``, per task)."""
    from genlab.cli.args import check_run_fits
    from genlab.training.config import RunConfig

    check_run_fits(RunConfig.from_dict(task.config), f"task {task.folder}: ")


def _spec_file(text: str) -> Path:
    """A path, or the name of a shipped spec when no such file exists."""
    from genlab.sweeps.specs import SPECS, spec_path

    path = Path(text)
    if not path.exists() and text in SPECS:
        return spec_path(text)
    if not path.is_file():
        shipped = ", ".join(SPECS)
        raise UserError(f"no sweep spec at {path} (a TOML file, or a shipped one: {shipped})")
    return path


class Bar:
    """A tqdm bar over cells on a terminal (one line per event otherwise); events that matter
    (a task that ended, a rescheduled attempt, the engine's notes) are printed above it."""

    def __init__(self, total: int) -> None:
        from tqdm import tqdm

        self.tty = sys.stderr.isatty()
        self.bar = tqdm(total=total, desc="sweep", unit="cell", disable=not self.tty)

    def __call__(self, progress: Any) -> None:
        self.bar.n = progress.finished
        self.bar.set_postfix({"done": progress.done + progress.skipped,
                              "running": progress.running, "failed": progress.failed},
                             refresh=False)  # fmt: skip
        self.bar.refresh()
        if progress.kind != "started" or progress.attempt > 1:
            line = f"[{progress.finished}/{progress.total}] {progress.event}"
            if self.tty:
                self.bar.write(line, file=sys.stderr)
            else:
                print(line, flush=True)

    def close(self) -> None:
        self.bar.close()


def run_with_bar(plan: Any, engine: Any, again: str) -> Any:
    """``run_sweep`` under a progress bar over the cells; None when interrupted (after saying
    that ``again`` continues it)."""
    from genlab.sweeps.runner import run_sweep

    bar = Bar(len(plan.cells))
    try:
        return run_sweep(plan, engine, on_progress=bar)
    except KeyboardInterrupt:
        print(f"\ninterrupted; `{again}` continues it (complete runs are kept, the others "
              "resume from their last checkpoint)", file=sys.stderr)  # fmt: skip
        return None
    finally:
        bar.close()


def cmd_sweep(args: argparse.Namespace) -> int:
    from genlab.sweeps.engine import Engine
    from genlab.sweeps.runner import plan_sweep
    from genlab.sweeps.spec import read_spec

    engine = Engine(scheduler=args.scheduler, workers=args.workers,
                    connect_timeout=args.connect_timeout)  # fmt: skip
    if args.members_per_task is not None and args.members_per_task < 1:
        raise UserError(f"--members-per-task must be >= 1, got {args.members_per_task}")
    spec = read_spec(_spec_file(args.spec))
    plan = plan_sweep(spec, args.out, members_per_task=args.members_per_task, force=args.force)
    for task in plan.todo:
        check_task_fits(task)
    check_output_dir("--out", args.out, *OUTPUTS)
    print(f"sweep {spec.source}: {len(plan.cells)} cells × {len(spec.seeds)} seeds in "
          f"{len(plan.tasks)} task(s) of at most {plan.members_per_task} members; "
          f"{len(plan.todo)} to train", flush=True)  # fmt: skip
    result = run_with_bar(plan, engine, f"genlab sweep {args.spec} --out {args.out}")
    if result is None:
        return 130
    print(result.markdown.read_text())
    print(f"wrote {result.root}: {result.manifest.name}, {result.csv.name}, "
          f"{result.markdown.name}; {result.trained} task(s) trained")  # fmt: skip
    if result.failed:
        print(f"genlab: {len(result.failed)} cell(s) failed: {', '.join(result.failed)} "
              f"(errors in {result.manifest})", file=sys.stderr)  # fmt: skip
        return 1
    return 0
