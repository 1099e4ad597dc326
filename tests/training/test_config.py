"""Every validation of the frozen configs, and the seed-list syntax; messages name the bad value."""

from __future__ import annotations

import dataclasses
import math

import pytest

from genlab.training.config import GANConfig, RunConfig, TrainConfig, VAEConfig, parse_seeds


def test_defaults_are_the_homeworks():
    t, v, g = TrainConfig(), VAEConfig(), GANConfig()
    assert (t.dataset, t.n_samples, t.epochs, t.batch_size, t.lr) == (
        "swiss_roll",
        2000,
        2000,
        64,
        5e-4,
    )
    assert t.snapshot_every == 400 and t.seeds == (0,)
    assert (v.latent_dim, v.reg_coeff, v.encoder_hidden, v.decoder_hidden) == (
        16,
        75.0,
        (128, 128),
        (64, 64),
    )
    assert (v.encoder_activations, v.decoder_activations) == (("leaky_relu", "tanh"),) * 2
    assert (g.z_dim, g.lam, g.generator_hidden, g.discriminator_hidden) == (
        100,
        500.0,
        (32,),
        (128, 128),
    )
    assert (g.generator_activations, g.discriminator_activations) == (("tanh",), ("tanh", "tanh"))
    assert (g.generator_loss, g.rule, g.base_optimizer) == ("nonsaturating", "alternating", "adam")


def test_configs_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        TrainConfig().epochs = 3


TRAIN_BAD = [
    (dict(epochs=0), "epochs", "0"),
    (dict(epochs=-1), "epochs", "-1"),
    (dict(epochs=2.5), "epochs", "2.5"),
    (dict(n_samples=0), "n_samples", "0"),
    (dict(batch_size=0), "batch_size", "0"),
    (dict(batch_size=2001), "batch_size", "2001"),
    (dict(n_samples=100, batch_size=101), "batch_size", "101"),
    (dict(snapshots=0), "snapshots", "0"),
    (dict(checkpoint_every=-3), "checkpoint_every", "-3"),
    (dict(dataset="no_such_dataset"), "dataset", "no_such_dataset"),
    (dict(device="tpu"), "device", "tpu"),
    (dict(lr=0.0), "lr", "0.0"),
    (dict(lr=-1e-3), "lr", "-0.001"),
    (dict(lr=math.nan), "lr", "nan"),
    (dict(lr=math.inf), "lr", "inf"),
    (dict(lr_decay=-0.1), "lr_decay", "-0.1"),
    (dict(lr_decay=1.5), "lr_decay", "1.5"),
    (dict(lr_decay=math.nan), "lr_decay", "nan"),
    (dict(noise=-0.1), "noise", "-0.1"),
    (dict(noise=math.nan), "noise", "nan"),
    (dict(seeds=()), "seed", ""),
    (dict(seeds=(1, 2, 1)), "distinct", "(1, 2, 1)"),
    (dict(seeds=(0, -1)), "seeds", "-1"),
    (dict(seeds=(0, 1.5)), "seeds", "1.5"),
    (dict(threads=-1), "threads", "-1"),
]


@pytest.mark.parametrize("kwargs, field, bad", TRAIN_BAD, ids=[str(k) for k, _, _ in TRAIN_BAD])
def test_train_config_rejects_naming_the_value(kwargs, field, bad):
    with pytest.raises(ValueError) as err:
        TrainConfig(**kwargs)
    msg = str(err.value)
    assert field in msg and bad in msg, msg


def test_batch_error_gives_the_allowed_range():
    with pytest.raises(ValueError, match=r"1\.\.100"):
        TrainConfig(n_samples=100, batch_size=101)


VAE_BAD = [
    (dict(reg_coeff=0.0), "reg_coeff", "0.0"),
    (dict(reg_coeff=-75.0), "reg_coeff", "-75.0"),
    (dict(reg_coeff=math.inf), "reg_coeff", "inf"),
    (dict(latent_dim=0), "latent_dim", "0"),
    (dict(encoder_activations=("leaky_relu", "swish")), "activation", "swish"),
    (dict(decoder_hidden=(64,)), "decoder", "(64,)"),
    (dict(encoder_hidden=(128, 0)), "width", "0"),
]


@pytest.mark.parametrize("kwargs, field, bad", VAE_BAD, ids=[str(k) for k, _, _ in VAE_BAD])
def test_vae_config_rejects_naming_the_value(kwargs, field, bad):
    with pytest.raises(ValueError) as err:
        VAEConfig(**kwargs)
    msg = str(err.value)
    assert field in msg and bad in msg, msg


GAN_BAD = [
    (dict(lam=0.0), "lambda", "0.0"),
    (dict(lam=-500.0), "lambda", "-500.0"),
    (dict(lam=math.nan), "lambda", "nan"),
    (dict(lam=math.inf), "lambda", "inf"),
    (dict(generator_loss="wasserstein"), "generator loss", "wasserstein"),
    (dict(rule="newton"), "rule", "newton"),
    (dict(base_optimizer="lbfgs"), "base optimizer", "lbfgs"),
    (dict(discriminator_activations=("tanh", "gelu")), "activation", "gelu"),
    (dict(z_dim=0), "z_dim", "0"),
]


@pytest.mark.parametrize("kwargs, field, bad", GAN_BAD, ids=[str(k) for k, _, _ in GAN_BAD])
def test_gan_config_rejects_naming_the_value(kwargs, field, bad):
    with pytest.raises(ValueError) as err:
        GANConfig(**kwargs)
    msg = str(err.value)
    assert field in msg and bad in msg, msg


def test_allowed_values_are_listed():
    with pytest.raises(ValueError, match="nonsaturating, saturating"):
        GANConfig(generator_loss="x")
    with pytest.raises(ValueError, match="alternating"):
        GANConfig(rule="x")
    with pytest.raises(ValueError, match="auto, cpu, cuda"):
        TrainConfig(device="x")
    with pytest.raises(ValueError, match="swiss_roll"):
        TrainConfig(dataset="x")


def test_run_config_checks_model_and_arch():
    with pytest.raises(ValueError, match="'flow'"):
        RunConfig("flow")
    with pytest.raises(ValueError, match="VAEConfig"):
        RunConfig("vae", TrainConfig(), GANConfig())
    assert RunConfig("gan").arch == GANConfig()
    assert RunConfig("vae").arch == VAEConfig()


@pytest.mark.parametrize(
    "text, seeds",
    [
        ("3", (3,)),
        ("0-15", tuple(range(16))),
        ("1,4,9", (1, 4, 9)),
        ("0-2,5", (0, 1, 2, 5)),
        (" 7 - 8 , 10", (7, 8, 10)),
        ("4-4", (4,)),
    ],
)
def test_parse_seeds(text, seeds):
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize(
    "text, quoted",
    [("3-1", "'3-1'"), ("a", "'a'"), ("", "''"), ("1,,2", "'1,,2'"), ("1,1", "'1,1'"),
     ("0-2,1", "'0-2,1'"), ("-1", "'-1'"), ("1.5", "'1.5'")],
)  # fmt: skip
def test_parse_seeds_rejects_quoting_the_text(text, quoted):
    with pytest.raises(ValueError) as err:
        parse_seeds(text)
    assert quoted in str(err.value)


@pytest.mark.parametrize(
    "make", [lambda: TrainConfig(lr=True), lambda: VAEConfig(reg_coeff=True),
             lambda: GANConfig(lam=True)], ids=["lr", "reg_coeff", "lam"],
)  # fmt: skip
def test_booleans_are_not_numbers(make):
    with pytest.raises(ValueError, match="True"):
        make()


def test_n_samples_below_the_snapshot_metrics_minimum_is_refused():
    with pytest.raises(ValueError, match="n_samples must be an integer >= 10"):
        TrainConfig(n_samples=5, batch_size=2)
