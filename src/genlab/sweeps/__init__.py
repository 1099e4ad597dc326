"""Sweeps: grids of training runs on Dask, from one laptop to a cluster.

A sweep is a base run configuration, a grid of configuration fields to values, and the seeds
(``spec``: the TOML format). Its cells are the grid's Cartesian product; each cell's seeds are
packed as members into a few run folders, the tasks (``cells``). The tasks run on Dask: an
embedded ``LocalCluster`` or an existing cluster (``engine``); each trains its run folder with
the pipeline of ``genlab train``, resuming from its last checkpoint when a worker died
(``task``). ``sweep.json`` records each cell's status, time, worker and error (``manifest``),
and ``results.csv`` / ``results.md`` hold a row per cell (``results``). ``runner`` ties these
together: ``plan_sweep`` checks everything before any file or cluster, ``run_sweep`` runs what
is not complete. Dask is imported only when a sweep runs.

    from genlab.sweeps import Engine, plan_sweep, read_spec, run_sweep

    plan = plan_sweep(read_spec("grid.toml"), "runs/grid")
    result = run_sweep(plan, Engine(workers=4))
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "cells": ["Cell", "Task", "expand", "pack", "split_seeds"],
        "engine": ["Engine"],
        "progress": ["SweepProgress"],
        "runner": [
            "DEFAULT_MEMBERS_PER_TASK",
            "SweepPlan",
            "SweepResult",
            "plan_sweep",
            "run_sweep",
        ],
        "spec": ["SweepSpec", "parse_spec", "read_spec"],
        "specs": ["SPECS", "spec_path"],
        "task": ["TaskResult", "run_task"],
    },
)
