"""A run on the user's own points: the seeded held-out split, standardization that round-trips
(a standardized run equals a run on standardized points, mapped back), the resolved
configuration, and a run folder that trains, resumes and reproduces from its files."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from run_checks import Interrupt

import genlab
from genlab.base.errors import UserError
from genlab.data.user_data import UserData, split_points
from genlab.models.scale import DataScale
from genlab.training.config import RunConfig, TrainConfig
from genlab.training.data_file import prepare_data

TINY = dict(epochs=3, batch_size=16, eval_samples=0, device="cpu", snapshots=1, frames=0)


def cloud(n: int = 120, d: int = 3, seed: int = 0) -> np.ndarray:
    """Points far from the origin and of unequal spreads: standardization matters."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) * np.arange(1, d + 1) * 7.0 + 40.0


def test_split_is_seeded_disjoint_and_complete():
    x = cloud(101)
    a = split_points(x, holdout=0.2, seed=3)
    assert a.train.shape == (81, 3) and a.holdout.shape == (20, 3)  # round(0.2 · 101) = 20
    both = np.concatenate([a.train, a.holdout])
    assert np.array_equal(np.sort(both, axis=0), np.sort(x, axis=0))
    assert np.array_equal(split_points(x, holdout=0.2, seed=3).holdout, a.holdout)
    assert not np.array_equal(split_points(x, holdout=0.2, seed=4).holdout, a.holdout)
    assert not a.standardized and np.array_equal(a.to_data(a.to_model(x)), x)


def test_standardization_uses_the_training_part_only():
    x = cloud(200)
    x[:, 1] = 5.0  # a constant column keeps std 1
    s = split_points(x, holdout=0.25, seed=0, standardize=True)
    np.testing.assert_allclose(s.mean, s.train.mean(0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(s.std[[0, 2]], s.train.std(0)[[0, 2]], rtol=1e-12)
    assert s.std[1] == 1.0 and s.mean[1] == 5.0
    z = s.to_model(s.train)
    np.testing.assert_allclose(z.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(s.to_data(z), s.train, rtol=1e-13)


def test_data_scale_round_trips_and_is_the_identity_until_set():
    scale = DataScale(3)
    x = torch.randn(2, 5, 3)
    assert scale.to_data(x) is x and scale.to_model(x) is x
    scale.set(torch.tensor([1.0, -2.0, 3.0]), torch.tensor([0.5, 2.0, 4.0]))
    torch.testing.assert_close(scale.to_model(scale.to_data(x)), x)
    torch.testing.assert_close(scale.to_data(x)[..., 2], x[..., 2] * 4 + 3)
    assert "mean" not in scale.state_dict()  # the run folder holds them, not the checkpoint


def test_prepare_sets_n_samples_from_the_file(tmp_path):
    np.save(tmp_path / "p.npy", cloud(100))
    config, data = prepare_data(RunConfig("gan", TrainConfig(data=str(tmp_path / "p.npy"))))
    assert config.train.n_samples == 80 and data is not None and data.dim == 3
    assert config.train.data == str((tmp_path / "p.npy").resolve())
    assert prepare_data(RunConfig("gan")) == (RunConfig("gan"), None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (dict(n_samples=70), "n_samples is the training part"),
        (dict(batch_size=90), "batch_size 90 is larger than the training part"),
        (dict(holdout=0.05), "holdout 0.05 of 100 points in .* holds out 5; the evaluation"),
        (dict(holdout=0.004), "holds out none"),
    ],
)
def test_prepare_refuses(tmp_path, fields, message):
    np.save(tmp_path / "p.npy", cloud(100))
    with pytest.raises(UserError, match=message):
        prepare_data(RunConfig("gan", TrainConfig(data=str(tmp_path / "p.npy"), **fields)))


def test_prepare_refuses_a_mixture_larger_than_the_training_part(tmp_path):
    """Before any epoch, not after the last: the mixture is fitted once training ends."""
    from genlab.models.config import VAEConfig

    np.save(tmp_path / "p.npy", cloud(100))
    arch = VAEConfig(sampler="posterior_gmm", gmm_components=81)
    with pytest.raises(UserError, match=r"gmm_components 81 exceeds the training part .*1\.\.80"):
        prepare_data(RunConfig("vae", TrainConfig(data=str(tmp_path / "p.npy")), arch))
    arch = VAEConfig(sampler="posterior_gmm", gmm_components=80)
    config, _ = prepare_data(RunConfig("vae", TrainConfig(data=str(tmp_path / "p.npy")), arch))
    assert config.arch.gmm_components == 80


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (dict(standardize=True), "standardize applies to a data file"),
        (dict(data="p.csv", dataset="ring"), "not both"),
        (dict(data="p.csv", noise=0.1), "noise applies to a registered dataset"),
        (dict(data="p.csv", holdout=0.6), r"holdout must be a fraction in \(0, 0.5\]"),
        (dict(data="p.csv", holdout=0), r"holdout must be a fraction in \(0, 0.5\]"),
        (dict(data=""), "data must be the path"),
        (dict(data="p.csv", holdout_seed=-1), "holdout_seed"),
    ],
)
def test_config_refuses(fields, message):
    with pytest.raises(UserError, match=message):
        TrainConfig(**fields)


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_a_standardized_run_is_a_run_on_standardized_points_mapped_back(tmp_path, model):
    x = cloud(150)
    ref = split_points(x, holdout=0.2, seed=0, standardize=True)
    z = (x - ref.mean) / ref.std  # the same float64 operations the run applies
    a = genlab.train(model, out=tmp_path / "a", data=x, standardize=True, seeds=(0, 1), **TINY)
    b = genlab.train(model, out=tmp_path / "b", data=z, seeds=(0, 1), **TINY)
    sa, sb = a.sample(200, seed=1), b.sample(200, seed=1)
    np.testing.assert_allclose(sa, sb * ref.std + ref.mean, rtol=1e-5, atol=1e-4)
    assert abs(sa.mean() - x.mean()) < abs(sb.mean() - x.mean())  # a's are in the data's units
    shown = np.load(a.path / "data.npy")
    assert shown.shape == (1, 120, 3)
    np.testing.assert_allclose(shown[0], ref.train, rtol=1e-6)


def test_array_run_keeps_its_input_and_config_toml_trains_it_again(tmp_path):
    from genlab.cli.main import main

    x = cloud(80, d=2)
    run = genlab.train("gan", out=tmp_path / "r", data=x, seeds=(0,), **TINY)
    assert np.array_equal(np.load(run.path / "input.npy"), x)
    assert run.config.train.data == str((run.path / "input.npy").resolve())
    assert main(["train", "gan", "--config", str(run.path / "config.toml"),
                 "--out", str(tmp_path / "r2")]) == 0  # fmt: skip
    for name in ("samples.npy", "data.npy"):
        assert np.array_equal(np.load(run.path / name), np.load(tmp_path / "r2" / name))
    one = torch.load(run.path / "checkpoints/last.pt", weights_only=True)["model"]
    two = torch.load(tmp_path / "r2/checkpoints/last.pt", weights_only=True)["model"]
    assert one.keys() == two.keys() and all(torch.equal(one[k], two[k]) for k in one)


def test_interrupted_data_run_resumes_bit_for_bit(tmp_path):
    from genlab.training.loop import FitHooks, fit
    from genlab.training.rundir import RunDir, environment

    np.save(tmp_path / "p.npy", cloud(100))
    fields = {**TINY, "epochs": 4, "checkpoint_every": 2}
    base = RunConfig("vae", TrainConfig(data=str(tmp_path / "p.npy"), standardize=True, **fields))
    config, data = prepare_data(base)
    assert data is not None
    runs = [RunDir.create(tmp_path / name, config, environment("cpu")) for name in "ab"]
    for run in runs:
        run.save_user_data(data)
    fit(runs[0])

    with pytest.raises(KeyboardInterrupt):
        fit(runs[1], hooks=FitHooks(on_epoch=Interrupt(3)))
    assert runs[1].checkpoint_epoch() == 2
    fit(runs[1])
    assert np.array_equal(np.load(runs[0].samples_file), np.load(runs[1].samples_file))


def test_missing_split_is_named(tmp_path):
    from genlab.training.integrity import DamagedRunError
    from genlab.training.rundir import RunDir, environment

    np.save(tmp_path / "p.npy", cloud(100))
    config, _ = prepare_data(RunConfig("gan", TrainConfig(data=str(tmp_path / "p.npy"))))
    run = RunDir.create(tmp_path / "r", config, environment("cpu"))
    with pytest.raises(DamagedRunError, match="split.npz is missing"):
        run.user_data()


def test_userdata_arrays_round_trip():
    s = split_points(cloud(50), holdout=0.2, standardize=True)
    again = UserData(**s.arrays())
    pairs = zip(s.arrays().values(), again.arrays().values(), strict=True)
    assert all(np.array_equal(a, b) for a, b in pairs)


def test_registered_3d_dataset_trains_and_evaluates(tmp_path):
    run = genlab.train("vae", out=tmp_path / "r", dataset="swiss_roll_3d", n_samples=128,
                       seeds=(0,), **{**TINY, "eval_samples": 100})  # fmt: skip
    assert run.sample(7).shape == (1, 7, 3)
    metrics = run.evaluate(n=100)["metrics"]
    assert "w1" in metrics and "spiral_near" not in metrics
    assert np.isfinite(metrics["w1"]["floor"])


def test_a_run_written_before_the_data_fields_existed_still_loads_and_resumes(tmp_path):
    """Its config.json and its checkpoint's seal lack the fields added since: they read as their
    defaults, which are what it was trained under."""
    import json

    from genlab.training.loop import FitHooks, fit
    from genlab.training.rundir import RunDir, environment

    config = RunConfig("gan", TrainConfig(**{**TINY, "epochs": 4, "checkpoint_every": 2}))
    run = RunDir.create(tmp_path / "r", config, environment("cpu"))

    with pytest.raises(KeyboardInterrupt):
        fit(run, hooks=FitHooks(on_epoch=Interrupt(3)))
    new = ("data", "standardize", "holdout", "holdout_seed")
    record = json.loads(run.config_file.read_text())
    for key in new:
        del record["train"][key]
    run.config_file.write_text(json.dumps(record))
    for path in (run.checkpoint_file, run.previous_checkpoint_file):
        if path.exists():
            state = torch.load(path, weights_only=True)
            for key in new:
                del state["integrity"]["config"]["train"][key]
            torch.save(state, path)
    assert run.config() == config
    fit(run)  # resumes from epoch 2 without calling anything damaged
    assert run.checkpoint_epoch() == 4
