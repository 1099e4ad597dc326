"""``genlab plot PATH...``: draw the figures of runs, or of the runs inside a folder (a
reproduction, a benchmark, a sweep), from their files: training runs and minimax runs, which
draw none themselves."""

from __future__ import annotations

import argparse
from pathlib import Path

from genlab.base.errors import UserError
from genlab.cli.verify import run_folders, runs_in


def cmd_plot(args: argparse.Namespace) -> int:
    from genlab import api
    from genlab.minimax.figures import draw_run_figures
    from genlab.minimax.folders import is_minimax_run, minimax_runs_in

    found = runs_in(args.paths, lambda p: run_folders(p) + minimax_runs_in(p),
                    "run (no config.json of a vae, gan or minimax run)")  # fmt: skip
    minimax = [folder for folder in found if is_minimax_run(folder)]
    runs = [api.load(folder) for folder in found if folder not in minimax]
    for run in runs:  # every member index is checked before anything is drawn
        seeds = run.config.train.seeds
        if not 0 <= args.member < len(seeds):
            raise UserError(f"--member must be in 0..{len(seeds) - 1} for {run.path}, "
                            f"got {args.member}")  # fmt: skip
    drawn = [(run.path, run.draw_figures(args.member, force=args.force)) for run in runs]
    drawn += [(folder, draw_run_figures(folder, force=args.force)) for folder in minimax]
    for folder, figures in drawn:
        state = f"drew {len(figures)} figures" if figures else "figures are current"
        print(f"{state:20} {folder / 'figures'}")
    return 0


def add_plot_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plot", help="draw runs' figures (density panels, animations, losses)")
    p.add_argument("paths", type=Path, nargs="+", help="run folders, or folders that hold runs")
    p.add_argument("--member", type=int, default=0,
                   help="whose panels to draw (an index into the seeds; default 0)")  # fmt: skip
    p.add_argument("--force", action="store_true", help="draw them again even if current")
    p.set_defaults(func=cmd_plot)
