"""PacGAN and WGAN-GP in whole runs: members train as if alone, a run resumes bit for bit, the
configuration survives JSON and TOML, the flags and presets reach it, and (slow) both cover
more than one mode of the ring after a short run."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from run_checks import Interrupt, assert_nested_equal

from genlab.base.rng import member_generators
from genlab.cli.main import main
from genlab.models.config import GANConfig
from genlab.training import FitHooks, build_model, fit, make_trainer, training_data
from genlab.training.config import RunConfig, TrainConfig
from genlab.training.config_file import from_toml, to_toml
from genlab.training.rundir import RunDir

CPU = torch.device("cpu")
TINY = dict(dataset="ring", n_samples=64, batch_size=16, epochs=3, snapshots=1, device="cpu",
            eval_samples=0, frames=0)  # fmt: skip
ARCHS = {
    "pacgan2": GANConfig(lam=1.0, pack=2),
    "wgan-gp": GANConfig(objective="wgan_gp", critic_steps=3, adam_betas=(0.0, 0.9)),
    "wgan-gp-pack3": GANConfig(objective="wgan_gp", pack=3, gp_weight=2.0),
}


def _config(arch: GANConfig, **train) -> RunConfig:
    return RunConfig("gan", TrainConfig(**{**TINY, **train}), arch)


@pytest.fixture
def float64():
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(torch.float32)


def _train(arch: GANConfig, seeds: tuple[int, ...], epochs: int = 3):
    """Parameters (one flat vector per player) and losses (steps, 2, E) of ``epochs`` epochs."""
    config = _config(arch, seeds=seeds)
    model = build_model(config, CPU)
    x = training_data(config, CPU).to(torch.get_default_dtype())
    trainer = make_trainer(model, config)
    gens = member_generators(seeds, "train")
    losses = torch.cat([trainer.epoch(x, gens, 16) for _ in range(epochs)])
    return model, losses


@pytest.mark.parametrize("name", ARCHS)
def test_member_k_of_many_trains_exactly_as_seed_k_alone(name, float64):
    """In float64, to 1e-12. (In float32 a member alone and beside another differ by up to
    1.5e-5 here, the default GAN's by 3e-7: batched matmuls of 1 and 2 members round
    differently, and Adam's first step, lr·g/(|g| + ε), magnifies that rounding on entries
    whose gradient is near ε.)"""
    many, many_losses = _train(ARCHS[name], (0, 1))
    alone, alone_losses = _train(ARCHS[name], (1,))
    assert next(many.parameters()).dtype == torch.float64
    for (key, a), b in zip(many.state_dict().items(), alone.state_dict().values(), strict=True):
        torch.testing.assert_close(a[1], b[0], rtol=0, atol=1e-12, msg=key)
    torch.testing.assert_close(many_losses[..., 1], alone_losses[..., 0], rtol=1e-12, atol=1e-12)
    w = many.generator.linears()[0].weight
    assert not torch.equal(w[0], w[1])


@pytest.mark.parametrize("name", ["wgan-gp", "wgan-gp-pack3"])
def test_an_interrupted_wgan_gp_run_resumes_bit_for_bit(name, make_run):
    """4 batches an epoch, G every 3rd: the count of D steps crosses the checkpoint."""
    config = _config(ARCHS[name], seeds=(0, 1), epochs=4, checkpoint_every=2)
    straight = fit(make_run(config, "straight")).run
    resumed = make_run(config, "resumed")
    with pytest.raises(KeyboardInterrupt):
        fit(resumed, hooks=FitHooks(on_epoch=Interrupt(3)))
    assert resumed.load_checkpoint()["epoch"] == 2
    fit(resumed)
    a, b = straight.load_checkpoint(), resumed.load_checkpoint()
    for part in ("model", "trainer", "rng"):
        assert_nested_equal(a[part], b[part], part)
    if ARCHS[name].critic_steps > 1:
        assert a["trainer"]["game"]["since_g"] == b["trainer"]["game"]["since_g"] == 16 % 3
    assert [{k: v for k, v in r.items() if k != "seconds"} for r in straight.read_metrics()] == [
        {k: v for k, v in r.items() if k != "seconds"} for r in resumed.read_metrics()
    ]
    assert np.array_equal(np.load(straight.samples_file), np.load(resumed.samples_file))


@pytest.mark.parametrize("name", ARCHS)
def test_the_new_fields_survive_json_and_toml(name):
    config = _config(ARCHS[name])
    assert RunConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    text = to_toml(config)
    assert from_toml(text) == config
    if name == "wgan-gp":
        assert 'objective = "wgan_gp"' in text and "adam_betas = [0.0, 0.9]" in text


def test_toml_of_a_partial_gan_section_takes_ints_for_betas():
    config = from_toml('model = "gan"\n[gan]\npack = 2\nadam_betas = [0, 0.9]\nlam = 1\n')
    assert config.arch == GANConfig(lam=1.0, pack=2, adam_betas=(0.0, 0.9))


def test_flags_reach_the_config_and_the_run_trains(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "gan", "--epochs", "1", "--n-samples", "64", "--batch-size", "16",
            "--eval-samples", "0", "--device", "cpu", "--dataset", "ring", "--pack", "2",
            "--objective", "wgan_gp", "--gp-weight", "5", "--critic-steps", "2",
            "--adam-betas", "0.5,0.9", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    arch = RunDir.open(out).config().arch
    assert (arch.pack, arch.objective, arch.gp_weight, arch.critic_steps, arch.adam_betas) == (
        2, "wgan_gp", 5.0, 2, (0.5, 0.9)
    )  # fmt: skip


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--pack", "9"], "pack must be an integer in [1, 8]"),
        (["--objective", "wgan_gp", "--sampler", "rejection"], "not a log density ratio"),
        (["--pack", "2", "--compile"], "compile compiles the homework's step only"),
        (["--preset", "pacgan2", "--objective", "wgan_gp"], "lambda 1.0 applies"),
        (["--adam-betas", "0.5"], "adam_betas must be two numbers"),
    ],
)
def test_bad_flags_exit_2_naming_the_value(flags, message, tmp_path, capsys):
    assert main(["train", "gan", "--epochs", "1", *flags, "--out", str(tmp_path / "r")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_presets_are_listed_and_cite_their_papers(capsys):
    assert main(["presets"]) == 0
    text = capsys.readouterr().out
    for name in ("pacgan2", "pacgan3", "pacgan4", "pacgan2-wide", "wgan-gp", "wgan-gp-wide"):
        assert f"\n{name} " in f"\n{text}", name
    from genlab.workflows.presets import BENCHMARK_GRID, get_preset

    for m in (2, 3, 4):
        config = get_preset(f"pacgan{m}").run_config(TrainConfig())
        assert (config.arch.pack, config.arch.lam) == (m, 1.0)
        assert "Lin et al. 2018" in get_preset(f"pacgan{m}").description
    wgan = get_preset("wgan-gp")
    config = wgan.run_config(TrainConfig())
    assert (config.arch.objective, config.arch.gp_weight, config.arch.critic_steps) == (
        "wgan_gp", 10.0, 5
    )  # fmt: skip
    assert (config.arch.adam_betas, config.train.lr) == ((0.0, 0.9), 1e-4)
    assert "Gulrajani et al. 2017" in wgan.description
    assert not {"pacgan2", "wgan-gp"} & set(BENCHMARK_GRID)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pacgan2", "wgan-gp"])
def test_a_short_run_on_the_ring_covers_more_than_one_mode(name, make_run):
    from genlab.data.samplers import ring_centers
    from genlab.evaluation.modes import mode_metrics

    arch = {
        "pacgan2": GANConfig(lam=1.0, pack=2),
        "wgan-gp": GANConfig(objective="wgan_gp", critic_steps=5, adam_betas=(0.0, 0.9)),
    }[name]
    train = TrainConfig(**{**TINY, "n_samples": 512, "batch_size": 64, "epochs": EPOCHS})
    run = fit(make_run(RunConfig("gan", train, arch))).run
    # within 30σ = 0.3 of a mode (the modes are 0.77 apart), 5 samples of 512 to count
    found = mode_metrics(np.load(run.samples_file)[0], ring_centers(), 0.01, n_std=30,
                         min_count=5)  # fmt: skip
    assert found.modes_captured > 1, found


EPOCHS = 300
"""~10 s a run on one thread: 2400 D steps (WGAN-GP: 480 G steps); measured 8 and 6 modes."""
