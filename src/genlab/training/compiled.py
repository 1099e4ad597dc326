"""Whole training steps compiled as one graph (``--compile``): forward, gradient and Adam.

``torch.compile`` of a loss alone is *slower* than eager on a 2-core CPU for these tiny
networks: the autograd runtime still runs every backward node, and each compiled call adds
guards and wrappers. Compiling the whole step instead, as a pure function of plain tensors
(the flat parameter buffer, Adam's moments, the batch and the noise), leaves no autograd at
run time: ``torch.func.grad`` traces the backward into the same graph as the forward and the
update, and inductor fuses the elementwise work around the matmuls.

Adam is torch's single-tensor rule (Kingma & Ba 2015, as in ``torch.optim.Adam``):
    m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
    p ← p − (lr / (1 − β₁ᵗ)) · (m / (sqrt(v) / sqrt(1 − β₂ᵗ) + ε)),
applied in place to the state tensors of the run's ``torch.optim.Adam``, so a checkpoint
written by a compiled run resumes in eager mode and vice versa. Only the homework's
alternating game step is compiled for the GAN.

The networks enter as ``genlab.models.nn.mlp_forward`` over views of the flat buffer
(``split_layers``: one split, whose gradient is one concatenation), and the loss
composition is the eager trainers' own (``objectives.vae_losses``,
``objectives.discriminator_step_loss``). The compiled function closes over plain tuples and
numbers only, never over modules, so each call's guards check a handful of tensors.
On a CPU, inductor's C++ wrapper (``cpp_wrapper``) replaces the Python code that launches the
generated kernels, and ``step_groups`` runs two steps per call; together they take a VAE step
from ~410 to ~310 µs (``benchmarks/bench_train_speed.py``).

That ``torch.compile`` path is the GPU's. On a CPU the same step runs from AOTInductor packages
(``genlab.training.packaged``, ``packaged_vae_step``, ``packaged_gan_step``): built once,
loaded in milliseconds by every later run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import torch
from torch.func import grad

from genlab import objectives as obj
from genlab.models.nn import mlp_forward, split_layers
from genlab.optim.adam import adam_state
from genlab.training.packaged import PackagedStep, adam


def adam_(p, g, m, v, step, lr: torch.Tensor, betas: tuple[float, float], eps: float) -> None:
    """One in-place Adam update of ``p`` (see the module docstring)."""
    b1, b2 = betas
    t = step.add_(1)
    m.lerp_(g, 1 - b1)
    v.mul_(b2).addcmul_(g, g, value=1 - b2)
    denom = (v.sqrt() / (1 - b2**t).sqrt()).add_(eps)
    p.sub_(lr / (1 - b1**t) * (m / denom))


def _hyper(opt: torch.optim.Adam) -> tuple[tuple[float, float], float]:
    group = opt.param_groups[0]
    return tuple(group["betas"]), group["eps"]


def _lr(opt: torch.optim.Adam) -> torch.Tensor:
    """The optimizer's current learning rate as a 0-d tensor on its parameters' device: an
    input of the compiled step, so that a schedule (``TrainConfig.lr_decay``) changes it
    without a recompilation."""
    group = opt.param_groups[0]
    return torch.tensor(group["lr"], dtype=torch.float64, device=group["params"][0].device)


def _lr_input(opt: torch.optim.Adam) -> Callable[[], torch.Tensor]:
    """``_lr(opt)``, made again only when the learning rate has changed."""
    last: list = [None, None]

    def current() -> torch.Tensor:
        lr = opt.param_groups[0]["lr"]
        if last[0] != lr:
            last[:] = [lr, _lr(opt)]
        return last[1]

    return current


def _compile(fn: Callable, device: torch.device) -> Callable:
    options: dict[str, Any] | None = {"cpp_wrapper": True} if device.type == "cpu" else None
    return torch.compile(fn, dynamic=False, fullgraph=True, options=options)


def step_groups(batches: list[torch.Tensor]) -> list[range]:
    """Consecutive batch indices in groups of two of one shape (a lone or short batch alone):
    each group is one call of a compiled step, which runs its steps unrolled, so the per-call
    cost (guards, wrappers, input copies; ~80 µs) is paid once per two steps."""
    groups, i = [], 0
    while i < len(batches):
        k = 2 if i + 1 < len(batches) and batches[i + 1].shape == batches[i].shape else 1
        groups.append(range(i, i + k))
        i += k
    return groups


def vae_loss(trainer) -> Callable:
    """losses(w, x, eps) -> (Σ loss, losses (3, E)) of a ``VAETrainer`` over its flat buffer
    ``w``: the eager step's loss composition (``objectives.vae_losses``)."""
    reg = trainer.arch.reg_coeff
    enc, dec = trainer.model.encoder.layout, trainer.model.decoder.layout

    def losses(w: torch.Tensor, x: torch.Tensor, eps: torch.Tensor):
        enc_layers, dec_layers = split_layers(w, enc, dec)

        def encode(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            mu, log_std = mlp_forward(enc_layers, enc, x).chunk(2, dim=-1)
            return mu, log_std

        def decode(z: torch.Tensor) -> torch.Tensor:
            return mlp_forward(dec_layers, dec, z)

        out = torch.stack(obj.vae_losses(encode, decode, x, eps, reg))
        return out[0].sum(), out

    return losses


def _key(trainer, betas: tuple[float, float], eps: float) -> dict[str, Any]:
    """What a packaged step depends on beyond its sources and input shapes."""
    return {"model": type(trainer).__name__, "arch": dataclasses.asdict(trainer.arch),
            "members": trainer.model.members, "betas": betas, "eps": eps}  # fmt: skip


_ADAM = ("exp_avg", "exp_avg_sq", "step")


def _write_back(into: tuple[torch.Tensor, ...], new: tuple[torch.Tensor, ...]) -> None:
    """The step's new parameters, moments and step count written into its own inputs: traced,
    these ``copy_`` are mutations of the package's inputs, which AOTInductor stores in place,
    in the run's flat buffer (the modules' parameters are views of it) and the optimizer's
    state, with no output to allocate or copy back."""
    for old, value in zip(into, new, strict=True):
        old.copy_(value)


def packaged_vae_step(trainer) -> Callable[[list, list], list[torch.Tensor]]:
    """``compiled_vae_step`` from AOTInductor packages (``genlab.training.packaged``): each
    step one call of the package for its batch shape, which updates the flat buffer and the
    optimizer's state in place (``_write_back``)."""
    flat = trainer.flat
    losses = vae_loss(trainer)
    betas, eps_adam = _hyper(trainer.opt)

    def make() -> Callable:
        def step(w, m, v, t, lr, x, eps):
            g, out = grad(losses, has_aux=True)(w, x, eps)
            *new, scalars = adam(w, g, m, v, t, lr, betas, eps_adam)
            _write_back((w, m, v, t), tuple(new))
            return out, scalars  # the scalars only to be stored once (see packaged.adam)

        return step

    packaged = PackagedStep("vae", make, _key(trainer, betas, eps_adam))
    lr = _lr_input(trainer.opt)

    def run(xs: list[torch.Tensor], epss: list[torch.Tensor]) -> list[torch.Tensor]:
        state = adam_state(trainer.opt, flat)  # looked up at every call, see compiled_vae_step
        mine = [flat.data, *(state[k] for k in _ADAM), lr()]
        with torch.no_grad():
            return [packaged([*mine, x.contiguous(), eps.contiguous()])[0]
                    for x, eps in zip(xs, epss, strict=True)]  # fmt: skip

    run.packaged = packaged  # type: ignore[attr-defined]  # for the compile rule and tests
    return run


def compiled_vae_step(trainer) -> Callable[[list, list], list[torch.Tensor]]:
    """steps(xs, epss) -> [losses (3, E)] per batch of a ``VAETrainer`` (one or two batches per
    call, see ``step_groups``), updating its parameters in place. On a CPU, from AOTInductor
    packages (``packaged_vae_step``); elsewhere ``torch.compile``."""
    flat = trainer.flat
    if flat.device.type == "cpu":
        return packaged_vae_step(trainer)
    losses = vae_loss(trainer)
    betas, eps_adam = _hyper(trainer.opt)

    def steps(w, m, v, t, lr, xs, epss):
        outs = []
        for x, eps in zip(xs, epss, strict=True):  # unrolled
            g, out = grad(losses, has_aux=True)(w, x, eps)
            adam_(w, g, m, v, t, lr, betas, eps_adam)
            outs.append(out)
        return outs

    compiled = _compile(steps, flat.device)

    def run(xs: list[torch.Tensor], epss: list[torch.Tensor]) -> list[torch.Tensor]:
        # looked up at every call: loading a checkpoint replaces the optimizer's state tensors
        state = adam_state(trainer.opt, flat)
        with torch.no_grad():
            return compiled(flat.data, state["exp_avg"], state["exp_avg_sq"], state["step"],
                            _lr(trainer.opt), xs, epss)  # fmt: skip

    return run


def gan_losses(trainer) -> tuple[Callable, Callable]:
    """(d_loss(wd, wg, x, z), g_loss(wg, wd, z)), each -> (Σ loss, losses (E,)), of a
    ``GANTrainer`` over the flat buffers of D and G: the homework's alternating step's losses."""
    model, arch = trainer.model, trainer.arch
    gen, dis = model.generator.layout, model.discriminator.layout
    lam, kind = arch.lam, arch.generator_loss

    def d_loss(wd, wg, x, z):
        (d_layers,), (g_layers,) = split_layers(wd, dis), split_layers(wg, gen)

        def discriminate(x: torch.Tensor) -> torch.Tensor:
            return mlp_forward(d_layers, dis, x).squeeze(-1)

        loss = obj.discriminator_step_loss(discriminate, x, mlp_forward(g_layers, gen, z), lam)
        return loss.sum(), loss

    def g_loss(wg, wd, z):
        (d_layers,), (g_layers,) = split_layers(wd, dis), split_layers(wg, gen)
        fake = mlp_forward(g_layers, gen, z)
        loss = obj.generator_loss(mlp_forward(d_layers, dis, fake).squeeze(-1), kind)
        return loss.sum(), loss

    return d_loss, g_loss


def packaged_gan_step(trainer) -> Callable[[list, list, list], list[torch.Tensor]]:
    """``compiled_gan_step`` from AOTInductor packages (see ``packaged_vae_step``)."""
    d, g = trainer.game.d, trainer.game.g
    d_loss, g_loss = gan_losses(trainer)
    betas, eps_adam = _hyper(d.opt)

    def make() -> Callable:
        def step(wd, wg, dm, dv, dt, gm, gv, gt, lr, x, z_d, z_g):
            gd, ld = grad(d_loss, has_aux=True)(wd, wg, x, z_d)
            *new_d, cd = adam(wd, gd, dm, dv, dt, lr, betas, eps_adam)
            gg, lg = grad(g_loss, has_aux=True)(wg, new_d[0], z_g)  # against the updated D
            *new_g, cg = adam(wg, gg, gm, gv, gt, lr, betas, eps_adam)
            _write_back((wd, dm, dv, dt, wg, gm, gv, gt), (*new_d, *new_g))
            return torch.stack((ld, lg)), cd, cg  # cd, cg: see packaged_vae_step

        return step

    packaged = PackagedStep("gan", make, _key(trainer, betas, eps_adam))
    lr = _lr_input(d.opt)

    def run(xs: list[torch.Tensor], z_ds: list[torch.Tensor], z_gs: list[torch.Tensor]):
        sd, sg = adam_state(d.opt, d.flat), adam_state(g.opt, g.flat)  # see compiled_vae_step
        mine = [d.flat.data, g.flat.data, *(sd[k] for k in _ADAM), *(sg[k] for k in _ADAM),
                lr()]  # fmt: skip
        with torch.no_grad():
            return [packaged([*mine, x.contiguous(), z_d.contiguous(), z_g.contiguous()])[0]
                    for x, z_d, z_g in zip(xs, z_ds, z_gs, strict=True)]  # fmt: skip

    run.packaged = packaged  # type: ignore[attr-defined]
    return run


def compiled_gan_step(trainer) -> Callable[[list, list, list], list[torch.Tensor]]:
    """steps(xs, z_ds, z_gs) -> [(d_loss, g_loss) stacked (2, E)] per batch of a
    ``GANTrainer``: the homework's alternating step (D on x and G(z_d), then G on z_g against
    the updated D), compiled, one or two steps per call (``step_groups``)."""
    d, g = trainer.game.d, trainer.game.g
    if d.flat.device.type == "cpu":
        return packaged_gan_step(trainer)
    d_loss, g_loss = gan_losses(trainer)
    betas, eps_adam = _hyper(d.opt)

    def steps(wd, wg, dm, dv, dt, gm, gv, gt, lr, xs, z_ds, z_gs):
        losses = []
        for x, z_d, z_g in zip(xs, z_ds, z_gs, strict=True):  # unrolled: 1 or 2 steps
            gd, ld = grad(d_loss, has_aux=True)(wd, wg, x, z_d)
            adam_(wd, gd, dm, dv, dt, lr, betas, eps_adam)
            gg, lg = grad(g_loss, has_aux=True)(wg, wd, z_g)
            adam_(wg, gg, gm, gv, gt, lr, betas, eps_adam)
            losses.append(torch.stack((ld, lg)))
        return losses

    compiled = _compile(steps, d.flat.device)

    def run(xs: list[torch.Tensor], z_ds: list[torch.Tensor], z_gs: list[torch.Tensor]):
        sd, sg = adam_state(d.opt, d.flat), adam_state(g.opt, g.flat)  # see compiled_vae_step
        with torch.no_grad():
            return compiled(d.flat.data, g.flat.data, sd["exp_avg"], sd["exp_avg_sq"],
                            sd["step"], sg["exp_avg"], sg["exp_avg_sq"], sg["step"],
                            _lr(d.opt), xs, z_ds, z_gs)  # fmt: skip

    return run
