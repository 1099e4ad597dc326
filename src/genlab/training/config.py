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
DATA_DIM = 2
"""Every dataset is 2-D."""
MAX_THREADS = 1024
"""More intra-op threads than any machine here has cores; each costs a stack (a million
exhaust the memory)."""


@dataclass(frozen=True)
class TrainConfig:
    """The schedule shared by every model (hw12 "Step 0")."""

    dataset: str = "swiss_roll"
    """Registered dataset name (see ``genlab.data.DATASETS``)."""
    n_samples: int = 2000
    """Training set size per member (each member draws its own set from its seed)."""
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
        if (
            self.train.compile
            and isinstance(self.arch, GANConfig)
            and ((self.arch.rule, self.arch.base_optimizer) != ("alternating", "adam"))
        ):
            raise UserError(
                f"compile compiles the alternating Adam step only, got rule {self.arch.rule!r} "
                f"with base optimizer {self.arch.base_optimizer!r}"
            )

    @property
    def sampler(self) -> str | None:
        """A GAN's sampler (``GANConfig.sampler``); None for a VAE."""
        return self.arch.sampler if isinstance(self.arch, GANConfig) else None

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
def _layers(arch: VAEConfig | GANConfig) -> list[tuple[int, ...]]:
    """The widths of each network of a member, input to output."""
    if isinstance(arch, VAEConfig):
        return [(DATA_DIM, *arch.encoder_hidden, 2 * arch.latent_dim),
                (arch.latent_dim, *arch.decoder_hidden, DATA_DIM)]  # fmt: skip
    return [(arch.z_dim, *arch.generator_hidden, DATA_DIM),
            (DATA_DIM, *arch.discriminator_hidden, 1)]  # fmt: skip


def _noise_dim(arch: VAEConfig | GANConfig) -> int:
    return arch.latent_dim if isinstance(arch, VAEConfig) else arch.z_dim


def memory_estimate(config: RunConfig) -> dict[str, int]:
    """Bytes of the float32 arrays of a training run that grow with its members E and points n:
    the data (E·n·2), the parameters with Adam's two moments (3·P per member) and one epoch's
    noise (VAE: E·n·latent_dim; GAN: E·n·z_dim for D and as much for G, n rounded up to whole
    batches). A lower bound of the run's memory, which also holds gradients, activations,
    snapshots and frames."""
    t, arch = config.train, config.arch
    members, n = len(t.seeds), t.n_samples
    params = sum((a + 1) * b for widths in _layers(arch)
                 for a, b in zip(widths[:-1], widths[1:], strict=True))  # fmt: skip
    if isinstance(arch, VAEConfig):
        noise = n * arch.latent_dim
    else:
        noise = 2 * -(-n // t.batch_size) * t.batch_size * arch.z_dim
    return {
        "data": 4 * members * n * DATA_DIM,
        "parameters and Adam state": 4 * members * 3 * params,
        "one epoch's noise": 4 * members * noise,
    }


def sampling_memory(config: RunConfig, n: int, members: int | None = None) -> dict[str, int]:
    """Bytes of drawing n points from each of ``members`` members (default: all) of a trained
    run at once, float32: the noise, the widest layer's activations and the points."""
    e = len(config.train.seeds) if members is None else members
    widest = max(w for widths in _layers(config.arch) for w in widths)
    return {
        "noise": 4 * e * n * _noise_dim(config.arch),
        "activations": 4 * e * n * widest,
        "points": 4 * e * n * DATA_DIM,
    }
