"""The homework's GAN (hw12 Problem 4) on the member axis. It computes; it holds no loss.

Generator z_dim=100 → 32 (Tanh) → 2; discriminator 2 → 128 (Tanh) → 128 (Tanh) → 1, returning
a logit s, so that D = sigmoid(s) and every log is taken in logit space by the objectives.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from genlab.base.rng import fresh_generators, randn_members
from genlab.models.config import GANConfig
from genlab.models.nn import EnsembleMLP
from genlab.models.rejection import rejection_sample


class GAN(nn.Module):
    """E independent (generator, discriminator) pairs."""

    def __init__(self, config: GANConfig, members: int, data_dim: int = 2) -> None:
        super().__init__()
        self.config, self.members, self.data_dim = config, members, data_dim
        self.generator = EnsembleMLP(
            members,
            [config.z_dim, *config.generator_hidden, data_dim],
            config.generator_activations,
        )
        self.discriminator = EnsembleMLP(
            members,
            [data_dim, *config.discriminator_hidden, 1],
            config.discriminator_activations,
        )

    def reset_member(self, e: int, generator: torch.Generator) -> None:
        """Homework order: G is built first, then D."""
        self.generator.reset_member(e, generator)
        self.discriminator.reset_member(e, generator)

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        return self.generator(z)  # (E, B, z_dim) -> (E, B, 2)

    def discriminate(self, x: torch.Tensor) -> torch.Tensor:
        """Logits s = logit D(x): (E, B, 2) -> (E, B)."""
        return self.discriminator(x).squeeze(-1)

    @torch.no_grad()
    def generate_samples(
        self, n: int, *, generators: Sequence[torch.Generator] | None = None
    ) -> torch.Tensor:
        """n generated points per member, G(z) with z ~ N(0, I): (E, n, 2)."""
        device = self.generator.linears()[0].weight.device
        if generators is None:
            generators = fresh_generators(self.members, device)
        return self.generate(randn_members(generators, (n, self.config.z_dim), device))

    @torch.no_grad()
    def sample(
        self, n: int, *, generators: Sequence[torch.Generator] | None = None
    ) -> torch.Tensor:
        """n samples per member from the configured sampler (``GANConfig.sampler``): G(z), or
        G(z) corrected by discriminator rejection sampling (``genlab.models.rejection``): (E, n, 2).
        ``generators``: one per member; None draws from fresh OS entropy."""
        if generators is None:
            generators = fresh_generators(self.members, self.generator.linears()[0].weight.device)
        if self.config.sampler == "rejection":
            return rejection_sample(
                lambda k: self.generate_samples(k, generators=generators),
                self.discriminate, n, generators,
            )  # fmt: skip
        return self.generate_samples(n, generators=generators)
