"""The map between the data's own units and the units a model trains in.

A run on standardized data (``TrainConfig.standardize``) trains its networks on
z = (x − mean) / std; what a model hands out (its samples, its reconstructions) goes back
through x = z·std + mean. Until ``set`` is called the map is the identity and costs nothing,
so a run on unscaled data computes exactly what it computed before. The buffers are not
persistent: a checkpoint holds the networks alone, and the run folder holds mean and std.
"""

from __future__ import annotations

import torch
from torch import nn


class DataScale(nn.Module):
    """x = z·std + mean and its inverse, per dimension; the identity until ``set``."""

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(dim), persistent=False)
        self.register_buffer("std", torch.ones(dim), persistent=False)
        self.active = False

    def set(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        """Use ``mean`` and ``std`` (d,), in the data's units."""
        self.mean = mean.to(self.mean)
        self.std = std.to(self.std)
        self.active = bool((self.mean != 0).any() or (self.std != 1).any())

    def to_data(self, z: torch.Tensor) -> torch.Tensor:
        """Model units → data units: z·std + mean."""
        return torch.addcmul(self.mean, z, self.std) if self.active else z

    def to_model(self, x: torch.Tensor) -> torch.Tensor:
        """Data units → model units: (x − mean) / std."""
        return (x - self.mean) / self.std if self.active else x

    def grad_to_data(self, g: torch.Tensor) -> torch.Tensor:
        """A gradient ∂ℓ/∂z in model units as ∂ℓ/∂x = (∂ℓ/∂z) / std."""
        return g / self.std if self.active else g
