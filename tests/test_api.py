"""The public API: ``genlab.train`` runs the CLI's pipeline, ``genlab.load`` reopens runs, and
``Run`` samples and evaluates; names load lazily."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

import genlab
from genlab.training.rundir import RunDir

TINY = dict(epochs=2, n_samples=64, batch_size=32, snapshots=1, frames=0, eval_samples=50,
            device="cpu")  # fmt: skip


def test_the_api_lists_about_twenty_names_and_each_resolves():
    assert 15 <= len(genlab.__all__) <= 25
    for name in genlab.__all__:
        assert getattr(genlab, name) is not None
    with pytest.raises(AttributeError):
        genlab.no_such_name  # noqa: B018


def test_train_writes_a_complete_run_and_reads_its_checkpoint_once(tmp_path, monkeypatch):
    reads = []
    real = RunDir.load_checkpoint
    monkeypatch.setattr(RunDir, "load_checkpoint", lambda self: reads.append(1) or real(self))
    run = genlab.train("vae", out=tmp_path / "vae", figures=True, **TINY)
    assert run.is_done and (run.path / "evaluation.json").exists()
    assert len(reads) == 1, "fit reads the checkpoint; figures and evaluation reuse its model"
    assert [r["epoch"] for r in run.history] == [1, 2]
    assert run.config == genlab.load(run.path).config
    assert (run.path / "figures" / "snapshots.png") in run.figures()
    assert run.draw_figures() == []  # current: nothing to draw again


def test_figures_are_drawn_on_demand_and_again_once_stale(tmp_path):
    run = genlab.train("gan", out=tmp_path / "gan", **TINY)
    assert run.figures() == []  # training draws none
    drawn = run.draw_figures()
    assert (run.path / "figures" / "losses.png") in drawn and run.figures() == sorted(drawn)
    assert run.draw_figures() == []
    assert len(run.draw_figures(force=True)) == len(drawn)
    os.utime(run.path / "snapshots.npz")  # a source newer than the figures: they are stale
    assert len(run.draw_figures()) == len(drawn)
    with pytest.raises(genlab.UserError, match="member must be in 0..0"):
        run.draw_figures(member=1)


def test_sampling_is_seeded_and_a_member_is_its_own_row(tmp_path):
    run = genlab.train("gan", out=tmp_path / "gan", seeds=(0, 1), **TINY)
    a, b = run.sample(20, seed=3), genlab.load(run.path).sample(20, seed=3)
    assert a.shape == (2, 20, 2) and np.array_equal(a, b)
    np.testing.assert_array_equal(run.sample(20, seed=3, member=1), a[1])
    assert run.sample(20).shape == (2, 20, 2)  # fresh randomness by default
    assert run.model.sample(5).shape == (2, 5, 2)  # the model's own default, too
    with pytest.raises(genlab.UserError, match="member must be in 0..1"):
        run.sample(5, member=2)


def test_train_resumes_an_interrupted_run_and_refuses_another_config(tmp_path):
    out = tmp_path / "run"

    def stop(record):
        if record.epoch == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        genlab.train("gan", out=out, checkpoint_every=1, on_epoch=stop, **TINY)
    assert not genlab.load(out).is_done
    resumed = genlab.train("gan", out=out, checkpoint_every=1, **TINY)
    straight = genlab.train("gan", out=tmp_path / "straight", checkpoint_every=1, **TINY)
    a, b = resumed.model.state_dict(), straight.model.state_dict()
    assert resumed.is_done and all(torch.equal(a[k], b[k]) for k in a)
    with pytest.raises(genlab.UserError, match="another configuration"):
        genlab.train("gan", out=out, **{**TINY, "epochs": 3})


def test_any_sample_array_can_be_evaluated():
    x = genlab.make_ring(500, generator=0).numpy()
    ev = genlab.evaluate(x, "ring", n=500, seed=1)
    assert ev.scores["modes_captured"].value == 8
    with pytest.raises(genlab.UserError, match="unknown dataset"):
        genlab.evaluate(x, "rign", n=500)
