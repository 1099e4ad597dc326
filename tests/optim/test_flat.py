"""Flat parameter buffers: views, gradient accumulation, and Adam equal to torch.optim.Adam."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from genlab.base.rng import member_generators
from genlab.models.vae import VAE
from genlab.objectives import gaussian_kl, reconstruction_mse, vae_loss
from genlab.optim.flat import flatten_parameters
from genlab.optim.game_steps import make_adam
from genlab.training.config import VAEConfig


def small_vae(members: int = 2) -> VAE:
    config = VAEConfig(latent_dim=3, encoder_hidden=(8, 8), decoder_hidden=(8, 8))
    model = VAE(config, members)
    for e, g in enumerate(member_generators(range(members), "init")):
        model.reset_member(e, g)
    return model


def vae_step_loss(model: VAE, x: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    mu, log_std = model.encode(x)
    x_hat = model.decode(mu + eps * log_std.exp())
    return vae_loss(reconstruction_mse(x_hat, x), gaussian_kl(mu, log_std), 75.0).sum()


def test_parameters_become_views_of_the_flat_buffer():
    model = small_vae()
    before = [p.detach().clone() for p in model.parameters()]
    flat = flatten_parameters(model.parameters())
    params = list(model.parameters())
    assert flat.numel() == sum(p.numel() for p in params)
    assert torch.equal(flat.detach(), torch.cat([b.reshape(-1) for b in before]))
    for p, b in zip(params, before, strict=True):
        assert torch.equal(p, b)  # values kept
        assert p.untyped_storage().data_ptr() == flat.untyped_storage().data_ptr()
        assert p.grad is not None
        assert p.grad.untyped_storage().data_ptr() == flat.grad.untyped_storage().data_ptr()
    # writing into the buffer writes into the module, and back
    with torch.no_grad():
        flat.zero_()
    assert all(torch.count_nonzero(p) == 0 for p in params)
    with torch.no_grad():
        params[0].fill_(3.0)
    assert torch.count_nonzero(flat) == params[0].numel()


def test_flatten_needs_a_parameter():
    with pytest.raises(ValueError, match="at least one"):
        flatten_parameters([])


def test_backward_accumulates_into_the_views_after_zeroing_the_flat_grad():
    model = small_vae()
    ref = copy.deepcopy(model)
    flat = flatten_parameters(model.parameters())
    x, eps = torch.randn(2, 16, 2), torch.randn(2, 16, 3)
    flat.grad.fill_(7.0)
    flat.grad.zero_()
    vae_step_loss(model, x, eps).backward()
    vae_step_loss(ref, x, eps).backward()
    expected = torch.cat([p.grad.reshape(-1) for p in ref.parameters()])
    torch.testing.assert_close(flat.grad, expected)
    for p, q in zip(model.parameters(), ref.parameters(), strict=True):
        torch.testing.assert_close(p.grad, q.grad)
    # a second backward without zeroing accumulates (AccumulateGrad adds in place)
    vae_step_loss(model, x, eps).backward()
    torch.testing.assert_close(flat.grad, 2 * expected)


@pytest.mark.parametrize("lr", [5e-4, 1e-2])
def test_adam_on_the_flat_parameter_equals_torch_adam_on_the_modules(lr):
    model = small_vae()
    ref = copy.deepcopy(model)
    flat = flatten_parameters(model.parameters())
    opt = make_adam([flat], lr)
    ref_opt = torch.optim.Adam(ref.parameters(), lr=lr)  # torch's defaults, per tensor
    g = torch.Generator().manual_seed(0)
    for _ in range(5):
        x, eps = torch.randn(2, 16, 2, generator=g), torch.randn(2, 16, 3, generator=g)
        flat.grad.zero_()
        vae_step_loss(model, x, eps).backward()
        opt.step()
        ref_opt.zero_grad()
        vae_step_loss(ref, x, eps).backward()
        ref_opt.step()
    moved = False
    for (name, p), q in zip(model.named_parameters(), ref.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=1e-6, msg=name)
        moved |= not torch.equal(p, small_vae().get_parameter(name))
    assert moved


def test_make_adam_uses_torch_defaults():
    p = nn.Parameter(torch.zeros(3))
    group = make_adam([p], 1e-3).param_groups[0]
    assert group["lr"] == 1e-3
    assert group["betas"] == (0.9, 0.999)
    assert group["eps"] == 1e-8
    assert group["weight_decay"] == 0
    assert not group["amsgrad"]
