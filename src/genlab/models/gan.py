"""The homework's GAN (hw12 Problem 4) on the member axis. It computes; it holds no loss.

Generator z_dim=100 → 32 (Tanh) → 2; discriminator 2 → 128 (Tanh) → 128 (Tanh) → 1, returning
a logit s, so that D = sigmoid(s) and every log is taken in logit space by the objectives.
With PacGAN's packing (``GANConfig.pack`` = m) the discriminator's input is m points
concatenated, width m·d (``genlab.models.packing``); with WGAN-GP its output is a critic's
value f(x), not a logit.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from genlab.base.rng import fresh_generators, randn_members
from genlab.models.config import GANConfig
from genlab.models.nn import EnsembleMLP
from genlab.models.packing import pack
from genlab.models.rejection import rejection_sample
from genlab.models.scale import DataScale


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
            [config.pack * data_dim, *config.discriminator_hidden, 1],
            config.discriminator_activations,
        )
        self.scale = DataScale(data_dim)
        """Model units ↔ data units: ``generate`` and ``discriminate`` work in model units,
        ``generate_samples`` and ``sample`` hand out data units."""

    def reset_member(self, e: int, generator: torch.Generator) -> None:
        """Homework order: G is built first, then D."""
        self.generator.reset_member(e, generator)
        self.discriminator.reset_member(e, generator)

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        return self.generator(z)  # (E, B, z_dim) -> (E, B, d), model units

    def discriminate(self, x: torch.Tensor) -> torch.Tensor:
        """Logits s = logit D(x): (E, B, m·d) -> (E, B), x in model units: single points, or
        with ``GANConfig.pack`` = m > 1 packs of m points (``packed``)."""
        return self.discriminator(x).squeeze(-1)

    def packed(self, x: torch.Tensor) -> torch.Tensor:
        """Points (E, B, d) as D's input: ⌊B/m⌋ packs of m consecutive points, (E, ⌊B/m⌋, m·d)
        (``genlab.models.packing.pack``); the points themselves when m = 1."""
        return pack(x, self.config.pack)

    @torch.no_grad()
    def generate_samples(
        self, n: int, *, generators: Sequence[torch.Generator] | None = None
    ) -> torch.Tensor:
        """n generated points per member, G(z) with z ~ N(0, I), in data units: (E, n, d)."""
        if generators is None:
            generators = fresh_generators(self.members, self.generator.linears()[0].weight.device)
        return self.scale.to_data(self._generate(n, generators))

    def _generate(self, n: int, generators: Sequence[torch.Generator]) -> torch.Tensor:
        """n points G(z) per member, in model units."""
        device = self.generator.linears()[0].weight.device
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
            return self.scale.to_data(rejection_sample(
                lambda k: self._generate(k, generators),
                self.discriminate, n, generators, gamma=self.config.rejection_gamma,
            ))  # fmt: skip
        return self.generate_samples(n, generators=generators)
