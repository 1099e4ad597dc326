"""Sample quality: metrics with floors (the same metric between two fresh data sets),
mode and spiral metrics, and the evaluation of runs (``evaluation.json``, comparisons).
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "suite": [
            "Evaluation",
            "Score",
            "evaluate",
            "evaluate_cheap",
            "evaluate_points",
            "snapshot_metrics",
        ],
        "runs": ["Comparison", "compare_runs", "evaluate_run"],
        "verdicts": ["Verdict", "verdict", "verdict_sentence", "versus_floor"],
        "metrics": ["energy_distance", "kde_log_likelihood", "mmd2", "sliced_w2", "wasserstein"],
        "modes": ["mode_metrics"],
        "spiral": ["spiral_metrics"],
        "knn": ["prdc"],
    },
)
