"""The command line of the homework's Problems 1 and 2: ``genlab minimax`` and ``genlab theory``.

Part of the command line (with ``genlab.cli.main``): it parses arguments and prints.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from genlab.base.errors import UserError
from genlab.cli.args import (
    check_memory,
    floats_arg,
    names_arg,
    open_runs,
    path_arg,
    seed_arg,
    seeds_arg,
)
from genlab.cli.paths import check_output_dir
from genlab.training.config import sampling_memory

if TYPE_CHECKING:
    from genlab.minimax import MinimaxConfig


# -- minimax (hw12 Problem 1) ----------------------------------------------------------------
def minimax_config(args: argparse.Namespace, rule: str):
    from genlab.minimax import MinimaxConfig

    given = {k: getattr(args, k) for k in ("epochs", "alpha", "beta", "lam", "n", "p", "first")}
    given = {k: v for k, v in given.items() if v is not None}
    return MinimaxConfig(rule=rule, seed=args.seeds[0], full_batch=args.full_batch,
                         average=args.average, **given)  # fmt: skip


def check_minimax_fits(config: MinimaxConfig, seeds: int = 1, runs: int = 1) -> None:
    """Refuse, before any work, ``runs`` runs of ``seeds`` seeds this machine cannot hold."""
    parts = {k: runs * v for k, v in config.memory_estimate(seeds).items()}
    what = f"{runs} run(s) of {seeds} seed(s), {config.epochs} epochs of n = {config.n} steps"
    check_memory(f"{what} in dimension p = {config.p},", parts)


def check_finite(config: MinimaxConfig, where: int | tuple[int, int] | None) -> None:
    """Refuse a run whose iterates overflowed (``where``: its first non-finite iteration, or
    (seed, iteration)), before anything is written: its figures and summary would be NaN."""
    if where is not None:
        at = f"iteration {where}" if isinstance(where, int) else (
            f"seed {where[0]}, iteration {where[1]}")  # fmt: skip
        raise UserError(
            f"rule {config.rule} with --alpha {config.alpha!r} and --beta {config.beta!r} "
            f"overflows: its iterates are NaN or infinite from {at} of {config.steps}; "
            "use smaller step sizes"
        )


def cmd_minimax_run(args: argparse.Namespace) -> int:
    from genlab.minimax import (
        preload_blas,
        run_many_seeds,
        run_minimax,
        write_many_seeds,
        write_run,
    )

    config = minimax_config(args, args.rule)
    if args.figures and len(args.seeds) > 1:
        raise UserError("--figures draws one run's figures; several --seeds write no figures")
    check_minimax_fits(config, len(args.seeds))
    check_output_dir("--out", args.out)
    preload_blas()  # a process of its own: numba's BLAS without the rest of scipy.linalg
    if len(args.seeds) > 1:
        result = run_many_seeds(config, args.seeds)
        check_finite(config, result.first_nonfinite())
        write_many_seeds(result, args.out)
        for key, value in result.summary().items():
            print(f"{key}: {value}")
    else:
        result = run_minimax(config)
        check_finite(config, result.first_nonfinite())
        write_run(result, args.out, figures=args.figures)
        print(f"rule {config.rule}, {config.epochs} epochs: L = {result.final_loss:.6f}, "
              f"||D_theta L|| = {result.final_grad_theta_norm:.2e}, "
              f"||D_phi L|| = {result.final_grad_phi_norm:.2e}")  # fmt: skip
    print(f"wrote {args.out}")
    return 0


def cmd_minimax_compare(args: argparse.Namespace) -> int:
    from genlab.minimax import compare_rules, comparison_table, format_comparison, write_comparison

    configs = [minimax_config(args, rule) for rule in args.rules]  # validates every rule first
    check_minimax_fits(configs[0], runs=len(configs))
    check_output_dir("--out", args.out, "comparison.md", "comparison.json")
    results = compare_rules(configs[0], args.rules)
    for config in configs:
        check_finite(config, results[config.rule].first_nonfinite())
    print(format_comparison(comparison_table(results)))
    write_comparison(results, args.out)
    print(f"wrote {args.out}")
    return 0


def add_minimax_parser(sub: argparse._SubParsersAction) -> None:
    from genlab.minimax.names import RULES

    mm = sub.add_parser("minimax", help="SGDA and other rules on the homework's game (Problem 1)")
    msub = mm.add_subparsers(dest="minimax_cmd", required=True)
    for name, help_ in (("run", "one rule: trajectory, metrics, the homework's figure"),
                        ("compare", "several rules on one instance, on shared axes")):  # fmt: skip
        p = msub.add_parser(name, help=help_)
        if name == "run":
            p.add_argument("--rule", default="homework", help=f"one of {', '.join(RULES)}")
            p.add_argument("--seeds", type=seeds_arg, default=(0,), help="instance seed(s)")
            p.add_argument("--figures", action="store_true",
                           help="draw the run's figures (else: genlab plot RUN, or genlab "
                           "report RUN, draws them); not with several --seeds")  # fmt: skip
            p.set_defaults(func=cmd_minimax_run, out_default="runs/minimax/run")
        else:
            p.add_argument("--rules", type=names_arg, default=tuple(RULES),
                           help=f"comma list (default: {','.join(RULES)})")  # fmt: skip
            p.add_argument("--seed", dest="seeds", type=lambda v: (seed_arg(v),), default=(0,),
                           metavar="SEED", help="instance seed")  # fmt: skip
            p.set_defaults(func=cmd_minimax_compare, out_default="runs/minimax/compare")
        p.add_argument("--epochs", type=int, help="epochs of N steps (default 5000)")
        p.add_argument("--alpha", type=float, help="θ step size (default 0.3)")
        p.add_argument("--beta", type=float, help="φ step size (default 1e-4)")
        p.add_argument("--lambda", dest="lam", type=float, help="λ (default 0.001)")
        p.add_argument("--n", type=int, help="data points N (default 30)")
        p.add_argument("--p", type=int, help="dimension p (default 20)")
        p.add_argument("--first", help="alternating: the player who moves first (phi or theta)")
        p.add_argument("--full-batch", action="store_true", help="full-batch gradients")
        p.add_argument("--average", action="store_true", help="report the averaged iterates")
        p.add_argument("--out", type=path_arg)


# -- theory (hw12 Problem 2) -----------------------------------------------------------------
def cmd_theory_check(args: argparse.Namespace) -> int:
    from genlab.theory.identity import DEFAULT_LAMBDAS, PAIRS, check_theorem, validate
    from genlab.theory.outputs import write_check
    from genlab.theory.table import to_markdown

    lams = args.lam if args.lam is not None else DEFAULT_LAMBDAS
    pairs = args.pairs if args.pairs is not None else tuple(PAIRS)
    validate(pairs, lams, args.methods)
    if args.n_samples < 2:
        raise UserError(f"--n-samples must be >= 2, got {args.n_samples}")
    # p's and twice q's draws and their log-densities: measured, at most ~500 bytes a point
    check_memory(f"--n-samples {args.n_samples}", {"Monte Carlo draws": 500 * args.n_samples})
    check_output_dir("--out", args.out)
    settings = {"pairs": pairs, "lambdas": lams, "methods": args.methods,
                "n_samples": args.n_samples, "seed": args.seed}  # fmt: skip
    tic = time.perf_counter()
    rows = check_theorem(pairs, lams, args.methods, n_samples=args.n_samples, seed=args.seed)
    settings["seconds"] = time.perf_counter() - tic
    print(to_markdown(rows))
    write_check(args.out, rows, settings)
    print(f"wrote {args.out}")
    return 0


def cmd_theory_discriminator(args: argparse.Namespace) -> int:
    from genlab.theory.discriminator_fit import FitConfig, fit_discriminator
    from genlab.theory.outputs import members_table, write_discriminator

    config = FitConfig(p=args.p, q=args.q, lam=args.lam, steps=args.steps, seeds=args.seeds)
    check_output_dir("--out", args.out)
    fit = fit_discriminator(config)
    print(members_table(fit.members)[1])
    write_discriminator(args.out, fit)
    print(f"wrote {args.out}")
    return 0


def cmd_theory_gan(args: argparse.Namespace) -> int:
    from genlab.theory.gan_discriminator import gan_discriminator_fit
    from genlab.theory.outputs import members_table, write_discriminator

    (run,) = open_runs([args.run])
    out = args.out if args.out is not None else args.run / "discriminator"
    check_output_dir("--out" if args.out is not None else "theory gan: the folder", out)
    config = run.config()
    parts = {
        "G's samples for the KDE": sum(sampling_memory(config, args.n_kde).values()),
        "the KDE, 4096 points at a time": 2 * 16 * 4096 * args.n_kde,
        "Monte Carlo draws": sum(sampling_memory(config, args.eval_samples, 1).values()),
    }
    check_memory(f"--n-kde {args.n_kde} and --eval-samples {args.eval_samples}", parts)
    fit = gan_discriminator_fit(run, member=args.member, n_kde=args.n_kde,
                                eval_samples=args.eval_samples)  # fmt: skip
    print(members_table(fit.members)[1])
    write_discriminator(out, fit)
    print(f"wrote {out}")
    return 0


def add_theory_parser(sub: argparse._SubParsersAction) -> None:
    theory = sub.add_parser("theory", help="the λ-GAN theorem, checked numerically (Problem 2)")
    tsub = theory.add_subparsers(dest="theory_cmd", required=True)
    p = tsub.add_parser("check", help="both sides of max_D V_λ = D_fλ(p‖q) − c_λ, a table")
    p.add_argument("--lambda", dest="lam", type=floats_arg, help="λ values (default 0.1,1,10,500)")
    p.add_argument("--pairs", type=names_arg, help="(p, q) pairs (default: all)")
    p.add_argument("--methods", type=names_arg, default=("quadrature", "monte_carlo"))
    p.add_argument("--n-samples", type=int, default=100_000, help="Monte Carlo samples")
    p.add_argument("--seed", type=seed_arg, default=0)
    p.add_argument("--out", type=path_arg, default=Path("runs/theory/check"))
    p.set_defaults(func=cmd_theory_check)
    p = tsub.add_parser("discriminator", help="train D alone (q fixed) and compare it with D*")
    p.add_argument("--lambda", dest="lam", type=float, default=500.0)
    p.add_argument("--p", default="swiss_roll", help="density of the data")
    p.add_argument("--q", default="gaussian", help="fixed density standing in for G")
    p.add_argument("--steps", type=int, default=20_000)
    p.add_argument("--seeds", type=seeds_arg, default=(0, 1), help="members, e.g. 0-3")
    p.add_argument("--out", type=path_arg, default=Path("runs/theory/discriminator"))
    p.set_defaults(func=cmd_theory_discriminator)
    p = tsub.add_parser("gan", help="a trained GAN's discriminator against D* for q = KDE of G")
    p.add_argument("run", type=path_arg)
    p.add_argument("--member", type=int, default=0, help="index into the run's seeds")
    p.add_argument("--n-kde", type=int, default=2000, help="generated samples behind the KDE")
    p.add_argument("--eval-samples", type=int, default=20_000, help="Monte Carlo samples")
    p.add_argument("--out", type=path_arg, help="default: RUN/discriminator")
    p.set_defaults(func=cmd_theory_gan)
