"""The compiled whole step (``--compile``) against the eager step it replaces."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from genlab.base.rng import member_generators
from genlab.training import FitHooks, build_model, fit, load_model, make_trainer, training_data
from genlab.training.config import RunConfig, TrainConfig
from genlab.training.rundir import RunDir, environment

TINY = TrainConfig(n_samples=96, batch_size=32, epochs=2, seeds=(0, 1), snapshots=1,
                   eval_samples=0)  # fmt: skip


def train(model: str, compile: bool, epochs: int = 2):
    cfg = RunConfig(model, dataclasses.replace(TINY, compile=compile))
    dev = torch.device("cpu")
    x, net = training_data(cfg, dev), build_model(cfg, dev)
    trainer = make_trainer(net, cfg)
    gens = member_generators(cfg.train.seeds, "train", dev)
    losses = torch.cat([trainer.epoch(x, gens, 32) for _ in range(epochs)])
    return losses, torch.cat([p.detach().flatten() for p in net.parameters()]), trainer


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_compiled_step_equals_eager_step(model):
    eager_losses, eager_params, _ = train(model, compile=False)
    losses, params, _ = train(model, compile=True)
    torch.testing.assert_close(losses, eager_losses, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(params, eager_params, rtol=0, atol=1e-5)


def test_compiled_adam_state_is_torch_adams(tmp_path):
    """A compiled run's checkpoint resumes in eager mode (one optimizer state format)."""
    _, _, trainer = train("vae", compile=True, epochs=1)
    state = trainer.opt.state[trainer.flat]
    assert float(state["step"]) == 3  # 96 points / batch 32
    assert state["exp_avg"].shape == trainer.flat.shape
    cfg = RunConfig("vae", dataclasses.replace(TINY, compile=True))
    run = RunDir.create(tmp_path / "run", cfg, environment("cpu"))
    fit(run)
    resumed = make_trainer(load_model(run), RunConfig("vae", TINY))
    resumed.load_state_dict(run.load_checkpoint()["trainer"])
    assert float(resumed.opt.state[resumed.flat]["step"]) == 6


def test_compile_refuses_other_rules():
    from genlab.training.config import GANConfig

    with pytest.raises(ValueError, match="alternating Adam step only"):
        RunConfig("gan", dataclasses.replace(TINY, compile=True),
                  GANConfig(rule="extragradient"))  # fmt: skip


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_compiled_resume_ends_where_a_straight_run_ends(model, tmp_path):
    """Loading a checkpoint replaces Adam's state tensors: the compiled step must use them."""
    cfg = RunConfig(model, dataclasses.replace(TINY, compile=True, epochs=4, checkpoint_every=1))
    straight = RunDir.create(tmp_path / "straight", cfg, environment("cpu"))
    fit(straight)
    broken = RunDir.create(tmp_path / "broken", cfg, environment("cpu"))

    def stop_at_2(record):
        if record.epoch == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit(broken, hooks=FitHooks(on_epoch=stop_at_2))
    fit(broken)
    a, b = straight.load_checkpoint(), broken.load_checkpoint()
    for name, value in a["model"].items():
        torch.testing.assert_close(b["model"][name], value, rtol=0, atol=1e-6)
    steps = [s["step"] for s in _adam_states(b["trainer"])]
    assert len(steps) == (1 if model == "vae" else 2)
    assert all(float(s) == 4 * 3 for s in steps)  # 4 epochs of 3 steps, not frozen at resume


def _adam_states(trainer_state):
    opts = [trainer_state["optimizer"]] if "optimizer" in trainer_state else list(
        trainer_state["game"].values())  # fmt: skip
    return [st for o in opts if isinstance(o, dict) and "state" in o for st in o["state"].values()]
