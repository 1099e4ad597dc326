"""The TOML form of a run's configuration: exact round trips, and strict reading that names
the file and the key of every bad input."""

from __future__ import annotations

import dataclasses

import pytest

from genlab.base.errors import UserError
from genlab.models.config import GANConfig, VAEConfig
from genlab.training.config import RunConfig, TrainConfig
from genlab.training.config_file import from_toml, read_config, to_toml

TRAIN = TrainConfig(dataset="ring", n_samples=300, noise=0.1, epochs=7, batch_size=16, lr=1e-3,
                    lr_decay=0.5, seeds=(3, 5), snapshots=3, frames=4, checkpoint_every=2,
                    device="cpu", compile=True, threads=2, eval_samples=100)  # fmt: skip
# a data file's run: its own four fields (exclusive with dataset and noise)
DATA_TRAIN = TrainConfig(data="/tmp/points.npz:x", standardize=True, holdout=0.3,
                         holdout_seed=4, n_samples=70)  # fmt: skip
DATA_FIELDS = ("data", "standardize", "holdout", "holdout_seed")
VAE = VAEConfig(latent_dim=3, encoder_hidden=(8, 9, 10),
                encoder_activations=("relu", "elu", "tanh"), decoder_hidden=(7,),
                decoder_activations=("identity",), reg_coeff=2.5, sampler="posterior_gmm",
                gmm_components=30)  # fmt: skip
GAN = GANConfig(z_dim=4, generator_hidden=(5, 6), generator_activations=("elu", "relu"),
                discriminator_hidden=(), discriminator_activations=(), lam=0.5,
                generator_loss="saturating", rule="extragradient", base_optimizer="sgd",
                sampler="rejection", rejection_gamma=1.5)  # fmt: skip
# PacGAN's and WGAN-GP's fields refuse some of GAN's (rejection, λ, saturating, SGD,
# extragradient): a second GAN changes them
METHODS = GANConfig(pack=3, objective="wgan_gp", gp_weight=2.0, critic_steps=4,
                    adam_betas=(0.5, 0.9))  # fmt: skip
METHOD_FIELDS = ("pack", "objective", "gp_weight", "critic_steps", "adam_betas")
CHANGED = {
    "default vae": RunConfig("vae"),
    "default gan": RunConfig("gan"),
    "every field vae": RunConfig("vae", TRAIN, VAE),
    # compile needs the alternating Adam step, so the GAN changes every field but that one
    "every field gan": RunConfig("gan", dataclasses.replace(TRAIN, compile=False), GAN),
    "data file gan": RunConfig("gan", DATA_TRAIN, GAN),
    "methods gan": RunConfig("gan", dataclasses.replace(TRAIN, compile=False), METHODS),
}


def test_the_changed_configs_change_every_field():
    for obj, exempt in ((TRAIN, DATA_FIELDS), (VAE, ()), (GAN, METHOD_FIELDS)):
        default = type(obj)()
        same = [f.name for f in dataclasses.fields(obj) if f.name not in exempt
                and getattr(obj, f.name) == getattr(default, f.name)]  # fmt: skip
        assert same == [], same
    assert all(getattr(DATA_TRAIN, f) != getattr(TrainConfig(), f) for f in DATA_FIELDS)
    assert all(getattr(METHODS, f) != getattr(GANConfig(), f) for f in METHOD_FIELDS)


@pytest.mark.parametrize("name", CHANGED)
def test_round_trip(name):
    config = CHANGED[name]
    text = to_toml(config)
    assert from_toml(text) == config
    assert f"[{config.model}]" in text and 'model = "' in text


def test_format_sections_arrays_and_absent_noise():
    text = to_toml(RunConfig("gan"))
    assert "noise" not in text  # None: the dataset's own
    assert "[train]" in text and "[gan]" in text and "[vae]" not in text
    assert "discriminator_hidden = [128, 128]" in text
    assert from_toml(text).train.noise is None


def test_partial_file_takes_defaults_and_ints_for_floats():
    config = from_toml('model = "vae"\n[train]\nepochs = 3\nlr = 1\n[vae]\nreg_coeff = 2\n')
    assert config.train == TrainConfig(epochs=3, lr=1.0)
    assert isinstance(config.train.lr, float) and isinstance(config.arch.reg_coeff, float)
    assert config.arch == VAEConfig(reg_coeff=2.0)


def test_read_config_names_the_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(to_toml(CHANGED["every field gan"]))
    assert read_config(path) == CHANGED["every field gan"]
    with pytest.raises(UserError, match="cannot read the configuration file .*nope.toml"):
        read_config(tmp_path / "nope.toml")
    path.write_bytes(b'model = "gan"\n\xff\n')
    with pytest.raises(UserError, match="not UTF-8"):
        read_config(path)


BAD = {
    "unknown key": (
        'model = "gan"\n[train]\nepoch = 3\n',
        r"unknown key 'train\.epoch' in F; known: dataset, n_samples, .*epochs",
    ),
    "unknown arch key": (
        'model = "gan"\n[gan]\nlatent_dim = 3\n',
        r"unknown key 'gan\.latent_dim' in F; known: z_dim, ",
    ),
    "other model's section": (
        'model = "gan"\n[vae]\nlatent_dim = 3\n',
        r"unknown key 'vae' in F .*known: model, train, gan",
    ),
    "unknown top-level key": ('model = "gan"\nepochs = 3\n', r"unknown key 'epochs' in F"),
    "wrong type": (
        'model = "gan"\n[train]\nepochs = "ten"\n',
        r"train\.epochs in F: expected an integer, got 'ten'",
    ),
    "bool for int": (
        'model = "gan"\n[train]\nepochs = true\n',
        r"train\.epochs in F: expected an integer, got True",
    ),
    "float for int": (
        'model = "gan"\n[train]\nepochs = 2.0\n',
        r"train\.epochs in F: expected an integer, got 2\.0",
    ),
    "string for float": (
        'model = "gan"\n[gan]\nlam = "big"\n',
        r"gan\.lam in F: expected a number, got 'big'",
    ),
    "wrong array": (
        'model = "gan"\n[gan]\ngenerator_hidden = [1, "a"]\n',
        r"gan\.generator_hidden in F: expected an array of integers",
    ),
    "scalar for array": (
        'model = "vae"\n[vae]\nencoder_activations = "tanh"\n',
        r"vae\.encoder_activations in F: expected an array of strings",
    ),
    "int for bool": (
        'model = "gan"\n[train]\ncompile = 1\n',
        r"train\.compile in F: expected true or false, got 1",
    ),
    "not a table": ('model = "gan"\ntrain = 3\n', r"train in F: expected a table"),
    "invalid toml": ('model = "gan"\n[train\nepochs = 3\n', r"F is not valid TOML: .*line 2"),
    "missing model": ("[train]\nepochs = 3\n", r"F has no 'model' key"),
    "model not a string": ("model = 1\n", r"model in F: expected a string"),
    "unknown model": ('model = "flow"\n', r"F: unknown model 'flow'; allowed: vae, gan"),
    "bad value": (
        'model = "gan"\n[train]\nepochs = 0\n',
        r"^F: epochs must be an integer >= 1, got 0",
    ),
    "bad width": (
        'model = "gan"\n[gan]\ngenerator_hidden = [0]\n',
        r"^F: generator width must be an integer >= 1, got 0",
    ),
    "bad activation": (
        'model = "gan"\n[gan]\ngenerator_activations = ["sigmoid"]\n',
        r"^F: unknown activation 'sigmoid'",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_file_is_named(case):
    text, message = BAD[case]
    with pytest.raises(UserError, match=message) as info:
        from_toml(text, source="F")
    assert str(info.value).count("F") >= 1
