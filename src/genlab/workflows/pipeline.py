"""A training run from its folder to ``DONE``: train (or resume), evaluation, marker (and the
figures, when asked: they are drawn on demand otherwise, ``genlab.plotting.run_figures``).

This is the one pipeline that ``genlab train``, ``genlab.train``, ``genlab reproduce`` and
``genlab benchmark`` all run. The checkpoint is read once, by ``fit``; the evaluation uses the
model ``fit`` returns.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from genlab.base.lock import folder_lock
from genlab.evaluation.runs import evaluate_run
from genlab.evaluation.suite import snapshot_metrics
from genlab.training.compile_rule import epoch_points, remember_compiled
from genlab.training.loop import EpochRecord, FitHooks, FitResult, fit
from genlab.training.rundir import RunDir


@contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """Run with ``threads`` intra-op CPU threads (0: leave torch's setting), then restore it."""
    import torch

    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def train_run(
    run: RunDir,
    *,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    figures: bool = False,
    exact_ot: bool = False,
) -> FitResult:
    """Train (or resume) ``run`` to its last epoch, draw its figures if ``figures``, evaluate
    it (unless its ``eval_samples`` is 0; the exact OT metrics ``w1``, ``w2`` only with
    ``exact_ot``: ``genlab evaluate``, ``compare`` and ``report`` add them when asked), and
    mark it ``DONE`` (with its manifest). ``on_epoch(record)`` follows the training. The
    folder is locked meanwhile: a second writer is refused."""
    config = run.config()
    t = config.train
    data = run.user_data()  # a data file's split: snapshots are compared with its held-out part
    dataset, reference = (t.dataset, None) if data is None else (None, data.holdout)
    hooks = FitHooks(
        on_epoch=on_epoch,
        on_snapshot=lambda epoch, samples: snapshot_metrics(
            samples, dataset, t.noise, reference=reference
        ),
    )
    tic = time.perf_counter()
    with folder_lock(run.path), torch_threads(t.threads):
        run.clean_temporary()
        result = fit(run, hooks=hooks)
        if t.compile:  # its step is cached now: ``--compile auto`` counts on it
            remember_compiled(config, epoch_points(config, data), result.packages)
        if figures:
            from genlab.plotting.run_figures import draw_figures  # matplotlib: only when drawn

            draw_figures(run)
        if t.eval_samples:
            evaluate_run(run, n=t.eval_samples, trained=result, exact_ot=exact_ot)
        run.mark_done({"seconds": time.perf_counter() - tic, "epochs": t.epochs})
    return result
