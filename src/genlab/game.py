"""One step of a two-player GAN game. The training loop only says "take one game step".

A game step owns its phases: it asks ``closure(player)`` for the per-member loss of player
``"d"`` (discriminator) or ``"g"`` (generator) at the current parameters, with fresh noise,
as often as its rule needs, and updates both players. ``draws_per_step`` says how many
closure calls (noise draws) one step makes, so the loop can pre-draw an epoch of noise.

This is PyTorch's ``optimizer.step(closure)`` idiom (as in ``torch.optim.LBFGS``), applied to
a game of two parameter groups.
"""

# HANDOVER: minimax helper may edit

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

import torch
from torch import nn

from genlab.flat import flatten_parameters

Closure = Callable[[str], torch.Tensor]
"""closure(player) -> per-member loss (E,) of that player, at the current parameters."""


class Player:
    """One player's parameters, held in one flat buffer (see ``genlab.flat``), and its Adam."""

    def __init__(self, params: Iterable[nn.Parameter], lr: float) -> None:
        self.params = list(params)
        self.flat = flatten_parameters(self.params)
        self.opt = make_adam([self.flat], lr)

    def set_grad(self, loss: torch.Tensor) -> None:
        """grad = ∂(Σ_members loss)/∂params, for this player's parameters only.

        ``backward(inputs=...)`` skips the other player's weight gradients (the generator's
        loss backpropagates through D, but D's own weight gradients are never formed).
        """
        self.flat.grad.zero_()
        loss.sum().backward(inputs=self.params)


def make_adam(params: Iterable[nn.Parameter], lr: float) -> torch.optim.Adam:
    """Adam with torch's defaults (β = (0.9, 0.999), ε = 1e-8), fused kernels where available."""
    params = list(params)
    return torch.optim.Adam(params, lr=lr, fused=True)


class GameStep(Protocol):
    draws_per_step: int

    def step(self, closure: Closure) -> tuple[torch.Tensor, torch.Tensor]:
        """Update both players; return the detached per-member losses (d, g), each (E,)."""
        ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


class AlternatingStep:
    """Alternating gradient descent–ascent with Adam: D first, then G (the homework's loop).

        φ_{t+1} = φ_t − Adam(∇_φ L_D(θ_t, φ_t; x, z₁))
        θ_{t+1} = θ_t − Adam(∇_θ L_G(θ_t, φ_{t+1}; z₂))

    with fresh noise z₁, z₂ for each player (hw12 Problem 4, "Step 4").
    """

    draws_per_step = 2

    def __init__(
        self, d_params: Iterable[nn.Parameter], g_params: Iterable[nn.Parameter], lr: float
    ) -> None:
        self.d, self.g = Player(d_params, lr), Player(g_params, lr)

    def step(self, closure: Closure) -> tuple[torch.Tensor, torch.Tensor]:
        d_loss = closure("d")
        self.d.set_grad(d_loss)
        self.d.opt.step()
        g_loss = closure("g")
        self.g.set_grad(g_loss)
        self.g.opt.step()
        return d_loss.detach(), g_loss.detach()

    def state_dict(self) -> dict[str, Any]:
        return {"d": self.d.opt.state_dict(), "g": self.g.opt.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.d.opt.load_state_dict(state["d"])
        self.g.opt.load_state_dict(state["g"])


GAME_STEPS: dict[str, Callable[..., GameStep]] = {"alternating": AlternatingStep}


def make_game_step(
    name: str, d_params: Iterable[nn.Parameter], g_params: Iterable[nn.Parameter], lr: float
) -> GameStep:
    """The game step called ``name`` over the two players' parameters."""
    if name not in GAME_STEPS:
        raise ValueError(f"unknown game optimizer {name!r}; allowed: {', '.join(GAME_STEPS)}")
    return GAME_STEPS[name](d_params, g_params, lr)
