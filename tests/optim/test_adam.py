"""``adam_step`` against ``torch.optim.Adam.step`` (the reference it short-cuts)."""

from __future__ import annotations

import torch

from genlab.models.nn import EnsembleMLP
from genlab.optim.adam import adam_step, make_adam
from genlab.optim.flat import flatten_parameters


def _model_and_flat(seed: int = 0):
    net = EnsembleMLP(2, [2, 16, 16, 1], ["tanh", "leaky_relu"])
    for e in range(2):
        net.reset_member(e, torch.Generator().manual_seed(seed + e))
    return net, flatten_parameters(net.parameters())


def _train(step, n: int = 7):
    net, flat = _model_and_flat()
    opt = make_adam([flat], 1e-2)
    g = torch.Generator().manual_seed(1)
    for _ in range(n):
        x = torch.randn(2, 8, 2, generator=g)
        flat.grad.zero_()
        net(x).square().sum().backward()
        step(opt)
    return flat.detach().clone(), opt


def test_adam_step_is_bit_for_bit_torch_adam():
    ref, ref_opt = _train(lambda opt: opt.step())
    got, opt = _train(adam_step)
    assert torch.equal(got, ref)
    a, b = opt.state_dict()["state"][0], ref_opt.state_dict()["state"][0]
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
        assert a[k].dtype == b[k].dtype, k


def test_adam_step_resumes_torch_adams_state_and_back():
    """Alternating the two step functions gives the same trajectory as either alone."""
    ref, _ = _train(lambda opt: opt.step())
    calls = iter(range(100))
    got, _ = _train(lambda opt: adam_step(opt) if next(calls) % 2 else opt.step())
    assert torch.equal(got, ref)


def test_adam_step_falls_back_for_other_optimizers():
    p = torch.nn.Parameter(torch.ones(3))
    p.grad = torch.ones(3)
    sgd = torch.optim.SGD([p], lr=0.5)
    adam_step(sgd)
    assert torch.equal(p.detach(), torch.full((3,), 0.5))
    q = torch.nn.Parameter(torch.ones(3))
    q.grad = torch.ones(3)
    amsgrad = torch.optim.Adam([q], lr=0.1, amsgrad=True)
    adam_step(amsgrad)
    assert "max_exp_avg_sq" in amsgrad.state[q]  # torch's own step ran
