"""The public entry points for training runs: ``train``, ``load`` and the ``Run`` they return.

    import genlab

    run = genlab.train("gan", out="runs/my-gan", epochs=200, seeds=(0, 1))
    x = run.sample(1000, seed=0)           # (E, 1000, 2): 1000 points per member
    print(run.evaluate()["metrics"]["w1"])

    run = genlab.train("vae", data=points, standardize=True)  # your own (N, d) array

``train`` runs the same pipeline as ``genlab train`` (train → evaluation → ``DONE``) and
resumes an interrupted run in the same folder; ``load`` opens a finished or interrupted run.
Figures are drawn when asked (``figures=True``, ``Run.draw_figures``, ``genlab plot``,
``genlab report``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from genlab.base.errors import UserError
from genlab.training.config import RunConfig, TrainConfig

__all__ = ["Run", "load", "train"]

INPUT = "input.npy"
"""The points a run was given as an array (``train(data=array)``), kept in its folder."""


class Run:
    """A run folder and what it holds: its configuration, its training history, its model.

    Attributes:
        path: the run folder (see the README's run-folder layout).
        config: the resolved ``RunConfig`` it was trained under.
    """

    def __init__(self, path: str | Path, model: Any = None) -> None:
        from genlab.training.rundir import RunDir

        self._dir = RunDir.open(path)
        self.path: Path = self._dir.path
        self.config: RunConfig = self._dir.config()
        if model is not None:
            self.__dict__["model"] = model

    def __repr__(self) -> str:
        state = "done" if self.is_done else "unfinished"
        return f"Run({str(self.path)!r}, {self.config.model}, {state})"

    @property
    def is_done(self) -> bool:
        """Whether the whole pipeline finished (the folder holds ``DONE``)."""
        return self._dir.is_done()

    @property
    def history(self) -> list[dict[str, Any]]:
        """One record per trained epoch: per-member losses, seconds, steps (``metrics.jsonl``)."""
        return self._dir.read_metrics()

    @cached_property
    def model(self) -> Any:
        """The trained ensemble (``genlab.models.VAE`` or ``GAN``) from the last checkpoint."""
        from genlab.training.loop import load_model

        return load_model(self._dir)

    def sample(
        self, n: int, *, seed: int | None = None, member: int | None = None,
        sampler: str | None = None, rejection_gamma: float | None = None,
        gmm_components: int | None = None,
    ) -> Any:  # fmt: skip
        """``n`` samples per member as a NumPy array (E, n, d), or (n, d) for one ``member``
        (an index into the seeds), from the run's own sampler or ``sampler`` (a GAN's
        ``generator``, ``rejection``; a VAE's ``prior``, ``posterior_gmm``), at the run's own
        setting or at ``rejection_gamma`` (the rejection sampler's γ shift) or
        ``gmm_components`` (the ``posterior_gmm`` mixture's size). ``seed`` None draws fresh
        randomness; an integer gives the stream ``genlab sample --seed`` uses."""
        from genlab.base.checks import check_int
        from genlab.base.rng import member_generators
        from genlab.training.loop import load_model

        check_int("n", n)
        seeds = self.config.train.seeds
        if member is not None and not (0 <= member < len(seeds)):
            raise UserError(f"member must be in 0..{len(seeds) - 1}, got {member!r}")
        gens = None if seed is None else member_generators(seeds, "sample", "cpu", seed)
        overrides = (sampler, rejection_gamma, gmm_components)
        model = (self.model if overrides == (None, None, None)
                 else load_model(self._dir, sampler=sampler, rejection_gamma=rejection_gamma,
                                 gmm_components=gmm_components))  # fmt: skip
        x = model.sample(n, generators=gens).numpy()
        return x if member is None else x[member]

    def evaluate(
        self, n: int = 2500, *, seed: int = 0, sampler: str | None = None, exact_ot: bool = True,
        rejection_gamma: float | None = None, gmm_components: int | None = None,
    ) -> dict:  # fmt: skip
        """The sample-quality metrics of every member against fresh data (mean ± s.e. over
        members, with floors), written to the run's ``evaluation.json`` and returned; the exact
        OT metrics ``w1`` and ``w2`` (~2 s more) with ``exact_ot``. Another ``sampler``,
        ``rejection_gamma`` or ``gmm_components`` (as in :meth:`sample`) writes its own file
        instead (``genlab.evaluation.runs.evaluation_file``)."""
        from genlab.evaluation.runs import evaluate_run

        return evaluate_run(
            self._dir, n=n, seed=seed, sampler=sampler, exact_ot=exact_ot,
            rejection_gamma=rejection_gamma, gmm_components=gmm_components,
        )  # fmt: skip

    def draw_figures(self, member: int = 0, *, force: bool = False) -> list[Path]:
        """Draw the run's figures from its files (the homework's "Epoch : N" panels of
        ``member``, the snapshot grid, the animations, loss curves...) into ``figures/``,
        unless they are there and current (``force`` draws them anyway). Returns the paths
        drawn."""
        from genlab.plotting.run_figures import draw_figures

        seeds = self.config.train.seeds
        if not 0 <= member < len(seeds):
            raise UserError(f"member must be in 0..{len(seeds) - 1}, got {member!r}")
        return draw_figures(self._dir, member, force=force or member != 0)

    def figures(self) -> list[Path]:
        """The figures in the run folder (none until drawn: ``draw_figures``)."""
        return sorted(self._dir.figures.glob("*"))


def _resolve(config: RunConfig | str, overrides: dict[str, Any]) -> RunConfig:
    if isinstance(config, str):
        config = RunConfig(config, TrainConfig(**overrides))
    elif not isinstance(config, RunConfig):
        raise UserError(f"config must be a RunConfig or 'vae' / 'gan', got {config!r}")
    elif overrides:
        config = dataclasses.replace(config, train=dataclasses.replace(config.train, **overrides))
    return config


def train(
    config: RunConfig | str = "gan",
    *,
    out: str | Path | None = None,
    on_epoch: Callable[[Any], None] | None = None,
    data: Any = None,
    figures: bool = False,
    exact_ot: bool = False,
    **train_fields: Any,
) -> Run:
    """Train a run to the end: training, evaluation and the ``DONE`` marker (and figures).

    Args:
        config: a ``RunConfig``, or ``"vae"`` / ``"gan"`` for the homework's model.
        out: the run folder (default ``runs/MODEL-DATASET-TIME``). A folder that holds an
            unfinished run of the same configuration is resumed; a finished one is returned
            as it is; one of another configuration is refused.
        on_epoch: called with each epoch's ``EpochRecord`` (losses per member, seconds).
        data: the user's own points, an (N, d) or (N,) array (1 ≤ d ≤ 64, N ≥ 10), instead of
            a registered dataset; kept in the run as ``input.npy``, which its
            ``config.toml`` names. A data file is given as ``data="points.csv"`` too (a
            ``TrainConfig.data`` path). Held out and standardized by ``holdout`` and
            ``standardize``.
        figures: draw the run's figures at the end (otherwise ``Run.draw_figures`` or
            ``genlab plot`` draws them when wanted; ``genlab report`` does by itself).
        exact_ot: add the exact OT metrics ``w1`` and ``w2`` to the final evaluation (~2 s;
            otherwise ``Run.evaluate``, ``genlab compare`` or ``genlab report`` adds them).
        **train_fields: ``TrainConfig`` fields to set (``epochs=200``, ``seeds=(0, 1)``...).

    Returns:
        The finished ``Run``, holding the trained model.
    """
    from genlab.data.user_data import UserData
    from genlab.training.data_file import prepare_data
    from genlab.training.device import resolve_device
    from genlab.training.rundir import RunDir, environment
    from genlab.workflows.pipeline import torch_threads, train_run

    stamp = time.strftime("%Y%m%d-%H%M%S")
    model = config.model if isinstance(config, RunConfig) else config
    array = None
    if isinstance(data, (str, Path)):
        train_fields["data"] = str(data)
    elif data is not None and not isinstance(data, UserData):
        array = data
        out = Path(out) if out is not None else Path("runs") / f"{model}-data-{stamp}"
        train_fields["data"] = str(Path(out).resolve() / INPUT)  # kept in the run, named by it
    config = _resolve(config, train_fields)
    device = resolve_device(config.train.device)
    # the resolved device: a resume elsewhere must not silently switch random streams
    train = dataclasses.replace(config.train, device=device.type)
    config = dataclasses.replace(config, train=train)
    name = "data" if config.train.data else config.train.dataset
    path = Path(out) if out is not None else Path("runs") / f"{config.model}-{name}-{stamp}"
    split = data if isinstance(data, UserData) else None
    if split is None:
        config, split = prepare_data(config, array)
    elif config.train.data is None:
        raise UserError("a split (UserData) needs config.train.data to name its file")
    if RunDir(path).config_file.exists():
        run = RunDir.open(path)
        if run.config() != config:
            raise UserError(f"{path} holds a run of another configuration; choose another out")
        if run.is_done():
            finished = Run(path)
            if figures:
                finished.draw_figures()
            return finished
    else:
        with torch_threads(config.train.threads):
            run = RunDir.create(path, config, environment(str(device)))
        if array is not None:
            from genlab.base import atomic
            from genlab.data.files import check_points

            atomic.save_npy(path / INPUT, check_points(array))
        if split is not None:
            run.save_user_data(split)
    result = train_run(run, on_epoch=on_epoch, figures=figures, exact_ot=exact_ot)
    return Run(path, model=result.model)


def load(path: str | Path) -> Run:
    """The run in ``path``, finished or not (``Run.is_done`` says which)."""
    return Run(path)
