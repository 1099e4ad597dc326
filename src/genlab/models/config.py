"""Frozen, validated configurations of the models: the homework's VAE and λ-GAN.

Every default is the homework's (hw12 Problems 3 and 4). Invalid values raise ``UserError`` on
construction, naming the value and the allowed range. Names are checked against torch-free
lists, so a configuration is validated without importing torch.

Two published GAN methods are options of ``GANConfig`` that leave the default untouched:
PacGAN's packing (``pack``; Lin, Khetan, Fanti & Oh, "PacGAN: The power of two samples in
generative adversarial networks", NeurIPS 2018) and WGAN-GP's objective (``objective =
"wgan_gp"``, ``gp_weight``; Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville, "Improved
Training of Wasserstein GANs", NeurIPS 2017), with ``critic_steps`` discriminator steps per
generator step and Adam's ``adam_betas``.
"""

from __future__ import annotations

from dataclasses import dataclass

from genlab.base.checks import check_choice, check_finite, check_int, check_positive, is_number
from genlab.base.errors import UserError
from genlab.optim.rules import BASE_OPTIMIZERS, RULES

ACTIVATIONS = ("tanh", "leaky_relu", "relu", "elu", "identity")
"""Hidden-layer activations by name (``genlab.models.nn`` builds them)."""
GENERATOR_LOSSES = ("nonsaturating", "saturating")
SAMPLERS = ("generator", "rejection")
"""A GAN's samplers: G(z), or G(z) corrected by discriminator rejection sampling."""
VAE_SAMPLERS = ("prior", "posterior_gmm")
"""A VAE's samplers: decode(z) with z ~ N(0, I), or z from a Gaussian mixture fitted to the
training set's encodings (``genlab.models.latent_density``)."""
DEFAULT_GMM_COMPONENTS = 50
MAX_GMM_COMPONENTS = 1000
OBJECTIVES = ("lambda_gan", "wgan_gp")
"""The game the two players play: the homework's λ-GAN, or WGAN-GP (``genlab.objectives``)."""
MAX_PACK = 8
"""The largest PacGAN packing degree: the paper's experiments use m = 2…4."""
MAX_CRITIC_STEPS = 20
"""The most discriminator steps per generator step (WGAN-GP's n_critic is 5)."""
DEFAULT_LAMBDA = 500.0
DEFAULT_GP_WEIGHT = 10.0
DEFAULT_ADAM_BETAS = (0.9, 0.999)
"""torch's Adam betas, which the homework uses."""


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
    sampler: str = "prior"
    """How the trained model samples: ``prior``, decode(z) with z ~ N(0, I) (the homework's);
    ``posterior_gmm``, z from a Gaussian mixture of ``gmm_components`` fitted to the encoder
    means of the training set after training (ex-post density estimation, Ghosh et al. 2020;
    ``genlab.models.latent_density``). Training is the same."""
    gmm_components: int = DEFAULT_GMM_COMPONENTS
    """K, the mixture's components (1..MAX_GMM_COMPONENTS, at most the training points);
    sampler ``posterior_gmm`` only."""

    def __post_init__(self) -> None:
        check_int("latent_dim", self.latent_dim)
        _widths("encoder", self.encoder_hidden, self.encoder_activations)
        _widths("decoder", self.decoder_hidden, self.decoder_activations)
        check_positive("reg_coeff", self.reg_coeff)
        check_choice("sampler", self.sampler, VAE_SAMPLERS)
        check_int("gmm_components", self.gmm_components, 1, MAX_GMM_COMPONENTS)
        if self.gmm_components != DEFAULT_GMM_COMPONENTS and self.sampler != "posterior_gmm":
            raise UserError(f"gmm_components {self.gmm_components} applies to sampler "
                            f"'posterior_gmm', not {self.sampler!r}")  # fmt: skip


@dataclass(frozen=True)
class GANConfig:
    """The homework's λ-GAN (hw12 Problem 4): D maximises E log D(x) + λ E log(1 − D(G(z)))."""

    z_dim: int = 100
    generator_hidden: tuple[int, ...] = (32,)
    generator_activations: tuple[str, ...] = ("tanh",)
    discriminator_hidden: tuple[int, ...] = (128, 128)
    discriminator_activations: tuple[str, ...] = ("tanh", "tanh")
    lam: float = DEFAULT_LAMBDA
    """λ, the weight of the generated term in D's loss (the λ-GAN objective only)."""
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
    rejection_gamma: float = 0.0
    """The rejection sampler's γ shift (Discriminator Rejection Sampling, Azadi et al. 2019):
    accept with probability σ(F − γ), F = logit(exp(s − s_max)); 0 is the plain rule, γ > 0
    stricter (``genlab.models.rejection``). The rejection sampler only."""
    pack: int = 1
    """PacGAN's packing degree m (Lin et al. 2018), 1..MAX_PACK: D scores m points at once,
    concatenated, D(x₁, …, x_m) with input width m·d. A batch of B points (real, or generated
    from B noise draws) forms ⌊B/m⌋ packs of consecutive points (``genlab.models.packing``).
    1: single points, the homework's."""
    objective: str = "lambda_gan"
    """``lambda_gan``: the homework's λ-GAN; ``wgan_gp``: WGAN-GP (Gulrajani et al. 2017), a
    critic f trained on E f(G(z)) − E f(x) + gp_weight·E(‖∇f(x̂)‖₂ − 1)², the generator on
    −E f(G(z)) (``genlab.objectives``)."""
    gp_weight: float = DEFAULT_GP_WEIGHT
    """WGAN-GP's gradient-penalty weight λ_gp (> 0; the paper's 10); wgan_gp only."""
    critic_steps: int = 1
    """Discriminator (critic) steps per generator step, 1..MAX_CRITIC_STEPS: G updates once
    every ``critic_steps`` batches (WGAN-GP's n_critic = 5; Goodfellow et al. 2014's k). The
    alternating rule only; 1 is the homework's."""
    adam_betas: tuple[float, float] = DEFAULT_ADAM_BETAS
    """Adam's (β₁, β₂) for both players, each in [0, 1) (WGAN-GP: (0, 0.9)); base optimizer
    adam only. The default is torch's, the homework's."""

    def __post_init__(self) -> None:
        check_int("z_dim", self.z_dim)
        _widths("generator", self.generator_hidden, self.generator_activations)
        _widths("discriminator", self.discriminator_hidden, self.discriminator_activations)
        check_positive("lambda", self.lam)
        check_choice("generator loss", self.generator_loss, GENERATOR_LOSSES)
        check_choice("sampler", self.sampler, SAMPLERS)
        check_choice("rule", self.rule, RULES)
        check_choice("base optimizer", self.base_optimizer, BASE_OPTIMIZERS)
        check_int("pack", self.pack, 1, MAX_PACK, why=" (1: single points, the homework's)")
        check_choice("objective", self.objective, OBJECTIVES)
        check_positive("gp_weight", self.gp_weight)
        check_finite("rejection_gamma", self.rejection_gamma)
        check_int("critic_steps", self.critic_steps, 1, MAX_CRITIC_STEPS)
        object.__setattr__(self, "adam_betas", _betas(self.adam_betas))
        self._check_combinations()

    def _check_combinations(self) -> None:
        """The options that do not apply together, refused naming both."""
        if self.rejection_gamma != 0 and self.sampler != "rejection":
            raise UserError(f"rejection_gamma {self.rejection_gamma!r} applies to sampler "
                            f"'rejection', not {self.sampler!r}")  # fmt: skip
        if self.sampler == "rejection" and (self.pack > 1 or self.objective == "wgan_gp"):
            why = (f"pack {self.pack} scores packs of {self.pack} points" if self.pack > 1
                   else "a WGAN critic's value is not a log density ratio")  # fmt: skip
            raise UserError(
                "sampler 'rejection' needs D's logit of a single point, log p/(λq) at D*; "
                f"{why}: use sampler 'generator'"
            )
        if self.objective == "wgan_gp":
            if self.lam != DEFAULT_LAMBDA:
                raise UserError(f"lambda {self.lam!r} applies to the lambda_gan objective; "
                                f"wgan_gp has none (leave it at {DEFAULT_LAMBDA:g})")  # fmt: skip
            if self.generator_loss != "nonsaturating":
                raise UserError(f"generator loss {self.generator_loss!r} applies to the "
                                "lambda_gan objective; wgan_gp's is −E f(G(z))")  # fmt: skip
        elif self.gp_weight != DEFAULT_GP_WEIGHT:
            raise UserError(f"gp_weight {self.gp_weight!r} applies to objective 'wgan_gp', "
                            f"not {self.objective!r}")  # fmt: skip
        if self.critic_steps > 1 and self.rule != "alternating":
            raise UserError(f"critic_steps {self.critic_steps} needs rule 'alternating' (D "
                            f"steps, then G), got rule {self.rule!r}")  # fmt: skip
        if self.adam_betas != DEFAULT_ADAM_BETAS and self.base_optimizer != "adam":
            raise UserError(f"adam_betas {self.adam_betas} apply to base optimizer 'adam', "
                            f"not {self.base_optimizer!r}")  # fmt: skip


def _betas(value: object) -> tuple[float, float]:
    """``value`` as Adam's (β₁, β₂), each a number in [0, 1); else ``UserError`` naming it."""
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or not all(is_number(b) and 0 <= b < 1 for b in value)
    ):
        raise UserError(f"adam_betas must be two numbers (β₁, β₂), each in [0, 1), got {value!r}")
    return float(value[0]), float(value[1])


MODEL_CONFIGS = {"vae": VAEConfig, "gan": GANConfig}
