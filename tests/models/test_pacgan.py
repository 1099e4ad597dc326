"""PacGAN's packing (Lin, Khetan, Fanti & Oh, NeurIPS 2018): D scores the concatenation of m
points; its loss is the λ-GAN's on the packs; pack 1 is the homework's computation itself."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from genlab.base.errors import UserError
from genlab.base.rng import member_generators
from genlab.models.config import MAX_PACK, GANConfig
from genlab.models.gan import GAN
from genlab.models.packing import pack
from genlab.training import build_model, make_trainer, training_data
from genlab.training.config import RunConfig, TrainConfig

CPU = torch.device("cpu")


def _points(members: int, b: int, d: int = 2, seed: int = 0) -> torch.Tensor:
    return torch.randn(members, b, d, generator=torch.Generator().manual_seed(seed))


def _by_hand(x: torch.Tensor, m: int) -> torch.Tensor:
    """Pack j of member e = [x_e,jm, …, x_e,jm+m−1], concatenated, one pack at a time."""
    members, b, _ = x.shape
    return torch.stack([
        torch.stack([torch.cat([x[e, j * m + i] for i in range(m)]) for j in range(b // m)])
        for e in range(members)
    ])  # fmt: skip


@pytest.mark.parametrize("m, b", [(2, 8), (3, 8), (4, 8), (3, 3), (8, 9)])
def test_pack_is_the_concatenation_of_m_consecutive_points(m, b):
    x = _points(2, b)
    packed = pack(x, m)
    assert packed.shape == (2, b // m, 2 * m)
    assert torch.equal(packed, _by_hand(x, m))  # the last b mod m points are dropped


def test_pack_one_is_the_batch_itself():
    x = _points(2, 5)
    assert pack(x, 1) is x


def _packed_trainer(m: int, lam: float = 1.0, seeds=(0, 1)):
    config = RunConfig("gan", TrainConfig(dataset="ring", n_samples=64, batch_size=16,
                                          seeds=seeds, device="cpu"),
                       GANConfig(lam=lam, pack=m))  # fmt: skip
    model = build_model(config, CPU)
    return config, model, make_trainer(model, config)


@pytest.mark.parametrize("m", [2, 3])
def test_the_packed_discriminator_sees_the_concatenated_points(m):
    _, model, trainer = _packed_trainer(m)
    first = model.discriminator.linears()[0]
    assert first.in_features == m * 2
    seen, scores = [], model.discriminate

    def spy(x: torch.Tensor) -> torch.Tensor:  # what D's first layer receives
        seen.append(x.detach())
        return scores(x)

    model.discriminate = spy
    x, z = _points(2, 16), torch.randn(2, 16, 100, generator=torch.Generator().manual_seed(1))
    trainer.d_loss(x, z)
    with torch.no_grad():
        fake = model.generate(z)
    # one pass over real packs then generated packs (objectives.discriminator_step_loss)
    want = torch.cat((_by_hand(x, m), _by_hand(fake, m)), dim=1)
    assert torch.equal(seen[0], want)


@pytest.mark.parametrize("m, lam", [(2, 1.0), (3, 1.0), (4, 500.0)])
def test_pacgan_losses_are_the_lambda_gan_losses_on_the_packs(m, lam):
    """−(E log D(packs of x) + λ E log(1 − D(packs of G(z)))), and −E log D(packs of G(z))."""
    _, model, trainer = _packed_trainer(m, lam)
    x = _points(2, 16).double()
    z = torch.randn(2, 16, 100, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    model.double()
    with torch.no_grad():
        fake = model.generate(z)
        s_real = model.discriminator(_by_hand(x, m)).squeeze(-1)  # (E, ⌊16/m⌋)
        s_fake = model.discriminator(_by_hand(fake, m)).squeeze(-1)
        log_d_real = torch.log(torch.sigmoid(s_real))
        log_1m_d_fake = torch.log(1 - torch.sigmoid(s_fake))
        d_want = -(log_d_real.mean(1) + lam * log_1m_d_fake.mean(1))
        g_want = -torch.log(torch.sigmoid(s_fake)).mean(1)
        torch.testing.assert_close(trainer.d_loss(x, z), d_want, rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(trainer.g_loss(z), g_want, rtol=1e-10, atol=1e-12)
    # and the generator's loss reaches G through every point of each pack
    z.requires_grad_(True)
    trainer.g_loss(z).sum().backward()
    assert z.grad is not None and (z.grad[:, : (16 // m) * m].abs().sum(-1) > 0).all()


def test_pack_one_builds_and_scores_exactly_the_homeworks_discriminator():
    plain, packed1 = GAN(GANConfig(), 2), GAN(GANConfig(pack=1), 2)
    for e, g in enumerate(member_generators((0, 1), "init")):
        plain.reset_member(e, g)
    for e, g in enumerate(member_generators((0, 1), "init")):
        packed1.reset_member(e, g)
    for a, b in zip(plain.state_dict().values(), packed1.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    x = _points(2, 7)
    assert torch.equal(plain.discriminate(x), packed1.discriminate(packed1.packed(x)))


def test_a_last_batch_too_short_for_one_pack_takes_no_step():
    """65 points in batches of 32: the last batch holds 1 point, which forms no pack of 2."""
    config = RunConfig("gan", TrainConfig(dataset="ring", n_samples=65, batch_size=32,
                                          device="cpu"), GANConfig(lam=1.0, pack=2))  # fmt: skip
    x = training_data(config, CPU)
    trainer = make_trainer(build_model(config, CPU), config)
    losses = trainer.epoch(x, member_generators((0,), "train"), 32)
    assert losses.shape == (2, 2, 1) and torch.isfinite(losses).all()


def test_gan_lab_view_is_empty_for_packs():
    _, _, trainer = _packed_trainer(2)
    assert trainer.snapshot_views(member_generators((0, 1), "eval", "cpu", 0)) == {}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"pack": 0}, "pack must be an integer in [1, 8]"),
        ({"pack": MAX_PACK + 1}, "got 9"),
        ({"pack": 2.0}, "got 2.0"),
        ({"pack": True}, "got True"),
        ({"pack": 2, "sampler": "rejection"}, "pack 2 scores packs of 2 points"),
    ],
)
def test_config_refuses_naming_the_value(kwargs, message):
    with pytest.raises(UserError, match=message.replace("[", r"\[").replace("]", r"\]")):
        GANConfig(**kwargs)


def test_run_config_refuses_compile_and_a_batch_smaller_than_a_pack():
    t = TrainConfig(n_samples=64, batch_size=4, device="cpu")
    with pytest.raises(UserError, match="compile compiles the homework's step only.*pack 2"):
        RunConfig("gan", dataclasses.replace(t, compile=True), GANConfig(pack=2))
    with pytest.raises(UserError, match="batch_size 4 is smaller than pack 5"):
        RunConfig("gan", t, GANConfig(pack=5))
    assert RunConfig("gan", t, GANConfig(pack=4)).arch.pack == 4


def test_a_trained_pacgan_refuses_the_rejection_sampler(tmp_path):
    from genlab.training import fit, load_model
    from genlab.training.rundir import RunDir, environment

    config = RunConfig("gan", TrainConfig(dataset="ring", n_samples=64, batch_size=32, epochs=1,
                                          snapshots=1, device="cpu", eval_samples=0),
                       GANConfig(lam=1.0, pack=2))  # fmt: skip
    run = fit(RunDir.create(tmp_path / "r", config, environment("cpu"))).run
    assert load_model(run).sample(5).shape == (1, 5, 2)
    with pytest.raises(UserError, match="sampler 'rejection' needs D's logit of a single point"):
        load_model(run, sampler="rejection")
