"""The learning-rate schedule ``TrainConfig.lr_decay``: its factors, and training with it
against ``torch.optim.lr_scheduler.LambdaLR`` driving the same trainer."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from genlab.base.rng import member_generators
from genlab.training import FitHooks, build_model, fit, make_trainer, training_data
from genlab.training.config import TrainConfig

CPU = torch.device("cpu")


@pytest.mark.parametrize(
    "decay, factors",
    [
        (0.0, [1] * 8),
        (0.5, [1, 1, 1, 1, 1, 3 / 4, 2 / 4, 1 / 4]),
        (1.0, [8 / 8, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8]),
        (0.3, [1, 1, 1, 1, 1, 1, 2 / 2, 1 / 2]),  # 2.4 rounds to 2 epochs
        (0.3125, [1, 1, 1, 1, 1, 3 / 3, 2 / 3, 1 / 3]),  # 2.5 rounds half up, to 3
    ],
)
def test_lr_factor_falls_linearly_over_the_last_fraction_of_epochs(decay, factors):
    t = TrainConfig(epochs=8, lr_decay=decay)
    assert [t.lr_factor(e) for e in range(1, 9)] == pytest.approx(factors, abs=1e-15)


@pytest.mark.filterwarnings("ignore:Detected call of:UserWarning")  # adam_step's fast
@pytest.mark.parametrize("model", ["vae", "gan"])  # path calls the fused kernel, not opt.step()
def test_fit_with_decay_equals_the_trainer_driven_by_torchs_lambdalr(model, make_config, make_run):
    config = make_config(model, seeds=(0, 1), epochs=4, lr_decay=0.5, snapshots=1)
    run = fit(make_run(config)).run

    x, net = training_data(config, CPU), build_model(config, CPU)
    trainer = make_trainer(net, config)
    gens = member_generators(config.train.seeds, "train", CPU)
    opts = [trainer.opt] if model == "vae" else [trainer.game.d.opt, trainer.game.g.opt]
    t = config.train
    schedulers = [torch.optim.lr_scheduler.LambdaLR(o, lambda i: t.lr_factor(i + 1)) for o in opts]
    seen = []
    for _ in range(t.epochs):
        seen.append(opts[0].param_groups[0]["lr"])
        trainer.epoch(x, gens, t.batch_size)
        for s in schedulers:
            s.step()
    assert seen == pytest.approx([t.lr, t.lr, t.lr, t.lr / 2])  # 2 decay epochs of 4
    for name, value in net.state_dict().items():
        torch.testing.assert_close(run.load_checkpoint()["model"][name], value, rtol=0, atol=0)


def trained_parameters(config) -> torch.Tensor:
    """The flat parameters after ``config``'s epochs, each at its scheduled learning rate."""
    x, net = training_data(config, CPU), build_model(config, CPU)
    trainer = make_trainer(net, config)
    gens = member_generators(config.train.seeds, "train", CPU)
    for epoch in range(1, config.train.epochs + 1):
        trainer.set_lr(config.train.lr * config.train.lr_factor(epoch))
        trainer.epoch(x, gens, config.train.batch_size)
    return torch.cat([p.detach().flatten() for p in net.parameters()])


def test_decay_changes_training_and_zero_decay_is_the_homeworks_constant_lr(make_config):
    def params(**train):
        return trained_parameters(make_config("vae", seeds=(0,), epochs=3, **train))

    constant = params()
    assert torch.equal(params(lr_decay=0.0), constant)
    assert not torch.allclose(params(lr_decay=1.0), constant, atol=1e-6)


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_compiled_step_follows_the_schedule_without_recompiling(model, make_config):
    """The compiled step reads the learning rate as a tensor input at every call."""
    torch._dynamo.reset()

    def train(compile: bool):
        config = make_config(model, seeds=(0, 1), epochs=3, lr_decay=1.0)
        train = dataclasses.replace(config.train, compile=compile)
        return trained_parameters(dataclasses.replace(config, train=train))

    eager = train(False)
    with torch._dynamo.config.patch(error_on_recompile=True):
        compiled = train(True)
    torch.testing.assert_close(compiled, eager, rtol=0, atol=1e-5)


@pytest.mark.parametrize("decay, epochs", [(0.01, 8), (0.05, 10), (0.2, 2), (0.1, 5)])
def test_a_decay_too_short_to_change_anything_is_refused(decay, epochs):
    with pytest.raises(ValueError, match=rf"lr_decay {decay} of {epochs} epochs decays over"):
        TrainConfig(epochs=epochs, lr_decay=decay)


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_a_resumed_decaying_run_ends_exactly_where_a_straight_one_does(
    model, make_config, make_run
):
    config = make_config(model, seeds=(0, 1), epochs=4, lr_decay=0.75, checkpoint_every=1)
    straight = fit(make_run(config, "straight")).run
    resumed = make_run(config, "resumed")

    def stop_at_3(record):
        if record.epoch == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit(resumed, hooks=FitHooks(on_epoch=stop_at_3))
    fit(resumed)
    a, b = straight.load_checkpoint(), resumed.load_checkpoint()
    for name, value in a["model"].items():
        assert torch.equal(b["model"][name], value), name
