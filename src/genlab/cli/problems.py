"""The command line of the homework's Problems 1 and 2: ``genlab minimax`` and ``genlab theory``.

Part of the command line (with ``genlab.cli.main``): it parses arguments and prints.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from genlab.base.errors import UserError
from genlab.cli.args import floats_arg, names_arg, open_runs, seeds_arg


# -- minimax (hw12 Problem 1) ----------------------------------------------------------------
def minimax_config(args: argparse.Namespace, rule: str):
    from genlab.minimax import MinimaxConfig

    given = {k: getattr(args, k) for k in ("epochs", "alpha", "beta", "lam", "n", "p", "first")}
    given = {k: v for k, v in given.items() if v is not None}
    return MinimaxConfig(rule=rule, seed=args.seeds[0], full_batch=args.full_batch,
                         average=args.average, **given)  # fmt: skip


def cmd_minimax_run(args: argparse.Namespace) -> int:
    from genlab.minimax import run_many_seeds, run_minimax, write_many_seeds, write_run

    config = minimax_config(args, args.rule)
    if len(args.seeds) > 1:
        result = run_many_seeds(config, args.seeds)
        write_many_seeds(result, args.out)
        for key, value in result.summary().items():
            print(f"{key}: {value}")
    else:
        result = run_minimax(config)
        write_run(result, args.out)
        print(f"rule {config.rule}, {config.epochs} epochs: L = {result.final_loss:.6f}, "
              f"||D_theta L|| = {result.final_grad_theta_norm:.2e}, "
              f"||D_phi L|| = {result.final_grad_phi_norm:.2e}")  # fmt: skip
    print(f"wrote {args.out}")
    return 0


def cmd_minimax_compare(args: argparse.Namespace) -> int:
    from genlab.minimax import compare_rules, comparison_table, format_comparison, write_comparison

    configs = [minimax_config(args, rule) for rule in args.rules]  # validates every rule first
    results = compare_rules(configs[0], args.rules)
    print(format_comparison(comparison_table(results)))
    write_comparison(results, args.out)
    print(f"wrote {args.out}")
    return 0


def add_minimax_parser(sub: argparse._SubParsersAction) -> None:
    from genlab.minimax import RULES

    mm = sub.add_parser("minimax", help="SGDA and other rules on the homework's game (Problem 1)")
    msub = mm.add_subparsers(dest="minimax_cmd", required=True)
    for name, help_ in (("run", "one rule: trajectory, metrics, the homework's figure"),
                        ("compare", "several rules on one instance, on shared axes")):  # fmt: skip
        p = msub.add_parser(name, help=help_)
        if name == "run":
            p.add_argument("--rule", default="homework", help=f"one of {', '.join(RULES)}")
            p.add_argument("--seeds", type=seeds_arg, default=(0,), help="instance seed(s)")
            p.set_defaults(func=cmd_minimax_run, out_default="runs/minimax/run")
        else:
            p.add_argument("--rules", type=names_arg, default=tuple(RULES),
                           help=f"comma list (default: {','.join(RULES)})")  # fmt: skip
            p.add_argument("--seed", dest="seeds", type=lambda v: (int(v),), default=(0,))
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
        p.add_argument("--out", type=Path)


# -- theory (hw12 Problem 2) -----------------------------------------------------------------
def cmd_theory_check(args: argparse.Namespace) -> int:
    from genlab.theory.identity import DEFAULT_LAMBDAS, PAIRS, check_theorem, validate
    from genlab.theory.outputs import write_check
    from genlab.theory.table import to_markdown

    lams = args.lam or DEFAULT_LAMBDAS
    pairs = args.pairs or tuple(PAIRS)
    validate(pairs, lams, args.methods)
    if args.n_samples < 2:
        raise UserError(f"--n-samples must be >= 2, got {args.n_samples}")
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
    fit = fit_discriminator(config)
    print(members_table(fit.members)[1])
    write_discriminator(args.out, fit)
    print(f"wrote {args.out}")
    return 0


def cmd_theory_gan(args: argparse.Namespace) -> int:
    from genlab.theory.gan_discriminator import gan_discriminator_fit
    from genlab.theory.outputs import members_table, write_discriminator

    (run,) = open_runs([args.run])
    fit = gan_discriminator_fit(run, member=args.member, n_kde=args.n_kde,
                                eval_samples=args.eval_samples)  # fmt: skip
    print(members_table(fit.members)[1])
    write_discriminator(args.out or args.run / "discriminator", fit)
    print(f"wrote {args.out or args.run / 'discriminator'}")
    return 0


def add_theory_parser(sub: argparse._SubParsersAction) -> None:
    theory = sub.add_parser("theory", help="the λ-GAN theorem, checked numerically (Problem 2)")
    tsub = theory.add_subparsers(dest="theory_cmd", required=True)
    p = tsub.add_parser("check", help="both sides of max_D V_λ = D_fλ(p‖q) − c_λ, a table")
    p.add_argument("--lambda", dest="lam", type=floats_arg, help="λ values (default 0.1,1,10,500)")
    p.add_argument("--pairs", type=names_arg, help="(p, q) pairs (default: all)")
    p.add_argument("--methods", type=names_arg, default=("quadrature", "monte_carlo"))
    p.add_argument("--n-samples", type=int, default=100_000, help="Monte Carlo samples")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=Path("runs/theory/check"))
    p.set_defaults(func=cmd_theory_check)
    p = tsub.add_parser("discriminator", help="train D alone (q fixed) and compare it with D*")
    p.add_argument("--lambda", dest="lam", type=float, default=500.0)
    p.add_argument("--p", default="swiss_roll", help="density of the data")
    p.add_argument("--q", default="gaussian", help="fixed density standing in for G")
    p.add_argument("--steps", type=int, default=20_000)
    p.add_argument("--seeds", type=seeds_arg, default=(0, 1), help="members, e.g. 0-3")
    p.add_argument("--out", type=Path, default=Path("runs/theory/discriminator"))
    p.set_defaults(func=cmd_theory_discriminator)
    p = tsub.add_parser("gan", help="a trained GAN's discriminator against D* for q = KDE of G")
    p.add_argument("run", type=Path)
    p.add_argument("--member", type=int, default=0, help="index into the run's seeds")
    p.add_argument("--n-kde", type=int, default=2000, help="generated samples behind the KDE")
    p.add_argument("--eval-samples", type=int, default=20_000, help="Monte Carlo samples")
    p.add_argument("--out", type=Path, help="default: RUN/discriminator")
    p.set_defaults(func=cmd_theory_gan)
