"""Named presets: an architecture and its departures from the homework's schedule, trainable
with ``genlab train MODEL --preset NAME`` and used as the quality benchmark's models.

``BENCHMARK_GRID`` is the benchmark's default grid: the homework's VAE and λ-GAN, and the λ = 1
GAN with every rule. The other presets are the candidates of the mode-collapse search
(docs/research): wider networks (the homework's tanh, or ReLU / LeakyReLU) at several λ. The
search's winner, ``gan-λ500-wide-tanh-long-rejection``, trains twice the epochs with the
learning rate decaying over the last 25 % and samples with discriminator rejection;
``gan-λ500-wide-tanh-long-drs`` is the same run sampled with DRS's γ shift.

Two VAE presets sample a Gaussian mixture fitted to the training encodings instead of N(0, I)
(ex-post density estimation: Ghosh, Sajjadi, Vergari, Black & Schölkopf, "From Variational to
Deterministic Autoencoders", ICLR 2020; ``genlab.models.latent_density``): ``vae-posterior-gmm``
trains the homework's VAE unchanged; ``vae-r16000-posterior-gmm``, the VAE-prior search's
winner (docs/research/2026-12-02-vae-ex-post-gmm.md), weighs the MSE term 16000 (the
homework: 75), a near-deterministic autoencoder whose generative part is the mixture.

Two published methods, each under genlab's protocol (the homework's networks unless ``-wide``):
``pacgan2``–``pacgan4``, the λ = 1 GAN whose discriminator sees packs of m = 2…4 points (Lin,
Khetan, Fanti & Oh, "PacGAN: The power of two samples in generative adversarial networks",
NeurIPS 2018, whose own experiments pack the standard GAN); and ``wgan-gp``, WGAN-GP with the
hyper-parameters of its Algorithm 1 (Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville,
"Improved Training of Wasserstein GANs", NeurIPS 2017): λ_gp = 10, n_critic = 5, Adam with
lr 1e-4 and β = (0, 0.9). (The authors' toy script, ``gan_toy.py``, uses β = (0.5, 0.9) and
λ_gp = 0.1 on its 2-D tasks: ``--adam-betas 0.5,0.9 --gp-weight 0.1``.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from genlab.base.checks import check_choice
from genlab.models.config import GANConfig, VAEConfig
from genlab.training.config import RunConfig, TrainConfig


@dataclass(frozen=True)
class Preset:
    """An architecture, and how its schedule departs from the protocol's."""

    name: str
    arch: Callable[[], VAEConfig | GANConfig]
    description: str
    epoch_factor: int = 1
    """Train this many times the protocol's epochs."""
    train: dict[str, Any] = field(default_factory=dict)
    """``TrainConfig`` fields set by the preset (for example ``lr_decay``)."""

    @property
    def model(self) -> str:
        return "vae" if isinstance(self.arch(), VAEConfig) else "gan"

    def run_config(self, train: TrainConfig) -> RunConfig:
        """The preset applied to a schedule: its architecture, ``epoch_factor`` × the epochs,
        and its own ``TrainConfig`` fields."""
        t = dataclasses.replace(train, epochs=train.epochs * self.epoch_factor, **self.train)
        return RunConfig(self.model, t, self.arch())


WIDE = {
    "generator_hidden": (128, 128), "generator_activations": ("relu", "relu"),
    "discriminator_hidden": (128, 128), "discriminator_activations": ("leaky_relu", "leaky_relu"),
}  # fmt: skip
WIDE_TANH = {
    "generator_hidden": (128, 128), "generator_activations": ("tanh", "tanh"),
    "discriminator_hidden": (128, 128), "discriminator_activations": ("tanh", "tanh"),
}  # fmt: skip
DRS_GAMMA = 4.0
"""The γ shift of ``gan-λ500-wide-tanh-long-drs``: the smallest γ of 0, 1, 2, 3, 3.5, 4, 4.5
and 5 whose samples met the ring goal (≥ 98 % high quality on average, ≥ 97 % on every seed)
on the search seeds 0–9 (docs/research/2026-12-02-drs-gamma.md)."""
LONG = {"lr_decay": 0.25}
"""The learning rate falling linearly towards 0 over the last 25 % (``TrainConfig.lr_factor``)."""


VAE_GMM_REG = 16000.0
VAE_GMM_COMPONENTS = 100
"""``vae-r16000-posterior-gmm``: the reg_coeff of 75, 250, 1000, 4000, 16000 and 64000 and the
components of 20, 50, 100 and 200 whose samples were closest to the goal (≥ 0.95 near the
spiral, spiral TV ≤ 0.08) on the search seeds 0–9: mean TV 0.065, at most 0.080."""


WGAN_GP = {"objective": "wgan_gp", "gp_weight": 10.0, "critic_steps": 5, "adam_betas": (0.0, 0.9)}
"""WGAN-GP's Algorithm 1 defaults (Gulrajani et al. 2017): λ_gp = 10, n_critic = 5, β = (0, 0.9)."""
WGAN_GP_TRAIN = {"lr": 1e-4}
"""... and its Adam learning rate α = 1e-4."""
PACGAN = "PacGAN{m} (Lin et al. 2018): the λ = 1 GAN, D sees packs of {m} points"
WGAN_GP_TEXT = ("WGAN-GP (Gulrajani et al. 2017), Algorithm 1's λ_gp = 10, n_critic = 5, "
                "Adam lr 1e-4, β = (0, 0.9)")  # fmt: skip


def _vae_gmm_winner() -> VAEConfig:
    return VAEConfig(
        reg_coeff=VAE_GMM_REG, sampler="posterior_gmm", gmm_components=VAE_GMM_COMPONENTS
    )


def _gan(**kwargs: Any) -> Callable[[], GANConfig]:
    return lambda: GANConfig(**kwargs)


def _pacgan(m: int, wide: bool = False) -> Preset:
    name, text = f"pacgan{m}", PACGAN.format(m=m)
    if wide:
        return Preset(f"{name}-wide", _gan(lam=1.0, pack=m, **WIDE),
                      f"{text}; G 2×128 ReLU, D 2×128 LeakyReLU")  # fmt: skip
    return Preset(name, _gan(lam=1.0, pack=m), text)


_ALL = [
    Preset("vae", VAEConfig, "the homework's VAE"),
    Preset(
        "vae-posterior-gmm",
        lambda: VAEConfig(sampler="posterior_gmm"),
        "the homework's VAE sampling a 50-component Gaussian mixture fitted to its encodings "
        "(ex-post density estimation, Ghosh et al. 2020)",
    ),  # fmt: skip
    Preset(
        "vae-r16000-posterior-gmm",
        _vae_gmm_winner,
        f"the VAE-prior winner: MSE weight {VAE_GMM_REG:g} (a near-deterministic autoencoder), "
        f"sampling a {VAE_GMM_COMPONENTS}-component mixture fitted to its encodings",
    ),  # fmt: skip
    Preset(
        "vae-r16000-posterior-gmm-decay",
        _vae_gmm_winner,
        "the ring and grid winner: vae-r16000-posterior-gmm with the learning rate falling "
        "towards 0 over the last 25 % of the epochs",
        train=LONG,
    ),  # fmt: skip
    Preset("gan-λ500", GANConfig, "the homework's λ-GAN, λ = 500"),
    Preset("gan-λ1", _gan(lam=1.0), "the homework's GAN at λ = 1 (the standard GAN)"),
    Preset(
        "gan-λ1-simultaneous", _gan(lam=1.0, rule="simultaneous"), "λ = 1, simultaneous Adam steps"
    ),  # fmt: skip
    Preset(
        "gan-λ1-extragradient",
        _gan(lam=1.0, rule="extragradient"),
        "λ = 1, Extra-Adam (Gidel et al. 2019)",
    ),  # fmt: skip
    Preset(
        "gan-λ1-optimistic",
        _gan(lam=1.0, rule="optimistic"),
        "λ = 1, Optimistic Adam (Daskalakis et al. 2018)",
    ),  # fmt: skip
    Preset("gan-λ500-wide-tanh", _gan(**WIDE_TANH), "λ = 500, G and D 2×128 tanh"),
    Preset("gan-λ50-wide-tanh", _gan(lam=50.0, **WIDE_TANH), "λ = 50, G and D 2×128 tanh"),
    Preset("gan-λ1-wide", _gan(lam=1.0, **WIDE), "λ = 1, G 2×128 ReLU, D 2×128 LeakyReLU"),
    Preset("gan-λ10-wide", _gan(lam=10.0, **WIDE), "λ = 10, G 2×128 ReLU, D 2×128 LeakyReLU"),
    Preset("gan-λ500-wide", _gan(**WIDE), "λ = 500, G 2×128 ReLU, D 2×128 LeakyReLU"),
    Preset(
        "gan-λ1-wide-extragradient",
        _gan(lam=1.0, rule="extragradient", **WIDE),
        "λ = 1, wide ReLU / LeakyReLU, Extra-Adam",
    ),  # fmt: skip
    Preset(
        "gan-λ500-wide-tanh-long-rejection",
        _gan(sampler="rejection", **WIDE_TANH),
        "the mode-collapse winner: λ = 500, 2×128 tanh, twice the epochs, lr decay over "
        "the last 25 %, rejection sampling",
        epoch_factor=2,
        train=LONG,
    ),  # fmt: skip
    Preset(
        "gan-λ500-wide-tanh-long-drs",
        _gan(sampler="rejection", rejection_gamma=DRS_GAMMA, **WIDE_TANH),
        f"the winner with Discriminator Rejection Sampling's γ = {DRS_GAMMA:g} (Azadi et al. "
        "2019): fewer, surer samples (high quality up, mode balance down)",
        epoch_factor=2,
        train=LONG,
    ),  # fmt: skip
    *(_pacgan(m) for m in (2, 3, 4)),
    *(_pacgan(m, wide=True) for m in (2, 3, 4)),
    Preset("wgan-gp", _gan(**WGAN_GP), WGAN_GP_TEXT, train=WGAN_GP_TRAIN),
    Preset(
        "wgan-gp-wide",
        _gan(**WGAN_GP, **WIDE),
        f"{WGAN_GP_TEXT}; G 2×128 ReLU, D 2×128 LeakyReLU",
        train=WGAN_GP_TRAIN,
    ),  # fmt: skip
]
PRESETS: dict[str, Preset] = {p.name: p for p in _ALL}
BENCHMARK_GRID: tuple[str, ...] = (
    "vae", "gan-λ500", "gan-λ1", "gan-λ1-simultaneous", "gan-λ1-extragradient",
    "gan-λ1-optimistic",
)  # fmt: skip
"""The quality benchmark's default models."""


def get_preset(name: str) -> Preset:
    """The preset called ``name``; an unknown name lists the known ones."""
    check_choice("preset", name, PRESETS)
    return PRESETS[name]
