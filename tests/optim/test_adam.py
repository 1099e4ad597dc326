"""``adam_step`` against ``torch.optim.Adam.step`` (the reference it short-cuts)."""

from __future__ import annotations

import subprocess
import sys

import torch

from genlab.models.nn import EnsembleMLP
from genlab.optim.adam import LeanAdam, adam_step, make_adam
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


def _torch_adam(flat: torch.nn.Parameter) -> torch.optim.Adam:
    return torch.optim.Adam([flat], lr=1e-2, fused=True)


def test_lean_adam_is_torch_adam_state_for_state():
    """make_adam's LeanAdam against a plain torch.optim.Adam: the same steps, the same state
    dict (which either loads), the same zero_grad."""
    runs = []
    for make in (lambda flat: make_adam([flat], 1e-2), _torch_adam):
        net, flat = _model_and_flat()
        opt = make(flat)
        g = torch.Generator().manual_seed(1)
        for _ in range(5):
            x = torch.randn(2, 8, 2, generator=g)
            opt.zero_grad(set_to_none=False)
            net(x).square().sum().backward()
            opt.step()
        runs.append((flat.detach().clone(), opt))
    (lean_p, lean), (ref_p, ref) = runs
    assert isinstance(lean, LeanAdam) and type(ref) is torch.optim.Adam
    assert torch.equal(lean_p, ref_p)
    a, b = lean.state_dict(), ref.state_dict()
    assert a["param_groups"] == b["param_groups"]
    for k, v in b["state"][0].items():
        assert torch.equal(a["state"][0][k], v) and a["state"][0][k].dtype == v.dtype, k
    lean.load_state_dict(b)
    ref.load_state_dict(a)
    assert torch.equal(lean.state_dict()["state"][0]["exp_avg"], b["state"][0]["exp_avg"])


def test_building_and_checkpointing_adam_never_imports_dynamo():
    code = (
        "import sys, torch\n"
        "from genlab.optim.adam import LeanAdam, adam_step, make_adam\n"
        "p = torch.nn.Parameter(torch.zeros(4)); p.grad = torch.ones(4)\n"
        "opt = make_adam([p], 1e-3); adam_step(opt); opt.zero_grad(set_to_none=False)\n"
        "opt.load_state_dict(opt.state_dict())\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
