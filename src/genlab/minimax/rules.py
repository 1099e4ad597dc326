"""Update rules for two-player games: the NumPy reference implementation.

Notation: θ minimizes and φ maximizes ``L``; ``g_θ = ∇θ ℓ``, ``g_φ = ∇φ ℓ`` are the gradients
of the summand ``ℓ = ℓ_{i_t}`` picked at step t (stochastic) or of ``L`` itself (full batch);
α, β are the two players' step sizes. A *two-timescale* method (Heusel et al., 2017, "GANs
Trained by a Two Time-Scale Update Rule", NeurIPS) is any of these rules with α ≠ β — it is a
choice of step sizes, not a separate rule.

A stochastic step draws one index ``i_t`` (pre-drawn, see ``problem.draw_indices``) and uses it
for every gradient evaluation inside that step. This file is the readable reference; the
compiled fast path in ``kernels.py`` implements the same equations and is tested against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from genlab.base.errors import UserError
from genlab.minimax.names import FIRST_PLAYERS, RULES

__all__ = [
    "FIRST_PLAYERS",
    "RULES",
    "Game",
    "alternating_step",
    "extragradient_step",
    "homework_step",
    "optimistic_step",
    "run_rule",
    "simultaneous_step",
    "uniform_average",
]


Grads = tuple[np.ndarray, np.ndarray]


class Game(Protocol):
    """Anything with ``grads(theta, phi, index) -> (∇θ ℓ_index, ∇φ ℓ_index)``."""

    def grads(self, theta: np.ndarray, phi: np.ndarray, index: int | None = None) -> Grads: ...


def simultaneous_step(
    game: Game, theta: np.ndarray, phi: np.ndarray, index: int | None, alpha: float, beta: float
) -> tuple[np.ndarray, np.ndarray]:
    """Simultaneous gradient descent-ascent (GDA)::

        θ_{t+1} = θ_t − α ∇θ ℓ(θ_t, φ_t),    φ_{t+1} = φ_t + β ∇φ ℓ(θ_t, φ_t).

    The explicit Euler step of the gradient flow; on bilinear games it spirals out
    (Mescheder et al., 2017, "The Numerics of GANs", NeurIPS; Daskalakis et al., 2018).
    """
    g_theta, g_phi = game.grads(theta, phi, index)
    return theta - alpha * g_theta, phi + beta * g_phi


def alternating_step(
    game: Game,
    theta: np.ndarray,
    phi: np.ndarray,
    index: int | None,
    alpha: float,
    beta: float,
    first: str = "phi",
) -> tuple[np.ndarray, np.ndarray]:
    """Alternating GDA (Gauss–Seidel): the second player sees the first one's new iterate.

    φ first::

        φ_{t+1} = φ_t + β ∇φ ℓ(θ_t, φ_t),    θ_{t+1} = θ_t − α ∇θ ℓ(θ_t, φ_{t+1});

    θ first swaps the roles. On bilinear games with small steps the iterates stay bounded
    and cycle without converging (Gidel et al., 2019, AISTATS, "Negative Momentum for
    Improved Game Dynamics", §3; Bailey, Gidel & Piliouras, 2020, COLT).
    """
    if first == "phi":
        phi = phi + beta * game.grads(theta, phi, index)[1]
        theta = theta - alpha * game.grads(theta, phi, index)[0]
    elif first == "theta":
        theta = theta - alpha * game.grads(theta, phi, index)[0]
        phi = phi + beta * game.grads(theta, phi, index)[1]
    else:
        raise UserError(f"first must be one of {FIRST_PLAYERS}, got {first!r}")
    return theta, phi


def homework_step(
    game: Game, theta: np.ndarray, phi: np.ndarray, index: int | None, alpha: float, beta: float
) -> tuple[np.ndarray, np.ndarray]:
    """The update of HW12 Problem 1's loop, as written there (φ first, then θ)::

        φ_{t+1} = φ_t + β σ(−m_i) Y_i θ_t − λ φ_t
        θ_{t+1} = θ_t − α ∇θ ℓ_i(θ_t, φ_{t+1})

    i.e. alternating GDA except that the ridge term ``−λφ`` of ``∇φ ℓ_i`` is applied with
    step 1 instead of β (``phi += beta * ... - lamda * phi`` in the homework). In terms of
    the full summand gradient, ``φ_{t+1} = φ_t + β (∇φ ℓ_i + λφ_t) − λφ_t``. A game without
    a ``lam`` attribute (e.g. bilinear) is treated as λ = 0, where this is alternating GDA.
    """
    lam = float(getattr(game, "lam", 0.0))
    g_phi = game.grads(theta, phi, index)[1]
    phi = phi + beta * (g_phi + lam * phi) - lam * phi
    theta = theta - alpha * game.grads(theta, phi, index)[0]
    return theta, phi


def extragradient_step(
    game: Game, theta: np.ndarray, phi: np.ndarray, index: int | None, alpha: float, beta: float
) -> tuple[np.ndarray, np.ndarray]:
    """Extragradient (Korpelevich, 1976, "The extragradient method for finding saddle points
    and other problems", Ekonomika i Matematicheskie Metody 12)::

        θ_{t+½} = θ_t − α ∇θ ℓ(θ_t, φ_t),          φ_{t+½} = φ_t + β ∇φ ℓ(θ_t, φ_t)
        θ_{t+1} = θ_t − α ∇θ ℓ(θ_{t+½}, φ_{t+½}),  φ_{t+1} = φ_t + β ∇φ ℓ(θ_{t+½}, φ_{t+½})

    Stochastic version: the same sample for both evaluations ("same-sample" stochastic EG,
    Mishchenko et al., 2020, AISTATS, "Revisiting Stochastic Extragradient").
    """
    g_theta, g_phi = game.grads(theta, phi, index)
    theta_h, phi_h = theta - alpha * g_theta, phi + beta * g_phi
    g_theta, g_phi = game.grads(theta_h, phi_h, index)
    return theta - alpha * g_theta, phi + beta * g_phi


def optimistic_step(
    game: Game,
    theta: np.ndarray,
    phi: np.ndarray,
    index: int | None,
    alpha: float,
    beta: float,
    prev: Grads | None,
) -> tuple[np.ndarray, np.ndarray, Grads]:
    """Optimistic GDA (Daskalakis, Ilyas, Syrgkanis & Zeng, 2018, ICLR, "Training GANs with
    Optimism"; Popov, 1980, "A modification of the Arrow–Hurwicz method for search of saddle
    points", Mat. Zametki 28)::

        θ_{t+1} = θ_t − 2α ∇θ ℓ(θ_t, φ_t) + α ∇θ ℓ(θ_{t−1}, φ_{t−1})
        φ_{t+1} = φ_t + 2β ∇φ ℓ(θ_t, φ_t) − β ∇φ ℓ(θ_{t−1}, φ_{t−1})

    with the previous step's gradients (the sample they were computed with). The past
    gradient starts at zero (as Daskalakis et al.'s Algorithm 1 with m₀ = 0, and optax's
    ``optimistic_gradient_descent``), so the first step is twice a GDA step. Popov's
    "extrapolation from the past" produces the same iterates (as its extrapolated sequence)
    with one gradient evaluation per step; its initial condition differs.

    Returns:
        ``(θ_{t+1}, φ_{t+1}, grads_t)``; pass ``grads_t`` as ``prev`` to the next step.
    """
    g_theta, g_phi = game.grads(theta, phi, index)
    p_theta, p_phi = (np.zeros_like(g_theta), np.zeros_like(g_phi)) if prev is None else prev
    theta_next = theta - 2.0 * alpha * g_theta + alpha * p_theta
    phi_next = phi + 2.0 * beta * g_phi - beta * p_phi
    return theta_next, phi_next, (g_theta, g_phi)


def run_rule(
    game: Game,
    rule: str,
    theta0: np.ndarray,
    phi0: np.ndarray,
    *,
    alpha: float,
    beta: float,
    steps: int,
    indices: Sequence[int] | np.ndarray | None = None,
    first: str = "phi",
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``steps`` steps of ``rule`` and record every iterate (a plain Python loop).

    Args:
        game: the game (``grads(theta, phi, index)``).
        rule: one of ``RULES``.
        theta0, phi0: starting points, shape ``(p,)`` and ``(q,)``.
        alpha, beta: step sizes of θ and φ.
        steps: number of steps T.
        indices: ``(T,)`` sample index per step, or None for full-batch gradients.
        first: which player moves first in ``"alternating"`` (``"phi"`` or ``"theta"``).

    Returns:
        ``(thetas, phis)`` of shapes ``(T, p)`` and ``(T, q)``: row t is the iterate *after*
        step t + 1 (the starting point is not included).
    """
    if rule not in RULES:
        raise UserError(f"rule must be one of {RULES}, got {rule!r}")
    if indices is not None and len(indices) < steps:
        raise UserError(f"need {steps} indices, got {len(indices)}")
    theta = np.array(theta0, dtype=np.float64)
    phi = np.array(phi0, dtype=np.float64)
    thetas = np.empty((steps, theta.size))
    phis = np.empty((steps, phi.size))
    prev: Grads | None = None
    for t in range(steps):
        i = None if indices is None else int(indices[t])
        if rule == "homework":
            theta, phi = homework_step(game, theta, phi, i, alpha, beta)
        elif rule == "simultaneous":
            theta, phi = simultaneous_step(game, theta, phi, i, alpha, beta)
        elif rule == "alternating":
            theta, phi = alternating_step(game, theta, phi, i, alpha, beta, first)
        elif rule == "extragradient":
            theta, phi = extragradient_step(game, theta, phi, i, alpha, beta)
        else:
            theta, phi, prev = optimistic_step(game, theta, phi, i, alpha, beta, prev)
        thetas[t] = theta
        phis[t] = phi
    return thetas, phis


def uniform_average(iterates: np.ndarray) -> np.ndarray:
    """Uniform (ergodic) average of the iterates: row t is ``(1/(t+1)) Σ_{s≤t} x_s``.

    For monotone games the averaged iterates of GDA/EG converge at rate O(1/T) even where the
    last iterate does not (Nemirovski, 2004, "Prox-method with rate of convergence O(1/t)",
    SIAM J. Optim.). Rows of ``iterates`` are the iterates after each step.
    """
    iterates = np.asarray(iterates, dtype=np.float64)
    counts = np.arange(1, iterates.shape[0] + 1, dtype=np.float64)
    return np.cumsum(iterates, axis=0) / counts.reshape((-1,) + (1,) * (iterates.ndim - 1))
