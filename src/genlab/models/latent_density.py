"""Ex-post density estimation: a VAE samples a density fitted to its own encodings.

The homework's VAE decodes z ~ N(0, I), but its aggregate posterior q(z) = E_x q(z|x) does not
fill N(0, I): decoded prior samples land between the spiral's arms (0.81 near the spiral while
its reconstructions are at 1.00). Ghosh, Sajjadi, Vergari, Black & Schölkopf ("From Variational
to Deterministic Autoencoders", ICLR 2020, §4 "ex-post density estimation") fit a Gaussian
mixture to the training set's encodings after training and sample that instead:

    p̂(z) = Σ_k π_k N(z; m_k, Σ_k),  fitted by EM to {μ(x_i)}, the encoder means;
    x = decode(z) + σ̂ ε,  z ~ p̂,  ε ~ N(0, I).

Decoded means alone lie on a thin curve (the data's noise around it missing: recall 0.30 on
the swiss roll), so the sample also draws the decoder's Gaussian likelihood N(decode(z), σ̂²I)
with σ̂ its maximum-likelihood value given the trained decoder, the reconstruction residual
σ̂² = (1/(N·d)) Σ_i ‖x_i − decode(μ(x_i))‖² (``residual_std``). It changes no weight: training
is the homework's. The mixture is fitted with scikit-learn's
``GaussianMixture`` (full covariances, k-means initialisation seeded by the member's seed), one
per member; the draws come from the member's own generator, so a seed gives the same samples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from genlab.base.rng import randn_members

REG_COVAR = 1e-6
"""Added to each covariance's diagonal (scikit-learn's default): the homework's encoder
leaves most of its 16 latent coordinates unused, with encodings near 0 there."""


@dataclass(frozen=True)
class GaussianMixtureDensity:
    """E Gaussian mixtures of K components in L dimensions, one per member.

    Attributes:
        weights: (E, K) mixture weights π_k, each row summing to 1.
        means: (E, K, L) component means m_k.
        scale_tril: (E, K, L, L) lower Cholesky factors of the covariances Σ_k.
    """

    weights: torch.Tensor
    means: torch.Tensor
    scale_tril: torch.Tensor

    @property
    def components(self) -> int:
        return self.weights.shape[1]

    def apply(self, fn: Callable[[torch.Tensor], torch.Tensor]) -> GaussianMixtureDensity:
        """The same mixture with ``fn`` applied to each tensor (a device or dtype move)."""
        return GaussianMixtureDensity(fn(self.weights), fn(self.means), fn(self.scale_tril))

    def sample(self, n: int, generators: Sequence[torch.Generator]) -> torch.Tensor:
        """n draws per member, z = m_k + L_k ε with k ~ π and ε ~ N(0, I): (E, n, L)."""
        device = self.means.device
        k = torch.stack([torch.multinomial(w, n, replacement=True, generator=g)
                         for w, g in zip(self.weights, generators, strict=True)])  # fmt: skip
        eps = randn_members(generators, (n, self.means.shape[-1]), device)  # (E, n, L)
        eps = eps.to(self.means.dtype)  # float32 draws, whatever the mixture's dtype
        rows = torch.arange(len(generators), device=device)[:, None]
        return self.means[rows, k] + (self.scale_tril[rows, k] @ eps[..., None]).squeeze(-1)


def fit_gaussian_mixture(
    codes: torch.Tensor, components: int, seeds: Sequence[int]
) -> GaussianMixtureDensity:
    """EM fits of a K-component, full-covariance Gaussian mixture to each member's codes.

    Args:
        codes: (E, N, L) the points to fit, member e's in codes[e] (N ≥ components).
        components: K, the mixture's components.
        seeds: one per member: the seed of its k-means initialisation.

    Returns:
        The fitted mixtures, float32 on the device of ``codes``.
    """
    from sklearn.mixture import GaussianMixture  # ~0.5 s to import: only when asked for

    fitted = []
    for x, seed in zip(codes.detach().cpu().double().numpy(), seeds, strict=True):
        gmm = GaussianMixture(components, covariance_type="full", reg_covar=REG_COVAR,
                              random_state=int(seed) % 2**32).fit(x)  # fmt: skip
        fitted.append((gmm.weights_, gmm.means_, np.linalg.cholesky(gmm.covariances_)))
    weights, means, tril = (torch.from_numpy(np.stack(a)).float().to(codes.device)
                            for a in zip(*fitted, strict=True))  # fmt: skip
    return GaussianMixtureDensity(weights / weights.sum(1, keepdim=True), means, tril)


def residual_std(x: torch.Tensor, reconstruction: torch.Tensor) -> torch.Tensor:
    """σ̂ = sqrt((1/(N·d)) Σ_i ‖x_i − x̂_i‖²) per member, (E, N, d) → (E,): the maximum-likelihood
    σ of an isotropic Gaussian likelihood N(x̂, σ²I) around the reconstructions."""
    return (x - reconstruction).pow(2).mean(dim=(1, 2)).sqrt()
