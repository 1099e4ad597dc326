"""The homework's VAE (hw12 Problem 3) on the member axis. It computes; it holds no loss.

Encoder 2 → 128 (LeakyReLU 0.2) → 128 (Tanh) → 2·latent (mean, log-std);
decoder latent → 64 (LeakyReLU 0.2) → 64 (Tanh) → 2. Kingma & Welling (2014).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from genlab.base.rng import fresh_generators, randn_members
from genlab.models.config import VAEConfig
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
    def sample(
        self, n: int, *, generators: Sequence[torch.Generator] | None = None
    ) -> torch.Tensor:
        """n draws from the prior, decoded: x = decode(z), z ~ N(0, I). Returns (E, n, d), in
        data units."""
        device = self.decoder.linears()[0].weight.device
        if generators is None:
            generators = fresh_generators(self.members, device)
        z = randn_members(generators, (n, self.config.latent_dim), device)
        return self.scale.to_data(self.decode(z))
