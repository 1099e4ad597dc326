"""One step of a two-player GAN game, by rule (``genlab.optim.rules``). The training loop
only says "take one game step".

A game step owns its phases: it asks ``closure(player)`` for the per-member loss of player
``"d"`` (discriminator) or ``"g"`` (generator) at the current parameters, with fresh noise,
as often as its rule needs, and updates both players. ``draws_per_step`` says how many
closure calls (noise draws) one step makes, so the loop can pre-draw an epoch of noise.

This is PyTorch's ``optimizer.step(closure)`` idiom (as in ``torch.optim.LBFGS``), applied to
a game of two parameter groups.

Rules (``RULES``), each with Adam or SGD as its base optimizer (``BASE_OPTIMIZERS``):
``alternating`` (D, then G: the homework's), ``simultaneous``, ``extragradient``
(Extra-Adam, Gidel et al., 2019) and ``optimistic`` (Optimistic Adam, Daskalakis et al.,
2018). The same rules on the homework's 20-dimensional game live in ``genlab.minimax``. The
alternating rule can take several D steps per G step (``critic_steps``; WGAN-GP's n_critic).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

import torch
from torch import nn

from genlab.base.checks import check_choice
from genlab.base.errors import UserError
from genlab.optim.adam import adam_step, make_adam
from genlab.optim.flat import flatten_parameters
from genlab.optim.rules import BASE_OPTIMIZERS, RULES

ADAM_BETAS = (0.9, 0.999)
"""torch's Adam betas, the homework's."""

Closure = Callable[[str], torch.Tensor]
"""closure(player) -> per-member loss (E,) of that player, at the current parameters."""


class Player:
    """One player's parameters, held in one flat buffer (see ``genlab.optim.flat``), and its base
    optimizer (``BASE_STEPS``: Adam, the homework's, or plain SGD)."""

    def __init__(
        self,
        params: Iterable[nn.Parameter],
        lr: float,
        base: str = "adam",
        betas: tuple[float, float] = ADAM_BETAS,
    ) -> None:
        self.params = list(params)
        self.flat = flatten_parameters(self.params)
        self.opt = make_base_optimizer(base, [self.flat], lr, betas)

    def set_grad(self, loss: torch.Tensor) -> None:
        """grad = ∂(Σ_members loss)/∂params, for this player's parameters only.

        ``backward(inputs=...)`` skips the other player's weight gradients (the generator's
        loss backpropagates through D, but D's own weight gradients are never formed).
        """
        self.flat.grad.zero_()  # type: ignore[union-attr]  # flat buffers carry a grad
        loss.sum().backward(inputs=self.params)


def make_sgd(params: Iterable[nn.Parameter], lr: float) -> torch.optim.SGD:
    """Plain SGD, ``w ← w − lr·∇`` (no momentum, no weight decay)."""
    return torch.optim.SGD(list(params), lr=lr)


BASE_STEPS: dict[str, Callable[[Iterable[nn.Parameter], float], torch.optim.Optimizer]] = {
    "adam": make_adam,
    "sgd": make_sgd,
}
"""The base step Δ = Base(g) a game rule applies: Adam, Δ = lr·m̂/(√v̂ + ε) with its moments
updated on every call (Kingma & Ba, 2015), or SGD, Δ = lr·g."""


def make_base_optimizer(
    name: str,
    params: Iterable[nn.Parameter],
    lr: float,
    betas: tuple[float, float] = ADAM_BETAS,
) -> torch.optim.Optimizer:
    """The base step ``name`` over ``params``; ``betas`` are Adam's (SGD has none)."""
    check_choice("base optimizer", name, BASE_OPTIMIZERS)
    if name == "adam":
        return make_adam(params, lr, betas)
    if betas != ADAM_BETAS:
        raise UserError(f"betas {betas} apply to Adam, not to base optimizer {name!r}")
    return BASE_STEPS[name](params, lr)


class RuleStep(Protocol):
    d: Player
    g: Player
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

    With ``critic_steps`` = n > 1, G steps once every n calls, after D's n-th step (the
    n_critic critic iterations per generator iteration of WGAN-GP's Algorithm 1, Gulrajani et
    al. 2017; the k discriminator steps of Goodfellow et al. 2014, Algorithm 1). At the other
    calls G's loss is still computed, at the current θ and without a gradient, so every call
    reports both losses. The count of D steps since G's last is part of the state (a resume
    ends where a straight run would); it is counted across epochs, so the ratio is exactly n.
    """

    draws_per_step = 2

    def __init__(
        self,
        d_params: Iterable[nn.Parameter],
        g_params: Iterable[nn.Parameter],
        lr: float,
        base: str = "adam",
        betas: tuple[float, float] = ADAM_BETAS,
        critic_steps: int = 1,
    ) -> None:
        self.d, self.g = Player(d_params, lr, base, betas), Player(g_params, lr, base, betas)
        self.critic_steps = critic_steps
        self.since_g = 0
        """D steps since G's last step (0 ≤ since_g < critic_steps)."""

    def step(self, closure: Closure) -> tuple[torch.Tensor, torch.Tensor]:
        d_loss = closure("d")
        self.d.set_grad(d_loss)
        adam_step(self.d.opt)
        self.since_g += 1
        if self.since_g < self.critic_steps:  # G waits: its loss, reported, moves nothing
            with torch.no_grad():
                g_loss = closure("g")
            return d_loss.detach(), g_loss
        self.since_g = 0
        g_loss = closure("g")
        self.g.set_grad(g_loss)
        adam_step(self.g.opt)
        return d_loss.detach(), g_loss.detach()

    def state_dict(self) -> dict[str, Any]:
        state = {"d": self.d.opt.state_dict(), "g": self.g.opt.state_dict()}
        return state | ({"since_g": self.since_g} if self.critic_steps > 1 else {})

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.d.opt.load_state_dict(state["d"])
        self.g.opt.load_state_dict(state["g"])
        if self.critic_steps > 1:
            self.since_g = int(state["since_g"])


class _TwoPlayers:
    """Shared parts of the rules below: both players, the joint field, the state dict.

    Every rule is elementwise in the parameters, so with the loss summed over members each
    member is trained exactly as if alone (DESIGN: the member axis).
    """

    def __init__(
        self,
        d_params: Iterable[nn.Parameter],
        g_params: Iterable[nn.Parameter],
        lr: float,
        base: str = "adam",
        betas: tuple[float, float] = ADAM_BETAS,
    ) -> None:
        self.d, self.g = Player(d_params, lr, base, betas), Player(g_params, lr, base, betas)
        self.players = (self.d, self.g)

    def field(self, closure: Closure) -> tuple[torch.Tensor, torch.Tensor]:
        """Both players' gradients at the *same* point: ``F(w) = (∇φ L_D, ∇θ L_G)`` with fresh
        noise for each (two draws). Returns the losses (d, g), each (E,)."""
        d_loss = closure("d")
        self.d.set_grad(d_loss)
        g_loss = closure("g")  # D not yet moved: the same point
        self.g.set_grad(g_loss)
        return d_loss.detach(), g_loss.detach()

    def base_step(self) -> None:
        """``w ← w − Base(grad)`` for both players."""
        adam_step(self.d.opt)
        adam_step(self.g.opt)

    def state_dict(self) -> dict[str, Any]:
        return {"d": self.d.opt.state_dict(), "g": self.g.opt.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.d.opt.load_state_dict(state["d"])
        self.g.opt.load_state_dict(state["g"])


class SimultaneousStep(_TwoPlayers):
    """Simultaneous gradient descent–ascent: both gradients at the current point, then both
    base steps (the Euler step of the gradient flow; Mescheder et al., 2017)::

        φ_{t+1} = φ_t − Base(∇φ L_D(θ_t, φ_t; x, z₁)),   θ_{t+1} = θ_t − Base(∇θ L_G(θ_t, φ_t; z₂))
    """

    draws_per_step = 2

    def step(self, closure: Closure) -> tuple[torch.Tensor, torch.Tensor]:
        losses = self.field(closure)
        self.base_step()
        return losses


class ExtragradientStep(_TwoPlayers):
    """Extragradient (Korpelevich, 1976); with Adam as the base step, Extra-Adam (Gidel,
    Berard, Vignoud, Vincent & Lacoste-Julien, 2019, ICLR, "A Variational Inequality
    Perspective on Generative Adversarial Networks", Algorithm 4)::

        w_{t+½} = w_t − Base(F(w_t))          (extrapolation)
        w_{t+1} = w_t − Base(F(w_{t+½}))       (update, from w_t)

    with ``w = (φ, θ)``, ``F = (∇φ L_D, ∇θ L_G)`` evaluated with fresh noise each time (four
    draws per step; the real batch is the step's). The base step updates its state at both
    calls: Extra-Adam's moments see g_t then g_{t+½}, and its bias corrections use the step
    counts 2t − 1 and 2t, as in Algorithm 4. With SGD this is Korpelevich's method.
    Returns the losses at ``w_t``.
    """

    draws_per_step = 4

    def step(self, closure: Closure) -> tuple[torch.Tensor, torch.Tensor]:
        start = [p.flat.detach().clone() for p in self.players]
        losses = self.field(closure)
        self.base_step()  # w_{t+½}
        self.field(closure)
        with torch.no_grad():
            for p, w in zip(self.players, start, strict=True):
                p.flat.copy_(w)  # back to w_t: the update starts from w_t
        self.base_step()
        return losses


class OptimisticStep(_TwoPlayers):
    """Optimistic gradient descent–ascent (Popov, 1980; Daskalakis, Ilyas, Syrgkanis & Zeng,
    2018, ICLR, "Training GANs with Optimism"); with Adam as the base step, Optimistic Adam::

        Δ_t = Base(F(w_t))                  (Adam: lr·m̂_t/(√v̂_t + ε); SGD: lr·F(w_t))
        w_{t+1} = w_t − 2Δ_t + Δ_{t−1},     Δ_{−1} = 0

    i.e. optax's ``(1 + 1)·u_t − 1·u_{t−1}`` on the base update u. Daskalakis et al.'s
    Algorithm 1 writes Adam without bias correction; here Δ is torch's bias-corrected Adam
    step. The previous Δ is part of the state (resume ends where a straight run would).
    """

    draws_per_step = 2

    def __init__(
        self,
        d_params: Iterable[nn.Parameter],
        g_params: Iterable[nn.Parameter],
        lr: float,
        base: str = "adam",
        betas: tuple[float, float] = ADAM_BETAS,
    ) -> None:
        super().__init__(d_params, g_params, lr, base, betas)
        self.prev = [torch.zeros_like(p.flat) for p in self.players]  # Δ_{t−1}

    def step(self, closure: Closure) -> tuple[torch.Tensor, torch.Tensor]:
        losses = self.field(closure)
        start = [p.flat.detach().clone() for p in self.players]
        self.base_step()  # w_t − Δ_t
        with torch.no_grad():
            for p, w, prev in zip(self.players, start, self.prev, strict=True):
                delta = w - p.flat  # Δ_t: exact (Sterbenz) for a step smaller than w
                p.flat.sub_(delta - prev)  # w_t − 2Δ_t + Δ_{t−1}
                prev.copy_(delta)
        return losses

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "prev": [t.clone() for t in self.prev]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        for t, saved in zip(self.prev, state["prev"], strict=True):
            t.copy_(saved)


RULE_STEPS: dict[str, Callable[..., RuleStep]] = {
    "alternating": AlternatingStep,
    "simultaneous": SimultaneousStep,
    "extragradient": ExtragradientStep,
    "optimistic": OptimisticStep,
}
"""The step of each rule (``genlab.optim.rules.RULES``), by name."""


def make_rule_step(
    rule: str,
    d_params: Iterable[nn.Parameter],
    g_params: Iterable[nn.Parameter],
    lr: float,
    base: str = "adam",
    *,
    betas: tuple[float, float] = ADAM_BETAS,
    critic_steps: int = 1,
) -> RuleStep:
    """The step of ``rule`` over the two players' parameters, with ``base`` as the base
    optimizer (Adam, with ``betas``: the homework's, Extra-Adam, Optimistic Adam; or SGD);
    ``critic_steps`` D steps per G step, for the alternating rule."""
    check_choice("rule", rule, RULES)
    check_choice("base optimizer", base, BASE_OPTIMIZERS)
    if critic_steps != 1:
        if rule != "alternating":
            raise UserError(f"critic_steps {critic_steps} needs the alternating rule, not {rule!r}")
        return AlternatingStep(d_params, g_params, lr, base, betas, critic_steps)
    return RULE_STEPS[rule](d_params, g_params, lr, base, betas)
