"""Discriminator rejection sampling against closed forms: a known density ratio gives the
target's moments, a flat one accepts everything, a peaked one stops with a clear error."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from genlab.base.errors import UserError
from genlab.base.rng import member_generators
from genlab.models.gan import GAN
from genlab.models.rejection import accept_probability, rejection_sample
from genlab.training import fit, load_model
from genlab.training.config import GANConfig, RunConfig
from genlab.training.rundir import RunDir


def gaussians(generators, mu: float, sigma: float):
    """Proposal q = N(0, I₂) per member; the log ratio log p/q of p = N(mu·1, sigma² I₂), up to
    a constant: −|x − mu|²/(2σ²) + |x|²/2."""

    def propose(k: int) -> torch.Tensor:
        return torch.stack([torch.randn(k, 2, generator=g, dtype=torch.float64)
                            for g in generators])  # fmt: skip

    def logit(x: torch.Tensor) -> torch.Tensor:
        return -((x - mu) ** 2).sum(-1) / (2 * sigma**2) + (x**2).sum(-1) / 2

    return propose, logit


def test_accepted_samples_follow_the_target_of_a_known_ratio():
    gens = member_generators((0, 1), "sample")
    mu, sigma, n = 0.5, 0.6, 20_000
    x = rejection_sample(*gaussians(gens, mu, sigma), n, gens).numpy()
    assert x.shape == (2, n, 2)
    for member in x:  # mean mu ± 4 s.e., std sigma ± 4 s.e. (s.e. of a std ≈ σ/√(2n))
        np.testing.assert_allclose(member.mean(0), mu, atol=4 * sigma / math.sqrt(n))
        np.testing.assert_allclose(member.std(0), sigma, atol=4 * sigma / math.sqrt(2 * n))
    assert not np.array_equal(x[0], x[1])  # each member its own stream


def test_the_gamma_shift_follows_its_closed_form():
    """σ(logit(p) − γ) = p / (p + (1 − p)·e^γ), p = e^d (Azadi et al. 2019, eq. 8, ε = 0)."""
    d = torch.linspace(-30, -1e-6, 2001, dtype=torch.float64)
    p = torch.exp(d)
    assert torch.equal(accept_probability(d, 0.0), p)  # the plain rule, bit for bit
    for gamma in (-2.0, 0.5, 3.0):
        closed = p / (p + (1 - p) * math.exp(gamma))
        torch.testing.assert_close(accept_probability(d, gamma), closed, rtol=1e-9, atol=0)
    above = torch.tensor([0.0, 0.3, 5.0], dtype=torch.float64)  # above the bound: always kept
    assert torch.equal(accept_probability(above, 3.0), torch.ones(3, dtype=torch.float64))
    assert bool((accept_probability(d, 1.0) < accept_probability(d, 0.5)).all())  # stricter


def test_a_positive_gamma_keeps_the_points_of_highest_ratio():
    """p = N(0.5, 0.6²) under q = N(0, 1): γ > 0 draws tighter than p, towards where the
    ratio p/q peaks, x = μ / (1 − σ²) ≈ 0.78 per coordinate."""
    gens = member_generators((0,), "sample")
    plain = rejection_sample(*gaussians(gens, 0.5, 0.6), 20_000, gens).numpy()[0]
    gens = member_generators((0,), "sample")
    strict = rejection_sample(*gaussians(gens, 0.5, 0.6), 20_000, gens, gamma=3.0).numpy()[0]
    assert strict.std(0).max() < 0.9 * plain.std(0).min()
    assert (strict.mean(0) > 0.55).all() and (strict.mean(0) < 0.5 / (1 - 0.36)).all()


def test_gamma_belongs_to_the_rejection_sampler():
    with pytest.raises(UserError, match="rejection_gamma 1.0 applies to sampler 'rejection'"):
        GANConfig(rejection_gamma=1.0)
    with pytest.raises(UserError, match="rejection_gamma must be a finite number"):
        GANConfig(sampler="rejection", rejection_gamma=float("inf"))
    assert GANConfig(sampler="rejection", rejection_gamma=2.0).rejection_gamma == 2.0


def test_the_raw_proposals_are_far_from_that_target():
    """The test above could not pass on unfiltered proposals."""
    gens = member_generators((0,), "sample")
    propose, _ = gaussians(gens, 0.5, 0.6)
    assert abs(float(propose(20_000).mean()) - 0.5) > 0.4


def test_a_flat_ratio_accepts_every_proposal_in_order():
    gens = member_generators((3,), "sample")
    drawn = []

    def propose(k: int) -> torch.Tensor:
        x = torch.randn(1, k, 2, generator=gens[0])
        drawn.append(x)
        return x

    x = rejection_sample(propose, lambda x: torch.zeros(x.shape[:2]), 50, gens, burn_in=7,
                         chunk=20)  # fmt: skip
    assert torch.equal(x[0], torch.cat(drawn[1:], dim=1)[0, :50])  # after the burn-in, all kept


def test_the_same_generators_give_the_same_samples():
    def draw():
        gens = member_generators((0, 1), "sample")
        return rejection_sample(*gaussians(gens, 0.5, 0.6), 100, gens, burn_in=50, chunk=64)

    assert torch.equal(draw(), draw())


def test_a_peaked_ratio_stops_with_a_clear_error(monkeypatch):
    monkeypatch.setattr("genlab.models.rejection.MAX_PROPOSALS_PER_SAMPLE", 5)
    gens = member_generators((0,), "sample")
    with pytest.raises(RuntimeError, match=r"accepted only \d+ of \d+ proposals for member 0"):
        rejection_sample(*gaussians(gens, 3.0, 0.05), 100, gens, burn_in=100, chunk=100)


@pytest.mark.parametrize("bad", [dict(n=0), dict(burn_in=0), dict(chunk=1.5)])
def test_bad_sizes_are_refused(bad):
    gens = member_generators((0,), "sample")
    args = {"n": 10, "burn_in": 10, "chunk": 10} | bad
    with pytest.raises(ValueError, match=next(iter(bad))):
        rejection_sample(*gaussians(gens, 0.0, 1.0), args.pop("n"), gens, **args)


def test_gan_config_refuses_an_unknown_sampler():
    with pytest.raises(ValueError, match="unknown sampler 'nope'; allowed: generator, rejection"):
        GANConfig(sampler="nope")


def test_a_gan_with_the_rejection_sampler_keeps_its_high_logit_points():
    """A hand-set discriminator, logit = −|x|² / mean |G(z)|²: accepted points are the
    generator's points near the origin, and G(z) alone is not."""
    gan = GAN(GANConfig(sampler="rejection"), members=1)
    gan.reset_member(0, torch.Generator().manual_seed(0))
    raw = gan.generate_samples(2000, generators=member_generators((0,), "sample"))
    scale = float((raw**2).sum(-1).mean())
    gan.discriminate = lambda x: -(x**2).sum(-1) / scale
    x = gan.sample(2000, generators=member_generators((0,), "sample"))
    assert x.shape == raw.shape == (1, 2000, 2)
    assert float((x**2).sum(-1).mean()) < 0.6 * scale  # E|x|² under q·exp(−|x|²/c) ∝ …


def test_a_rejection_run_evaluates_its_corrected_samples(make_config, make_run):
    cfg = make_config("gan", seeds=(0,), epochs=2, eval_samples=0)
    config = RunConfig("gan", cfg.train, GANConfig(sampler="rejection"))
    run = fit(make_run(config)).run
    from genlab.evaluation.runs import evaluate_run

    result = evaluate_run(RunDir.open(run.path), n=200)
    assert result["samples"] == "generated samples after discriminator rejection sampling"
    assert load_model(run).config.sampler == "rejection"
    own = (run.path / "evaluation.json").read_bytes()

    from genlab.cli.main import main

    assert main(["evaluate", str(run.path), "--n", "200", "--sampler", "generator"]) == 0
    raw = json.loads((run.path / "evaluation-generator.json").read_text())
    assert raw["samples"] == "generated samples"
    assert (run.path / "evaluation.json").read_bytes() == own  # the run's own stays
    ours, theirs = raw["metrics"]["w1"]["values"], result["metrics"]["w1"]["values"]
    assert ours != theirs


def test_gamma_changes_the_samples_and_never_the_training(make_config, make_run):
    cfg = make_config("gan", seeds=(0, 1), epochs=2, eval_samples=0)
    runs = {}
    for gamma in (0.0, 3.0):
        arch = GANConfig(sampler="rejection", rejection_gamma=gamma)
        runs[gamma] = fit(make_run(RunConfig("gan", cfg.train, arch), f"gamma{gamma}")).run
    models = {g: load_model(r) for g, r in runs.items()}
    for a, b in zip(models[0.0].state_dict().values(), models[3.0].state_dict().values(),
                    strict=True):  # fmt: skip
        assert torch.equal(a, b)  # the sampler's γ is not part of training
    assert models[3.0].config.rejection_gamma == 3.0
    draws = {g: m.sample(300, generators=member_generators((0, 1), "sample")) for g, m in
             models.items()}  # fmt: skip
    assert not torch.equal(draws[0.0], draws[3.0])
    plain = load_model(runs[3.0], sampler="generator")  # another sampler leaves γ behind
    assert plain.config.rejection_gamma == 0.0


def test_evaluate_takes_another_gamma_into_its_own_file(make_config, make_run, capsys):
    from genlab.cli.main import main

    cfg = make_config("gan", seeds=(0,), epochs=2, eval_samples=0)
    run = fit(make_run(RunConfig("gan", cfg.train, GANConfig(sampler="rejection")))).run
    argv = ["evaluate", str(run.path), "--n", "100"]
    assert main([*argv, "--rejection-gamma", "2"]) == 0
    strict = json.loads((run.path / "evaluation-rejection-gamma2.json").read_text())
    assert strict["rejection_gamma"] == 2.0 and not (run.path / "evaluation.json").exists()
    assert main(argv) == 0
    own = json.loads((run.path / "evaluation.json").read_text())
    assert own["rejection_gamma"] == 0.0
    assert own["metrics"]["w1"]["values"] != strict["metrics"]["w1"]["values"]
    capsys.readouterr()
    assert main([*argv, "--sampler", "generator", "--rejection-gamma", "1"]) == 2
    assert "needs the rejection sampler" in capsys.readouterr().err
    assert main([*argv, "--rejection-gamma", "nan"]) == 2
    assert "rejection_gamma must be a finite number" in capsys.readouterr().err


def test_evaluate_refuses_a_sampler_for_a_vae(make_config, make_run, capsys):
    from genlab.cli.main import main

    run = fit(make_run(make_config("vae", seeds=(0,), epochs=1, eval_samples=0))).run
    assert main(["evaluate", str(run.path), "--n", "100", "--sampler", "rejection"]) == 2
    assert "sampler 'rejection' is not a vae's" in capsys.readouterr().err


def test_training_records_the_generators_own_points_whatever_the_sampler(make_config, make_run):
    """Snapshots, frames and samples.npy show G(z): rejection applies to sampling afterwards
    (it needs a trained D, and may refuse an untrained pair)."""
    cfg = make_config("gan", seeds=(0,), epochs=2, eval_samples=0, frames=2)
    runs = [fit(make_run(RunConfig("gan", cfg.train, GANConfig(sampler=s)), s)).run
            for s in ("generator", "rejection")]  # fmt: skip
    a, b = (np.load(r.samples_file) for r in runs)
    np.testing.assert_array_equal(a, b)
    for key, value in runs[0].load_snapshots().items():
        np.testing.assert_array_equal(runs[1].load_snapshots()[key], value)


def test_a_refused_sampling_exits_1_naming_the_way_out(make_config, make_run, monkeypatch, capsys):
    from genlab.cli.main import main
    from genlab.models.rejection import RejectionSamplingError

    cfg = make_config("gan", seeds=(0,), epochs=1, eval_samples=0)
    run = fit(make_run(RunConfig("gan", cfg.train, GANConfig(sampler="rejection")))).run

    def refuse(self, n, *, generators):
        raise RejectionSamplingError("rejection sampling accepted only 3 of 9 proposals")

    monkeypatch.setattr(GAN, "sample", refuse)
    out = run.path / "x.npy"
    assert main(["sample", str(run.path), "-n", "10", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "sampling failed: rejection sampling accepted only 3 of 9" in err
    assert "--sampler generator" in err and not out.exists()
    monkeypatch.undo()
    assert (
        main(["sample", str(run.path), "-n", "10", "-o", str(out), "--sampler", "generator"]) == 0
    )
    raw = GAN.generate_samples(load_model(run), 10, generators=member_generators((0,), "sample"))
    np.testing.assert_array_equal(np.load(out), raw.numpy())
    assert main(["sample", str(run.path), "-n", "10", "-o", str(out), "--sampler", "nope"]) == 2


def test_nearby_gammas_never_share_an_evaluation_file(make_config, make_run):
    """γ's tag in the file name is its short form where that reads back exactly (``2``,
    ``0.5``), else its shortest exact form: 1.0000001 and 1.0000002 (both ``1`` at 6 digits)
    get files of their own."""
    from genlab.evaluation.runs import evaluation_file

    cfg = make_config("gan", seeds=(0,), epochs=1, eval_samples=0)
    run = make_run(RunConfig("gan", cfg.train, GANConfig(sampler="rejection")))
    names = {
        g: evaluation_file(run, rejection_gamma=g).name for g in (2.0, 0.5, 1.0000001, 1.0000002)
    }
    assert names[2.0] == "evaluation-rejection-gamma2.json"
    assert names[0.5] == "evaluation-rejection-gamma0.5.json"
    assert names[1.0000001] == "evaluation-rejection-gamma1.0000001.json"
    assert len(set(names.values())) == 4
