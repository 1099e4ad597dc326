"""Frozen, validated configurations of a training run.

Every field's default is the homework's setting (hw12, "Step 0" and "Step 3"). Invalid values
raise ``ValueError`` on construction, naming the value and the allowed range, before any work.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from genlab.data import get_dataset
from genlab.game import GAME_STEPS
from genlab.nn import ACTIVATIONS

DEVICES = ("auto", "cpu", "cuda")
GENERATOR_LOSSES = ("nonsaturating", "saturating")
SAMPLERS = ("generator", "rejection")


def _positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _positive_float(name: str, value: Any) -> None:
    if not _is_number(value) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


def _widths(name: str, widths: tuple[int, ...], activations: tuple[str, ...]) -> None:
    for w in widths:
        _positive_int(f"{name} width", w)
    if len(activations) != len(widths):
        raise ValueError(
            f"{name}: one activation per hidden layer, got {len(widths)} layers {widths} "
            f"and {len(activations)} activations {activations}"
        )
    for a in activations:
        if a not in ACTIVATIONS:
            raise ValueError(f"unknown activation {a!r}; known: {', '.join(ACTIVATIONS)}")


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"3"`` → (3,), ``"0-15"`` → (0, …, 15), ``"1,4,9"`` → (1, 4, 9); ranges may mix."""
    seeds: list[int] = []
    for part in str(text).split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not m:
            raise ValueError(
                f"malformed seed list {text!r}: use N, A-B (A <= B) or a comma list of those"
            )
        lo, hi = int(m[1]), int(m[2] if m[2] is not None else m[1])
        if hi < lo:
            raise ValueError(f"malformed seed range {part.strip()!r}: the end is below the start")
        seeds.extend(range(lo, hi + 1))
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seed list {text!r} repeats a seed")
    return tuple(seeds)


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
        for name in ("n_samples", "epochs", "batch_size", "snapshots", "checkpoint_every"):
            _positive_int(name, getattr(self, name))
        if self.noise is not None and not (
            _is_number(self.noise) and math.isfinite(self.noise) and self.noise >= 0
        ):
            raise ValueError(f"noise must be a finite number >= 0, got {self.noise!r}")
        if self.n_samples < 10:
            raise ValueError(
                f"n_samples must be >= 10 (the snapshot metrics need 10 points), "
                f"got {self.n_samples}"
            )
        if self.batch_size > self.n_samples:
            raise ValueError(
                f"batch_size {self.batch_size} is larger than the data (n_samples = "
                f"{self.n_samples}); allowed: 1..{self.n_samples}"
            )
        _positive_float("lr", self.lr)
        d = self.lr_decay
        if not (_is_number(d) and 0 <= d <= 1):
            raise ValueError(f"lr_decay must be a number in [0, 1], got {d!r}")
        if d and self.decay_epochs < 2:
            raise ValueError(
                f"lr_decay {d!r} of {self.epochs} epochs decays over {self.decay_epochs} "
                "epoch(s), which changes nothing: use 0, or at least 2 epochs' worth"
            )
        if not self.seeds:
            raise ValueError("seeds must name at least one seed")
        for s in self.seeds:
            if isinstance(s, bool) or not isinstance(s, int) or s < 0:
                raise ValueError(f"seeds must be integers >= 0, got {s!r}")
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds must be distinct, got {self.seeds}")
        if self.device not in DEVICES:
            raise ValueError(f"unknown device {self.device!r}; allowed: {', '.join(DEVICES)}")
        e = self.eval_samples
        if isinstance(e, bool) or not isinstance(e, int) or not (e == 0 or e >= 50):
            raise ValueError(f"eval_samples must be 0 (skip) or an integer >= 50, got {e!r}")
        f = self.frames
        if isinstance(f, bool) or not isinstance(f, int) or f < 0:
            raise ValueError(f"frames must be an integer >= 0 (0: no animation), got {f!r}")
        if isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 0:
            raise ValueError(f"threads must be an integer >= 0, got {self.threads!r}")

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
class VAEConfig:
    """The homework's VAE (hw12 Problem 3): loss = reg_coeff·MSE + KL."""

    latent_dim: int = 16
    encoder_hidden: tuple[int, ...] = (128, 128)
    encoder_activations: tuple[str, ...] = ("leaky_relu", "tanh")
    decoder_hidden: tuple[int, ...] = (64, 64)
    decoder_activations: tuple[str, ...] = ("leaky_relu", "tanh")
    reg_coeff: float = 75.0

    def __post_init__(self) -> None:
        _positive_int("latent_dim", self.latent_dim)
        _widths("encoder", self.encoder_hidden, self.encoder_activations)
        _widths("decoder", self.decoder_hidden, self.decoder_activations)
        _positive_float("reg_coeff", self.reg_coeff)


@dataclass(frozen=True)
class GANConfig:
    """The homework's λ-GAN (hw12 Problem 4): D maximises E log D(x) + λ E log(1 − D(G(z)))."""

    z_dim: int = 100
    generator_hidden: tuple[int, ...] = (32,)
    generator_activations: tuple[str, ...] = ("tanh",)
    discriminator_hidden: tuple[int, ...] = (128, 128)
    discriminator_activations: tuple[str, ...] = ("tanh", "tanh")
    lam: float = 500.0
    generator_loss: str = "nonsaturating"
    """``nonsaturating``: −E log D(G(z)) (the homework); ``saturating``: E log(1 − D(G(z)))."""
    game_optimizer: str = "alternating"
    """How one game step updates both players (``genlab.game.GAME_STEPS``): ``alternating``
    (D, then G: the homework's), ``simultaneous``, ``extragradient``, ``optimistic``; Adam as
    the base step, or SGD with the ``-sgd`` suffix."""
    sampler: str = "generator"
    """How the trained model samples: ``generator``, G(z) (the homework's); ``rejection``,
    G(z) accepted with probability exp(s − s_max), s the discriminator's logit
    (``genlab.rejection``: D* = p/(p + λq) makes that the ratio p/q). Training is the same."""

    def __post_init__(self) -> None:
        _positive_int("z_dim", self.z_dim)
        _widths("generator", self.generator_hidden, self.generator_activations)
        _widths("discriminator", self.discriminator_hidden, self.discriminator_activations)
        if not _is_number(self.lam) or not math.isfinite(self.lam) or self.lam <= 0:
            raise ValueError(f"lambda must be a finite number > 0, got {self.lam!r}")
        if self.generator_loss not in GENERATOR_LOSSES:
            raise ValueError(
                f"unknown generator loss {self.generator_loss!r}; "
                f"allowed: {', '.join(GENERATOR_LOSSES)}"
            )
        if self.sampler not in SAMPLERS:
            raise ValueError(f"unknown sampler {self.sampler!r}; allowed: {', '.join(SAMPLERS)}")
        if self.game_optimizer not in GAME_STEPS:
            raise ValueError(
                f"unknown game optimizer {self.game_optimizer!r}; allowed: {', '.join(GAME_STEPS)}"
            )


MODEL_CONFIGS = {"vae": VAEConfig, "gan": GANConfig}


@dataclass(frozen=True)
class RunConfig:
    """What to train (``model``: vae or gan), with which architecture and schedule."""

    model: str
    train: TrainConfig = field(default_factory=TrainConfig)
    arch: VAEConfig | GANConfig | None = None

    def __post_init__(self) -> None:
        if self.model not in MODEL_CONFIGS:
            raise ValueError(f"unknown model {self.model!r}; allowed: {', '.join(MODEL_CONFIGS)}")
        if self.arch is None:
            object.__setattr__(self, "arch", MODEL_CONFIGS[self.model]())
        elif not isinstance(self.arch, MODEL_CONFIGS[self.model]):
            raise ValueError(f"model {self.model!r} needs a {MODEL_CONFIGS[self.model].__name__}")
        if self.train.compile and self.model == "gan" and self.arch.game_optimizer != "alternating":
            raise ValueError(
                f"--compile compiles the alternating game step only, got game optimizer "
                f"{self.arch.game_optimizer!r}; drop --compile or use alternating"
            )

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
