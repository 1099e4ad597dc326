"""WGAN-GP (Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville, NeurIPS 2017) against its
defining equation: L_D = E f(x̃) − E f(x) + λ_gp E(‖∇f(x̂)‖₂ − 1)², x̂ = εx + (1 − ε)x̃, and
L_G = −E f(G(z)); the penalty of linear critics in closed form; critic_steps; the config."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from genlab import objectives as obj
from genlab.base.errors import UserError
from genlab.base.rng import member_generators, rand_members, randn_members, randperm_members
from genlab.models.config import GANConfig
from genlab.models.nn import EnsembleMLP
from genlab.training import build_model, make_trainer, training_data
from genlab.training.config import RunConfig, TrainConfig

CPU = torch.device("cpu")
E, B, D = 2, 5, 3  # members, points, dimension of the tiny case


def _tiny(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(E, B, D, generator=g, dtype=torch.float64)
    fake = torch.randn(E, B + 2, D, generator=g, dtype=torch.float64)  # B' = B + 2 draws
    eps = torch.rand(E, B + 2, generator=g, dtype=torch.float64)
    critic = EnsembleMLP(E, [D, 7, 1], ("tanh",)).double()
    for e in range(E):
        critic.reset_member(e, torch.Generator().manual_seed(10 + e))
    return x, fake, eps, lambda v: critic(v).squeeze(-1), critic


def test_critic_loss_is_the_formula_by_hand_with_one_gradient_per_point():
    """Each member, each interpolate on its own: f_e(x̂_i) alone, differentiated alone."""
    x, fake, eps, f, _ = _tiny()
    lam = 10.0
    got = obj.wgan_gp_critic_step_loss(f, x, fake, eps, lam)
    for e in range(E):

        def f_e(v: torch.Tensor, e: int = e) -> torch.Tensor:  # one point of member e
            batch = torch.zeros(E, 1, D, dtype=torch.float64)
            batch[e, 0] = v
            return f(batch)[e, 0]

        wasserstein = (sum(f_e(p) for p in fake[e]) / (B + 2)) - (sum(f_e(p) for p in x[e]) / B)
        penalty = 0.0
        for i in range(B):  # min(B, B') = B pairs (x_i, x̃_i), ε_i each
            x_hat = (eps[e, i] * x[e, i] + (1 - eps[e, i]) * fake[e, i]).requires_grad_(True)
            (g,) = torch.autograd.grad(f_e(x_hat), x_hat)
            penalty += (g.norm() - 1) ** 2 / B
        torch.testing.assert_close(got[e], wasserstein + lam * penalty, rtol=1e-12, atol=1e-12)


def test_critic_loss_is_differentiable_in_the_critics_parameters_through_the_penalty():
    x, fake, eps, f, critic = _tiny(1)
    loss = obj.wgan_gp_critic_step_loss(f, x, fake, eps, 10.0)
    grads = torch.autograd.grad(loss.sum(), list(critic.parameters()))
    assert all(torch.isfinite(g).all() for g in grads)
    # the penalty alone moves the weights too (a second-order term; the output bias aside)
    x_hat = eps[:, :B, None] * x + (1 - eps[:, :B, None]) * fake[:, :B]
    gp = obj.gradient_penalty(f, x_hat)
    weights = [layer.weight for layer in critic.linears()]
    assert all(g.abs().sum() > 0 for g in torch.autograd.grad(gp.sum(), weights))


def _linear(w: torch.Tensor):
    """f_e(x) = w_eᵀx for each member: (E, n, d) -> (E, n)."""
    return lambda v: torch.einsum("end,ed->en", v, w)


def test_penalty_of_a_unit_norm_linear_critic_is_zero():
    w = torch.randn(E, D, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    w = w / w.norm(dim=1, keepdim=True)
    x_hat = torch.randn(E, 11, D, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    torch.testing.assert_close(obj.gradient_penalty(_linear(w), x_hat), torch.zeros(E),
                               rtol=0, atol=1e-15, check_dtype=False)  # fmt: skip


@pytest.mark.parametrize("norms", [(0.0, 3.0), (0.5, 1.0), (2.0, 0.25)])
def test_penalty_of_any_linear_critic_is_lambda_times_norm_minus_one_squared(norms):
    """Per member: λ_gp(‖w_e‖ − 1)², each member its own (the member-summed gradient)."""
    w = torch.randn(E, D, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    w = w / w.norm(dim=1, keepdim=True) * torch.tensor(norms, dtype=torch.float64)[:, None]
    x, fake, eps = (t for t in _tiny(6)[:3])
    f = _linear(w)
    got = obj.wgan_gp_critic_step_loss(f, x, fake, eps, 10.0)
    want = (f(fake).mean(1) - f(x).mean(1)) + 10.0 * (torch.tensor(norms) - 1) ** 2
    torch.testing.assert_close(got, want.double(), rtol=1e-12, atol=1e-12)


def test_penalty_gradient_of_a_linear_critic_is_its_closed_form():
    """∂/∂w (‖w‖ − 1)² = 2(‖w‖ − 1)·w/‖w‖."""
    w = torch.randn(E, D, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    w = (w * torch.tensor([[0.3], [2.5]], dtype=torch.float64)).requires_grad_(True)
    x_hat = torch.randn(E, 4, D, generator=torch.Generator().manual_seed(8), dtype=torch.float64)
    (g,) = torch.autograd.grad(obj.gradient_penalty(_linear(w), x_hat).sum(), w)
    n = w.detach().norm(dim=1, keepdim=True)
    torch.testing.assert_close(g, 2 * (n - 1) * w.detach() / n, rtol=1e-12, atol=1e-12)


def test_wasserstein_losses():
    real, fake = torch.tensor([[1.0, 3.0]]), torch.tensor([[0.5, 1.5, 4.0]])
    assert obj.wasserstein_critic_loss(real, fake).item() == pytest.approx(2.0 - 2.0)
    assert obj.wasserstein_generator_loss(fake).item() == pytest.approx(-2.0)


# -- the trainer ---------------------------------------------------------------------------------
def _config(seeds=(0, 1), n: int = 64, batch: int = 16, **arch) -> RunConfig:
    t = TrainConfig(dataset="ring", n_samples=n, batch_size=batch, seeds=seeds, device="cpu")
    return RunConfig("gan", t, GANConfig(objective="wgan_gp", **arch))


@pytest.mark.parametrize("pack", [1, 2])
def test_trainer_losses_are_wgan_gps_on_the_given_noise_and_eps(pack):
    config = _config(pack=pack, gp_weight=3.0)
    model = build_model(config, CPU).double()
    trainer = make_trainer(model, config)
    g = torch.Generator().manual_seed(9)
    x = torch.randn(2, 16, 2, generator=g, dtype=torch.float64)
    z = torch.randn(2, 16, 100, generator=g, dtype=torch.float64)
    eps = torch.rand(2, 16, generator=g, dtype=torch.float64)
    with torch.no_grad():
        fake = model.packed(model.generate(z))
    real = model.packed(x)

    def f(v):
        return model.discriminator(v).squeeze(-1)

    x_hat = eps[:, : real.shape[1], None] * real + (1 - eps[:, : real.shape[1], None]) * fake
    want = f(fake).mean(1) - f(real).mean(1) + 3.0 * obj.gradient_penalty(f, x_hat)
    torch.testing.assert_close(trainer.d_loss(x, z, eps), want, rtol=1e-12, atol=1e-12)
    with torch.no_grad():
        torch.testing.assert_close(trainer.g_loss(z), -f(fake).mean(1), rtol=1e-12, atol=0)


def test_eps_comes_from_each_members_stream_after_the_epochs_noise():
    """An epoch draws, per member: its shuffle, 2 noise batches per step, then 2 ε rows per step."""
    config = _config(seeds=(3, 5))
    x = training_data(config, CPU)
    trainer = make_trainer(build_model(config, CPU), config)
    gens = member_generators((3, 5), "train")
    trainer.epoch(x, gens, 16)
    replay = member_generators((3, 5), "train")
    randperm_members(replay, 64, CPU)
    randn_members(replay, (4 * 2, 16, 100), CPU)
    rand_members(replay, (4 * 2, 16), CPU)
    for a, b in zip(gens, replay, strict=True):
        assert torch.equal(a.get_state(), b.get_state())


@pytest.mark.parametrize("n", [2, 3])
def test_g_moves_only_every_critic_steps_batches_and_reports_its_loss_between(n):
    """D steps at every batch; G at batches n, 2n, … counted across epochs (4 batches each)."""
    config = _config(critic_steps=n)
    model = build_model(config, CPU)
    trainer = make_trainer(model, config)
    x = training_data(config, CPU)
    gens = member_generators((0, 1), "train")
    g_flat, d_flat = trainer.game.g.flat, trainer.game.d.flat
    moved_g, moved_d, g_losses = [], [], []
    orig_step = trainer.game.step

    def step(closure):
        g0, d0 = g_flat.detach().clone(), d_flat.detach().clone()
        out = orig_step(closure)
        moved_g.append(not torch.equal(g0, g_flat))
        moved_d.append(not torch.equal(d0, d_flat))
        g_losses.append(out[1])
        return out

    trainer.game.step = step
    for _ in range(3):  # 12 batches
        losses = trainer.epoch(x, gens, 16)
        assert losses.shape == (4, 2, 2) and torch.isfinite(losses).all()
    assert moved_d == [True] * 12
    assert moved_g == [(i + 1) % n == 0 for i in range(12)]
    assert not any(loss.requires_grad for loss in g_losses)
    assert trainer.state_dict()["game"]["since_g"] == 12 % n


def test_adam_betas_reach_both_players():
    for betas in ((0.9, 0.999), (0.0, 0.9)):  # the default (torch's), and WGAN-GP's
        config = _config(adam_betas=betas)
        trainer = make_trainer(build_model(config, CPU), config)
        for player in (trainer.game.d, trainer.game.g):
            assert player.opt.param_groups[0]["betas"] == betas
    assert trainer.snapshot_views(member_generators((0, 1), "eval")) == {}  # not a λ-GAN's D


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"objective": "wgan"}, "unknown objective 'wgan'; allowed: lambda_gan, wgan_gp"),
        ({"objective": "wgan_gp", "gp_weight": 0.0}, "gp_weight must be a finite number > 0"),
        ({"objective": "wgan_gp", "gp_weight": float("nan")}, "got nan"),
        ({"gp_weight": 5.0}, "gp_weight 5.0 applies to objective 'wgan_gp', not 'lambda_gan'"),
        ({"objective": "wgan_gp", "lam": 1.0}, "lambda 1.0 applies to the lambda_gan objective"),
        ({"objective": "wgan_gp", "generator_loss": "saturating"}, "'saturating' applies to"),
        ({"objective": "wgan_gp", "sampler": "rejection"}, "not a log density ratio"),
        ({"critic_steps": 0}, r"critic_steps must be an integer in \[1, 20\], got 0"),
        ({"critic_steps": 21}, "got 21"),
        ({"critic_steps": 2, "rule": "simultaneous"}, "critic_steps 2 needs rule 'alternating'"),
        ({"adam_betas": (1.0, 0.9)}, r"adam_betas must be two numbers .* in \[0, 1\)"),
        ({"adam_betas": (0.5,)}, r"got \(0.5,\)"),
        ({"adam_betas": "0.5,0.9"}, "got '0.5,0.9'"),
        ({"adam_betas": (0.5, -0.1)}, r"got \(0.5, -0.1\)"),
        ({"adam_betas": (0.5, 0.9), "base_optimizer": "sgd"}, "apply to base optimizer 'adam'"),
    ],
)
def test_config_refuses_naming_the_value(kwargs, message):
    with pytest.raises(UserError, match=message):
        GANConfig(**kwargs)


def test_config_accepts_and_normalises():
    c = GANConfig(objective="wgan_gp", gp_weight=1, critic_steps=5, adam_betas=[0, 0.9])
    assert c.adam_betas == (0.0, 0.9) and isinstance(c.adam_betas[0], float)
    assert GANConfig(critic_steps=3).critic_steps == 3  # n D steps per G step: any objective


@pytest.mark.parametrize("arch", [{"objective": "wgan_gp"}, {"critic_steps": 2}])
def test_compile_is_refused(arch):
    t = TrainConfig(n_samples=64, batch_size=16, device="cpu", compile=True)
    with pytest.raises(UserError, match="compile compiles the homework's step only"):
        RunConfig("gan", t, GANConfig(**arch))
    RunConfig("gan", t, GANConfig(adam_betas=(0.5, 0.9)))  # betas compile: Adam's own state
    assert dataclasses.replace(t, compile=False)
