"""genlab: train, evaluate and understand small generative models and minimax optimizers.

A lab for the homework hw12 and beyond: VAEs and λ-GANs trained as ensembles of independent
members (one per seed) on 2-D data, sample-quality metrics with floors, the λ-GAN theorem
checked numerically, and minimax update rules on the homework's game. Importing genlab loads
nothing heavy and changes no global state; each name loads its module on first use.

Train and evaluate (the pipeline ``genlab train`` runs)::

    import genlab

    run = genlab.train("gan", out="runs/my-gan", epochs=200, seeds=(0, 1))
    x = run.sample(1000, seed=0)                # (2, 1000, 2): 1000 points per member
    metrics = run.evaluate()["metrics"]         # mean ± s.e. over members, with floors
    again = genlab.load("runs/my-gan")          # a finished or interrupted run

Configure: ``RunConfig(model, TrainConfig(...), VAEConfig(...) | GANConfig(...))``; every
default is the homework's. Data: ``make_swiss_roll``, ``make_ring``, ``make_grid`` and the
registry ``DATASETS`` / ``get_dataset``. Any sample array: ``evaluate(samples, dataset)``.
Figures: ``plot_density(ax, points)``, ``homework_style()``. Problem 1: ``MinimaxConfig``,
``run_minimax``, ``compare_rules``. Problem 2: ``check_theorem``. Presets: ``PRESETS``.
Bad input raises ``UserError`` (a ``ValueError``); a diverging run ``NonFiniteLossError``.
"""

import lazy_loader as lazy

__version__ = "0.1.0"

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "api": ["Run", "load", "train"],
        "base.errors": ["NonFiniteLossError", "UserError"],
        "data.registry": ["DATASETS", "get_dataset"],
        "data.samplers": ["make_grid", "make_ring", "make_swiss_roll"],
        "evaluation.suite": ["Evaluation", "evaluate"],
        "minimax.config": ["MinimaxConfig"],
        "minimax.run": ["compare_rules", "run_minimax"],
        "models.config": ["GANConfig", "VAEConfig"],
        "plotting.density": ["homework_style", "plot_density"],
        "theory.identity": ["check_theorem"],
        "training.config": ["RunConfig", "TrainConfig"],
        "workflows.presets": ["PRESETS"],
    },
)
