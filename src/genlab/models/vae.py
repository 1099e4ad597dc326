"""The homework's VAE (hw12 Problem 3) on the member axis. It computes; it holds no loss.

Encoder 2 → 128 (LeakyReLU 0.2) → 128 (Tanh) → 2·latent (mean, log-std);
decoder latent → 64 (LeakyReLU 0.2) → 64 (Tanh) → 2. Kingma & Welling (2014). With
``VAEConfig.sampler = "posterior_gmm"`` it samples a Gaussian mixture fitted to its encodings
instead of N(0, I) (``fit_latent_density``; ``genlab.models.latent_density``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from genlab.base.errors import UserError
from genlab.base.rng import fresh_generators, randn_members
from genlab.models.config import VAEConfig
from genlab.models.latent_density import (
    GaussianMixtureDensity,
    fit_gaussian_mixture,
    residual_std,
)
from genlab.models.nn import EnsembleMLP
from genlab.models.scale import DataScale


class VAE(nn.Module):
    """E independent VAEs. Shapes: x (E, B, d), z (E, B, latent)."""

    def __init__(self, config: VAEConfig, members: int, data_dim: int = 2) -> None:
        super().__init__()
        self.config, self.members, self.data_dim = config, members, data_dim
        latent = config.latent_dim
        self.encoder = EnsembleMLP(
            members, [data_dim, *config.encoder_hidden, 2 * latent], config.encoder_activations
        )
        self.decoder = EnsembleMLP(
            members, [latent, *config.decoder_hidden, data_dim], config.decoder_activations
        )
        self.scale = DataScale(data_dim)
        """Model units ↔ data units: ``encode`` and ``decode`` work in model units,
        ``reconstruct`` and ``sample`` hand out data units."""
        self.latent_density: GaussianMixtureDensity | None = None
        """The ``posterior_gmm`` sampler's mixture (``fit_latent_density``); not a weight."""
        self.noise_std: torch.Tensor | None = None
        """(E,) the ``posterior_gmm`` sampler's likelihood σ̂, in model units."""

    def _apply(self, fn: Callable[[torch.Tensor], torch.Tensor], recurse: bool = True) -> VAE:
        """``.to()``, ``.cuda()``, ``.double()`` move the fitted sampler with the weights: it is
        no parameter or buffer (no state_dict entry), yet ``sample`` needs it beside them."""
        super()._apply(fn, recurse)
        if self.latent_density is not None:
            self.latent_density = self.latent_density.apply(fn)
        if self.noise_std is not None:
            self.noise_std = fn(self.noise_std)
        return self

    def reset_member(self, e: int, generator: torch.Generator) -> None:
        """Homework order: the encoder is built first, then the decoder."""
        self.encoder.reset_member(e, generator)
        self.decoder.reset_member(e, generator)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """q(z|x) = N(mu, diag(exp(log_std))²): returns (mu, log_std), each (E, B, latent)."""
        mu, log_std = self.encoder(x).chunk(2, dim=-1)
        return mu, log_std

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)  # (E, B, 2)

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """The homework's snapshot: the decoder at the encoder mean, decode(mu(x)); x in model
        units, the result in data units."""
        return self.scale.to_data(self.decode(self.encode(x)[0]))

    @torch.no_grad()
    def fit_latent_density(self, x: torch.Tensor, seeds: Sequence[int]) -> None:
        """Fit the ``posterior_gmm`` sampler to each member's training points x (E, N, d), in
        model units: the mixture to the encoder means μ(x), σ̂ to the residual of
        decode(μ(x)) (``genlab.models.latent_density``); ``seeds``: one per member."""
        k = self.config.gmm_components
        if x.shape[1] < k:
            raise UserError(f"gmm_components {k} exceeds the {x.shape[1]} training points it "
                            f"is fitted to; allowed: gmm_components <= {x.shape[1]}")  # fmt: skip
        mu = self.encode(x)[0]
        self.latent_density = fit_gaussian_mixture(mu, k, seeds)
        self.noise_std = residual_std(x, self.decode(mu))

    @torch.no_grad()
    def sample(
        self, n: int, *, generators: Sequence[torch.Generator] | None = None
    ) -> torch.Tensor:
        """n draws x = decode(z) per member, z from the configured sampler
        (``VAEConfig.sampler``): N(0, I), the homework's prior; or the mixture fitted to the
        encodings, with the likelihood's noise, decode(z) + σ̂ ε. Returns (E, n, d), in data
        units."""
        device = self.decoder.linears()[0].weight.device
        if generators is None:
            generators = fresh_generators(self.members, device)
        if self.config.sampler == "prior":
            return self.sample_prior(n, generators=generators)
        if self.latent_density is None or self.noise_std is None:
            raise RuntimeError("sampler 'posterior_gmm' needs fit_latent_density first")
        x = self.decode(self.latent_density.sample(n, generators))
        eps = randn_members(generators, (n, self.data_dim), device).to(x.dtype)
        return self.scale.to_data(x + self.noise_std[:, None, None] * eps)

    @torch.no_grad()
    def sample_prior(
        self, n: int, *, generators: Sequence[torch.Generator] | None = None
    ) -> torch.Tensor:
        """n draws from the prior, decoded: x = decode(z), z ~ N(0, I) (the homework's).
        Returns (E, n, d), in data units."""
        weight = self.decoder.linears()[0].weight
        if generators is None:
            generators = fresh_generators(self.members, weight.device)
        z = randn_members(generators, (n, self.config.latent_dim), weight.device).to(weight.dtype)
        return self.scale.to_data(self.decode(z))
