"""GAN game-step rules (genlab.optim.game_steps): their equations on a tiny game,
torch.optim.Adam where they coincide, bilinear behaviour, member independence, resume, and the
training loop."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from genlab.optim.game_steps import RULE_STEPS, make_rule_step
from genlab.optim.rules import BASE_OPTIMIZERS
from genlab.optim.rules import RULES as RULE_NAMES
from genlab.training import fit
from genlab.training.config import GANConfig

E, K = 2, 3  # members, parameters per player and member
A = torch.tensor([[1.0, 0.3, 0.0], [-0.2, 0.8, 0.1], [0.0, 0.4, 0.9]], dtype=torch.float64)
B1, B2, EPS = 0.9, 0.999, 1e-8


def _players(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    phi = nn.Parameter(torch.randn(E, K, generator=g, dtype=torch.float64))  # D
    theta = nn.Parameter(torch.randn(E, K, generator=g, dtype=torch.float64))  # G
    return phi, theta


def _noise(n: int, seed: int = 1) -> torch.Tensor:
    return 0.1 * torch.randn(
        n, E, generator=torch.Generator().manual_seed(seed), dtype=torch.float64
    )


def _closure(phi, theta, noise, calls):
    """Zero-sum game f = θᵀAφ per member (G minimises f, D minimises −f), plus a noise term
    z·Σw from a fresh draw on every call, as a GAN closure draws fresh z."""
    draws = iter(noise)

    def closure(player: str) -> torch.Tensor:
        z = next(draws)  # (E,)
        calls.append(player)
        f = torch.einsum("ek,kl,el->e", theta, A, phi)
        return -f + z * phi.sum(1) if player == "d" else f + z * theta.sum(1)

    return closure


def _field(phi, theta, z_d, z_g):
    """Reference gradients: ∇φ L_D = −Aᵀθ + z, ∇θ L_G = Aφ + z (per member)."""
    return -theta @ A + z_d[:, None], phi @ A.T + z_g[:, None]


class _Base:
    """Reference base step Δ = Base(g) from its equations (Kingma & Ba, 2015, Algorithm 1)."""

    def __init__(self, kind: str, lr: float):
        self.kind, self.lr, self.t, self.m, self.v = kind, lr, 0, 0.0, 0.0

    def __call__(self, g: torch.Tensor) -> torch.Tensor:
        if self.kind == "sgd":
            return self.lr * g
        self.t += 1
        self.m = B1 * self.m + (1 - B1) * g
        self.v = B2 * self.v + (1 - B2) * g * g
        m_hat, v_hat = self.m / (1 - B1**self.t), self.v / (1 - B2**self.t)
        return self.lr * m_hat / (v_hat.sqrt() + EPS)


def _reference(rule: str, base: str, lr: float, steps: int, noise: torch.Tensor):
    phi, theta = (p.detach().clone() for p in _players())
    bd, bg = _Base(base, lr), _Base(base, lr)
    z = iter(noise)
    prev_d = prev_g = torch.zeros_like(phi)
    for _ in range(steps):
        if rule == "alternating":  # D first, then G at the new φ
            gd, _ = _field(phi, theta, next(z), torch.zeros(E, dtype=torch.float64))
            phi = phi - bd(gd)
            _, gg = _field(phi, theta, torch.zeros(E, dtype=torch.float64), next(z))
            theta = theta - bg(gg)
            continue
        gd, gg = _field(phi, theta, next(z), next(z))
        if rule == "simultaneous":
            phi, theta = phi - bd(gd), theta - bg(gg)
        elif rule == "extragradient":  # Extra-Adam: moments updated at both calls
            ph, th = phi - bd(gd), theta - bg(gg)
            gd, gg = _field(ph, th, next(z), next(z))
            phi, theta = phi - bd(gd), theta - bg(gg)
        else:  # optimistic: w − 2Δ_t + Δ_{t−1}, Δ_{−1} = 0
            dd, dg = bd(gd), bg(gg)
            phi, theta = phi - 2 * dd + prev_d, theta - 2 * dg + prev_g
            prev_d, prev_g = dd, dg
    return phi, theta


def _run(name: str, lr: float, steps: int, noise: torch.Tensor, seed: int = 0):
    phi, theta = _players(seed)
    game = make_game_step(name, [phi], [theta], lr)
    calls: list[str] = []
    closure = _closure(phi, theta, noise, calls)
    losses = [game.step(closure) for _ in range(steps)]
    return phi, theta, game, calls, losses


RULES = ["alternating", "simultaneous", "extragradient", "optimistic"]


def make_game_step(name: str, d_params, g_params, lr: float):
    """``rule`` (Adam) or ``rule-sgd`` (SGD), the names these tests use."""
    rule, _, sgd = name.partition("-")
    return make_rule_step(rule, d_params, g_params, lr, "sgd" if sgd else "adam")


@pytest.mark.parametrize("base", ["adam", "sgd"])
@pytest.mark.parametrize("rule", RULES)
def test_rule_follows_its_equations(rule, base):
    name = rule if base == "adam" else f"{rule}-sgd"
    steps, lr = 25, 0.05
    noise = _noise(4 * steps)
    phi, theta, game, calls, losses = _run(name, lr, steps, noise)
    ref_phi, ref_theta = _reference(rule, base, lr, steps, noise)
    torch.testing.assert_close(phi.detach(), ref_phi, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(theta.detach(), ref_theta, rtol=1e-12, atol=1e-12)
    # the rule draws exactly draws_per_step times per step, D's evaluation before G's
    assert len(calls) == steps * game.draws_per_step
    assert calls[:2] == ["d", "g"]
    d_loss, g_loss = losses[0]
    assert d_loss.shape == g_loss.shape == (E,) and not d_loss.requires_grad


def test_reference_adam_is_torch_adam():
    """The base step of the reference is torch.optim.Adam's (defaults, bias-corrected)."""
    w = nn.Parameter(torch.zeros(5, dtype=torch.float64))
    opt = torch.optim.Adam([w], lr=0.01)
    ref = _Base("adam", 0.01)
    gen = torch.Generator().manual_seed(3)
    for _ in range(20):
        g = torch.randn(5, generator=gen, dtype=torch.float64)
        before = w.detach().clone()
        w.grad = g
        opt.step()
        torch.testing.assert_close(before - w.detach(), ref(g), rtol=1e-12, atol=1e-15)


def test_simultaneous_adam_is_two_torch_adams_on_gradients_at_the_same_point():
    steps, lr = 15, 0.02
    noise = _noise(2 * steps)
    phi, theta, *_ = _run("simultaneous", lr, steps, noise)
    p, t = (x.detach().clone().requires_grad_() for x in _players())
    opt_p, opt_t = torch.optim.Adam([p], lr=lr), torch.optim.Adam([t], lr=lr)
    z = iter(noise)
    for _ in range(steps):
        p.grad, t.grad = _field(p.detach(), t.detach(), next(z), next(z))
        opt_p.step()
        opt_t.step()
    torch.testing.assert_close(phi.detach(), p.detach(), rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(theta.detach(), t.detach(), rtol=1e-12, atol=1e-14)


def _bilinear_norms(name: str, steps: int, lr: float = 0.2) -> np.ndarray:
    phi, theta = _players()
    game = make_game_step(name, [phi], [theta], lr)
    closure = _closure(phi, theta, torch.zeros(4 * steps, E, dtype=torch.float64), [])
    norms = []
    for _ in range(steps):
        game.step(closure)
        norms.append(math.sqrt(float((phi.detach() ** 2).sum() + (theta.detach() ** 2).sum())))
    return np.array(norms)


def test_known_behaviour_on_the_bilinear_game_with_sgd():
    r0 = math.sqrt(float(sum((p.detach() ** 2).sum() for p in _players())))
    assert np.all(np.diff(_bilinear_norms("simultaneous-sgd", 200)) > 0)  # spirals out
    alt = _bilinear_norms("alternating-sgd", 800)
    assert alt.max() < 3 * r0 and alt[-200:].min() > 0.5 * r0  # bounded, not converging
    assert _bilinear_norms("extragradient-sgd", 1200)[-1] < 1e-3 * r0
    assert _bilinear_norms("optimistic-sgd", 1200)[-1] < 1e-3 * r0


@pytest.mark.parametrize("name", ["extragradient", "optimistic"])
def test_members_are_independent(name):
    """Member 1 of a two-member run moves exactly as it would with member 0 changed."""
    noise = _noise(40)
    phi_a, theta_a, *_ = _run(name, 0.05, 10, noise, seed=0)
    phi_b, theta_b, *_ = _run(name, 0.05, 10, noise, seed=5)
    # members share nothing: rerun with member 0 of seed 5 and member 1 of seed 0
    phi, theta = _players(5)
    with torch.no_grad():
        p0, t0 = _players(0)
        phi[1], theta[1] = p0[1], t0[1]
    game = make_game_step(name, [phi], [theta], 0.05)
    closure = _closure(phi, theta, noise, [])
    for _ in range(10):
        game.step(closure)
    torch.testing.assert_close(phi[1].detach(), phi_a[1].detach(), rtol=0, atol=0)
    torch.testing.assert_close(phi[0].detach(), phi_b[0].detach(), rtol=0, atol=0)


@pytest.mark.parametrize("name", ["simultaneous", "extragradient", "optimistic-sgd", "optimistic"])
def test_state_dict_resumes_exactly(name):
    noise = _noise(80)
    phi, theta, *_ = _run(name, 0.05, 20, noise)
    # ten steps, save, a fresh game step loads the state, ten more steps
    p, t = _players()
    game = make_game_step(name, [p], [t], 0.05)
    closure = _closure(p, t, noise, [])
    for _ in range(10):
        game.step(closure)
    state = game.state_dict()
    p2, t2 = nn.Parameter(p.detach().clone()), nn.Parameter(t.detach().clone())
    resumed = make_game_step(name, [p2], [t2], 0.05)
    resumed.load_state_dict(state)
    closure2 = _closure(p2, t2, noise[10 * game.draws_per_step :], [])
    for _ in range(10):
        resumed.step(closure2)
    torch.testing.assert_close(p2.detach(), phi.detach(), rtol=0, atol=0)
    torch.testing.assert_close(t2.detach(), theta.detach(), rtol=0, atol=0)


def test_registry_and_config_accept_every_rule():
    assert tuple(RULE_STEPS) == RULE_NAMES and set(RULE_NAMES) == set(RULES)
    for rule in RULE_NAMES:
        for base in BASE_OPTIMIZERS:
            assert GANConfig(rule=rule, base_optimizer=base).rule == rule
    with pytest.raises(ValueError, match="unknown rule"):
        make_rule_step("newton", [], [], 0.1)
    with pytest.raises(ValueError, match="unknown base optimizer"):
        make_rule_step("alternating", [], [], 0.1, "lbfgs")


@pytest.mark.parametrize("name", ["extragradient", "optimistic"])
def test_gan_training_runs_with_the_rule(name, make_config, make_run):
    config = make_config("gan", epochs=2, snapshots=1)
    config = type(config)(config.model, config.train, GANConfig(rule=name))
    run = fit(make_run(config, name)).run
    records = run.read_metrics()
    assert [r["epoch"] for r in records] == [1, 2]
    assert all(np.isfinite(r["d_loss"]).all() for r in records)
