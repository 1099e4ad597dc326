"""Whole training steps compiled as one graph (``--compile``): forward, gradient and Adam.

``torch.compile`` of a loss alone is *slower* than eager on a 2-core CPU for these tiny
networks: the autograd runtime still runs every backward node, and each compiled call adds
guards and wrappers. Compiling the whole step instead, as a pure function of plain tensors
(the flat parameter buffer, Adam's moments, the batch and the noise), leaves no autograd at
run time: ``torch.func.grad`` traces the backward into the same graph as the forward and the
update, and inductor fuses the elementwise work around the matmuls.

Adam is torch's single-tensor rule (Kingma & Ba 2015, as in ``torch.optim.Adam``):
    m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
    p ← p − (lr / (1 − β₁ᵗ)) · m / (sqrt(v) / sqrt(1 − β₂ᵗ) + ε),
applied in place to the state tensors of the run's ``torch.optim.Adam``, so a checkpoint
written by a compiled run resumes in eager mode and vice versa. Only the homework's
alternating game step is compiled for the GAN.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.func import functional_call, grad

from genlab import objectives as obj


def param_views(module: nn.Module, flat: torch.Tensor, offset: int = 0) -> dict[str, torch.Tensor]:
    """``module``'s parameters as views of ``flat`` (the layout of ``flatten_parameters``)."""
    views = {}
    for name, p in module.named_parameters():
        views[name] = flat[offset : offset + p.numel()].view(p.shape)
        offset += p.numel()
    return views


def adam_state(opt: torch.optim.Adam, flat: nn.Parameter) -> dict[str, torch.Tensor]:
    """The optimizer's state for ``flat``, created as ``torch.optim.Adam`` would create it."""
    state = opt.state[flat]
    if not state:
        state["step"] = torch.zeros((), dtype=torch.float32, device=flat.device)
        state["exp_avg"] = torch.zeros_like(flat, memory_format=torch.preserve_format)
        state["exp_avg_sq"] = torch.zeros_like(flat, memory_format=torch.preserve_format)
    return state


def adam_(p, g, m, v, step, lr: float, betas: tuple[float, float], eps: float) -> None:
    """One in-place Adam update of ``p`` (see the module docstring)."""
    b1, b2 = betas
    t = step.add_(1)
    m.lerp_(g, 1 - b1)
    v.mul_(b2).addcmul_(g, g, value=1 - b2)
    denom = (v.sqrt() / (1 - b2**t).sqrt()).add_(eps)
    p.sub_(lr * m / denom / (1 - b1**t))


def _hyper(opt: torch.optim.Adam) -> tuple[float, tuple[float, float], float]:
    group = opt.param_groups[0]
    return group["lr"], tuple(group["betas"]), group["eps"]


def compiled_vae_step(trainer) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """step(x, eps) -> losses (3, E) of a ``VAETrainer``, updating its parameters in place."""
    model, flat, reg = trainer.model, trainer.flat, trainer.arch.reg_coeff
    n_enc = sum(p.numel() for p in model.encoder.parameters())
    lr, betas, eps_adam = _hyper(trainer.opt)

    def losses(w: torch.Tensor, x: torch.Tensor, eps: torch.Tensor):
        enc = functional_call(model.encoder, param_views(model.encoder, w), (x,))
        mu, log_std = enc.chunk(2, dim=-1)
        z = mu + eps * log_std.exp()
        x_hat = functional_call(model.decoder, param_views(model.decoder, w, n_enc), (z,))
        mse, kl = obj.reconstruction_mse(x_hat, x), obj.gaussian_kl(mu, log_std)
        out = torch.stack((obj.vae_loss(mse, kl, reg), mse, kl))
        return out[0].sum(), out

    def step(w, m, v, t, x, eps):
        g, out = grad(losses, has_aux=True)(w, x, eps)
        adam_(w, g, m, v, t, lr, betas, eps_adam)
        return out

    compiled = torch.compile(step, dynamic=False)

    def run(x: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        # looked up at every call: loading a checkpoint replaces the optimizer's state tensors
        state = adam_state(trainer.opt, flat)
        with torch.no_grad():
            return compiled(flat.data, state["exp_avg"], state["exp_avg_sq"], state["step"], x, eps)

    return run


def compiled_gan_step(trainer) -> Callable[[torch.Tensor, torch.Tensor, torch.Tensor], tuple]:
    """step(x, z_d, z_g) -> (d_loss, g_loss) of a ``GANTrainer``: the homework's alternating
    step (D on x and G(z_d), then G on z_g against the updated D), compiled."""
    model, game, arch = trainer.model, trainer.game, trainer.arch
    d, g = game.d, game.g
    lr, betas, eps_adam = _hyper(d.opt)

    def d_loss(wd, wg, x, z):
        fake = functional_call(model.generator, param_views(model.generator, wg), (z,))
        both = torch.cat((x, fake), dim=1)
        logits = functional_call(model.discriminator, param_views(model.discriminator, wd),
                                 (both,)).squeeze(-1)  # fmt: skip
        real, fake_logits = logits.split((x.shape[1], z.shape[1]), dim=1)
        loss = obj.discriminator_loss(real, fake_logits, arch.lam)
        return loss.sum(), loss

    def g_loss(wg, wd, z):
        fake = functional_call(model.generator, param_views(model.generator, wg), (z,))
        logits = functional_call(model.discriminator, param_views(model.discriminator, wd),
                                 (fake,)).squeeze(-1)  # fmt: skip
        loss = obj.generator_loss(logits, arch.generator_loss)
        return loss.sum(), loss

    def step(wd, wg, dm, dv, dt, gm, gv, gt, x, z_d, z_g):
        gd, ld = grad(d_loss, has_aux=True)(wd, wg, x, z_d)
        adam_(wd, gd, dm, dv, dt, lr, betas, eps_adam)
        gg, lg = grad(g_loss, has_aux=True)(wg, wd, z_g)
        adam_(wg, gg, gm, gv, gt, lr, betas, eps_adam)
        return ld, lg

    compiled = torch.compile(step, dynamic=False)

    def run(x: torch.Tensor, z_d: torch.Tensor, z_g: torch.Tensor):
        sd, sg = adam_state(d.opt, d.flat), adam_state(g.opt, g.flat)  # see compiled_vae_step
        with torch.no_grad():
            return compiled(d.flat.data, g.flat.data, sd["exp_avg"], sd["exp_avg_sq"], sd["step"],
                            sg["exp_avg"], sg["exp_avg_sq"], sg["step"], x, z_d, z_g)  # fmt: skip

    return run
