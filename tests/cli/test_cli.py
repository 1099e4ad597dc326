"""A tiny-run smoke test per CLI verb, and bad input: exit 2 before any file is written."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import genlab.workflows.pipeline as pipeline
import genlab.workflows.reproduce as reproduce
from genlab.cli.main import main
from genlab.data import DATASETS
from genlab.training import FitHooks, fit
from genlab.training.config import RunConfig, TrainConfig
from genlab.training.rundir import RunDir, environment

TINY = ["--epochs", "2", "--n-samples", "128", "--batch-size", "32", "--eval-samples", "100"]


def code_of(argv: list[str]) -> int:
    """main's return value, or the code of the SystemExit argparse raises."""
    try:
        return main(argv)
    except SystemExit as exc:
        return 0 if exc.code is None else int(exc.code)


def tree(path: Path) -> dict[str, int]:
    """Every file under ``path`` with its modification time (to prove nothing was touched)."""
    return {str(p.relative_to(path)): p.stat().st_mtime_ns for p in path.rglob("*")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, make_config) -> dict[str, Path]:
    """A trained tiny VAE and GAN of two members each (through the library, no figures)."""
    root = tmp_path_factory.mktemp("cli_runs")
    out = {}
    for model in ("vae", "gan"):
        config = make_config(model, seeds=(0, 1), epochs=2, snapshots=1)
        out[model] = fit(RunDir.create(root / model, config, environment("cpu"))).run.path
    return out


# -- train ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["vae", "gan"])
def test_train_writes_a_complete_run(model, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", model, *TINY, "--seeds", "0,1", "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    run = RunDir.open(out)
    config = run.config()
    assert (config.model, config.train.epochs, config.train.seeds) == (model, 2, (0, 1))
    assert (config.train.n_samples, config.train.batch_size) == (128, 32)
    files = ["config.json", "metrics.jsonl", "checkpoints/last.pt", "snapshots.npz", "samples.npy",
             "data.npy", "DONE", "frames.npz"]  # fmt: skip
    for name in files:
        assert (out / name).is_file(), name
    assert not (out / "figures").exists()  # drawn when asked, from the files above
    assert main(["plot", str(out)]) == 0
    assert "drew" in capsys.readouterr().out
    for name in ["losses.png", "snapshots.png", "epoch_1.png", "epoch_2.png", "evolution.gif"]:
        assert (out / "figures" / name).is_file(), name
    assert (out / "figures/prior_epoch_2.png").is_file() == (model == "vae")
    assert main(["verify", str(out)]) == 0  # the manifest records the figures drawn after DONE
    assert main(["plot", str(out)]) == 0
    assert "figures are current" in capsys.readouterr().out
    assert np.load(out / "samples.npy").shape == (2, 128, 2)
    records = run.read_metrics()
    assert [r["epoch"] for r in records] == [1, 2]
    # the cheap metrics of every snapshot, one value per member
    assert len(records[-1]["eval"]["sliced_w2"]) == 2
    assert (
        0 <= min(records[-1]["eval"]["spiral_near"]) <= max(records[-1]["eval"]["spiral_near"]) <= 1
    )
    # the full set at the end, summarised over members
    evaluation = json.loads((out / "evaluation.json").read_text())
    assert evaluation["n"] == 100 and evaluation["seeds"] == [0, 1]
    sliced = evaluation["metrics"]["sliced_w2"]
    assert len(sliced["values"]) == 2 and sliced["mean"] == pytest.approx(np.mean(sliced["values"]))
    assert sliced["se"] == pytest.approx(np.std(sliced["values"], ddof=1) / np.sqrt(2))
    assert sliced["mean"] > sliced["floor"]  # two epochs of training are far from the data
    # the exact OT metrics are computed when asked, on the same samples
    assert evaluation["exact_ot"] is False and not {"w1", "w2"} & set(evaluation["metrics"])
    assert main(["evaluate", str(out), "--n", "100"]) == 0
    full = json.loads((out / "evaluation.json").read_text())
    assert full["exact_ot"] is True and full["metrics"]["sliced_w2"] == sliced
    w1 = full["metrics"]["w1"]
    assert len(w1["values"]) == 2 and w1["mean"] > w1["floor"]
    assert w1["se"] == pytest.approx(np.std(w1["values"], ddof=1) / np.sqrt(2))


def test_evaluate_and_compare(tmp_path, capsys):
    runs = [tmp_path / "a", tmp_path / "b"]
    for run, model in zip(runs, ("vae", "gan"), strict=True):
        assert main(["train", model, *TINY, "--eval-samples", "0", "--out", str(run)]) == 0
        assert not (run / "evaluation.json").exists()
    assert main(["evaluate", str(runs[0]), "--n", "100"]) == 0
    assert json.loads((runs[0] / "evaluation.json").read_text())["n"] == 100
    capsys.readouterr()
    assert main(["compare", *map(str, runs), "--n", "100", "--out", str(tmp_path / "cmp")]) == 0
    table = capsys.readouterr().out
    assert "| a | vae |" in table and "| b | gan |" in table and "floor" in table
    assert (tmp_path / "cmp" / "comparison.csv").read_text().count("\n") > 10
    assert main(["evaluate", str(tmp_path / "missing")]) == 2
    assert main(["compare", str(runs[0]), "--n", "10"]) == 2


def test_train_options_reach_the_config(tmp_path):
    out = tmp_path / "run"
    argv = ["train", "gan", *TINY, "--lambda", "3", "--z-dim", "4", "--lr", "0.001",
            "--lr-decay", "1.0", "--generator-loss", "saturating", "--dataset", "ring",
            "--sampler", "rejection", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    config = RunDir.open(out).config()
    assert (config.arch.lam, config.arch.z_dim, config.arch.generator_loss) == (
        3.0,
        4,
        "saturating",
    )
    assert (config.train.lr, config.train.lr_decay, config.train.dataset) == (1e-3, 1.0, "ring")
    assert config.arch.sampler == "rejection"


def test_train_without_out_writes_under_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "gan", *TINY]) == 0
    made = list((tmp_path / "runs").iterdir())
    assert len(made) == 1 and made[0].name.startswith("gan-swiss_roll-")
    assert (made[0] / "DONE").exists()


def test_interrupt_then_resume_then_resume_again(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    real_fit = pipeline.fit

    def interrupted_fit(run, hooks):
        def stop(record):
            hooks.on_epoch(record)
            if record.epoch == 1:
                raise KeyboardInterrupt

        return real_fit(run, hooks=dataclasses.replace(hooks, on_epoch=stop))

    monkeypatch.setattr(pipeline, "fit", interrupted_fit)
    argv = ["train", "gan", *TINY, "--checkpoint-every", "1", "--out", str(out)]
    assert main(argv) == 130
    assert "--resume" in capsys.readouterr().out
    assert (out / "checkpoints/last.pt").exists() and not (out / "DONE").exists()
    monkeypatch.setattr(pipeline, "fit", real_fit)

    assert main(["train", "gan", "--resume", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    run = RunDir.open(out)
    assert run.is_done() and [r["epoch"] for r in run.read_metrics()] == [1, 2]
    # equal to a straight run of the same settings
    straight = tmp_path / "straight"
    assert main(["train", "gan", *TINY, "--checkpoint-every", "1", "--out", str(straight)]) == 0
    a, b = RunDir.open(straight).load_checkpoint(), run.load_checkpoint()
    assert all(torch.equal(a["model"][k], b["model"][k]) for k in a["model"])
    capsys.readouterr()

    before = tree(out)
    assert main(["train", "gan", "--resume", str(out)]) == 0
    assert "already complete" in capsys.readouterr().out
    assert tree(out) == before


def test_a_diverging_run_exits_1_and_keeps_its_folder(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "vae", "--epochs", "4", "--n-samples", "128", "--batch-size", "32",
            "--lr", "1e30", "--checkpoint-every", "1", "--out", str(out)]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "diverged" in err and "non-finite" in err and "member 0" in err
    assert (out / "config.json").exists() and not (out / "DONE").exists()


# -- sample ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["vae", "gan"])
def test_sample_npy_and_csv_with_and_without_member(model, runs, tmp_path, capsys):
    run = str(runs[model])
    assert main(["sample", run, "-n", "10", "-o", str(tmp_path / "all.npy")]) == 0
    assert "wrote" in capsys.readouterr().out
    full = np.load(tmp_path / "all.npy")
    assert full.shape == (2, 10, 2) and np.isfinite(full).all()
    assert not np.array_equal(full[0], full[1])

    assert main(["sample", run, "-n", "10", "--member", "1", "-o", str(tmp_path / "m.npy")]) == 0
    np.testing.assert_array_equal(np.load(tmp_path / "m.npy"), full[1])

    assert main(["sample", run, "-n", "10", "-o", str(tmp_path / "all.csv")]) == 0
    lines = (tmp_path / "all.csv").read_text().splitlines()
    assert lines[0] == "member,x,y" and len(lines) == 21
    table = np.loadtxt(tmp_path / "all.csv", delimiter=",", skiprows=1)
    np.testing.assert_array_equal(table[:, 0], np.repeat([0, 1], 10))
    np.testing.assert_allclose(table[:, 1:], full.reshape(-1, 2), rtol=1e-7, atol=1e-8)

    assert main(["sample", run, "-n", "10", "--member", "0", "-o", str(tmp_path / "m.csv")]) == 0
    lines = (tmp_path / "m.csv").read_text().splitlines()
    assert lines[0] == "x,y" and len(lines) == 11
    table = np.loadtxt(tmp_path / "m.csv", delimiter=",", skiprows=1)
    np.testing.assert_allclose(table, full[0], rtol=1e-7, atol=1e-8)


def test_sample_is_seeded(runs, tmp_path):
    paths = [tmp_path / f"{i}.npy" for i in range(3)]
    for path, seed in zip(paths, ["0", "0", "1"], strict=True):
        assert main(["sample", str(runs["gan"]), "-n", "5", "--seed", seed, "-o", str(path)]) == 0
    a, b, c = (np.load(p) for p in paths)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


# -- data -----------------------------------------------------------------------------------------
def test_data_plot_writes_a_png(tmp_path, capsys):
    out = tmp_path / "f.png"
    assert main(["data", "plot", "swiss_roll", "-n", "500", "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_data_list_names_every_dataset(capsys):
    assert main(["data", "list"]) == 0
    text = capsys.readouterr().out
    assert all(name in text for name in DATASETS)
    assert len(text.strip().splitlines()) == len(DATASETS)


# -- reproduce ------------------------------------------------------------------------------------
TINY_TRAIN = dict(n_samples=64, batch_size=32, snapshots=1, device="cpu", eval_samples=0)


@pytest.fixture
def tiny_reproduce(monkeypatch):
    """Make ``reproduce`` train 2 epochs on 64 points (its logic is unchanged)."""

    def tiny(model, seeds=(0,)):
        return RunConfig(model, TrainConfig(**TINY_TRAIN, epochs=2, seeds=seeds))

    monkeypatch.setattr(reproduce, "training_config", lambda model, s: tiny(model, s.seeds))
    return tiny


def test_reproduce_runs_both_stages_then_skips_them(tiny_reproduce, tmp_path, capsys):
    out = tmp_path / "repro"
    assert main(["reproduce", "--quick", "--only", "vae,gan", "--out", str(out)]) == 0
    assert capsys.readouterr().out.count("wrote") == 2
    for model in ("vae", "gan"):
        run = RunDir.open(out / model)
        assert run.is_done() and run.config() == tiny_reproduce(model)
        assert (run.figures / "snapshots.png").exists()
    before = tree(out)
    assert main(["reproduce", "--quick", "--only", "vae,gan", "--out", str(out)]) == 0
    assert capsys.readouterr().out.count("complete, skipped") == 2
    assert tree(out) == before


def test_reproduce_resumes_an_unfinished_stage(tiny_reproduce, tmp_path, capsys):
    out = tmp_path / "repro"
    (out / "vae").mkdir(parents=True)
    (out / "vae" / "DONE").write_text("{}")  # pretend the VAE stage is done
    run = RunDir.create(out / "gan", tiny_reproduce("gan", seeds=(2,)), environment("cpu"))
    with pytest.raises(KeyboardInterrupt):
        fit(run, hooks=FitHooks(on_epoch=lambda r: (_ for _ in ()).throw(KeyboardInterrupt)))
    assert (
        main(["reproduce", "--quick", "--only", "vae,gan", "--seeds", "2", "--out", str(out)]) == 0
    )
    assert run.is_done() and [r["epoch"] for r in run.read_metrics()] == [1, 2]


def test_reproduce_refuses_a_stage_of_other_settings(tiny_reproduce, tmp_path, capsys):
    out = tmp_path / "repro"
    RunDir.create(out / "vae", tiny_reproduce("vae", seeds=(5,)), environment("cpu"))
    before = tree(out)
    assert main(["reproduce", "--quick", "--only", "vae,gan", "--out", str(out)]) == 2
    assert "other settings" in capsys.readouterr().err
    assert tree(out) == before


def test_a_failed_stage_is_reported_and_the_others_still_run(tiny_reproduce, tmp_path, capsys):
    def boom(path, settings, execute):
        raise RuntimeError("the quadrature blew up")

    stages = [dataclasses.replace(s, run=boom) if s.name == "problem2" else s
              for s in reproduce.STAGES]  # fmt: skip
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reproduce, "STAGES", stages)
        out = tmp_path / "repro"
        assert main(["reproduce", "--quick", "--only", "problem2,vae", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "FAILED" in captured.err and "the quadrature blew up" in captured.err
    assert "report: " in captured.out
    error = json.loads((out / "problem2" / "ERROR.json").read_text())
    assert error["error"] == "RuntimeError: the quadrature blew up"
    assert "Traceback" in error["traceback"]
    assert RunDir.open(out / "vae").is_done()
    manifest = json.loads((out / "reproduce.json").read_text())
    assert [(s["stage"], s["status"]) for s in manifest["stages"]] == [
        ("problem2", "failed"), ("vae", "done")]  # fmt: skip
    html = (out / "report.html").read_text()
    assert "the quadrature blew up" in html


def test_reproduce_problem1_quick(tmp_path, capsys):
    out = tmp_path / "repro"
    assert main(["reproduce", "--quick", "--only", "problem1", "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    for name in ("DONE", "homework/figures/homework.png", "homework/summary.json",
                 "compare/comparison.md", "compare/figures/comparison.png"):  # fmt: skip
        assert (out / "problem1" / name).is_file(), name
    assert not (out / "vae").exists()
    assert main(["reproduce", "--only", "problem9", "--out", str(out)]) == 2


@pytest.mark.slow
def test_reproduce_quick_for_real(tmp_path):
    out = tmp_path / "repro"
    assert main(["reproduce", "--quick", "--out", str(out)]) == 0
    for stage in ("problem1", "problem2"):
        assert (out / stage / "DONE").is_file()
    assert (out / "problem2" / "check" / "table.md").is_file()
    assert (out / "problem2" / "discriminator" / "figures" / "discriminator.png").is_file()
    for model in ("vae", "gan"):
        run = RunDir.open(out / model)
        assert run.is_done() and run.config().train.epochs == 200
        assert np.isfinite(np.load(run.samples_file)).all()


# -- help -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "verb",
    [[], ["train"], ["sample"], ["data"], ["data", "plot"], ["data", "list"], ["reproduce"]],
    ids=lambda v: " ".join(v) or "genlab",
)
def test_help_exits_0(verb, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*verb, "--help"])
    assert exc.value.code == 0
    assert "usage" in capsys.readouterr().out


# -- bad input: exit 2, nothing written -----------------------------------------------------------
BAD_TRAIN = [
    ["train", "vae", "--epochs", "0"],
    ["train", "vae", "--epochs", "-1"],
    ["train", "vae", "--n-samples", "100", "--batch-size", "101"],
    ["train", "vae", "--dataset", "no_such_dataset"],
    ["train", "vae", "--device", "tpu"],
    ["train", "gan", "--lambda", "0"],
    ["train", "gan", "--lambda", "-2"],
    ["train", "gan", "--lambda", "nan"],
    ["train", "gan", "--lambda", "inf"],
    ["train", "vae", "--seeds", "3-1"],
    ["train", "vae", "--seeds", "1,1"],
    ["train", "vae", "--lambda", "5"],
    ["train", "gan", "--reg-coeff", "5"],
    ["train", "vae", "--lr", "0"],
    ["train", "vae", "--lr-decay", "1.5"],
    ["train", "vae", "--lr-decay", "-0.2"],
    ["train", "vae", "--reg-coeff", "-1"],
    ["train", "gan", "--generator-loss", "wasserstein"],
    ["train", "gan", "--rule", "newton"],
    ["train", "gan", "--base-optimizer", "lbfgs"],
    ["train", "gan", "--preset", "nope"],
    ["train", "vae", "--preset", "gan-λ500"],
    ["train", "gan", "--sampler", "metropolis"],
    ["train", "vae", "--threads", "-1"],
    ["train", "vae", "--epochs", "two"],
    ["train", "flow"],
]


@pytest.mark.parametrize("argv", BAD_TRAIN, ids=[" ".join(a[1:]) for a in BAD_TRAIN])
def test_bad_train_input_exits_2_before_writing(argv, tmp_path, capsys):
    out = tmp_path / "out"
    assert code_of([*argv, "--out", str(out)]) == 2
    assert "error" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_cuda_exits_2(tmp_path, capsys):
    out = tmp_path / "out"
    assert code_of(["train", "vae", "--device", "cuda", "--out", str(out)]) == 2
    assert "cuda" in capsys.readouterr().err and not out.exists()


def test_train_into_an_existing_run_exits_2_and_changes_nothing(runs, capsys):
    before = tree(runs["vae"])
    assert code_of(["train", "vae", *TINY, "--out", str(runs["vae"])]) == 2
    assert "--resume" in capsys.readouterr().err
    assert tree(runs["vae"]) == before


@pytest.mark.parametrize(
    "argv",
    [["train", "vae", "--resume", "{missing}"],
     ["train", "gan", "--resume", "{vae}"],
     ["train", "vae", "--resume", "{vae}", "--epochs", "3"],
     ["sample", "{missing}", "-n", "10", "-o", "{out}/x.npy"],
     ["sample", "{vae}", "-n", "10", "--member", "2", "-o", "{out}/x.npy"],
     ["sample", "{vae}", "-n", "10", "--member", "-1", "-o", "{out}/x.npy"],
     ["sample", "{gan}", "-n", "0", "-o", "{out}/x.npy"],
     ["sample", "{gan}", "-n", "10", "-o", "{out}/x.txt"],
     ["sample", "{gan}", "-n", "10", "-o", "{out}/x"],
     ["data", "plot", "no_such_dataset", "-o", "{out}/f.png"],
     ["data", "plot", "swiss_roll", "-n", "2", "-o", "{out}/f.png"],
     ["reproduce", "--seeds", "3-1", "--out", "{out}"]],
    ids=lambda a: " ".join(a),
)  # fmt: skip
def test_bad_input_exits_2_before_writing(argv, runs, tmp_path, capsys):
    out, missing = tmp_path / "out", tmp_path / "missing"
    before = {m: tree(p) for m, p in runs.items()}
    paths = {"out": out, "missing": missing, **runs}
    assert code_of([a.format(**paths) for a in argv]) == 2
    assert "error" in capsys.readouterr().err
    assert not out.exists() and not missing.exists()
    assert {m: tree(p) for m, p in runs.items()} == before


def test_data_plot_with_a_bad_suffix_exits_2_before_writing(tmp_path, capsys):
    out = tmp_path / "out"
    assert code_of(["data", "plot", "swiss_roll", "-n", "50", "-o", str(out / "f.xyz")]) == 2
    assert not out.exists()


def test_sample_of_a_run_without_checkpoint_exits_2(make_config, tmp_path, capsys):
    run = RunDir.create(tmp_path / "run", make_config("gan"), environment("cpu"))
    out = tmp_path / "out"
    assert code_of(["sample", str(run.path), "-n", "5", "-o", str(out / "x.npy")]) == 2
    assert "checkpoint" in capsys.readouterr().err and not out.exists()


# -- minimax and theory verbs ---------------------------------------------------------------------
def test_minimax_run_and_compare(tmp_path, capsys):
    out = tmp_path / "mm"
    assert main(["minimax", "run", "--epochs", "20", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "rule homework, 20 epochs: L = " in printed and f"wrote {out}" in printed
    for name in ("DONE", "summary.json", "metrics.csv", "trajectory.npz"):
        assert (out / name).is_file(), name
    assert not (out / "figures").exists()  # drawn when asked
    assert main(["plot", str(out)]) == 0
    assert "drew 2 figures" in capsys.readouterr().out
    for name in ("gap.npz", "figures/homework.png", "figures/primal_gap.png"):
        assert (out / name).is_file(), name
    assert main(["plot", str(tmp_path)]) == 0  # a folder that holds it
    assert "figures are current" in capsys.readouterr().out
    eager = tmp_path / "eager"
    assert main(["minimax", "run", "--epochs", "20", "--figures", "--out", str(eager)]) == 0
    assert (eager / "figures" / "homework.png").is_file()
    assert main(["minimax", "run", "--seeds", "0-1", "--figures", "--out", str(eager)]) == 2
    many = tmp_path / "many"
    assert main(["minimax", "run", "--epochs", "5", "--seeds", "0-3", "--out", str(many)]) == 0
    assert json.loads((many / "config.json").read_text())["seeds"] == [0, 1, 2, 3]
    cmp = tmp_path / "cmp"
    argv = ["minimax", "compare", "--epochs", "10", "--rules", "homework,extragradient"]
    assert main([*argv, "--out", str(cmp)]) == 0
    table = capsys.readouterr().out
    assert "| homework |" in table and "| extragradient |" in table
    assert (cmp / "comparison.md").is_file() and (cmp / "figures" / "comparison.png").is_file()


def test_theory_check_and_discriminator(tmp_path, capsys):
    out = tmp_path / "check"
    argv = ["theory", "check", "--pairs", "gaussian_1d", "--lambda", "1,500"]
    assert main([*argv, "--methods", "quadrature", "--out", str(out)]) == 0
    assert "| gaussian_1d | 500 | quadrature |" in capsys.readouterr().out
    rows = (out / "table.csv").read_text().strip().splitlines()
    assert len(rows) == 3  # header + one row per λ
    disc = tmp_path / "disc"
    argv = ["theory", "discriminator", "--p", "gaussian", "--q", "standard_normal", "--steps", "30"]
    assert main([*argv, "--seeds", "0,1", "--out", str(disc)]) == 0
    assert (disc / "members.csv").read_text().count("\n") == 3  # header + 2 members
    assert (disc / "figures" / "discriminator.png").is_file()


@pytest.mark.parametrize(
    "argv",
    [
        ["minimax", "run", "--alpha", "-1"],
        ["minimax", "run", "--epochs", "0"],
        ["minimax", "run", "--rule", "nope"],
        ["minimax", "run", "--n", "0"],
        ["minimax", "compare", "--rules", "homework,nope"],
        ["theory", "check", "--lambda", "-1"],
        ["theory", "check", "--lambda", "nan"],
        ["theory", "check", "--pairs", "nope"],
        ["theory", "discriminator", "--lambda", "0"],
        ["theory", "discriminator", "--p", "nope"],
    ],
)
def test_minimax_and_theory_bad_input_exit_2_and_write_nothing(argv, tmp_path, capsys):
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out)]) == 2
    assert "error" in capsys.readouterr().err
    assert not out.exists()


# -- regressions found in review -----------------------------------------------------------------
def test_reproduce_refuses_a_complete_stage_of_other_settings(tmp_path, capsys):
    out = tmp_path / "repro"
    assert main(["reproduce", "--quick", "--only", "problem1", "--out", str(out)]) == 0
    before = tree(out)
    assert main(["reproduce", "--only", "problem1", "--seeds", "7", "--out", str(out)]) == 2
    assert "was made with" in capsys.readouterr().err
    assert tree(out) == before


@pytest.mark.parametrize("device", ["mps", "gpu", "cuda:0"])
def test_reproduce_rejects_a_bad_device_before_any_stage(device, tmp_path, capsys):
    out = tmp_path / "repro"
    assert main(["reproduce", "--quick", "--device", device, "--out", str(out)]) == 2
    assert device in capsys.readouterr().err and not out.exists()


def test_train_records_the_resolved_device(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "vae", *TINY, "--eval-samples", "0", "--out", str(out)]) == 0
    assert RunDir.open(out).config().train.device == "cpu"  # not "auto"


def test_a_torn_last_metrics_line_does_not_block_resume(tmp_path, monkeypatch):
    out = tmp_path / "run"

    def train_then_die(run, on_epoch=None, figures=False, exact_ot=False):  # killed before DONE
        fit(run)
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "train_run", train_then_die)
    argv = ["train", "gan", *TINY, "--eval-samples", "0", "--checkpoint-every", "1"]
    assert main([*argv, "--out", str(out)]) == 130
    monkeypatch.undo()
    run = RunDir.open(out)
    with open(run.metrics_file, "a") as f:
        f.write('{"epoch": 3, "d_lo')  # an append cut short
    assert [r["epoch"] for r in run.read_metrics()] == [1, 2]
    assert main(["train", "gan", "--resume", str(out)]) == 0
    assert run.is_done() and [r["epoch"] for r in run.read_metrics()] == [1, 2]
    assert run.metrics_file.read_text().endswith("}\n")  # the torn fragment is gone
