"""The compiled step's AOTInductor packages: built once, loaded from the cache afterwards."""

from __future__ import annotations

import os
import time

import torch

from genlab.base.rng import member_generators
from genlab.training import build_model, make_trainer, training_data
from genlab.training.config import RunConfig, TrainConfig
from genlab.training.packaged import STALE_DAYS, PackagedStep, adam, prune_stale

TINY = TrainConfig(n_samples=96, batch_size=32, epochs=1, seeds=(0, 1), snapshots=1,
                   eval_samples=0, compile=True)  # fmt: skip


def compiled_epoch(model: str, config: TrainConfig = TINY):
    cfg = RunConfig(model, config)
    dev = torch.device("cpu")
    x, net = training_data(cfg, dev), build_model(cfg, dev)
    trainer = make_trainer(net, cfg)
    losses = trainer.epoch(x, member_generators(cfg.train.seeds, "train", dev), 32)
    return losses, trainer.compiled.packaged


def test_a_second_run_of_the_step_loads_its_package_and_ends_alike():
    first, _ = compiled_epoch("vae")
    again, packaged = compiled_epoch("vae")
    assert packaged.built == 0 and len(packaged.paths()) == 1  # 3 steps of one shape
    assert all(p.is_file() for p in packaged.paths())
    torch.testing.assert_close(again, first, rtol=0, atol=0)


def test_a_damaged_package_is_built_again(monkeypatch, tmp_path):
    """A package that does not load is removed and built once more (the build stubbed here by
    a copy of the good package, so that the test costs no compilation)."""
    _, packaged = compiled_epoch("vae")
    (path,) = packaged.paths()
    good = tmp_path / "good.pt2"
    good.write_bytes(path.read_bytes())
    path.write_bytes(b"not a package")
    builds = []

    def build(fn, inputs, target):
        builds.append(target)
        target.write_bytes(good.read_bytes())

    monkeypatch.setattr("genlab.training.packaged.build_package", build)
    losses, rebuilt = compiled_epoch("vae")
    assert builds == [path] and rebuilt.built == 1 and torch.isfinite(losses).all()
    assert path.read_bytes() == good.read_bytes()


def test_the_package_key_follows_the_step_and_the_cache_setting(monkeypatch):
    signature = (((10,), "torch.float32", True),)
    one = PackagedStep("vae", lambda: None, {"arch": {"latent_dim": 16}})
    two = PackagedStep("vae", lambda: None, {"arch": {"latent_dim": 8}})
    assert one.package(signature) != two.package(signature)
    assert one.package(signature) != one.package((((11,), "torch.float32", True),))
    monkeypatch.setenv("GENLAB_CACHE", "off")
    off = PackagedStep("vae", lambda: None, {"arch": {"latent_dim": 16}})
    assert "genlab-aoti-" in str(off.package(signature))  # a folder of this object's own


def test_functional_adam_is_the_in_place_update():
    from genlab.training.compiled import adam_

    gen = torch.Generator().manual_seed(0)
    p, g, m = (torch.randn(50, generator=gen) for _ in range(3))
    v, t, lr = torch.rand(50, generator=gen), torch.tensor(3.0), torch.tensor(1e-3)
    new = adam(p, g, m, v, t, lr, (0.9, 0.999), 1e-8)
    p2, m2, v2, t2 = p.clone(), m.clone(), v.clone(), t.clone()
    adam_(p2, g, m2, v2, t2, lr, (0.9, 0.999), 1e-8)
    for a, b in zip(new[:4], (p2, m2, v2, t2), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-7)
    step_size, root = new[4]  # the scalars the update reads from a buffer of their own
    torch.testing.assert_close(step_size, lr / (1 - 0.9**4), rtol=1e-6, atol=0)
    # 1 − β₂ᵗ in float32, as the step tensor is: ~1e-5 relative at t = 4
    torch.testing.assert_close(root, torch.tensor((1 - 0.999**4) ** 0.5), rtol=3e-5, atol=0)


def test_functional_adam_is_torch_optim_adam():
    """Against ``torch.optim.Adam`` itself, over 20 steps."""
    gen = torch.Generator().manual_seed(1)
    w = torch.randn(40, generator=gen)
    ref = torch.nn.Parameter(w.clone())
    opt = torch.optim.Adam([ref], lr=1e-2)
    p, m, v, t = w.clone(), torch.zeros(40), torch.zeros(40), torch.tensor(0.0)
    for _ in range(20):
        g = torch.randn(40, generator=gen)
        ref.grad = g.clone()
        opt.step()
        p, m, v, t, _ = adam(p, g, m, v, t, torch.tensor(1e-2, dtype=torch.float64),
                             (0.9, 0.999), 1e-8)  # fmt: skip
    torch.testing.assert_close(p, ref.detach(), rtol=0, atol=1e-6)


def test_the_gans_step_is_packaged_too():
    losses, packaged = compiled_epoch("gan")
    assert losses.shape == (3, 2, 2) and torch.isfinite(losses).all()
    assert packaged.name == "gan" and len(packaged.paths()) == 1


def test_an_unwritable_cache_falls_back_to_a_folder_of_the_steps_own(tmp_path, monkeypatch):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("GENLAB_CACHE", str(blocked))
    step = PackagedStep("vae", lambda: None, {"arch": {}})
    assert "genlab-aoti-" in str(step.package((((1,), "torch.float32", True),)))


def test_packages_unused_for_a_month_are_removed_after_a_build(monkeypatch, tmp_path):
    """A build prunes the packages not loaded for ``STALE_DAYS`` days (the build stubbed by a
    copy of a good package); a load marks its package as used."""
    _, packaged = compiled_epoch("vae")
    (path,) = packaged.paths()
    good = tmp_path / "good.pt2"
    good.write_bytes(path.read_bytes())
    stale, recent = path.with_name("vae-stale.pt2"), path.with_name("gan-recent.pt2")
    for f in (stale, recent):
        f.write_bytes(b"another version's package")
    long_ago = time.time() - (STALE_DAYS + 1) * 86400
    os.utime(stale, (long_ago, long_ago))
    os.utime(path, (long_ago, long_ago))
    compiled_epoch("vae")  # a load: no build, nothing pruned, the package marked as used
    assert stale.is_file() and path.stat().st_mtime > long_ago + 86400
    path.unlink()

    def build(fn, inputs, target):
        target.write_bytes(good.read_bytes())

    monkeypatch.setattr("genlab.training.packaged.build_package", build)
    _, rebuilt = compiled_epoch("vae")
    assert rebuilt.built == 1 and path.is_file() and recent.is_file() and not stale.exists()


def test_prune_stale_keeps_what_was_used_within_the_period(tmp_path):
    now = time.time()
    ages = {"a.pt2": STALE_DAYS - 1, "b.pt2": STALE_DAYS + 1, "c.txt": STALE_DAYS + 5}
    for name, days in ages.items():
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (now - days * 86400, now - days * 86400))
    assert prune_stale(tmp_path, now) == [tmp_path / "b.pt2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pt2", "c.txt"]
