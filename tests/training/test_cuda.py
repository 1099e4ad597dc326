"""The ``--device cuda`` paths: training, resume, sampling, evaluation and a standardized data
run on a GPU. Every test here needs CUDA and is skipped, saying so, on a machine without one
(CI has none); on a GPU machine they run with the rest of the suite."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from run_checks import Interrupt

import genlab
from genlab.training.loop import FitHooks, fit
from genlab.training.rundir import RunDir, environment

pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs a CUDA device (this machine has none)"
)
TINY = dict(epochs=4, n_samples=256, batch_size=64, snapshots=2, frames=2, checkpoint_every=2,
            eval_samples=100, device="cuda")  # fmt: skip


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_trains_samples_and_evaluates_on_cuda(tmp_path, model):
    run = genlab.train(model, out=tmp_path / "r", seeds=(0, 1), **TINY)
    assert run.is_done and run.config.train.device == "cuda"
    x = run.sample(50, seed=0)
    assert x.shape == (2, 50, 2) and np.isfinite(x).all()
    assert np.isfinite(run.evaluate(n=100)["metrics"]["w1"]["mean"])


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_resume_on_cuda_is_bit_exact(tmp_path, model):
    config = genlab.RunConfig(model, genlab.TrainConfig(seeds=(0, 1), **TINY))
    runs = [RunDir.create(tmp_path / n, config, environment("cuda")) for n in "ab"]
    fit(runs[0])

    with pytest.raises(KeyboardInterrupt):
        fit(runs[1], hooks=FitHooks(on_epoch=Interrupt(3)))
    fit(runs[1])
    assert np.array_equal(np.load(runs[0].samples_file), np.load(runs[1].samples_file))


def test_cuda_and_cpu_runs_reach_the_same_quality(tmp_path):
    """Not bit-identical (other kernels, other sums), but the same model: the prior samples'
    sliced W2 to the data agrees within a loose factor."""
    fields = {**TINY, "epochs": 30, "eval_samples": 500}
    gpu = genlab.train("vae", out=tmp_path / "g", seeds=(0,), **fields)
    cpu = genlab.train("vae", out=tmp_path / "c", seeds=(0,), **{**fields, "device": "cpu"})
    a = gpu.evaluate(n=500)["metrics"]["sliced_w2"]["mean"]
    b = cpu.evaluate(n=500)["metrics"]["sliced_w2"]["mean"]
    assert 0.5 < a / b < 2.0


def test_standardized_data_run_on_cuda(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3)) * [1.0, 5.0, 20.0] + 50.0
    run = genlab.train("gan", out=tmp_path / "r", data=x, standardize=True, seeds=(0,),
                       **{k: v for k, v in TINY.items() if k != "n_samples"})  # fmt: skip
    s = run.sample(200, seed=0)
    assert s.shape == (1, 200, 3) and np.isfinite(s).all()
    assert abs(s.mean() - x.mean()) < 30  # in the data's units, not standardized ones


def test_compiled_step_on_cuda(tmp_path):
    run = genlab.train("vae", out=tmp_path / "r", seeds=(0,), compile=True, **TINY)
    assert run.is_done and np.isfinite(run.sample(10, seed=0)).all()
