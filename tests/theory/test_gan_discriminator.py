"""A trained GAN's discriminator against D* for q = KDE of its generator's samples."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import gaussian_kde

from genlab.models.nn import EnsembleMLP
from genlab.theory.gan_discriminator import gan_discriminator_fit, kde_density, member_discriminator
from genlab.training import fit
from genlab.training.config import GANConfig, RunConfig, TrainConfig
from genlab.training.rundir import RunDir, environment


def test_kde_density_matches_scipy_and_integrates_to_one():
    g = torch.Generator().manual_seed(0)
    pts = torch.randn(400, 2, generator=g, dtype=torch.float64) * torch.tensor([1.0, 0.3])
    d = kde_density(pts)
    x = torch.randn(200, 2, generator=g, dtype=torch.float64) * 2
    with np.errstate(divide="ignore"):
        ref = np.log(gaussian_kde(pts.numpy().T)(x.numpy().T))
    ours = d.log_prob(x).numpy()
    ok = ref > -30  # scipy sums densities, so it underflows (and loses digits) in far tails
    assert ok.sum() > 100 and (~ok).any()
    np.testing.assert_allclose(ours[ok], ref[ok], rtol=0, atol=1e-10)
    assert np.isfinite(ours).all()  # logsumexp stays finite where scipy gives log 0
    h = 0.04  # midpoint rule; the narrowest bandwidth is ~0.1
    axis = torch.arange(-6, 6, h, dtype=torch.float64) + h / 2
    grid = torch.cartesian_prod(axis, axis)
    assert float(d.log_prob(grid).exp().sum() * h * h) == pytest.approx(1, abs=1e-3)
    s = d.sample(50_000, generator=1)  # the sampler draws from the same KDE
    assert torch.allclose(s.mean(0), pts.mean(0), atol=0.02)


def test_member_discriminator_is_that_member():
    model = EnsembleMLP(3, [2, 8, 8, 1], ["tanh", "leaky_relu"])
    for e in range(3):
        model.reset_member(e, torch.Generator().manual_seed(e))
    x = torch.randn(3, 5, 2)
    for e in range(3):
        single = member_discriminator(model, e)
        assert torch.allclose(single(x[e : e + 1]), model(x)[e : e + 1])


@pytest.fixture
def tiny_gan(tmp_path):
    train = TrainConfig(epochs=3, n_samples=256, batch_size=64, seeds=(0, 1), eval_samples=0)
    run = RunDir.create(tmp_path / "gan", RunConfig("gan", train, GANConfig()), environment("cpu"))
    fit(run)
    return run


def test_gan_discriminator_fit_scores_each_member(tiny_gan):
    for member in (0, 1):
        result = gan_discriminator_fit(tiny_gan, member=member, n_kde=300, eval_samples=4000)
        (m,) = result.members
        assert m.seed == member and m.lam == 500 and m.steps == 3 * 4
        # the variational value never beats the maximum (up to sampling error)
        assert m.value <= m.exact_max + 3 * m.value_stderr
        assert m.excess_quadrature >= 0 and m.excess_mc > -3 * m.excess_mc_stderr
        assert result.logits.shape == (1, 150 * 150) and result.losses.shape == (3, 1)


def test_gan_discriminator_fit_rejects_bad_input(tiny_gan, tmp_path):
    with pytest.raises(ValueError, match="member must be in 0..1, got 2"):
        gan_discriminator_fit(tiny_gan, member=2)
    vae = RunDir.create(tmp_path / "vae", RunConfig("vae"), environment("cpu"))
    with pytest.raises(ValueError, match="a GAN run is needed"):
        gan_discriminator_fit(vae)


@pytest.mark.parametrize(
    ("arch", "data", "message"),
    [
        (GANConfig(pack=2, lam=1.0), None, "not a λ-GAN's D"),
        (GANConfig(objective="wgan_gp"), None, "objective wgan_gp"),
        (GANConfig(), "points.npy", "has no exact density"),
    ],
)
def test_gan_discriminator_fit_refuses_runs_without_d_star(tmp_path, arch, data, message):
    from genlab.base.errors import UserError

    train = TrainConfig(epochs=1, data=data) if data else TrainConfig(epochs=1)
    run = RunDir.create(tmp_path / "r", RunConfig("gan", train, arch), environment("cpu"))
    with pytest.raises(UserError, match=message):
        gan_discriminator_fit(run)
