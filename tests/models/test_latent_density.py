"""The VAE's ex-post sampler (posterior_gmm) against closed forms and scikit-learn: a known
mixture is recovered and sampled with its moments, σ̂ is the residual's RMS, the member axis
changes nothing, and the option is refused where it does not apply."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from sklearn.mixture import GaussianMixture

from genlab.base.errors import UserError
from genlab.base.rng import member_generators
from genlab.models.config import VAEConfig
from genlab.models.latent_density import fit_gaussian_mixture, residual_std
from genlab.training import fit, load_model
from genlab.training.config import RunConfig, TrainConfig


def two_blobs(n: int, seed: int) -> torch.Tensor:
    """n points of 0.3·N((−2, 0), 0.25 I) + 0.7·N((1, 1), diag(0.04, 1)), in 2-D."""
    g = torch.Generator().manual_seed(seed)
    first = torch.rand(n, generator=g) < 0.3
    eps = torch.randn(n, 2, generator=g, dtype=torch.float64)
    a = torch.tensor([-2.0, 0.0], dtype=torch.float64) + 0.5 * eps
    b = torch.tensor([1.0, 1.0], dtype=torch.float64) + eps * torch.tensor([0.2, 1.0])
    return torch.where(first[:, None], a, b)


def test_a_known_mixture_is_recovered_and_sampled_with_its_moments():
    codes = torch.stack([two_blobs(20_000, 0), two_blobs(20_000, 1)])
    density = fit_gaussian_mixture(codes, 2, seeds=(0, 1))
    assert density.weights.shape == (2, 2) and density.scale_tril.shape == (2, 2, 2, 2)
    for e in range(2):
        order = density.means[e, :, 0].argsort()
        np.testing.assert_allclose(density.weights[e, order], [0.3, 0.7], atol=0.01)
        np.testing.assert_allclose(density.means[e, order], [[-2, 0], [1, 1]], atol=0.03)
        cov = density.scale_tril[e] @ density.scale_tril[e].mT
        np.testing.assert_allclose(cov[order], [np.diag([0.25, 0.25]), np.diag([0.04, 1.0])],
                                   atol=0.03)  # fmt: skip
    n = 40_000
    z = density.sample(n, member_generators((0, 1), "sample")).double()
    # The mixture's mean 0.3·(−2, 0) + 0.7·(1, 1) = (0.1, 0.7), to 4 s.e. (std ≤ 1.5).
    np.testing.assert_allclose(z.mean(1), [[0.1, 0.7]] * 2, atol=4 * 1.5 / math.sqrt(n))
    share = (z[..., 0] < -0.5).double().mean(1)  # the first blob's share
    np.testing.assert_allclose(share, 0.3, atol=4 * math.sqrt(0.21 / n))


def test_the_fit_is_scikit_learns_and_each_member_its_own():
    codes = torch.stack([two_blobs(500, s) for s in (3, 4, 5)]).float()
    density = fit_gaussian_mixture(codes, 3, seeds=(7, 8, 9))
    for e, seed in enumerate((7, 8, 9)):
        ref = GaussianMixture(3, covariance_type="full", random_state=seed).fit(
            codes[e].double().numpy()
        )
        np.testing.assert_allclose(density.means[e], ref.means_, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(density.weights[e], ref.weights_, rtol=1e-5)
    alone = fit_gaussian_mixture(codes[1:2], 3, seeds=(8,))  # member 1 fitted by itself
    assert torch.equal(alone.means[0], density.means[1])
    one = alone.sample(100, member_generators((8,), "sample"))[0]
    assert torch.equal(one, density.sample(100, member_generators((7, 8, 9), "sample"))[1])


def test_the_likelihood_sigma_is_the_residuals_rms():
    x = torch.tensor([[[0.0, 0.0], [1.0, 2.0]], [[3.0, 4.0], [0.0, 0.0]]])
    x_hat = torch.zeros_like(x)
    # member 0: (0 + 1 + 4) / 4 = 1.25; member 1: (9 + 16) / 4 = 6.25
    torch.testing.assert_close(residual_std(x, x_hat), torch.tensor([1.25, 6.25]).sqrt())


@pytest.fixture
def gmm_run(make_config, make_run):
    """A tiny VAE run of two members sampling with posterior_gmm (8 components)."""
    train = make_config("vae", seeds=(0, 1), epochs=2, eval_samples=0).train
    config = RunConfig("vae", train, VAEConfig(sampler="posterior_gmm", gmm_components=8))
    return fit(make_run(config)).run


def test_the_vae_samples_decoded_mixture_draws_plus_its_noise(gmm_run):
    model = load_model(gmm_run)
    assert model.latent_density.components == 8 and model.noise_std.shape == (2,)
    gens = member_generators((0, 1), "sample")
    x = model.sample(300, generators=gens)
    gens = member_generators((0, 1), "sample")
    z = model.latent_density.sample(300, gens)
    eps = torch.stack([torch.randn(300, 2, generator=g) for g in gens])
    expected = model.scale.to_data(model.decode(z) + model.noise_std[:, None, None] * eps)
    torch.testing.assert_close(x, expected)
    prior = load_model(gmm_run, sampler="prior")  # the same weights, the homework's sampler
    for a, b in zip(prior.state_dict().values(), model.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert prior.latent_density is None
    assert not torch.equal(prior.sample(300, generators=member_generators((0, 1), "sample")), x)


def test_the_fitted_sampler_moves_with_the_model(gmm_run):
    model = load_model(gmm_run)
    x = model.sample(50, generators=member_generators((0, 1), "sample"))
    model.double()  # a dtype move stands for a device move here (no GPU in CI)
    assert model.latent_density.means.dtype == torch.float64
    assert model.noise_std.dtype == torch.float64
    y = model.sample(50, generators=member_generators((0, 1), "sample"))
    assert y.dtype == torch.float64
    torch.testing.assert_close(y.float(), x, rtol=1e-4, atol=1e-5)


def test_member_k_of_a_run_samples_as_the_run_of_seed_k_alone(make_config, make_run):
    arch = VAEConfig(sampler="posterior_gmm", gmm_components=4)
    runs = [fit(make_run(RunConfig("vae", make_config("vae", seeds=s, epochs=1,
                                                      eval_samples=0).train, arch), str(s))).run
            for s in ((0, 1), (1,))]  # fmt: skip
    both, alone = (load_model(r).sample(200, generators=member_generators(r.config().train.seeds,
                                                                          "sample"))
                   for r in runs)  # fmt: skip
    torch.testing.assert_close(both[1], alone[0])


def test_evaluate_takes_another_mixture_size_into_its_own_file(gmm_run, capsys):
    from genlab.cli.main import main

    argv = ["evaluate", str(gmm_run.path), "--n", "100"]
    assert main([*argv, "--gmm-components", "4"]) == 0
    small = json.loads((gmm_run.path / "evaluation-posterior_gmm-k4.json").read_text())
    assert small["gmm_components"] == 4 and small["sampler"] == "posterior_gmm"
    assert "4-component Gaussian mixture" in small["samples"]
    assert main([*argv, "--sampler", "prior"]) == 0
    prior = json.loads((gmm_run.path / "evaluation-prior.json").read_text())
    assert prior["samples"] == "decoded prior samples" and "gmm_components" not in prior
    assert main(argv) == 0
    assert json.loads((gmm_run.path / "evaluation.json").read_text())["gmm_components"] == 8
    capsys.readouterr()
    assert main([*argv, "--sampler", "prior", "--gmm-components", "4"]) == 2
    assert "gmm_components 4 needs the posterior_gmm sampler" in capsys.readouterr().err
    assert main([*argv, "--sampler", "rejection"]) == 2
    assert "sampler 'rejection' is not a vae's; allowed: prior, posterior_gmm" in (
        capsys.readouterr().err
    )


def test_sample_takes_another_mixture_size_and_names_the_default_it_cannot_fit(
    make_config, make_run, tmp_path, capsys
):
    from genlab import api
    from genlab.cli.main import main

    train = make_config("vae", seeds=(0,), epochs=1, eval_samples=0, n_samples=40).train
    run = fit(make_run(RunConfig("vae", train, VAEConfig()))).run  # trained with the prior
    out = tmp_path / "s.npy"
    argv = ["sample", str(run.path), "-n", "10", "-o", str(out), "--sampler", "posterior_gmm"]
    assert main(argv) == 2
    assert "gmm_components 50 (the default) exceeds the 40 training points" in (
        capsys.readouterr().err
    )
    assert main([*argv, "--gmm-components", "5"]) == 0 and np.load(out).shape == (1, 10, 2)
    x = api.load(run.path).sample(10, seed=0, sampler="posterior_gmm", gmm_components=5)
    np.testing.assert_array_equal(x, np.load(out))


def test_the_options_are_refused_where_they_do_not_apply(capsys):
    with pytest.raises(UserError, match="sampler must be one of|sampler 'x'"):
        VAEConfig(sampler="x")
    with pytest.raises(UserError, match=r"gmm_components must be an integer in \[1, 1000\]"):
        VAEConfig(sampler="posterior_gmm", gmm_components=0)
    with pytest.raises(UserError, match="gmm_components 20 applies to sampler 'posterior_gmm'"):
        VAEConfig(gmm_components=20)
    with pytest.raises(UserError, match="gmm_components 500 exceeds the 128 training points"):
        RunConfig("vae", TrainConfig(n_samples=128),
                  VAEConfig(sampler="posterior_gmm", gmm_components=500))  # fmt: skip
    from genlab.cli.main import main

    assert main(["train", "gan", "--gmm-components", "5", "--epochs", "1"]) == 2
    assert "--gmm-components applies to the VAE, not to gan" in capsys.readouterr().err
    assert main(["train", "vae", "--sampler", "rejection", "--epochs", "1"]) == 2
    assert "rejection" in capsys.readouterr().err


def test_training_records_the_priors_samples_whatever_the_sampler(make_config, make_run):
    """Snapshots, frames and samples.npy show decode(z), z ~ N(0, I): the homework's views."""
    train = make_config("vae", seeds=(0,), epochs=2, eval_samples=0, frames=2).train
    runs = [fit(make_run(RunConfig("vae", train, VAEConfig(sampler=s)), s)).run
            for s in ("prior", "posterior_gmm")]  # fmt: skip
    np.testing.assert_array_equal(*(np.load(r.samples_file) for r in runs))
    for key, value in runs[0].load_snapshots().items():
        np.testing.assert_array_equal(runs[1].load_snapshots()[key], value)


def test_the_presets_train_and_sample_with_one_command(tmp_path):
    from genlab.cli.main import main
    from genlab.workflows.presets import get_preset

    winner = get_preset("vae-r16000-posterior-gmm").arch()
    assert (winner.reg_coeff, winner.sampler, winner.gmm_components) == (
        16000.0, "posterior_gmm", 100)  # fmt: skip
    assert get_preset("vae-posterior-gmm").arch() == VAEConfig(sampler="posterior_gmm")
    decay = get_preset("vae-r16000-posterior-gmm-decay")
    assert decay.arch() == winner and decay.train == {"lr_decay": 0.25}
    assert decay.run_config(TrainConfig()).train.lr_decay == 0.25
    out = tmp_path / "run"
    argv = ["train", "vae", "--preset", "vae-posterior-gmm", "--epochs", "1", "--n-samples",
            "128", "--eval-samples", "100", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    evaluation = json.loads((out / "evaluation.json").read_text())
    assert evaluation["sampler"] == "posterior_gmm" and evaluation["gmm_components"] == 50
