"""A run that breaks down stops before it writes a bad checkpoint (``genlab.training.loop``):
(a) non-finite parameters or optimizer state, (b) generated points far outside the data,
(c) a member whose parameters stopped changing; healthy runs are untouched by the checks."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import genlab.optim.game_steps as game_steps
import genlab.training.trainers as trainers
from genlab.base.errors import DivergedError, NonFiniteLossError
from genlab.training import FitHooks, build_model, fit, make_trainer
from genlab.training.config import GANConfig
from genlab.training.guards import _nonfinite
from genlab.training.rundir import RunDir
from genlab.training.trainers import GANTrainer, VAETrainer

CPU = torch.device("cpu")
STEPS = 128 // 32  # steps per epoch of the tiny configs
SEEDS = (3, 5, 7)


def stop_after(epoch: int) -> FitHooks:
    """Hooks that interrupt a run after ``epoch``, as Ctrl-C would."""

    def on_epoch(record) -> None:
        if record.epoch == epoch:
            raise KeyboardInterrupt

    return FitHooks(on_epoch=on_epoch)


def same(a, b) -> bool:
    """Exact equality of nested dicts/lists of tensors and plain values (checkpoints)."""
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and torch.equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def losses(run: RunDir) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in run.read_metrics()]


def all_finite(state) -> bool:
    if isinstance(state, torch.Tensor):
        return not state.is_floating_point() or bool(torch.isfinite(state).all())
    if isinstance(state, dict):
        return all(all_finite(v) for v in state.values())
    if isinstance(state, (list, tuple)):
        return all(all_finite(v) for v in state)
    return True


def assert_kept_checkpoint(run: RunDir, epoch: int) -> None:
    ckpt = run.load_checkpoint()
    assert ckpt["epoch"] == epoch and all_finite(ckpt)
    assert [r["epoch"] for r in run.read_metrics()] == list(range(1, epoch + 1))
    assert not run.samples_file.exists()


# -- (a) parameters and optimizer state ---------------------------------------------------------
def inf_into_member_1_at_epoch_2(monkeypatch, module, calls_per_epoch: int) -> None:
    """After the first Adam step of epoch 2, 5 entries of ``exp_avg_sq`` turn inf: the first
    parameter is the first layer's weight (E, 2, 128), so entries 256..511 are member 1's. With
    v = inf Adam steps those entries by 0: the losses stay finite, the weights freeze."""
    real = module.adam_step
    calls = {"n": 0}

    def poisoned(opt) -> None:
        real(opt)
        calls["n"] += 1
        if calls["n"] == calls_per_epoch + 1:
            (flat,) = opt.param_groups[0]["params"]
            opt.state[flat]["exp_avg_sq"][256:261] = float("inf")

    monkeypatch.setattr(module, "adam_step", poisoned)


@pytest.mark.parametrize(
    "model, module, calls, player",
    [("vae", trainers, STEPS, "VAE"), ("gan", game_steps, 2 * STEPS, "discriminator")],
)
def test_nonfinite_optimizer_state_stops_before_the_checkpoint_and_the_run_resumes(
    model, module, calls, player, make_config, make_run, monkeypatch
):
    config = make_config(model, seeds=SEEDS, epochs=4, checkpoint_every=1, snapshots=1)
    run = make_run(config)
    inf_into_member_1_at_epoch_2(monkeypatch, module, calls)
    with pytest.raises(DivergedError) as err:
        fit(run)
    assert isinstance(err.value, NonFiniteLossError)  # the CLI's exit 1
    msg = str(err.value)
    assert f"{player} optimizer state 'exp_avg_sq': 5 of" in msg
    assert "epoch 2" in msg and f"step {STEPS} " in msg and "member 1 (seed 5)" in msg
    assert "last good checkpoint (epoch 1)" in msg
    assert_kept_checkpoint(run, 1)
    monkeypatch.undo()
    fit(run)  # resumes from epoch 1 and ends as an undisturbed run does
    ref = fit(make_run(config, "undisturbed")).run
    assert same(ref.load_checkpoint(), run.load_checkpoint())


def test_a_vae_diverging_at_a_large_lr_keeps_a_good_checkpoint_that_trains_on_at_a_sane_lr(
    make_config, make_run, monkeypatch
):
    """Problem 1: from epoch 2 on, lr 0.7 drives Adam's exp_avg_sq to inf while the loss stays
    finite. (The lr is raised through ``set_lr``, so that the run keeps the one config it
    resumes under.)"""
    config = make_config("vae", seeds=(0, 1), epochs=4, checkpoint_every=1, snapshots=1)
    real, factor = VAETrainer.set_lr, [1.0]
    monkeypatch.setattr(VAETrainer, "set_lr", lambda self, lr: real(self, lr * factor[0]))
    run = make_run(config)
    with pytest.raises(KeyboardInterrupt):
        fit(run, hooks=stop_after(1))  # epoch 1 at the config's lr, 5e-4
    factor[0] = 1400.0
    with pytest.raises(DivergedError, match=r"exp_avg_sq.*in member \d.*checkpoint \(epoch 1\)"):
        fit(run)  # epoch 2 at lr 0.7
    assert_kept_checkpoint(run, 1)
    monkeypatch.undo()
    fit(run)  # and on from epoch 1 at lr 5e-4: as if nothing had happened
    straight = fit(make_run(config, "straight")).run
    assert same(straight.load_checkpoint(), run.load_checkpoint())
    assert losses(straight) == losses(run)


def test_resuming_a_checkpoint_that_holds_inf_refuses_to_train(make_config, make_run):
    """Problem 2: a checkpoint written without the checks, with the generator's v = inf, would
    resume into weights frozen for good (Adam steps m̂/(√v̂ + ε) = 0)."""
    run = make_run(make_config("gan", seeds=(0, 1), epochs=4, checkpoint_every=1, snapshots=1))
    with pytest.raises(KeyboardInterrupt):
        fit(run, hooks=stop_after(2))
    ckpt = run.load_checkpoint()
    ckpt["trainer"]["game"]["g"]["state"][0]["exp_avg_sq"].fill_(float("inf"))
    run.save_checkpoint(ckpt)
    with pytest.raises(DivergedError) as err:
        fit(run)
    msg = str(err.value)
    assert "checkpoint of epoch 2" in msg and "members 0, 1 (seeds 0, 1)" in msg
    assert "generator optimizer state 'exp_avg_sq': 6596 of 6596 entries" in msg
    assert run.load_checkpoint()["epoch"] == 2 and not run.samples_file.exists()


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_member_index_maps_each_flat_entry_to_its_member(model, make_config):
    config = make_config(model, seeds=SEEDS)
    trainer = make_trainer(build_model(config, CPU), config)
    with torch.no_grad():
        for p in trainer.model.parameters():  # views of the flat buffers, (E, ...) each
            for e in range(len(SEEDS)):
                p[e] = e
    for b in trainer.buffers:
        assert torch.equal(b.flat.detach(), b.member.float())  # entry j holds its member


def test_the_optimistic_rules_previous_step_is_checked_too(make_config):
    config = make_config("gan", seeds=SEEDS, arch=GANConfig(rule="optimistic"))
    trainer = make_trainer(build_model(config, CPU), config)
    assert _nonfinite(trainer, SEEDS) == []
    assert isinstance(trainer, GANTrainer)
    prev = trainer.game.prev[1]  # the generator's Δ_{t−1}; its first weight is (E, 100, 32)
    prev[3200 + 7] = float("nan")  # an entry of member 1
    assert _nonfinite(trainer, SEEDS) == [
        f"generator optimizer state 'prev': 1 of {prev.numel()} entries NaN or inf, "
        "in member 1 (seed 5)"
    ]


# -- (b) generated points far outside the data --------------------------------------------------
@pytest.mark.parametrize("snapshots, checkpoint_every", [(4, 100), (1, 1)])
def test_generated_points_far_outside_the_window_stop_the_run(
    snapshots, checkpoint_every, make_config, make_run, monkeypatch
):
    """After epoch 2, member 1's generator is shifted 1000 away (the swiss roll's bound is
    100 × 1.5): caught at the epoch-2 snapshot (before it is written or evaluated), or, with
    no snapshot there, by the points drawn at the epoch-2 checkpoint."""
    config = make_config("gan", seeds=SEEDS, epochs=4, snapshots=snapshots,
                         checkpoint_every=checkpoint_every)  # fmt: skip
    real = GANTrainer.epoch
    epochs = []

    def epoch_then_shift(self, x, gens, batch):
        out = real(self, x, gens, batch)
        epochs.append(len(epochs) + 1)
        if epochs[-1] == 2:
            with torch.no_grad():
                self.model.generator.linears()[-1].bias[1] += 1000.0
        return out

    monkeypatch.setattr(GANTrainer, "epoch", epoch_then_shift)
    evaluated = []
    hooks = FitHooks(on_snapshot=lambda epoch, samples: evaluated.append(epoch) or {})
    run = make_run(config)
    with pytest.raises(DivergedError) as err:
        fit(run, hooks=hooks)
    msg = str(err.value)
    assert "generated points left the data after step 4 of epoch 2" in msg
    assert re.search(r"member 1 \(seed 5\) reached \|coordinate\| 1\d\d\d > 150 ", msg)
    assert evaluated == ([1] if snapshots == 4 else [])
    assert "samples_2" not in run.load_snapshots()
    assert_kept_checkpoint(run, 1)


# -- (c) a member that stopped learning -----------------------------------------------------------
def test_a_member_whose_generator_stopped_changing_stops_the_run(
    make_config, make_run, monkeypatch
):
    """From epoch 2 on, member 1's generator is put back after every epoch: frozen, finite."""
    config = make_config("gan", seeds=SEEDS, epochs=4, checkpoint_every=1, snapshots=1)
    real = GANTrainer.epoch
    epochs = []

    def epoch_freezing_member_1(self, x, gens, batch):
        before = [p[1].clone() for p in self.model.generator.parameters()]
        out = real(self, x, gens, batch)
        epochs.append(len(epochs) + 1)
        if epochs[-1] >= 2:
            with torch.no_grad():
                for p, b in zip(self.model.generator.parameters(), before, strict=True):
                    p[1].copy_(b)
        return out

    monkeypatch.setattr(GANTrainer, "epoch", epoch_freezing_member_1)
    run = make_run(config)
    with pytest.raises(DivergedError) as err:
        fit(run)
    msg = str(err.value)
    assert msg.startswith("member 1 (seed 5): the generator parameters did not change over "
                          "epoch 2 (checked after step 4 of epoch 2)")  # fmt: skip
    assert "zero gradients" in msg and "last good checkpoint (epoch 1)" in msg
    assert_kept_checkpoint(run, 1)


def test_a_vae_whose_steps_stopped_is_caught_over_the_epochs_since_the_last_checkpoint(
    make_config, make_run, monkeypatch
):
    config = make_config("vae", seeds=(0, 1), epochs=6, checkpoint_every=3, snapshots=1)
    real = trainers.adam_step
    calls = {"n": 0}

    def stops_after_epoch_3(opt) -> None:
        calls["n"] += 1
        if calls["n"] <= 3 * STEPS:
            real(opt)

    monkeypatch.setattr(trainers, "adam_step", stops_after_epoch_3)
    run = make_run(config)
    with pytest.raises(DivergedError, match=r"^members 0, 1 \(seeds 0, 1\): the VAE parameters "
                       r"did not change over epochs 4..6"):  # fmt: skip
        fit(run)
    assert_kept_checkpoint(run, 3)


# -- healthy runs ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "rule, base",
    [("alternating", "adam"), ("simultaneous", "sgd"), ("extragradient", "adam"),
     ("optimistic", "adam"), ("optimistic", "sgd")],
)  # fmt: skip
def test_healthy_tiny_gan_runs_pass_every_check_at_every_epoch(rule, base, make_config, make_run):
    arch = GANConfig(rule=rule, base_optimizer=base)
    config = make_config("gan", seeds=(0, 1), epochs=3, checkpoint_every=1, snapshots=3, arch=arch)
    run = fit(make_run(config)).run
    ckpt = run.load_checkpoint()
    assert ckpt["epoch"] == 3 and all_finite(ckpt)
    if base == "sgd":  # the check looked at SGD's (empty) state without adding to it
        assert ckpt["trainer"]["game"]["d"]["state"] == {}
    assert np.isfinite(np.load(run.samples_file)).all()


def test_a_healthy_vae_with_lr_decay_passes_every_check_to_its_last_epoch(make_config, make_run):
    config = make_config("vae", seeds=(0, 1), epochs=4, checkpoint_every=1, lr_decay=0.5)
    assert fit(make_run(config)).run.load_checkpoint()["epoch"] == 4
