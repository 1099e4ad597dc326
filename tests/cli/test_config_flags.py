"""``genlab train MODEL --config FILE.toml`` and the architecture and schedule flags: a run's
``config.toml`` trains it again bit for bit, flags override the file, and bad files or values
exit 2 before anything is written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from genlab.cli.main import build_parser, config_from_args, main
from genlab.training.rundir import RunDir

TINY = ["--epochs", "2", "--n-samples", "64", "--batch-size", "32", "--eval-samples", "0",
        "--device", "cpu"]  # fmt: skip
ARCH = ["--generator-hidden", "16,8", "--generator-activations", "relu,elu",
        "--discriminator-hidden", "24", "--discriminator-activations", "leaky_relu",
        "--noise", "0.05", "--snapshots", "1", "--frames", "2", "--seeds", "0,1"]  # fmt: skip


def code_of(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return 0 if exc.code is None else int(exc.code)


def parse(argv: list[str]):
    return config_from_args(build_parser().parse_args(argv))


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A tiny two-member GAN with a non-default architecture, trained through the CLI."""
    out = tmp_path_factory.mktemp("config_flags") / "R"
    assert main(["train", "gan", *TINY, *ARCH, "--out", str(out)]) == 0
    return out


def test_config_toml_trains_the_run_again_bit_for_bit(finished, tmp_path):
    again = tmp_path / "R2"
    assert main(["train", "gan", "--config", str(finished / "config.toml"),
                 "--out", str(again)]) == 0  # fmt: skip
    a, b = RunDir(finished), RunDir(again)
    assert a.config() == b.config()
    assert a.config().arch.generator_hidden == (16, 8)
    assert (again / "config.toml").read_text() == (finished / "config.toml").read_text()
    sa, sb = a.load_checkpoint()["model"], b.load_checkpoint()["model"]
    assert sa.keys() == sb.keys()
    for k in sa:
        assert torch.equal(sa[k], sb[k]), k
    assert np.array_equal(np.load(finished / "samples.npy"), np.load(again / "samples.npy"))
    assert "config.toml" in b.manifest()


def test_typo_in_file_exits_2_naming_it_and_writes_nothing(finished, tmp_path, capsys):
    text = (finished / "config.toml").read_text().replace("epochs = 2", "epoch = 2")
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    out = tmp_path / "out"
    assert code_of(["train", "gan", "--config", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"unknown key 'train.epoch' in {bad}; known: " in err and "epochs" in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_flags_override_the_file(finished):
    file = str(finished / "config.toml")
    config = parse(
        [
            "train",
            "gan",
            "--config",
            file,
            "--epochs",
            "5",
            "--lambda",
            "2",
            "--discriminator-hidden",
            "9,9",
            "--discriminator-activations",
            "elu,tanh",
        ]
    )
    assert (config.train.epochs, config.arch.lam) == (5, 2.0)
    assert config.arch.discriminator_hidden == (9, 9)
    assert config.arch.discriminator_activations == ("elu", "tanh")
    # the rest is the file's
    assert config.arch.generator_hidden == (16, 8) and config.train.seeds == (0, 1)
    assert config.train.noise == 0.05 and config.train.n_samples == 64


NEW_FLAGS = {
    "gan": {
        "--generator-hidden": ("5,6,7", "generator_hidden", (5, 6, 7)),
        "--generator-activations": (
            "relu,elu,identity",
            "generator_activations",
            ("relu", "elu", "identity"),
        ),
        "--discriminator-hidden": ("3", "discriminator_hidden", (3,)),
        "--discriminator-activations": ("leaky_relu", "discriminator_activations", ("leaky_relu",)),
    },
    "vae": {
        "--encoder-hidden": ("4,5", "encoder_hidden", (4, 5)),
        "--encoder-activations": ("elu,relu", "encoder_activations", ("elu", "relu")),
        "--decoder-hidden": ("6,7,8", "decoder_hidden", (6, 7, 8)),
        "--decoder-activations": ("tanh,tanh,elu", "decoder_activations", ("tanh", "tanh", "elu")),
    },
}


@pytest.mark.parametrize("model", NEW_FLAGS)
def test_each_new_flag_reaches_its_field(model):
    argv = ["train", model, "--noise", "0.2", "--snapshots", "3", "--frames", "0"]
    for opt, (value, _, _) in NEW_FLAGS[model].items():
        argv += [opt, value]
    config = parse(argv)
    assert (config.train.noise, config.train.snapshots, config.train.frames) == (0.2, 3, 0)
    for _, field, expected in NEW_FLAGS[model].values():
        assert getattr(config.arch, field) == expected, field


def test_empty_lists_mean_no_hidden_layer():
    config = parse(["train", "gan", "--generator-hidden", "", "--generator-activations", ""])
    assert (config.arch.generator_hidden, config.arch.generator_activations) == ((), ())


@pytest.mark.parametrize("argv, message", [
    (["--generator-hidden", "0", "--generator-activations", "tanh"],
     "generator width must be an integer >= 1, got 0"),
    (["--discriminator-activations", "sigmoid,tanh"], "unknown activation 'sigmoid'"),
    (["--generator-hidden", "8,8"], "generator: one activation per hidden layer"),
    (["--generator-hidden", "a,b"], "argument --generator-hidden: expected integer widths"),
    (["--encoder-hidden", "8"], "--encoder-hidden applies to the VAE, not to gan"),
    (["--noise", "-1"], "noise must be a finite number >= 0"),
    (["--snapshots", "0"], "snapshots must be an integer >= 1"),
])  # fmt: skip
def test_bad_architecture_exits_2_and_writes_nothing(argv, message, tmp_path, capsys):
    out = tmp_path / "out"
    assert code_of(["train", "gan", *argv, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_model_mismatch_preset_and_resume_are_refused(finished, tmp_path, capsys):
    file = str(finished / "config.toml")
    out = tmp_path / "out"
    assert code_of(["train", "vae", "--config", file, "--out", str(out)]) == 2
    assert "trains a gan, not a vae" in capsys.readouterr().err
    assert code_of(["train", "gan", "--config", file, "--preset", "x", "--out", str(out)]) == 2
    assert "--preset and --config: pick one" in capsys.readouterr().err
    assert code_of(["train", "gan", "--config", file, "--resume", str(finished)]) == 2
    assert "--resume continues a run with its saved config" in capsys.readouterr().err
    assert code_of(["train", "gan", "--config", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "sampler", "setting", "value"),
    [
        (["vae", "--preset", "vae-r16000-posterior-gmm", "--sampler", "prior"],
         "prior", "gmm_components", 50),
        (["vae", "--preset", "vae-r16000-posterior-gmm"], "posterior_gmm", "gmm_components", 100),
        (["gan", "--preset", "gan-λ500-wide-tanh-long-drs", "--sampler", "generator"],
         "generator", "rejection_gamma", 0.0),
        (["gan", "--preset", "gan-λ500-wide-tanh-long-drs"], "rejection", "rejection_gamma", 4.0),
    ],
)  # fmt: skip
def test_another_sampler_on_a_preset_takes_that_samplers_default_setting(
    argv, sampler, setting, value
):
    arch = parse(["train", *argv]).arch
    assert (arch.sampler, getattr(arch, setting)) == (sampler, value)


def test_a_setting_given_for_another_sampler_is_still_refused(tmp_path, capsys):
    argv = ["train", "vae", "--preset", "vae-r16000-posterior-gmm", "--sampler", "prior",
            "--gmm-components", "7", "--out", str(tmp_path / "R")]  # fmt: skip
    assert code_of(argv) == 2
    assert "gmm_components 7 applies to sampler 'posterior_gmm'" in capsys.readouterr().err
    assert not (tmp_path / "R").exists()
