"""The training core: the homework's loops, member independence, resume, divergence, run files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from run_checks import Interrupt, assert_nested_equal
from torch import nn

from genlab import objectives
from genlab.base.errors import NonFiniteLossError, UserError
from genlab.base.rng import member_generators, stream_seed
from genlab.data import get_dataset
from genlab.training import (
    FitHooks,
    build_model,
    fit,
    load_model,
    make_trainer,
    training_data,
)
from genlab.training.config import RunConfig
from genlab.training.rundir import RunDir

CPU = torch.device("cpu")


def model_state(run: RunDir) -> dict[str, torch.Tensor]:
    return run.load_checkpoint()["model"]


def losses_only(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


# -- random streams -------------------------------------------------------------------------------
def test_streams_init_is_the_raw_seed_and_the_others_differ():
    assert stream_seed(5, "init") == 5
    seeds = {stream_seed(5, s) for s in ("init", "data", "train", "eval")}
    assert len(seeds) == 4
    assert stream_seed(5, "eval", 1) != stream_seed(5, "eval", 2)
    assert stream_seed(5, "data") != stream_seed(6, "data")
    # member k of a list draws what the seed draws alone
    many, alone = member_generators((4, 5, 6), "train"), member_generators((5,), "train")
    assert torch.equal(torch.rand(5, generator=many[1]), torch.rand(5, generator=alone[0]))


def test_training_data_is_each_members_own_draw_in_float32(make_config):
    config = make_config("vae", seeds=(2, 9))
    x = training_data(config, CPU)
    assert x.shape == (2, 128, 2) and x.dtype == torch.float32
    spec = get_dataset("swiss_roll")
    for e, s in enumerate((2, 9)):
        ref = spec.sample(128, generator=stream_seed(s, "data")).float()
        assert torch.equal(x[e], ref)


# -- against the homework's own loops -------------------------------------------------------------
@pytest.mark.parametrize("n", [96, 100])  # 100: a last, short batch of 4
def test_vae_epoch_equals_the_homework_loop_on_the_same_batches_and_noise(make_config, n):
    """hw12 Problem 3, Step 4, with the trainer's shuffle and ε: same parameters after an epoch."""
    config = make_config("vae", n_samples=n, batch_size=32, seeds=(4,))
    x = training_data(config, CPU)
    model = build_model(config, CPU)
    trainer = make_trainer(model, config)
    gens = member_generators((4,), "train")
    replay = member_generators((4,), "train")[0]
    assert trainer.epoch(x, gens, 32).shape == (math.ceil(n / 32), 3, 1)  # (steps, K, E)

    torch.manual_seed(4)
    enc = nn.Sequential(nn.Linear(2, 128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.Tanh(),
                        nn.Linear(128, 32))  # fmt: skip
    dec = nn.Sequential(nn.Linear(16, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.Tanh(),
                        nn.Linear(64, 2))  # fmt: skip
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=5e-4)
    perm = torch.randperm(n, generator=replay)
    eps = torch.randn(n, 16, generator=replay)
    for idx, e in zip(perm.split(32), eps.split(32), strict=True):
        xb = x[0, idx]
        out = enc(xb)
        mu, log_std = out[:, :16], out[:, 16:]
        x_hat = dec(e * log_std.exp() + mu)
        kl = (-log_std - 0.5 + (torch.exp(2 * log_std) + mu**2) * 0.5).sum(1).mean()
        loss = nn.MSELoss()(x_hat, xb) * 75 + kl
        loss.backward()
        opt.step()
        opt.zero_grad()
    ours = model.encoder.linears() + model.decoder.linears()
    theirs = [m for m in [*enc, *dec] if isinstance(m, nn.Linear)]
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a.weight[0], b.weight.detach().T, rtol=0, atol=1e-5)
        torch.testing.assert_close(a.bias[0, 0], b.bias.detach(), rtol=0, atol=1e-5)
    assert not torch.equal(
        ours[0].weight[0], build_model(config, CPU).encoder.linears()[0].weight[0]
    )


@pytest.mark.parametrize("n", [96, 100])
def test_gan_epoch_equals_the_homework_loop_on_the_same_batches_and_noise(make_config, n):
    """hw12 Problem 4, Step 4 (D then G, λ = 500, −mean log D(G(z))), same shuffle and z.

    As in the homework, every step draws batch_size noise vectors, also for a short batch.
    """
    config = make_config("gan", n_samples=n, batch_size=32, seeds=(4,))
    x = training_data(config, CPU)
    model = build_model(config, CPU)
    trainer = make_trainer(model, config)
    trainer.epoch(x, member_generators((4,), "train"), 32)

    replay = member_generators((4,), "train")[0]
    torch.manual_seed(4)
    G = nn.Sequential(nn.Linear(100, 32), nn.Tanh(), nn.Linear(32, 2))
    D = nn.Sequential(nn.Linear(2, 128), nn.Tanh(), nn.Linear(128, 128), nn.Tanh(),
                      nn.Linear(128, 1), nn.Sigmoid())  # fmt: skip
    G_opt, D_opt = torch.optim.Adam(G.parameters(), 5e-4), torch.optim.Adam(D.parameters(), 5e-4)
    perm = torch.randperm(n, generator=replay)
    steps = math.ceil(n / 32)
    noise = torch.randn(steps * 2, 32, 100, generator=replay)  # two draws per step
    for i, idx in enumerate(perm.split(32)):
        xb = x[0, idx]
        D.zero_grad()
        d_loss = -(
            torch.mean(torch.log(D(xb))) + 500 * torch.mean(torch.log(1 - D(G(noise[2 * i]))))
        )
        d_loss.backward()
        D_opt.step()
        G.zero_grad()
        g_loss = -torch.mean(torch.log(D(G(noise[2 * i + 1]))))
        g_loss.backward()
        G_opt.step()
    pairs = [(model.generator, G), (model.discriminator, D)]
    for ens, ref in pairs:
        theirs = [m for m in ref if isinstance(m, nn.Linear)]
        for a, b in zip(ens.linears(), theirs, strict=True):
            torch.testing.assert_close(a.weight[0], b.weight.detach().T, rtol=0, atol=1e-5)
            torch.testing.assert_close(a.bias[0, 0], b.bias.detach(), rtol=0, atol=1e-5)


# -- (a) member independence ----------------------------------------------------------------------
@pytest.mark.parametrize("model", ["vae", "gan"])
def test_member_k_of_many_trains_exactly_as_seed_k_alone(model, make_config, make_run):
    many = fit(make_run(make_config(model, seeds=(0, 1, 2), epochs=3), "many")).run
    state = model_state(many)
    metrics = many.read_metrics()
    snaps = many.load_snapshots()
    for k in (0, 2):
        alone = fit(make_run(make_config(model, seeds=(k,), epochs=3), f"alone{k}")).run
        ref = model_state(alone)
        for name, value in state.items():
            torch.testing.assert_close(value[k], ref[name][0], rtol=0, atol=1e-5, msg=name)
        for rec, rec_alone in zip(metrics, alone.read_metrics(), strict=True):
            for loss in rec:
                if isinstance(rec[loss], list):
                    assert rec[loss][k] == pytest.approx(rec_alone[loss][0], rel=1e-5, abs=1e-6)
        for key, value in alone.load_snapshots().items():
            np.testing.assert_allclose(snaps[key][k], value[0], rtol=0, atol=1e-5)
    # and the members did not all learn the same thing
    first = next(iter(state.values()))
    assert not torch.equal(first[0], first[1])


# -- (b) resume -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "model, checkpoint_every, stop_at",
    [("vae", 1, 2), ("gan", 2, 2), ("vae", 2, 3), ("gan", 1, 3)],
)
def test_an_interrupted_and_resumed_run_ends_exactly_where_a_straight_run_does(
    model, checkpoint_every, stop_at, make_config, make_run
):
    config = make_config(model, seeds=(0, 1), epochs=4, checkpoint_every=checkpoint_every)
    straight = fit(make_run(config, "straight")).run
    resumed = make_run(config, "resumed")
    with pytest.raises(KeyboardInterrupt):
        fit(resumed, hooks=FitHooks(on_epoch=Interrupt(stop_at)))
    ckpt_epoch = resumed.load_checkpoint()["epoch"]
    assert ckpt_epoch == stop_at - stop_at % checkpoint_every
    assert [r["epoch"] for r in resumed.read_metrics()] == list(range(1, ckpt_epoch + 1))
    assert not resumed.samples_file.exists()
    fit(resumed)
    a, b = straight.load_checkpoint(), resumed.load_checkpoint()
    assert a["epoch"] == b["epoch"] == 4
    assert_nested_equal(a["model"], b["model"], "model")
    assert_nested_equal(a["trainer"], b["trainer"], "trainer")
    assert_nested_equal(a["rng"], b["rng"], "rng")
    assert [r["epoch"] for r in resumed.read_metrics()] == [1, 2, 3, 4]
    assert losses_only(resumed.read_metrics()) == losses_only(straight.read_metrics())
    sa, sb = straight.load_snapshots(), resumed.load_snapshots()
    assert sa.keys() == sb.keys()
    for key in sa:
        np.testing.assert_array_equal(sa[key], sb[key])
    np.testing.assert_array_equal(np.load(straight.samples_file), np.load(resumed.samples_file))
    assert_same_npz(straight.frames_file, resumed.frames_file)


def test_resume_after_a_crash_inside_a_later_checkpoint_keeps_each_epoch_once(
    make_config, make_run, monkeypatch
):
    """Metrics of epochs 3-4 are written, the epoch-4 checkpoint is not: they are dropped."""
    config = make_config("gan", epochs=6, checkpoint_every=2, snapshots=1)
    straight = fit(make_run(config, "straight")).run
    run = make_run(config)
    real_save = RunDir.save_checkpoint

    def crash_at_4(self, state):
        if state["epoch"] == 4:
            raise KeyboardInterrupt
        real_save(self, state)

    monkeypatch.setattr(RunDir, "save_checkpoint", crash_at_4)
    with pytest.raises(KeyboardInterrupt):
        fit(run)
    assert run.load_checkpoint()["epoch"] == 2
    assert [r["epoch"] for r in run.read_metrics()] == [1, 2, 3, 4]
    monkeypatch.undo()
    fit(run)
    assert losses_only(run.read_metrics()) == losses_only(straight.read_metrics())
    assert_nested_equal(run.load_checkpoint()["model"], straight.load_checkpoint()["model"])
    assert_same_npz(run.frames_file, straight.frames_file)  # frames 3-4 were dropped, redone


def assert_same_npz(a: Path, b: Path) -> None:
    with np.load(a) as za, np.load(b) as zb:
        assert za.files == zb.files
        for key in za.files:
            np.testing.assert_array_equal(za[key], zb[key])


def test_resume_after_a_crash_inside_the_first_checkpoint_keeps_each_epoch_once(
    make_config, make_run, monkeypatch
):
    """A crash between writing metrics and writing the first checkpoint, then a resume."""
    config = make_config("gan", epochs=4, checkpoint_every=2, snapshots=1)
    run = make_run(config)
    real_save = RunDir.save_checkpoint

    def crash(self, state):
        raise KeyboardInterrupt

    monkeypatch.setattr(RunDir, "save_checkpoint", crash)
    with pytest.raises(KeyboardInterrupt):
        fit(run)
    assert run.load_checkpoint() is None
    monkeypatch.setattr(RunDir, "save_checkpoint", real_save)
    fit(run)
    assert [r["epoch"] for r in run.read_metrics()] == [1, 2, 3, 4]


def test_fit_on_a_finished_run_changes_nothing(make_config, make_run):
    run = fit(make_run(make_config("gan", epochs=2, snapshots=1))).run
    before = run.load_checkpoint()
    fit(run)
    assert_nested_equal(before, run.load_checkpoint())
    assert [r["epoch"] for r in run.read_metrics()] == [1, 2]


# -- (c) divergence -------------------------------------------------------------------------------
def nan_for_member_1_at_epoch_2(monkeypatch, name: str, steps_per_epoch: int) -> None:
    """Make ``objectives.<name>`` return NaN for member 1 on the first step of epoch 2."""
    real = getattr(objectives, name)
    calls = {"n": 0}

    def poisoned(*args, **kwargs):
        out = real(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == steps_per_epoch + 1:
            out = out.clone()
            out[1] = float("nan")
        return out

    monkeypatch.setattr(objectives, name, poisoned)


@pytest.mark.parametrize("model, loss", [("vae", "vae_loss"), ("gan", "discriminator_loss")])
def test_a_nonfinite_loss_stops_naming_epoch_step_member_and_keeps_the_last_checkpoint(
    model, loss, make_config, make_run, monkeypatch
):
    config = make_config(model, seeds=(3, 5, 7), epochs=4, checkpoint_every=1, snapshots=1)
    run = make_run(config)
    nan_for_member_1_at_epoch_2(monkeypatch, loss, steps_per_epoch=128 // 32)
    with pytest.raises(NonFiniteLossError) as err:
        fit(run)
    msg = str(err.value)
    assert "epoch 2" in msg and "step 1 " in msg and "member 1" in msg and "seed 5" in msg
    ckpt = run.load_checkpoint()
    assert ckpt["epoch"] == 1
    assert all(torch.isfinite(v).all() for v in ckpt["model"].values())
    loaded = load_model(run)
    assert all(torch.isfinite(p).all() for p in loaded.parameters())
    assert [r["epoch"] for r in run.read_metrics()] == [1]
    assert not run.samples_file.exists()
    # the run resumes from that checkpoint and ends as an undisturbed run does
    monkeypatch.undo()
    fit(run)
    ref = fit(make_run(config, "undisturbed")).run
    assert_nested_equal(ref.load_checkpoint()["model"], run.load_checkpoint()["model"])


def test_a_huge_learning_rate_diverges_with_nonfinite_loss_error(make_config, make_run):
    run = make_run(make_config("vae", lr=1e30, epochs=4, checkpoint_every=1, snapshots=1))
    with pytest.raises(NonFiniteLossError, match=r"non-finite .* at epoch \d+, step \d+"):
        fit(run)


# -- (d) run directory ----------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["vae", "gan"])
def test_run_directory_contents(model, make_config, make_run):
    config = make_config(model, seeds=(0, 1), epochs=4, snapshots=2)
    run = fit(make_run(config)).run
    raw = json.loads(run.config_file.read_text())
    assert RunConfig.from_dict(raw) == config == run.config()
    env = run.environment()
    assert {"torch", "numpy", "device", "torch_threads", "genlab"} <= env.keys()
    snaps = run.load_snapshots()
    kinds = ["samples", "prior"] if model == "vae" else ["samples"]
    views = {"disc_logits": (2, 64, 64), "gen_points": (2, 256, 2), "gen_grad": (2, 256, 2)}
    extra = views if model == "gan" else {}
    assert set(snaps) == {f"{k}_{ep}" for k in [*kinds, *extra] for ep in (2, 4)}
    for key, value in snaps.items():
        assert value.shape == extra.get(key.rsplit("_", 1)[0], (2, 128, 2))
        assert np.isfinite(value).all()
    with np.load(run.frames_file) as frames:  # 50 frames asked, one per epoch at most
        assert frames["epochs"].tolist() == [1, 2, 3, 4]
        assert set(frames.files) == {"epochs", *kinds}
        for kind in kinds:
            assert frames[kind].shape == (4, 2, 128, 2)
            np.testing.assert_array_equal(frames[kind][-1], snaps[f"{kind}_4"])
    samples = np.load(run.samples_file)
    assert samples.shape == (2, 128, 2)
    data = np.load(run.path / "data.npy")
    np.testing.assert_array_equal(data, training_data(config, CPU).numpy())
    assert (run.path / "reconstructions.npy").exists() == (model == "vae")
    assert not run.is_done()  # DONE belongs to the CLI, after the figures
    assert [r["epoch"] for r in run.read_metrics()] == [1, 2, 3, 4]
    # the final files are what the trained model gives with the documented streams
    trained = load_model(run)
    final = trained.sample(128, generators=member_generators((0, 1), "eval", "cpu", 0))
    np.testing.assert_array_equal(samples, final.numpy())
    if model == "vae":
        recon = trained.reconstruct(torch.from_numpy(data))
        np.testing.assert_allclose(snaps["samples_4"], recon.numpy(), rtol=0, atol=1e-6)
        np.testing.assert_array_equal(np.load(run.path / "reconstructions.npy"), recon.numpy())


def test_run_create_refuses_an_existing_run(tiny_run_config, make_run, tmp_path: Path):
    config = tiny_run_config
    make_run(config)
    with pytest.raises(UserError, match="resume"):
        make_run(config)
    with pytest.raises(UserError, match="no run at"):
        RunDir.open(tmp_path / "nothing")


def test_config_roundtrip_keeps_a_changed_architecture(make_config):
    from genlab.training.config import GANConfig

    config = make_config("gan", seeds=(1, 4, 9))
    config = RunConfig("gan", config.train, GANConfig(lam=3.5, discriminator_hidden=(16,),
                       discriminator_activations=("relu",)))  # fmt: skip
    assert RunConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


# -- (e) alternating step -------------------------------------------------------------------------
def test_alternating_step_d_moves_only_d_and_g_moves_only_g(make_config):
    config = make_config("gan", seeds=(0, 1))
    model = build_model(config, CPU)
    trainer = make_trainer(model, config)
    g0 = [p.detach().clone() for p in model.generator.parameters()]
    d0 = [p.detach().clone() for p in model.discriminator.parameters()]
    seen = {}
    x = training_data(config, CPU)[:, :32]
    z = torch.randn(2, 2, 32, 100, generator=torch.Generator().manual_seed(0))

    def closure(player: str) -> torch.Tensor:
        seen[player] = (
            [p.detach().clone() for p in model.generator.parameters()],
            [p.detach().clone() for p in model.discriminator.parameters()],
        )
        return trainer.d_loss(x, z[:, 0]) if player == "d" else trainer.g_loss(z[:, 1])

    d_loss, g_loss = trainer.game.step(closure)
    assert list(seen) == ["d", "g"]  # D first, then G
    assert d_loss.shape == g_loss.shape == (2,) and not d_loss.requires_grad
    g_at_g, d_at_g = seen["g"]
    # the D step left G alone and moved D
    assert all(torch.equal(a, b) for a, b in zip(g_at_g, g0, strict=True))
    assert any(not torch.equal(a, b) for a, b in zip(d_at_g, d0, strict=True))
    # the G step left D alone and moved G
    d1 = list(model.discriminator.parameters())
    g1 = list(model.generator.parameters())
    assert all(torch.equal(a, b) for a, b in zip(d1, d_at_g, strict=True))
    assert any(not torch.equal(a, b) for a, b in zip(g1, g_at_g, strict=True))
    # G's loss was computed at (θ_t, φ_{t+1}): recompute it there, and at φ_t for contrast
    with torch.no_grad():
        for p, v in zip(model.generator.parameters(), g_at_g, strict=True):
            p.copy_(v)
        torch.testing.assert_close(g_loss, trainer.g_loss(z[:, 1]), rtol=1e-6, atol=0)
        for p, v in zip(model.discriminator.parameters(), d0, strict=True):
            p.copy_(v)
        assert not torch.equal(g_loss, trainer.g_loss(z[:, 1]))


def test_gan_lab_view_arrows_are_minus_the_generator_loss_gradient(make_config):
    """gen_grad = −∂ℓ_G/∂x per point, checked by central differences of the per-point loss."""
    config = make_config("gan", seeds=(0, 1), epochs=1)
    trainer = make_trainer(build_model(config, CPU), config)
    view = trainer.snapshot_views(member_generators((0, 1), "eval", "cpu", 0), grid=5, points=4)
    assert view["disc_logits"].shape == (2, 5, 5)
    # row i ↔ y_i, column j ↔ x_j: the corner [0, -1] is (x, y) = (1.5, -1.5)
    corner = torch.tensor([[[1.5, -1.5]]]).expand(2, 1, 2)
    torch.testing.assert_close(
        view["disc_logits"][:, 0, -1], trainer.model.discriminate(corner)[:, 0]
    )
    x = view["gen_points"].double()
    net = trainer.model.double()

    def loss(points):  # the per-point generator loss, −log D(x) (non-saturating)
        return torch.nn.functional.softplus(-net.discriminate(points))

    h = 1e-6
    for d in range(2):
        step = torch.zeros_like(x)
        step[..., d] = h
        fd = (loss(x + step) - loss(x - step)) / (2 * h)  # (E, m)
        torch.testing.assert_close(view["gen_grad"][..., d].double(), -fd, rtol=1e-3, atol=1e-5)
