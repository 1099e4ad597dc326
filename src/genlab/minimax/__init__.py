"""Minimax lab: the homework's shifted logistic game (HW12, Problem 1), bilinear games,
update rules (simultaneous / alternating GDA, extragradient, optimistic, two-timescale),
a NumPy reference and a compiled fast path, the exact inner maximum, records and figures.

Entry points for the CLI: ``MinimaxConfig``, ``run_minimax``, ``run_many_seeds``,
``compare_rules``, ``comparison_table``, ``format_comparison``, ``write_run``,
``write_comparison``, ``write_many_seeds``.
"""

from genlab.minimax.config import BACKENDS, ManySeedsResult, MinimaxConfig, MinimaxResult
from genlab.minimax.games import BilinearGame, ShiftedLogisticGame
from genlab.minimax.inner_max import InnerMax, inner_max
from genlab.minimax.metrics import PrimalGap, TrajectoryMetrics, primal_gap
from genlab.minimax.problem import ShiftedLogisticProblem, make_shifted_logistic_problem
from genlab.minimax.rules import FIRST_PLAYERS, RULES, run_rule, uniform_average
from genlab.minimax.run import (
    ComparisonRow,
    compare_rules,
    comparison_table,
    format_comparison,
    run_many_seeds,
    run_minimax,
)
from genlab.minimax.rundir import write_comparison, write_many_seeds, write_run

__all__ = [
    "BACKENDS",
    "FIRST_PLAYERS",
    "RULES",
    "BilinearGame",
    "ComparisonRow",
    "InnerMax",
    "ManySeedsResult",
    "MinimaxConfig",
    "MinimaxResult",
    "PrimalGap",
    "ShiftedLogisticGame",
    "ShiftedLogisticProblem",
    "TrajectoryMetrics",
    "compare_rules",
    "comparison_table",
    "format_comparison",
    "inner_max",
    "make_shifted_logistic_problem",
    "primal_gap",
    "run_many_seeds",
    "run_minimax",
    "run_rule",
    "uniform_average",
    "write_comparison",
    "write_many_seeds",
    "write_run",
]
