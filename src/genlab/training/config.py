"""Frozen, validated configurations of a training run: the schedule (``TrainConfig``) and
the whole run (``RunConfig``: the model, its architecture and its schedule).

Every field's default is the homework's setting (hw12, "Step 0" and "Step 3"). Invalid values
raise ``UserError`` on construction, naming the value and the allowed range, before any work.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from genlab.base.checks import (
    check_choice,
    check_int,
    check_nonnegative,
    check_positive,
    is_int,
    is_number,
    parse_seeds,
)
from genlab.base.errors import UserError
from genlab.data.registry import get_dataset
from genlab.models.config import MODEL_CONFIGS, SAMPLERS, GANConfig, VAEConfig

__all__ = ["DEVICES", "SAMPLERS", "GANConfig", "RunConfig", "TrainConfig", "VAEConfig",
           "memory_estimate", "parse_seeds", "sampling_memory"]  # fmt: skip

DEVICES = ("auto", "cpu", "cuda")
MAX_HOLDOUT = 0.5
"""The largest held-out fraction: the floor pairs the held-out set with an equally large part
of the training set, which must exist."""
MAX_THREADS = 1024
"""More intra-op threads than any machine here has cores; each costs a stack (a million
exhaust the memory)."""


@dataclass(frozen=True)
class TrainConfig:
    """The schedule shared by every model (hw12 "Step 0")."""

    dataset: str = "swiss_roll"
    """Registered dataset name (see ``genlab.data.DATASETS``); ignored when ``data`` is set."""
    n_samples: int = 2000
    """Training set size per member (each member draws its own set from its seed); with
    ``data``, the size of the training part of the file (set when the file is read)."""
    data: str | None = None
    """The user's own points instead of a registered dataset: ``FILE.npy``, ``FILE.npz`` (or
    ``FILE.npz:KEY``), ``FILE.csv`` (``genlab.data.files``); every member trains on the same
    points, shuffled by its own seed."""
    standardize: bool = False
    """With ``data``: train on per-dimension standardized points (mean and std of the training
    part); samples, figures and metrics come back in the data's units."""
    holdout: float = 0.2
    """With ``data``: the fraction of the points held out for the evaluation, in (0, 0.5]."""
    holdout_seed: int = 0
    """With ``data``: the seed of the held-out split (shared by every member)."""
    noise: float | None = None
    """Dataset noise std; ``None`` = the dataset's default (0.025 for the swiss roll)."""
    epochs: int = 2000
    batch_size: int = 64
    lr: float = 5e-4
    """Adam learning rate (both players of a GAN)."""
    lr_decay: float = 0.0
    """Final fraction of the epochs over which the learning rate falls linearly towards 0
    (``lr_factor``); 0 keeps it constant, as the homework does; else at least 2 epochs."""
    seeds: tuple[int, ...] = (0,)
    """One member per seed, trained side by side on the member axis."""
    snapshots: int = 5
    """Number of snapshots; one every ``epochs // snapshots`` epochs, as in the homework."""
    frames: int = 50
    """Frames of the training animation (``frames.npz``): one every ``epochs // frames``
    epochs; 0 records none."""
    checkpoint_every: int = 100
    """Epochs between checkpoints (snapshots also checkpoint)."""
    device: str = "auto"
    compile: bool = False
    """Compile the training step with ``torch.compile`` (opt-in; benchmarked)."""
    threads: int = 0
    """Intra-op CPU threads; 0 = leave torch's default."""
    eval_samples: int = 2500
    """Samples per member for the final ``evaluation.json`` (2500: the VEEGAN / PacGAN
    protocol); 0 skips it."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "seeds", tuple(self.seeds))
        get_dataset(self.dataset)
        self._check_data()
        for name in ("epochs", "batch_size", "snapshots", "checkpoint_every"):
            check_int(name, getattr(self, name))
        if self.noise is not None:
            check_nonnegative("noise", self.noise)
        check_int("n_samples", self.n_samples, 10, why=" (the snapshot metrics need 10 points)")
        if self.batch_size > self.n_samples:
            raise UserError(
                f"batch_size {self.batch_size} is larger than the data (n_samples = "
                f"{self.n_samples}); allowed: 1..{self.n_samples}"
            )
        check_positive("lr", self.lr)
        d = self.lr_decay
        if not (is_number(d) and 0 <= d <= 1):
            raise UserError(f"lr_decay must be a number in [0, 1], got {d!r}")
        if d and self.decay_epochs < 2:
            raise UserError(
                f"lr_decay {d!r} of {self.epochs} epochs decays over {self.decay_epochs} "
                "epoch(s), which changes nothing: use 0, or at least 2 epochs' worth"
            )
        if not self.seeds:
            raise UserError("seeds must name at least one seed")
        for s in self.seeds:
            check_int("seeds", s, 0)
        if len(set(self.seeds)) != len(self.seeds):
            raise UserError(f"seeds must be distinct, got {self.seeds}")
        check_choice("device", self.device, DEVICES)
        e = self.eval_samples
        if not is_int(e) or not (e == 0 or e >= 50):
            raise UserError(f"eval_samples must be 0 (skip) or an integer >= 50, got {e!r}")
        check_int("frames", self.frames, 0, why=" (0: no animation)")
        check_int("threads", self.threads, 0, MAX_THREADS, why=" (0: torch's default)")

    def _check_data(self) -> None:
        if self.data is None:
            if self.standardize:
                raise UserError("standardize applies to a data file (data = FILE); "
                                f"dataset {self.dataset!r} is drawn in its own units")  # fmt: skip
            return
        if not isinstance(self.data, str) or not self.data.strip():
            raise UserError(f"data must be the path of a points file, got {self.data!r}")
        if self.dataset != TrainConfig.dataset:
            raise UserError(
                f"give a dataset or a data file, not both (dataset {self.dataset!r}, "
                f"data {self.data!r})"
            )
        if self.noise is not None:
            raise UserError(f"noise applies to a registered dataset, not to data {self.data!r}")
        if not isinstance(self.standardize, bool):
            raise UserError(f"standardize must be true or false, got {self.standardize!r}")
        h = self.holdout
        if not (is_number(h) and 0 < h <= MAX_HOLDOUT):
            raise UserError(f"holdout must be a fraction in (0, {MAX_HOLDOUT}], got {h!r}")
        check_int("holdout_seed", self.holdout_seed, 0)

    @property
    def data_dim(self) -> int | None:
        """The dimension of the points: the registered dataset's, None for a data file (known
        once it is read)."""
        return None if self.data is not None else get_dataset(self.dataset).dim

    @property
    def data_name(self) -> str:
        """What the run trains on, for titles and tables: the data file's name (with its npz
        key), else the dataset's name."""
        if self.data is not None:
            return self.data.replace("\\", "/").rsplit("/", 1)[-1]
        return self.dataset

    @property
    def snapshot_every(self) -> int:
        return max(1, self.epochs // self.snapshots)

    @property
    def decay_epochs(self) -> int:
        """D = lr_decay · epochs, rounded half up: the epochs of the falling learning rate."""
        return int(self.lr_decay * self.epochs + 0.5)

    def lr_factor(self, epoch: int) -> float:
        """Learning-rate multiplier in epoch ``epoch`` (1-based): 1, then linear over the
        last D epochs, min(1, (epochs − epoch + 1) / D): 1, (D − 1)/D, …, 1/D, so that the last
        epoch still steps with lr / D."""
        return min(1.0, (self.epochs - epoch + 1) / self.decay_epochs) if self.lr_decay else 1.0

    @property
    def frame_every(self) -> int:
        """Epochs between animation frames; 0 when none are recorded."""
        return max(1, self.epochs // self.frames) if self.frames else 0


@dataclass(frozen=True)
class RunConfig:
    """What to train (``model``: vae or gan), with which architecture and schedule."""

    model: str
    train: TrainConfig = field(default_factory=TrainConfig)
    arch: VAEConfig | GANConfig = None  # type: ignore[assignment]  # None: the model's defaults

    def __post_init__(self) -> None:
        if self.model not in MODEL_CONFIGS:
            raise UserError(f"unknown model {self.model!r}; allowed: {', '.join(MODEL_CONFIGS)}")
        if self.arch is None:
            object.__setattr__(self, "arch", MODEL_CONFIGS[self.model]())
        elif not isinstance(self.arch, MODEL_CONFIGS[self.model]):
            raise UserError(f"model {self.model!r} needs a {MODEL_CONFIGS[self.model].__name__}")
        if isinstance(self.arch, GANConfig):
            self._check_gan(self.arch)
        elif (
            self.arch.sampler == "posterior_gmm"
            and self.train.data is None
            and (self.arch.gmm_components > self.train.n_samples)
        ):
            raise UserError(
                f"gmm_components {self.arch.gmm_components} exceeds the "
                f"{self.train.n_samples} training points it is fitted to; allowed: "
                f"gmm_components <= n_samples"
            )

    def _check_gan(self, arch: GANConfig) -> None:
        """What the schedule refuses of a GAN: a compiled step other than the homework's
        (alternating Adam on the λ-GAN, single points, one D step per G step), and a batch
        too small to form one pack."""
        if self.train.compile:
            if (arch.rule, arch.base_optimizer) != ("alternating", "adam"):
                raise UserError(
                    f"compile compiles the alternating Adam step only, got rule {arch.rule!r} "
                    f"with base optimizer {arch.base_optimizer!r}"
                )
            for name, value, plain in (("objective", arch.objective, "lambda_gan"),
                                       ("pack", arch.pack, 1),
                                       ("critic_steps", arch.critic_steps, 1)):  # fmt: skip
                if value != plain:
                    raise UserError(f"compile compiles the homework's step only ({name} "
                                    f"{plain!r}), got {name} {value!r}")  # fmt: skip
        if self.train.batch_size < arch.pack:
            raise UserError(
                f"batch_size {self.train.batch_size} is smaller than pack {arch.pack}: a batch "
                f"must hold at least one pack; allowed: batch_size >= {arch.pack}"
            )

    @property
    def sampler(self) -> str:
        """How the trained model samples (``GANConfig.sampler``, ``VAEConfig.sampler``)."""
        return self.arch.sampler

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "train": asdict(self.train), "arch": asdict(self.arch)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunConfig:
        def tuples(x: dict[str, Any]) -> dict[str, Any]:
            return {k: tuple(v) if isinstance(v, list) else v for k, v in x.items()}

        return cls(
            model=d["model"],
            train=TrainConfig(**tuples(d["train"])),
            arch=MODEL_CONFIGS[d["model"]](**tuples(d["arch"])),
        )


# -- memory: what a run holds, to refuse one that cannot fit before any work ---------------------
def _layers(arch: VAEConfig | GANConfig, d: int) -> list[tuple[int, ...]]:
    """The widths of each network of a member for d-dimensional points, input to output."""
    if isinstance(arch, VAEConfig):
        return [(d, *arch.encoder_hidden, 2 * arch.latent_dim),
                (arch.latent_dim, *arch.decoder_hidden, d)]  # fmt: skip
    return [(arch.z_dim, *arch.generator_hidden, d), (d, *arch.discriminator_hidden, 1)]


def _noise_dim(arch: VAEConfig | GANConfig) -> int:
    return arch.latent_dim if isinstance(arch, VAEConfig) else arch.z_dim


def memory_estimate(config: RunConfig, dim: int | None = None) -> dict[str, int]:
    """Bytes of the float32 arrays of a training run that grow with its members E and points n:
    the data (E·n·d, d = ``dim``, default the dataset's; n·d for a data file, shared), the
    parameters with Adam's two moments (3·P per member) and one epoch's noise (VAE:
    E·n·latent_dim; GAN: E·n·z_dim for D and as much for G, n rounded up to whole batches). A
    lower bound of the run's memory, which also holds gradients, activations, snapshots and
    frames."""
    t, arch = config.train, config.arch
    members, n = len(t.seeds), t.n_samples
    d = dim or t.data_dim or 1
    params = sum((a + 1) * b for widths in _layers(arch, d)
                 for a, b in zip(widths[:-1], widths[1:], strict=True))  # fmt: skip
    if isinstance(arch, VAEConfig):
        noise = n * arch.latent_dim
    else:
        noise = 2 * -(-n // t.batch_size) * t.batch_size * arch.z_dim
    return {
        "data": 4 * (1 if t.data else members) * n * d,
        "parameters and Adam state": 4 * members * 3 * params,
        "one epoch's noise": 4 * members * noise,
    }


def sampling_memory(
    config: RunConfig, n: int, members: int | None = None, dim: int | None = None
) -> dict[str, int]:
    """Bytes of drawing n points of dimension ``dim`` (default the dataset's) from each of
    ``members`` members (default: all) of a trained run at once, float32: the noise, the
    widest layer's activations and the points."""
    e = len(config.train.seeds) if members is None else members
    d = dim or config.train.data_dim or 1
    widest = max(w for widths in _layers(config.arch, d) for w in widths)
    return {
        "noise": 4 * e * n * _noise_dim(config.arch),
        "activations": 4 * e * n * widest,
        "points": 4 * e * n * d,
    }
