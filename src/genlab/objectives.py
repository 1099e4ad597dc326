"""Losses as pure functions of tensors. Every loss returns one value per member: shape (E,).

The homework's VAE and λ-GAN, and WGAN-GP (Gulrajani et al. 2017): a critic's Wasserstein
losses and its gradient penalty.

Batch means run over dim 1 (the batch axis of ``(E, B, ...)`` tensors); summing the result over
members gives a scalar whose gradient trains each member independently.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from genlab.base.errors import UserError


def log_d(logits: torch.Tensor) -> torch.Tensor:
    """log D = log sigmoid(s) = −softplus(−s); finite for any finite s."""
    return -F.softplus(-logits)


def log_one_minus_d(logits: torch.Tensor) -> torch.Tensor:
    """log(1 − D) = log sigmoid(−s) = −softplus(s); finite for any finite s."""
    return -F.softplus(logits)


def discriminator_loss(real: torch.Tensor, fake: torch.Tensor, lam: float) -> torch.Tensor:
    """−(E_p log D(x) + λ·E_q log(1 − D(x̃))), the λ-GAN discriminator loss (hw12 Problem 2, 4).

    Args:
        real: logits on data, (E, B).
        fake: logits on generated points, (E, B').
        lam: λ > 0, the weight of the generated term (500 in the homework).
    """
    # −log D = softplus(−s), −log(1 − D) = softplus(s): written directly, fewer operators
    return F.softplus(-real).mean(1) + lam * F.softplus(fake).mean(1)


def generator_loss(fake: torch.Tensor, kind: str = "nonsaturating") -> torch.Tensor:
    """The generator's loss on logits of its samples, (E, B) -> (E,).

    ``nonsaturating``: −E log D(G(z)) (the homework; Goodfellow et al. 2014, §3);
    ``saturating``: E log(1 − D(G(z))), the minimax objective's own term (its λ factor is
    dropped: Adam is invariant to a constant scale of the loss, up to its ε).
    """
    if kind == "nonsaturating":
        return F.softplus(-fake).mean(1)  # −log D
    if kind == "saturating":
        return -F.softplus(fake).mean(1)  # log(1 − D)
    raise UserError(f"unknown generator loss {kind!r}; allowed: nonsaturating, saturating")


def reconstruction_mse(x_hat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Mean squared error over the batch and coordinates (``nn.MSELoss()``), per member."""
    return F.mse_loss(x_hat, x, reduction="none").mean(dim=(1, 2))


def gaussian_kl(mu: torch.Tensor, log_std: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, σ²) ‖ N(0, I)) = Σ_j (−log σ_j − ½ + ½(σ_j² + mu_j²)), batch-averaged.

    Summed over latent dimensions, averaged over the batch (the homework's ``kl_div``).
    """
    kl = 0.5 * (torch.exp(2 * log_std) + mu.square() - 1) - log_std
    return kl.sum(-1).mean(-1)


def vae_loss(mse: torch.Tensor, kl: torch.Tensor, reg_coeff: float) -> torch.Tensor:
    """The homework's VAE loss: reg_coeff · MSE + KL, per member."""
    return reg_coeff * mse + kl


def vae_losses(
    encode: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]],
    decode: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    eps: torch.Tensor,
    reg_coeff: float,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(loss, MSE, KL), each (E,), of the homework's VAE on a batch x (E, B, dim).

    q(z|x) = N(mu, σ²) from ``encode(x) = (mu, log σ)``; one reparametrised draw
    z = mu + eps·σ with the given noise eps ~ N(0, I); loss = reg·MSE(decode(z), x) + KL.
    The networks are arguments, so the eager trainer and the compiled step share this code.
    """
    mu, log_std = encode(x)  # (E, B, latent) each
    z = torch.addcmul(mu, eps, log_std.exp())
    mse = reconstruction_mse(decode(z), x)
    kl = gaussian_kl(mu, log_std)
    return vae_loss(mse, kl, reg_coeff), mse, kl


def discriminator_step_loss(
    discriminate: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    fake: torch.Tensor,
    lam: float,
) -> torch.Tensor:
    """``discriminator_loss`` of real x and generated points (E, B, dim), scored in one pass."""
    logits = discriminate(torch.cat((x, fake), dim=1))  # (E, B_x + B_fake)
    real, fake_logits = logits.split((x.shape[1], fake.shape[1]), dim=1)
    return discriminator_loss(real, fake_logits, lam)


def wasserstein_critic_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """E_q f(x̃) − E_p f(x), the WGAN critic's loss (Arjovsky, Chintala & Bottou 2017, eq. 3).

    Args:
        real: the critic's values on data, (E, B).
        fake: its values on generated points, (E, B').
    """
    return fake.mean(1) - real.mean(1)


def wasserstein_generator_loss(fake: torch.Tensor) -> torch.Tensor:
    """−E f(G(z)), the WGAN generator's loss on the critic's values (E, B) -> (E,)."""
    return -fake.mean(1)


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor], x_hat: torch.Tensor
) -> torch.Tensor:
    """E(‖∇_x̂ f(x̂)‖₂ − 1)², WGAN-GP's two-sided penalty (Gulrajani et al. 2017, eq. 3), per
    member: (E, n, d) points -> (E,).

    The gradient is taken of Σ f(x̂) over members and points: each value f_e(x̂_ei) depends on
    its own point alone, so that one gradient holds every point's own ∇f_e(x̂_ei), and each
    member's penalty its own. ``create_graph``: the penalty is differentiable in the critic's
    parameters (the critic's step minimises it). x̂ is taken as given points (detached), as the
    critic's step holds G fixed.
    """
    x_hat = x_hat.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return (grad.norm(dim=-1) - 1).square().mean(1)


def wgan_gp_critic_step_loss(
    critic: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    fake: torch.Tensor,
    eps: torch.Tensor,
    gp_weight: float,
) -> torch.Tensor:
    """WGAN-GP's critic loss (Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville, "Improved
    Training of Wasserstein GANs", NeurIPS 2017, eq. 3 and Algorithm 1)::

        L_D = E f(x̃) − E f(x) + λ_gp·E(‖∇_x̂ f(x̂)‖₂ − 1)²,   x̂ = εx + (1 − ε)x̃,  ε ~ U(0, 1)

    on real x (E, B, d) and generated x̃ = G(z) (E, B', d), per member. The first
    n = min(B, B') pairs (x_i, x̃_i) are interpolated, each with its own ε_i = ``eps[:, i]``
    (``eps`` (E, ≥ n), uniforms from each member's stream); the means of f run over all of
    x and x̃, as ``discriminator_step_loss``'s do. The values of f on x and x̃ are one pass.
    """
    scores = critic(torch.cat((x, fake), dim=1))  # (E, B + B')
    real, fake_scores = scores.split((x.shape[1], fake.shape[1]), dim=1)
    n = min(x.shape[1], fake.shape[1])
    e = eps[:, :n, None]  # (E, n, 1)
    x_hat = e * x[:, :n] + (1 - e) * fake[:, :n]
    return wasserstein_critic_loss(real, fake_scores) + gp_weight * gradient_penalty(critic, x_hat)


def gaussian_nelbo(
    mse: torch.Tensor, kl: torch.Tensor, reg_coeff: float, dim: int = 2
) -> torch.Tensor:
    """Per-sample negative ELBO of the equivalent Gaussian decoder N(x̂, σ²I), σ² = dim/(2·reg).

    reg·MSE = (reg/dim)·‖x̂ − x‖² equals ‖x̂ − x‖²/(2σ²) when σ² = dim/(2·reg), so
    −ELBO = ‖x̂ − x‖²/(2σ²) + (dim/2)·log(2πσ²) + KL = reg·MSE + KL + (dim/2)·log(π·dim/reg).
    Returns a tensor like ``mse``; comparable across reg_coeff (in nats per sample).
    """
    return vae_loss(mse, kl, reg_coeff) + 0.5 * dim * math.log(math.pi * dim / reg_coeff)
