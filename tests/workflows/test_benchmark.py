"""The quality benchmark: protocol validation, one run per cell, results tables."""

from __future__ import annotations

import csv
import io

import pytest

from genlab.cli.main import main
from genlab.workflows.benchmark import PUBLISHED, Protocol
from genlab.workflows.presets import BENCHMARK_GRID, PRESETS

TINY = ["--epochs", "2", "--seeds", "0,1", "--models", "vae,gan-λ1-optimistic",
        "--eval-samples", "200"]  # fmt: skip


def test_protocol_defaults_are_the_documented_ones():
    p = Protocol()
    assert p.datasets == ("swiss_roll", "ring", "grid") and p.seeds == (0, 1, 2, 3, 4)
    assert (p.epochs, p.n_samples, p.batch_size, p.eval_samples) == (2000, 2000, 64, 2500)
    assert set(p.models) == set(BENCHMARK_GRID)
    c = p.run_config("gan-λ1-extragradient", "ring")
    assert (c.model, c.arch.lam, c.arch.rule) == ("gan", 1.0, "extragradient")
    assert c.train.dataset == "ring" and c.train.seeds == p.seeds


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"models": ("nope",)}, "unknown model 'nope'"), ({"datasets": ("nope",)}, "unknown dataset"),
     ({"epochs": 0}, "epochs must be"), ({"seeds": ()}, "at least one seed")],
)  # fmt: skip
def test_protocol_rejects_bad_settings(changes, message):
    with pytest.raises(ValueError, match=message):
        Protocol(**changes)


def test_the_shipped_spec_is_the_protocol():
    from genlab.sweeps.benchmark import benchmark_spec, protocol_of
    from genlab.sweeps.cells import expand
    from genlab.sweeps.specs import spec_path

    assert protocol_of(spec_path("benchmark").read_text()) == Protocol()
    cells = expand(benchmark_spec(Protocol()))
    assert len(cells) == 18  # 6 presets × 3 datasets, each with the 5 seeds as members
    by = {(c.values["preset"], c.values["train.dataset"]): c.config for c in cells}
    for (model, dataset), config in by.items():  # every cell is the protocol's run
        assert config == Protocol().run_config(model, dataset), (model, dataset)


def test_benchmark_runs_every_cell_as_a_sweep_and_writes_the_tables(tmp_path, capsys):
    out = tmp_path / "bench"
    argv = ["benchmark", *TINY, "--datasets", "ring,swiss_roll", "--out", str(out),
            "--workers", "0"]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    for cell in ("dataset=ring,preset=vae", "dataset=ring,preset=gan-lam1-optimistic",
                 "dataset=swiss_roll,preset=vae"):  # fmt: skip
        assert (out / "runs" / cell / "DONE").is_file()
    rows = list(csv.DictReader(io.StringIO((out / "benchmark.csv").read_text())))
    metrics = {(r["model"], r["dataset"], r["metric"]) for r in rows}
    assert ("vae", "ring", "modes_captured") in metrics
    assert ("gan-λ1-optimistic", "swiss_roll", "spiral_near") in metrics
    assert all(r["members"] == "2" for r in rows)
    md = (out / "benchmark.md").read_text()
    assert "SHORTENED" in md and "| genlab vae |" in md and md in printed
    for dataset, source, modes, hq, rkl in PUBLISHED:  # the grid was not run
        assert (f"| {source} | {modes} | {hq} | {rkl} |" in md) == (dataset == "ring")
    assert "### grid" not in md
    assert (out / "sweep.json").is_file() and (out / "results.md").is_file()  # the sweep's own
    # a second call trains nothing and rewrites the same tables
    assert main(argv) == 0
    assert "4 of 4 task(s) complete already; 0 to train" in capsys.readouterr().out
    assert (out / "benchmark.md").read_text() == md


def test_benchmark_bad_input_exits_2_before_any_file(tmp_path, capsys):
    out = tmp_path / "bench"
    assert main(["benchmark", "--models", "vae,nope", "--out", str(out)]) == 2
    with pytest.raises(SystemExit) as err:  # argparse rejects a malformed seed range itself
        main(["benchmark", "--seeds", "3-1", "--out", str(out)])
    assert err.value.code == 2
    assert main(["benchmark", "--device", "tpu", "--out", str(out)]) == 2
    assert not out.exists()


def test_goal_candidates_are_selectable_but_not_in_the_default_grid():
    candidates = set(PRESETS) - set(BENCHMARK_GRID)
    assert candidates and not candidates & set(Protocol().models)
    config = Protocol(models=("gan-λ1-wide",), datasets=("ring",)).run_config("gan-λ1-wide", "ring")
    assert config.arch.generator_hidden == (128, 128) and config.arch.lam == 1.0
    with pytest.raises(ValueError, match="unknown model"):
        Protocol(models=("gan-λ2-wide",))


def test_a_long_candidate_trains_twice_the_epochs_with_decay_and_rejection_sampling():
    from genlab.workflows.benchmark import to_markdown

    name = "gan-λ500-wide-tanh-long-rejection"
    assert PRESETS[name].epoch_factor == 2
    p = Protocol(models=(name,), datasets=("ring",), epochs=10)
    c = p.run_config(name, "ring")
    assert (c.train.epochs, c.train.lr_decay, c.arch.sampler) == (20, 0.25, "rejection")
    assert c.arch.generator_activations == ("tanh", "tanh") and c.arch.lam == 500.0
    rows = [{"model": name, "dataset": "ring", "metric": m, "mean": 1.0, "se": 0.0, "floor": 1.0}
            for m in ("modes_captured", "high_quality", "reverse_kl", "w1")]  # fmt: skip
    assert f"{name} trains longer: 20 epochs, lr decay 0.25." in to_markdown(rows, p)
