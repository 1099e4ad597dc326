"""Ensemble layers against torch's own modules: the homework's init, forward and gradients."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from genlab.base.rng import member_generators
from genlab.models.gan import GAN
from genlab.models.nn import EnsembleLinear, EnsembleMLP
from genlab.models.vae import VAE
from genlab.training.config import GANConfig, VAEConfig

SEEDS = (0, 3, 12)
LATENT, Z_DIM = 16, 100


# -- the homework's modules (hw12 Problems 3 and 4), verbatim layer by layer ----------------------
def hw_encoder() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(2, 128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.Tanh(),
        nn.Linear(128, 2 * LATENT),
    )  # fmt: skip


def hw_decoder() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(LATENT, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2)
    )


def hw_generator() -> nn.Sequential:
    return nn.Sequential(nn.Linear(Z_DIM, 32), nn.Tanh(), nn.Linear(32, 2))


def hw_discriminator() -> nn.Sequential:
    # the homework ends with nn.Sigmoid(); ours returns the logit before it
    return nn.Sequential(
        nn.Linear(2, 128), nn.Tanh(), nn.Linear(128, 128), nn.Tanh(), nn.Linear(128, 1)
    )


def linears(seq: nn.Sequential) -> list[nn.Linear]:
    return [m for m in seq if isinstance(m, nn.Linear)]


def assert_member_is(ens: EnsembleMLP, e: int, ref: nn.Sequential) -> None:
    ours, theirs = ens.linears(), linears(ref)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert torch.equal(a.weight[e], b.weight.detach().T)
        assert torch.equal(a.bias[e, 0], b.bias.detach())


def init_ensemble(module, seeds):
    for e, g in enumerate(member_generators(seeds, "init")):
        module.reset_member(e, g)
    return module


@pytest.mark.parametrize("shape", [(2, 128), (128, 32), (100, 1), (1, 7)])
def test_ensemble_linear_member_equals_nn_linear_after_manual_seed(shape):
    layer = EnsembleLinear(len(SEEDS), *shape)
    init_ensemble(layer, SEEDS)
    for e, s in enumerate(SEEDS):
        torch.manual_seed(s)
        ref = nn.Linear(*shape)
        assert torch.equal(layer.weight[e], ref.weight.detach().T)
        assert torch.equal(layer.bias[e, 0], ref.bias.detach())


def test_vae_member_equals_homework_encoder_then_decoder():
    vae = init_ensemble(VAE(VAEConfig(), len(SEEDS)), SEEDS)
    for e, s in enumerate(SEEDS):
        torch.manual_seed(s)
        enc, dec = hw_encoder(), hw_decoder()
        assert_member_is(vae.encoder, e, enc)
        assert_member_is(vae.decoder, e, dec)


def test_gan_member_equals_homework_generator_then_discriminator():
    gan = init_ensemble(GAN(GANConfig(), len(SEEDS)), SEEDS)
    for e, s in enumerate(SEEDS):
        torch.manual_seed(s)
        g, d = hw_generator(), hw_discriminator()
        assert_member_is(gan.generator, e, g)
        assert_member_is(gan.discriminator, e, d)


def test_members_differ_between_seeds():
    vae = init_ensemble(VAE(VAEConfig(), 2), (0, 1))
    w = vae.encoder.linears()[0].weight
    assert not torch.equal(w[0], w[1])


def hw_models_for(kind: str):
    return {
        "encoder": hw_encoder, "decoder": hw_decoder,
        "generator": hw_generator, "discriminator": hw_discriminator,
    }[kind]  # fmt: skip


@pytest.mark.parametrize("kind", ["encoder", "decoder", "generator", "discriminator"])
def test_ensemble_forward_equals_each_members_nn_sequential(kind):
    model = VAE(VAEConfig(), 3) if kind in ("encoder", "decoder") else GAN(GANConfig(), 3)
    init_ensemble(model, SEEDS)
    ens = getattr(model, kind)
    in_dim = ens.linears()[0].in_features
    x = torch.randn(3, 50, in_dim, generator=torch.Generator().manual_seed(0))
    y = ens(x)
    assert y.shape == (3, 50, ens.linears()[-1].out_features)
    for e, s in enumerate(SEEDS):
        torch.manual_seed(s)
        if kind in ("decoder", "discriminator"):
            # the homework builds these second: skip the first module's draws
            hw_models_for("encoder" if kind == "decoder" else "generator")()
        ref = hw_models_for(kind)()
        torch.testing.assert_close(y[e], ref(x[e]), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("acts", [("leaky_relu", "tanh"), ("relu", "identity"), ("tanh", "tanh")])
def test_mlp_gradients_match_finite_differences(acts):
    """The hand-written backward of the one-node MLP against gradcheck, in float64."""
    torch.manual_seed(0)
    mlp = EnsembleMLP(2, [3, 5, 4, 2], acts).double()
    for p in mlp.parameters():
        nn.init.normal_(p, std=0.7)
    x = torch.randn(2, 6, 3, dtype=torch.float64, requires_grad=True)
    names = [n for n, _ in mlp.named_parameters()]

    def functional(x, *ps):  # the module as a function of its input and parameters
        return torch.func.functional_call(mlp, dict(zip(names, ps, strict=True)), (x,))

    inputs = (x, *[p.detach().clone().requires_grad_(True) for p in mlp.parameters()])
    assert torch.autograd.gradcheck(functional, inputs, eps=1e-6, atol=1e-6)


def test_mlp_backward_matches_autograd_through_nn_sequential():
    """One backward through the ensemble = torch autograd through the homework modules."""
    vae = init_ensemble(VAE(VAEConfig(), 2), (0, 1))
    x = torch.randn(2, 32, 2, generator=torch.Generator().manual_seed(1))
    vae.encoder(x).square().sum().backward()
    for e, s in enumerate((0, 1)):
        torch.manual_seed(s)
        ref = hw_encoder()
        ref(x[e]).square().sum().backward()
        for a, b in zip(vae.encoder.linears(), linears(ref), strict=True):
            torch.testing.assert_close(a.weight.grad[e], b.weight.grad.T, rtol=1e-4, atol=1e-5)
            torch.testing.assert_close(a.bias.grad[e, 0], b.bias.grad, rtol=1e-4, atol=1e-5)


def test_members_are_independent():
    """The gradient of member 0's loss is exactly zero on member 1's weights (and vice versa)."""
    gan = init_ensemble(GAN(GANConfig(), 2), (0, 1))
    z = torch.randn(2, 16, Z_DIM)
    out = gan.discriminate(gan.generate(z))  # (2, 16)
    out[0].square().sum().backward()
    grads = [p.grad for p in gan.parameters()]
    assert all(g is not None for g in grads)
    assert all(torch.count_nonzero(g[1]) == 0 for g in grads)
    assert all(torch.count_nonzero(g[0]) > 0 for g in grads)
    # and member 1's output does not depend on member 0's weights
    before = gan.sample(8, generators=member_generators((0, 1), "eval"))
    with torch.no_grad():
        for p in gan.generator.parameters():
            p[0].add_(1.0)
    after = gan.sample(8, generators=member_generators((0, 1), "eval"))
    assert torch.equal(before[1], after[1]) and not torch.equal(before[0], after[0])


def test_mlp_rejects_a_wrong_number_of_activations():
    with pytest.raises(ValueError, match="activation"):
        EnsembleMLP(1, [2, 8, 8, 2], ["tanh"])


def test_split_layers_and_mlp_forward_are_the_modules_forward():
    from genlab.models.nn import mlp_forward, mlp_size, split_layers
    from genlab.optim.flat import flatten_parameters

    torch.manual_seed(0)
    a = EnsembleMLP(3, [5, 7, 4, 2], ["tanh", "leaky_relu"])
    b = EnsembleMLP(3, [2, 6, 1], ["elu"])
    for e in range(3):
        a.reset_member(e, torch.Generator().manual_seed(e))
        b.reset_member(e, torch.Generator().manual_seed(10 + e))
    flat = flatten_parameters([*a.parameters(), *b.parameters()])
    assert mlp_size(a.layout) + mlp_size(b.layout) == flat.numel()
    la, lb = split_layers(flat, a.layout, b.layout)
    x, y = torch.randn(3, 4, 5), torch.randn(3, 4, 2)
    torch.testing.assert_close(mlp_forward(la, a.layout, x), a(x), rtol=0, atol=0)
    torch.testing.assert_close(mlp_forward(lb, b.layout, y), b(y), rtol=0, atol=0)


def _sliced_layers(flat, layout, offset):
    """The layers of ``layout`` as slices of ``flat`` from ``offset``: the reference."""
    layers = []
    for m, i, o, _ in layout:
        weight = flat[offset : offset + m * i * o].view(m, i, o)
        offset += m * i * o
        layers.append((weight, flat[offset : offset + m * o].view(m, 1, o)))
        offset += m * o
    return layers


def test_split_layers_are_the_same_network_and_its_gradient_one_concatenation():
    from torch.fx.experimental.proxy_tensor import make_fx

    from genlab.models.nn import mlp_forward, mlp_size, split_layers

    torch.manual_seed(0)
    a = EnsembleMLP(2, [3, 5, 2], ["tanh"])
    b = EnsembleMLP(2, [2, 4, 1], ["leaky_relu"])
    flat = torch.randn(mlp_size(a.layout) + mlp_size(b.layout))
    x = torch.randn(2, 6, 3)

    def by_split(w):
        la, lb = split_layers(w, a.layout, b.layout)
        return mlp_forward(lb, b.layout, mlp_forward(la, a.layout, x)).sum()

    def by_slices(w):
        la, lb = _sliced_layers(w, a.layout, 0), _sliced_layers(w, b.layout, mlp_size(a.layout))
        return mlp_forward(lb, b.layout, mlp_forward(la, a.layout, x)).sum()

    torch.testing.assert_close(by_split(flat), by_slices(flat), rtol=0, atol=0)
    g_split, g_slices = torch.func.grad(by_split)(flat), torch.func.grad(by_slices)(flat)
    torch.testing.assert_close(g_split, g_slices, rtol=0, atol=0)
    ops = {str(n.target) for n in make_fx(torch.func.grad(by_split))(flat).graph.nodes}
    assert "aten.cat.default" in ops and "aten.slice_backward.default" not in ops
