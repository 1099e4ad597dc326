"""The GAN game steps (genlab.optim.game_steps, torch, SGD base) equal the minimax lab's rules
(genlab.minimax.rules, NumPy) on the bilinear game L(θ, φ) = θᵀAφ, float64, full batch.

Players: the generator is θ with L_G = L, the discriminator is φ with L_D = −L, so D's descent
step φ − lr·∇φL_D is the minimax ascent step φ + β∇φL, with α = β = lr. Checked, every step::

    simultaneous   θ' = θ − α∇θL(θ, φ),   φ' = φ + β∇φL(θ, φ)
    alternating    φ' = φ + β∇φL(θ, φ),   θ' = θ − α∇θL(θ, φ')        (D first: first="phi")
    extragradient  w½ = w − ηF(w),         w' = w − ηF(w½)
    optimistic     w' = w − 2ηF(w) + ηF(w_prev),   F(w_{−1}) = 0       (Δ_{−1} = 0)
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from genlab.minimax import RULES as MINIMAX_RULES
from genlab.minimax import BilinearGame, run_rule
from genlab.optim.game_steps import make_rule_step
from genlab.optim.rules import RULES

P, Q, STEPS, LR = 3, 4, 50, 0.1  # θ ∈ ℝ^P, φ ∈ ℝ^Q


def _start(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((P, Q)), rng.standard_normal(P), rng.standard_normal(Q)


def _gan_trajectory(rule: str, A: np.ndarray, theta0: np.ndarray, phi0: np.ndarray):
    """Iterates (θ, φ) after each of STEPS game steps; one member (E = 1)."""
    theta = nn.Parameter(torch.tensor(theta0).reshape(1, P))  # G
    phi = nn.Parameter(torch.tensor(phi0).reshape(1, Q))  # D
    a = torch.tensor(A)

    def closure(player: str) -> torch.Tensor:
        loss = (theta @ a @ phi.T).reshape(1)  # L(θ, φ), shape (E,) = (1,)
        return -loss if player == "d" else loss

    step = make_rule_step(rule, [phi], [theta], LR, base="sgd")
    thetas, phis = np.empty((STEPS, P)), np.empty((STEPS, Q))
    for t in range(STEPS):
        step.step(closure)
        thetas[t], phis[t] = theta.detach().numpy()[0], phi.detach().numpy()[0]
    return thetas, phis


@pytest.mark.parametrize("rule", RULES)
def test_gan_sgd_steps_equal_the_minimax_rules(rule):
    A, theta0, phi0 = _start()
    thetas, phis = _gan_trajectory(rule, A, theta0, phi0)
    ref_thetas, ref_phis = run_rule(
        BilinearGame(A), rule, theta0, phi0, alpha=LR, beta=LR, steps=STEPS, first="phi"
    )
    np.testing.assert_allclose(thetas, ref_thetas, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(phis, ref_phis, rtol=1e-12, atol=1e-12)
    assert not np.allclose(thetas[-1], theta0)  # the game moved


def test_rule_names_agree():
    assert set(RULES) <= set(MINIMAX_RULES)
