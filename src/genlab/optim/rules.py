"""The vocabulary of update rules for two-player games, shared by GAN training and the
minimax lab (``genlab.minimax``).

A *game* is a joint vector field F(w) = (∇θ L, −∇φ L) over both players' parameters
w = (θ, φ): θ minimises L, φ maximises it. A *rule* says how one step moves both players
along that field; a *base optimizer* is the per-player step Base(g) that a rule applies to a
gradient g: SGD, Base(g) = lr·g, or Adam (Kingma & Ba, 2015). With SGD as the base and step
sizes α (θ) and β (φ):

    simultaneous   θ' = θ − α∇θL(θ, φ),            φ' = φ + β∇φL(θ, φ)
    alternating    φ' = φ + β∇φL(θ, φ),            θ' = θ − α∇θL(θ, φ')   (φ first)
    extragradient  w½ = w − ηF(w),                 w' = w − ηF(w½)        (Korpelevich, 1976)
    optimistic     w' = w − 2ηF(w) + ηF(w_prev)                           (Popov, 1980)

The GAN trainer runs these rules with torch (``genlab.optim.game_steps``: the discriminator
is φ, the generator θ); the minimax lab runs them in NumPy and numba on the homework's
20-dimensional game, where the rule ``homework`` is the homework's own SGDA update.
"""

from __future__ import annotations

RULES: tuple[str, ...] = ("alternating", "simultaneous", "extragradient", "optimistic")
"""The rules of a two-player game step, by name."""

BASE_OPTIMIZERS: tuple[str, ...] = ("adam", "sgd")
"""The per-player step a rule applies: Adam (the homework's) or plain SGD."""
