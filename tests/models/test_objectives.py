"""Losses against naive formulas, closed forms, torch.distributions and finite differences."""

from __future__ import annotations

import math

import pytest
import torch
from torch.distributions import Normal, kl_divergence

from genlab import objectives as obj

F64 = torch.float64


def logits(shape, scale=3.0, seed=0, dtype=F64):
    return scale * torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


# -- GAN losses -----------------------------------------------------------------------------------
@pytest.mark.parametrize("lam", [0.5, 1.0, 500.0])
def test_discriminator_loss_equals_the_naive_formula_where_finite(lam):
    real, fake = logits((3, 40), seed=1), logits((3, 25), seed=2)
    naive = -(
        torch.log(torch.sigmoid(real)).mean(1) + lam * torch.log(1 - torch.sigmoid(fake)).mean(1)
    )
    assert torch.isfinite(naive).all()
    got = obj.discriminator_loss(real, fake, lam)
    assert got.shape == (3,)
    torch.testing.assert_close(got, naive, rtol=1e-12, atol=1e-12)


def test_homework_discriminator_loss_equals_ours_with_sigmoid_d():
    """The homework's D(x) = Sigmoid(fc(x)): −(mean log D(x) + 500·mean log(1 − D(G(z))))."""
    real, fake = logits((1, 64), seed=3), logits((1, 64), seed=4)
    d_real, d_fake = torch.sigmoid(real[0]), torch.sigmoid(fake[0])
    hw = -(torch.mean(torch.log(d_real)) + 500 * torch.mean(torch.log(1 - d_fake)))
    torch.testing.assert_close(obj.discriminator_loss(real, fake, 500.0)[0], hw)
    hw_g = -torch.mean(torch.log(d_fake))
    torch.testing.assert_close(obj.generator_loss(fake)[0], hw_g)


@pytest.mark.parametrize("kind", ["nonsaturating", "saturating"])
def test_generator_losses_equal_the_naive_formulas(kind):
    fake = logits((4, 30), seed=5)
    d = torch.sigmoid(fake)
    naive = -torch.log(d).mean(1) if kind == "nonsaturating" else torch.log(1 - d).mean(1)
    torch.testing.assert_close(obj.generator_loss(fake, kind), naive, rtol=1e-12, atol=1e-12)


def test_generator_loss_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="wasserstein"):
        obj.generator_loss(torch.zeros(1, 2), "wasserstein")


def test_losses_stay_finite_where_the_naive_ones_are_not():
    s = torch.tensor([[100.0, -100.0, 0.0]], dtype=torch.float32)
    with torch.no_grad():
        naive_d = -(
            torch.log(torch.sigmoid(s)).mean(1) + 500 * torch.log(1 - torch.sigmoid(s)).mean(1)
        )
        naive_g = -torch.log(torch.sigmoid(-s)).mean(1)
    assert not torch.isfinite(naive_d).all() and not torch.isfinite(naive_g).all()
    s.requires_grad_(True)
    d = obj.discriminator_loss(s, s, 500.0)
    g_ns = obj.generator_loss(-s, "nonsaturating")
    g_s = obj.generator_loss(s, "saturating")
    for loss in (d, g_ns, g_s):
        assert torch.isfinite(loss).all()
    (d.sum() + g_ns.sum() + g_s.sum()).backward()
    assert torch.isfinite(s.grad).all()
    # the values themselves, from the closed forms in float64: log σ(±100) = −softplus(∓100)
    s64 = s.detach().double()
    expect_d = -(
        -torch.nn.functional.softplus(-s64).mean(1)
        - 500 * torch.nn.functional.softplus(s64).mean(1)
    )
    torch.testing.assert_close(d.detach().double(), expect_d, rtol=1e-6, atol=0)
    # softplus(±100, 0) = (100, ~0, log 2) on both terms: (1 + λ)·(100 + log 2)/3
    assert float(d.detach()) == pytest.approx(501 * (100 + math.log(2)) / 3, rel=1e-6)


def test_log_d_and_log_one_minus_d_are_logsigmoid():
    s = torch.linspace(-50, 50, 201, dtype=F64)
    torch.testing.assert_close(obj.log_d(s), torch.nn.functional.logsigmoid(s))
    torch.testing.assert_close(obj.log_one_minus_d(s), torch.nn.functional.logsigmoid(-s))


# -- gradients by finite differences --------------------------------------------------------------
def test_discriminator_loss_gradcheck():
    real = logits((2, 5), seed=6).requires_grad_(True)
    fake = logits((2, 4), seed=7).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda r, f: obj.discriminator_loss(r, f, 500.0), (real, fake))


@pytest.mark.parametrize("kind", ["nonsaturating", "saturating"])
def test_generator_loss_gradcheck(kind):
    fake = logits((2, 6), seed=8).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda f: obj.generator_loss(f, kind), (fake,))


def test_gaussian_kl_gradcheck():
    mu = logits((2, 5, 3), 1.0, seed=9).requires_grad_(True)
    log_std = logits((2, 5, 3), 0.5, seed=10).requires_grad_(True)
    assert torch.autograd.gradcheck(obj.gaussian_kl, (mu, log_std))


def test_reconstruction_mse_gradcheck():
    x_hat = logits((2, 5, 2), 1.0, seed=11).requires_grad_(True)
    x = logits((2, 5, 2), 1.0, seed=12).requires_grad_(True)
    assert torch.autograd.gradcheck(obj.reconstruction_mse, (x_hat, x))


# -- VAE terms ------------------------------------------------------------------------------------
def test_gaussian_kl_equals_torch_distributions_and_the_homework():
    mu, log_std = logits((3, 20, 16), 1.0, seed=13), logits((3, 20, 16), 0.5, seed=14)
    ref = kl_divergence(Normal(mu, log_std.exp()), Normal(0.0, 1.0)).sum(-1).mean(-1)
    got = obj.gaussian_kl(mu, log_std)
    assert got.shape == (3,)
    torch.testing.assert_close(got, ref, rtol=1e-12, atol=1e-12)
    # the homework's kl_div on one member: kl.sum(1).mean()
    hw = (-log_std[1] - 0.5 + (torch.exp(2 * log_std[1]) + mu[1] ** 2) * 0.5).sum(1).mean()
    torch.testing.assert_close(got[1], hw)


def test_gaussian_kl_is_zero_at_the_prior_and_closed_form_in_1d():
    assert torch.equal(obj.gaussian_kl(torch.zeros(1, 4, 3), torch.zeros(1, 4, 3)), torch.zeros(1))
    mu, sigma = 0.7, 2.0
    closed = math.log(1 / sigma) + (sigma**2 + mu**2) / 2 - 0.5
    got = obj.gaussian_kl(
        torch.full((1, 1, 1), mu, dtype=F64), torch.full((1, 1, 1), math.log(sigma), dtype=F64)
    )
    assert float(got) == pytest.approx(closed, rel=1e-14)


def test_reconstruction_mse_equals_nn_mseloss_per_member():
    x_hat, x = logits((3, 10, 2), 1.0, seed=15), logits((3, 10, 2), 1.0, seed=16)
    got = obj.reconstruction_mse(x_hat, x)
    ref = torch.stack([torch.nn.MSELoss()(x_hat[e], x[e]) for e in range(3)])
    torch.testing.assert_close(got, ref)


def test_vae_loss_is_reg_times_mse_plus_kl():
    mse, kl = torch.tensor([0.1, 0.2]), torch.tensor([3.0, 4.0])
    torch.testing.assert_close(obj.vae_loss(mse, kl, 75.0), torch.tensor([10.5, 19.0]))


@pytest.mark.parametrize("reg", [1.0, 75.0, 1000.0])
def test_gaussian_nelbo_is_minus_elbo_of_a_gaussian_decoder(reg):
    """−ELBO = −E log N(x; x̂, σ²I) + KL with σ² = dim/(2·reg), per sample, batch-averaged."""
    dim = 2
    x_hat, x = logits((2, 30, dim), 1.0, seed=17), logits((2, 30, dim), 1.0, seed=18)
    mu, log_std = logits((2, 30, 4), 1.0, seed=19), logits((2, 30, 4), 0.3, seed=20)
    sigma = math.sqrt(dim / (2 * reg))
    nll = -Normal(x_hat, sigma).log_prob(x).sum(-1).mean(-1)  # (E,)
    kl = kl_divergence(Normal(mu, log_std.exp()), Normal(0.0, 1.0)).sum(-1).mean(-1)
    expected = nll + kl
    got = obj.gaussian_nelbo(
        obj.reconstruction_mse(x_hat, x), obj.gaussian_kl(mu, log_std), reg, dim=dim
    )
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)
