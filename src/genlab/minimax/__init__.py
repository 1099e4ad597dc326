"""Minimax lab: the homework's shifted logistic game (HW12, Problem 1), bilinear games,
update rules (simultaneous / alternating GDA, extragradient, optimistic, two-timescale),
a NumPy reference and a compiled fast path, the exact inner maximum, records and figures.

The rules share their names and equations with GAN training (``genlab.optim.rules``). This
layer imports NumPy, SciPy and numba, never torch or POT. Entry points: ``MinimaxConfig``,
``run_minimax``, ``run_many_seeds``, ``compare_rules``, ``comparison_table``,
``format_comparison``, ``write_run``, ``write_comparison``, ``write_many_seeds``; a run read
back and its figures drawn when asked: ``read_run``, ``draw_run_figures``.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "config": ["BACKENDS", "ManySeedsResult", "MinimaxConfig", "MinimaxResult"],
        "games": ["BilinearGame", "ShiftedLogisticGame"],
        "inner_max": ["InnerMax", "inner_max"],
        "metrics": ["PrimalGap", "TrajectoryMetrics", "primal_gap"],
        "problem": ["ShiftedLogisticProblem", "make_shifted_logistic_problem"],
        "names": ["FIRST_PLAYERS", "RULES"],
        "rules": ["run_rule", "uniform_average"],
        "run": [
            "ComparisonRow",
            "compare_rules",
            "comparison_table",
            "format_comparison",
            "run_many_seeds",
            "run_minimax",
        ],
        "rundir": ["write_comparison", "write_many_seeds", "write_run"],
        "figures": ["draw_run_figures", "read_run"],
        "blas": ["preload_blas"],
    },
)
