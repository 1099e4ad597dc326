"""Frozen, validated configurations of the models: the homework's VAE and λ-GAN.

Every default is the homework's (hw12 Problems 3 and 4). Invalid values raise ``UserError`` on
construction, naming the value and the allowed range. Names are checked against torch-free
lists, so a configuration is validated without importing torch.
"""

from __future__ import annotations

from dataclasses import dataclass

from genlab.base.checks import check_choice, check_int, check_positive
from genlab.base.errors import UserError
from genlab.optim.rules import BASE_OPTIMIZERS, RULES

ACTIVATIONS = ("tanh", "leaky_relu", "relu", "elu", "identity")
"""Hidden-layer activations by name (``genlab.models.nn`` builds them)."""
GENERATOR_LOSSES = ("nonsaturating", "saturating")
SAMPLERS = ("generator", "rejection")


def _widths(name: str, widths: tuple[int, ...], activations: tuple[str, ...]) -> None:
    for w in widths:
        check_int(f"{name} width", w)
    if len(activations) != len(widths):
        raise UserError(
            f"{name}: one activation per hidden layer, got {len(widths)} layers {widths} "
            f"and {len(activations)} activations {activations}"
        )
    for a in activations:
        check_choice("activation", a, ACTIVATIONS)


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
        check_int("latent_dim", self.latent_dim)
        _widths("encoder", self.encoder_hidden, self.encoder_activations)
        _widths("decoder", self.decoder_hidden, self.decoder_activations)
        check_positive("reg_coeff", self.reg_coeff)


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
    rule: str = "alternating"
    """How one game step updates both players (``genlab.optim.rules``): ``alternating`` (D,
    then G: the homework's), ``simultaneous``, ``extragradient``, ``optimistic``."""
    base_optimizer: str = "adam"
    """The per-player step the rule applies: ``adam`` (the homework's) or ``sgd``."""
    sampler: str = "generator"
    """How the trained model samples: ``generator``, G(z) (the homework's); ``rejection``,
    G(z) accepted with probability exp(s − s_max), s the discriminator's logit
    (``genlab.models.rejection``: D* = p/(p + λq) makes that the ratio p/q). Training is the
    same."""

    def __post_init__(self) -> None:
        check_int("z_dim", self.z_dim)
        _widths("generator", self.generator_hidden, self.generator_activations)
        _widths("discriminator", self.discriminator_hidden, self.discriminator_activations)
        check_positive("lambda", self.lam)
        check_choice("generator loss", self.generator_loss, GENERATOR_LOSSES)
        check_choice("sampler", self.sampler, SAMPLERS)
        check_choice("rule", self.rule, RULES)
        check_choice("base optimizer", self.base_optimizer, BASE_OPTIMIZERS)


MODEL_CONFIGS = {"vae": VAEConfig, "gan": GANConfig}
