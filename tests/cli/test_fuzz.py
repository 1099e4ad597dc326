"""Hostile input to every verb: each invocation exits with code 2 (argparse's own errors too),
names the bad value or path in its message, prints no traceback, and writes or changes nothing
(the test's folder, the working directory and the fixture runs are compared before and after).

Cases: 253 bad invocations in ``BAD``, over every verb (train vae|gan, sample, evaluate, compare,
data plot|list, benchmark, reproduce, report, presets, minimax run|compare, theory
check|discriminator|gan): negative, zero, non-numeric and huge values of each numeric option,
unknown names, malformed seed and name lists, missing, non-run and unfinished runs, bad
suffixes, an existing file where a folder goes and a folder where a file goes, conflicting
options. Then 16 outputs without write permission (``os.access`` patched: the tests run as
root, which ignores permission bits) and the same 16 on a read-only file system (a read-only
tmpfs; skipped where none can be mounted): 285 in all. Three more tests check that the
compiled minimax kernels still cache, in a private folder, when their ``__pycache__`` is not
writable (and not in a folder others may write in), and that ``genlab data list`` imports no
numba.

The machine's memory is pinned to 16 GiB (a limit of 4 GiB), so the memory refusals do not
depend on the machine the tests run on.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import genlab.cli.args as cli_args
from genlab.cli.main import main
from genlab.training import fit
from genlab.training.rundir import RunDir, environment


def code_of(argv: list[str]) -> int:
    """main's return value, or the code of the SystemExit argparse raises."""
    try:
        return main(argv)
    except SystemExit as exc:
        return 0 if exc.code is None else int(exc.code)


def tree(path: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``path``, with its modification time and size."""
    return {str(p.relative_to(path)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in path.rglob("*")}  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory, make_config) -> dict[str, Path]:
    """Tiny runs and paths to aim at: a complete (``DONE``) VAE and GAN of two members, a run
    with no checkpoint, a folder that is no run, a file, and folders named like files."""
    root = tmp_path_factory.mktemp("fuzz")
    paths = {"root": root}
    for model in ("vae", "gan"):
        config = make_config(model, seeds=(0, 1), epochs=2, snapshots=1, eval_samples=100)
        run = fit(RunDir.create(root / model, config, environment("cpu"))).run
        run.mark_done({"seconds": 0.0, "epochs": 2})
        paths[model] = run.path
    RunDir.create(root / "unfinished", make_config("vae"), environment("cpu"))
    paths["unfinished"] = root / "unfinished"
    for name in ("nonrun", "dir.npy", "dir.png", "dir.html"):
        (root / name).mkdir()
        paths[name.replace(".", "_")] = root / name
    (root / "plain.txt").write_text("not a folder\n")
    paths["file"] = root / "plain.txt"
    paths["missing"] = root / "missing"
    return paths


@pytest.fixture(autouse=True)
def sixteen_gib(monkeypatch):
    monkeypatch.setattr(cli_args, "physical_memory", lambda: 16 * 2**30)


def check_rejected(argv: list[str], needle: str, places: dict[str, Path], tmp_path: Path,
                   capsys, monkeypatch) -> None:  # fmt: skip
    """``argv`` (its ``{name}`` placeholders filled from ``places``) exits 2, says ``needle``
    in stderr without a traceback, and leaves every file as it was."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # default outputs (runs/...) would land here
    places = {**places, "out": tmp_path / "out"}
    argv = [a.format(**places) for a in argv]
    needle = needle.format(**places)
    before = tree(places["root"]), tree(tmp_path)
    code = code_of(argv)
    err = capsys.readouterr().err
    assert code == 2, f"exit {code}: {err}"
    assert needle in err, err
    assert "Traceback" not in err, err
    assert (tree(places["root"]), tree(tmp_path)) == before, "a rejected command wrote"


TRAIN = [
    (["train", "vae", "--epochs", "0"], "got 0"),
    (["train", "gan", "--epochs", "-5"], "-5"),
    (["train", "vae", "--epochs", "ten"], "'ten'"),
    (["train", "vae", "--epochs", "1.5"], "'1.5'"),
    (["train", "vae", "--n-samples", "5"], "got 5"),
    (["train", "gan", "--n-samples", "-1"], "got -1"),
    (["train", "vae", "--n-samples", "many"], "'many'"),
    (["train", "gan", "--n-samples", "10000000"], "10000000 points"),
    (["train", "vae", "--n-samples", "1000000000"], "1000000000 points"),
    (["train", "vae", "--seeds", "0-100000"], "100001 member(s)"),
    (["train", "gan", "--seeds", "0-999999"], "1000000 member(s)"),
    (["train", "vae", "--seeds", "3-1"], "'3-1'"),
    (["train", "vae", "--seeds", "1,1"], "'1,1'"),
    (["train", "vae", "--seeds", ""], "''"),
    (["train", "vae", "--seeds", "a"], "'a'"),
    (["train", "vae", "--seeds", "-1"], "'-1'"),
    (["train", "vae", "--seeds", "0,,1"], "'0,,1'"),
    (["train", "vae", "--seeds", "4294967296"], "4294967296"),
    (["train", "vae", "--batch-size", "0"], "got 0"),
    (["train", "vae", "--batch-size", "-3"], "got -3"),
    (["train", "vae", "--batch-size", "5000"], "batch_size 5000"),
    (["train", "vae", "--n-samples", "100", "--batch-size", "101"], "batch_size 101"),
    (["train", "vae", "--lr", "0"], "got 0"),
    (["train", "vae", "--lr=-1e-3"], "got -0.001"),
    (["train", "gan", "--lr", "nan"], "got nan"),
    (["train", "vae", "--lr", "inf"], "got inf"),
    (["train", "vae", "--lr", "fast"], "'fast'"),
    (["train", "vae", "--lr-decay", "1.5"], "got 1.5"),
    (["train", "vae", "--lr-decay", "-0.1"], "got -0.1"),
    (["train", "vae", "--lr-decay", "nan"], "got nan"),
    (["train", "vae", "--epochs", "3", "--lr-decay", "0.1"], "lr_decay 0.1"),
    (["train", "vae", "--device", "tpu"], "'tpu'"),
    (["train", "gan", "--device", ""], "''"),
    (["train", "vae", "--threads", "-1"], "got -1"),
    (["train", "vae", "--threads", "1000000"], "got 1000000"),
    (["train", "vae", "--threads", "two"], "'two'"),
    (["train", "vae", "--checkpoint-every", "0"], "got 0"),
    (["train", "gan", "--checkpoint-every", "-1"], "got -1"),
    (["train", "vae", "--eval-samples", "10"], "got 10"),
    (["train", "vae", "--eval-samples", "-1"], "got -1"),
    (["train", "gan", "--eval-samples", "1000000"], "eval_samples 1000000"),
    (["train", "vae", "--latent-dim", "0"], "got 0"),
    (["train", "vae", "--latent-dim", "x"], "'x'"),
    (["train", "vae", "--latent-dim", "100000000"], "latent_dim 100000000"),
    (["train", "vae", "--reg-coeff", "-1"], "got -1"),
    (["train", "vae", "--reg-coeff", "0"], "got 0"),
    (["train", "vae", "--reg-coeff", "inf"], "got inf"),
    (["train", "gan", "--lambda", "0"], "got 0"),
    (["train", "gan", "--lambda", "-2"], "got -2"),
    (["train", "gan", "--lambda", "nan"], "got nan"),
    (["train", "gan", "--lambda", "1e400"], "got inf"),
    (["train", "gan", "--z-dim", "0"], "got 0"),
    (["train", "gan", "--z-dim", "-4"], "got -4"),
    (["train", "gan", "--z-dim", "100000000"], "z_dim 100000000"),
    (["train", "gan", "--generator-loss", "wasserstein"], "'wasserstein'"),
    (["train", "gan", "--rule", "newton"], "'newton'"),
    (["train", "gan", "--base-optimizer", "lbfgs"], "'lbfgs'"),
    (["train", "gan", "--sampler", "metropolis"], "'metropolis'"),
    (["train", "vae", "--dataset", "no_such_dataset"], "'no_such_dataset'"),
    (["train", "gan", "--preset", "nope"], "'nope'"),
    (["train", "vae", "--preset", "gan-λ500"], "'gan-λ500'"),
    (["train", "vae", "--lambda", "5"], "--lambda"),
    (["train", "gan", "--reg-coeff", "5"], "--reg-coeff"),
    (["train", "vae", "--z-dim", "4"], "--z-dim"),
    (["train", "gan", "--compile", "--rule", "extragradient"], "'extragradient'"),
    (["train", "flow"], "'flow'"),
    (["train"], "model"),
    (["train", "vae", "--bogus"], "--bogus"),
    (["train", "vae", "--out", "{file}"], "{file}"),
    (["train", "gan", "--out", "{file}/run"], "{file}"),
    (["train", "vae", "--out", ""], "''"),
    (["train", "vae", "--out", "{vae}"], "{vae} already holds a run"),
    (["train", "vae", "--resume", "{missing}"], "{missing}"),
    (["train", "vae", "--resume", "{nonrun}"], "{nonrun}"),
    (["train", "vae", "--resume", "{gan}"], "{gan} is a gan run"),
    (["train", "gan", "--resume", "{vae}"], "{vae} is a vae run"),
    (["train", "gan", "--resume", "{unfinished}"], "{unfinished} is a vae run"),
    (["train", "vae", "--resume", "{vae}", "--epochs", "3"], "--resume"),
    (["train", "vae", "--resume", "{unfinished}", "--out", "{out}"], "--resume"),
    (["train", "vae", "--resume", ""], "''"),
]

SAMPLE = [
    (["sample", "{missing}", "-n", "10", "-o", "{out}/x.npy"], "{missing}"),
    (["sample", "{nonrun}", "-n", "10", "-o", "{out}/x.npy"], "{nonrun}"),
    (["sample", "{unfinished}", "-n", "10", "-o", "{out}/x.npy"], "{unfinished}"),
    (["sample", "{file}", "-n", "10", "-o", "{out}/x.npy"], "{file}"),
    (["sample", "", "-n", "10", "-o", "{out}/x.npy"], "''"),
    (["sample", "{vae}", "-n", "0", "-o", "{out}/x.npy"], "got 0"),
    (["sample", "{gan}", "-n", "-5", "-o", "{out}/x.npy"], "got -5"),
    (["sample", "{vae}", "-n", "x", "-o", "{out}/x.npy"], "'x'"),
    (["sample", "{gan}", "-n", "1000000000", "-o", "{out}/x.npy"], "-n 1000000000"),
    (["sample", "{vae}", "-n", "10", "-o", "{out}/x.txt"], "{out}/x.txt"),
    (["sample", "{vae}", "-n", "10", "-o", "{out}/x"], "{out}/x"),
    (["sample", "{vae}", "-n", "10", "-o", "{dir_npy}"], "{dir_npy}: an existing folder"),
    (["sample", "{gan}", "-n", "10", "-o", "{file}/x.npy"], "{file} is a file"),
    (["sample", "{vae}", "-n", "10", "-o", ""], "''"),
    (["sample", "{vae}", "-n", "10"], "-o"),
    (["sample", "{vae}", "-n", "10", "--member", "2", "-o", "{out}/x.npy"], "got 2"),
    (["sample", "{vae}", "-n", "10", "--member", "-1", "-o", "{out}/x.npy"], "got -1"),
    (["sample", "{gan}", "-n", "10", "--member", "x", "-o", "{out}/x.npy"], "'x'"),
    (["sample", "{vae}", "-n", "10", "--seed", "-1", "-o", "{out}/x.npy"], "--seed"),
    (["sample", "{vae}", "-n", "10", "--seed", "4294967296", "-o", "{out}/x.npy"], "4294967296"),
    (["sample", "{gan}", "-n", "10", "--seed", "x", "-o", "{out}/x.npy"], "'x'"),
    (["sample", "{gan}", "-n", "10", "--sampler", "metropolis", "-o", "{out}/x.npy"],
     "'metropolis'"),
    (["sample", "{vae}", "-n", "10", "--sampler", "rejection", "-o", "{out}/x.npy"],
     "'rejection'"),
]  # fmt: skip

EVALUATE = [
    (["evaluate", "{missing}"], "{missing}"),
    (["evaluate", "{nonrun}"], "{nonrun}"),
    (["evaluate", "{unfinished}"], "{unfinished}"),
    (["evaluate", "{file}"], "{file}"),
    (["evaluate", "{vae}", "--n", "10"], "got 10"),
    (["evaluate", "{vae}", "--n", "-1"], "got -1"),
    (["evaluate", "{gan}", "--n", "x"], "'x'"),
    (["evaluate", "{vae}", "--n", "1000000"], "--n 1000000"),
    (["evaluate", "{vae}", "--seed", "-1"], "'-1'"),
    (["evaluate", "{gan}", "--seed", "99999999999"], "99999999999"),
    (["evaluate", "{gan}", "--seed", "x"], "'x'"),
    (["evaluate", "{gan}", "--sampler", "metropolis"], "'metropolis'"),
    (["evaluate"], "run"),
]

COMPARE = [
    (["compare", "{vae}", "--out", "{file}"], "{file}: an existing file"),
    (["compare", "{vae}", "{gan}", "--out", "{file}/cmp"], "{file} is a file"),
    (["compare", "{vae}", "--out", ""], "''"),
    (["compare", "{vae}", "--n", "10"], "got 10"),
    (["compare", "{vae}", "--n", "zero"], "'zero'"),
    (["compare", "{vae}", "{gan}", "--n", "1000000"], "--n 1000000"),
    (["compare", "{vae}", "{missing}"], "{missing}"),
    (["compare", "{vae}", "{unfinished}"], "{unfinished}"),
    (["compare", "{nonrun}"], "{nonrun}"),
    (["compare", "{vae}", "--seed", "-1"], "'-1'"),
    (["compare", "{vae}", "--seed", "4294967296"], "4294967296"),
    (["compare"], "runs"),
]

DATA = [
    (["data", "plot", "no_such_dataset", "-o", "{out}/f.png"], "'no_such_dataset'"),
    (["data", "plot", "swiss_roll", "-n", "2", "-o", "{out}/f.png"], "got 2"),
    (["data", "plot", "ring", "-n", "-1", "-o", "{out}/f.png"], "got -1"),
    (["data", "plot", "ring", "-n", "x", "-o", "{out}/f.png"], "'x'"),
    (["data", "plot", "grid", "-n", "100000000000", "-o", "{out}/f.png"], "-n 100000000000"),
    (["data", "plot", "swiss_roll", "--seed", "-1", "-o", "{out}/f.png"], "'-1'"),
    (["data", "plot", "swiss_roll", "--seed", "99999999999", "-o", "{out}/f.png"],
     "99999999999"),
    (["data", "plot", "swiss_roll", "-o", "{out}/f.xyz"], "{out}/f.xyz"),
    (["data", "plot", "swiss_roll", "-o", "{dir_png}"], "{dir_png}: an existing folder"),
    (["data", "plot", "swiss_roll", "-o", "{file}/f.png"], "{file} is a file"),
    (["data", "plot", "swiss_roll", "-o", ""], "''"),
    (["data", "plot", "swiss_roll"], "-o"),
    (["data", "plot", "-o", "{out}/f.png"], "name"),
    (["data", "list", "extra"], "extra"),
    (["data", "list", "--n", "5"], "--n"),
    (["data"], "required"),
    (["data", "nope"], "'nope'"),
]  # fmt: skip

BENCHMARK = [
    (["benchmark", "--epochs", "0", "--out", "{out}"], "got 0"),
    (["benchmark", "--quick", "--epochs", "0", "--out", "{out}"], "got 0"),
    (["benchmark", "--epochs", "-1", "--out", "{out}"], "got -1"),
    (["benchmark", "--epochs", "x", "--out", "{out}"], "'x'"),
    (["benchmark", "--seeds", "3-1", "--out", "{out}"], "'3-1'"),
    (["benchmark", "--seeds", "0-100000", "--out", "{out}"], "100001 member(s)"),
    (["benchmark", "--models", "nope", "--out", "{out}"], "'nope'"),
    (["benchmark", "--models", "", "--out", "{out}"], "''"),
    (["benchmark", "--datasets", "nope", "--out", "{out}"], "'nope'"),
    (["benchmark", "--datasets", ",", "--out", "{out}"], "','"),
    (["benchmark", "--device", "tpu", "--out", "{out}"], "'tpu'"),
    (["benchmark", "--out", "{file}"], "{file}: an existing file"),
    (["benchmark", "--out", ""], "''"),
    (["benchmark", "--models", "vae", "--datasets", "ring", "extra", "--out", "{out}"], "extra"),
]

REPRODUCE = [
    (["reproduce", "--seeds", "3-1", "--out", "{out}"], "'3-1'"),
    (["reproduce", "--seeds", "0-100000", "--out", "{out}"], "100001 member(s)"),
    (["reproduce", "--only", "problem9", "--out", "{out}"], "problem9"),
    (["reproduce", "--only", "", "--out", "{out}"], "''"),
    (["reproduce", "--device", "tpu", "--out", "{out}"], "'tpu'"),
    (["reproduce", "--quick", "--only", "problem1", "--out", "{file}"], "{file}: an existing"),
    (["reproduce", "--out", "{file}/repro"], "{file} is a file"),
    (["reproduce", "--out", ""], "''"),
    (["reproduce", "--quick", "yes", "--out", "{out}"], "yes"),
]

REPORT = [
    (["report", "{missing}"], "{missing}"),
    (["report", "{file}"], "{file}"),
    (["report", "{vae}", "-o", "{dir_html}"], "{dir_html}: an existing folder"),
    (["report", "{vae}", "{gan}", "-o", "{file}/r.html"], "{file} is a file"),
    (["report", "{vae}", "-o", ""], "''"),
    (["report"], "runs"),
    (["presets", "extra"], "extra"),
    (["presets", "--all"], "--all"),
]

MINIMAX = [
    (["minimax", "run", "--alpha", "-1", "--out", "{out}"], "got -1"),
    (["minimax", "run", "--alpha", "0", "--out", "{out}"], "got 0"),
    (["minimax", "run", "--alpha", "nan", "--out", "{out}"], "got nan"),
    (["minimax", "run", "--alpha", "inf", "--out", "{out}"], "got inf"),
    (["minimax", "run", "--alpha", "x", "--out", "{out}"], "'x'"),
    (["minimax", "run", "--alpha", "1e308", "--out", "{out}"], "--alpha 1e+308"),
    (["minimax", "run", "--epochs", "20", "--alpha", "1e308", "--out", "{out}"], "1e+308"),
    (["minimax", "run", "--epochs", "20", "--beta", "1e308", "--out", "{out}"], "1e+308"),
    (["minimax", "run", "--rule", "simultaneous", "--epochs", "20", "--alpha", "1e200",
      "--beta", "1e200", "--out", "{out}"], "1e+200"),
    (["minimax", "run", "--epochs", "20", "--seeds", "0-3", "--alpha", "1e308", "--out",
      "{out}"], "1e+308"),
    (["minimax", "run", "--beta", "-1", "--out", "{out}"], "got -1"),
    (["minimax", "run", "--beta", "0", "--out", "{out}"], "got 0"),
    (["minimax", "run", "--epochs", "0", "--out", "{out}"], "got 0"),
    (["minimax", "run", "--epochs", "-1", "--out", "{out}"], "got -1"),
    (["minimax", "run", "--epochs", "1000000000", "--out", "{out}"], "1000000000 epochs"),
    (["minimax", "run", "--n", "0", "--out", "{out}"], "got 0"),
    (["minimax", "run", "--p", "0", "--out", "{out}"], "got 0"),
    (["minimax", "run", "--p", "1000000000", "--out", "{out}"], "p = 1000000000"),
    (["minimax", "run", "--lambda", "-1", "--out", "{out}"], "got -1"),
    (["minimax", "run", "--lambda", "nan", "--out", "{out}"], "got nan"),
    (["minimax", "run", "--rule", "nope", "--out", "{out}"], "'nope'"),
    (["minimax", "run", "--rule", "alternating", "--first", "nobody", "--out", "{out}"],
     "'nobody'"),
    (["minimax", "run", "--seeds", "3-1", "--out", "{out}"], "'3-1'"),
    (["minimax", "run", "--seeds", "0-100000", "--out", "{out}"], "100001 seed(s)"),
    (["minimax", "run", "--seeds", "4294967296", "--out", "{out}"], "4294967296"),
    (["minimax", "run", "--out", "{file}"], "{file}: an existing file"),
    (["minimax", "run", "--out", "{file}/mm"], "{file} is a file"),
    (["minimax", "run", "--out", ""], "''"),
    (["minimax", "run", "extra"], "extra"),
    (["minimax", "compare", "--rules", "", "--out", "{out}"], "''"),
    (["minimax", "compare", "--rules", ",", "--out", "{out}"], "','"),
    (["minimax", "compare", "--rules", "homework,nope", "--out", "{out}"], "'nope'"),
    (["minimax", "compare", "--seed", "-1", "--out", "{out}"], "'-1'"),
    (["minimax", "compare", "--seed", "x", "--out", "{out}"], "'x'"),
    (["minimax", "compare", "--epochs", "20", "--alpha", "1e308", "--out", "{out}"], "1e+308"),
    (["minimax", "compare", "--epochs", "0", "--out", "{out}"], "got 0"),
    (["minimax", "compare", "--epochs", "100000000", "--out", "{out}"], "100000000 epochs"),
    (["minimax", "compare", "--out", "{file}"], "{file}: an existing file"),
    (["minimax", "nope"], "'nope'"),
    (["minimax"], "required"),
]  # fmt: skip

THEORY = [
    (["theory", "check", "--lambda", "-1", "--out", "{out}"], "-1"),
    (["theory", "check", "--lambda", "nan", "--out", "{out}"], "nan"),
    (["theory", "check", "--lambda", "", "--out", "{out}"], "''"),
    (["theory", "check", "--lambda", "1,x", "--out", "{out}"], "'1,x'"),
    (["theory", "check", "--pairs", "nope", "--out", "{out}"], "'nope'"),
    (["theory", "check", "--pairs", "", "--out", "{out}"], "''"),
    (["theory", "check", "--methods", "nope", "--out", "{out}"], "'nope'"),
    (["theory", "check", "--methods", "", "--out", "{out}"], "''"),
    (["theory", "check", "--n-samples", "1", "--out", "{out}"], "got 1"),
    (["theory", "check", "--n-samples", "-1", "--out", "{out}"], "got -1"),
    (["theory", "check", "--n-samples", "100000000000", "--out", "{out}"], "100000000000"),
    (["theory", "check", "--seed", "-1", "--out", "{out}"], "'-1'"),
    (["theory", "check", "--out", "{file}"], "{file}: an existing file"),
    (["theory", "discriminator", "--lambda", "0", "--out", "{out}"], "got 0"),
    (["theory", "discriminator", "--lambda", "-1", "--out", "{out}"], "-1"),
    (["theory", "discriminator", "--lambda", "nan", "--out", "{out}"], "nan"),
    (["theory", "discriminator", "--p", "nope", "--out", "{out}"], "'nope'"),
    (["theory", "discriminator", "--q", "nope", "--out", "{out}"], "'nope'"),
    (["theory", "discriminator", "--steps", "0", "--out", "{out}"], "got 0"),
    (["theory", "discriminator", "--steps", "-1", "--out", "{out}"], "got -1"),
    (["theory", "discriminator", "--seeds", "3-1", "--out", "{out}"], "'3-1'"),
    (["theory", "discriminator", "--out", "{file}"], "{file}: an existing file"),
    (["theory", "gan", "{missing}", "--out", "{out}"], "{missing}"),
    (["theory", "gan", "{nonrun}", "--out", "{out}"], "{nonrun}"),
    (["theory", "gan", "{unfinished}", "--out", "{out}"], "{unfinished}"),
    (["theory", "gan", "{vae}", "--out", "{out}"], "vae run"),
    (["theory", "gan", "{gan}", "--member", "5", "--out", "{out}"], "got 5"),
    (["theory", "gan", "{gan}", "--member", "-1", "--out", "{out}"], "got -1"),
    (["theory", "gan", "{gan}", "--n-kde", "1", "--out", "{out}"], "got 1"),
    (["theory", "gan", "{gan}", "--n-kde", "1000000000", "--out", "{out}"], "1000000000"),
    (["theory", "gan", "{gan}", "--eval-samples", "0", "--out", "{out}"], "got 2000, 0"),
    (["theory", "gan", "{gan}", "--eval-samples", "1000000000000", "--out", "{out}"],
     "1000000000000"),
    (["theory", "gan", "{gan}", "--out", "{file}"], "{file}: an existing file"),
    (["theory", "nope"], "'nope'"),
]  # fmt: skip

TOP = [
    ([], "required"),
    (["nope"], "'nope'"),
    (["--debug", "train", "vae", "--epochs", "0"], "got 0"),
]

BAD = TRAIN + SAMPLE + EVALUATE + COMPARE + DATA + BENCHMARK + REPRODUCE + REPORT + MINIMAX
BAD += THEORY + TOP


@pytest.mark.parametrize(("argv", "needle"), BAD, ids=[" ".join(a) or "-" for a, _ in BAD])
def test_bad_invocation(argv, needle, world, tmp_path, capsys, monkeypatch):
    check_rejected(argv, needle, world, tmp_path, capsys, monkeypatch)


# -- outputs that cannot be written ---------------------------------------------------------------
UNWRITABLE = [
    ["train", "vae", "--out", "{there}/run"],
    ["train", "vae", "--resume", "{there}"],  # an unfinished run in a locked folder
    ["sample", "{vae}", "-n", "10", "-o", "{there}/x.npy"],
    ["data", "plot", "swiss_roll", "-o", "{there}/f.png"],
    ["evaluate", "{there}"],  # the run's own evaluation.json
    ["compare", "{vae}", "--out", "{there}/cmp"],
    ["benchmark", "--models", "vae", "--datasets", "ring", "--out", "{there}/bench"],
    ["reproduce", "--quick", "--only", "problem1", "--out", "{there}/repro"],
    ["report", "{vae}", "-o", "{there}/r.html"],
    ["report", "{there}"],  # the default output, RUN/report.html
    ["minimax", "run", "--epochs", "20", "--out", "{there}/mm"],
    ["minimax", "compare", "--epochs", "20", "--out", "{there}/mmc"],
    ["theory", "check", "--pairs", "gaussian_1d", "--out", "{there}/tc"],
    ["theory", "discriminator", "--steps", "30", "--out", "{there}/td"],
    ["theory", "gan", "{gan}", "--out", "{there}/tg"],
    ["theory", "gan", "{there}"],  # the default output, RUN/discriminator
]


def aim(argv: list[str], there: Path, world: dict[str, Path]) -> list[str]:
    """Point ``{there}`` at ``there``, a GAN run copied there when the verb needs a run
    (``train --resume``: an unfinished VAE run)."""
    if argv[-1] == "{there}" or "{there}" in argv[:3]:
        model = "unfinished" if argv[0] == "train" else "gan"
        shutil.copytree(world[model], there, dirs_exist_ok=True)
    return [a.replace("{there}", str(there)) for a in argv]


@pytest.mark.parametrize("argv", UNWRITABLE, ids=" ".join)
def test_no_write_permission(argv, world, tmp_path, capsys, monkeypatch):
    there = tmp_path / "locked"
    there.mkdir()
    argv = aim(argv, there, world)
    real = os.access

    def access(path, mode, *args, **kwargs):
        inside = Path(path).absolute() == there or there in Path(path).absolute().parents
        return False if inside and mode & os.W_OK else real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    check_rejected(argv, f"{there} is not writable", world, tmp_path, capsys, monkeypatch)


@pytest.fixture(scope="module")
def read_only(tmp_path_factory, world):
    """A read-only tmpfs holding a copy of the GAN and of the unfinished run (skip where no file
    system can be mounted)."""
    fs = tmp_path_factory.mktemp("ro")
    mount = ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(fs)]
    if shutil.which("mount") is None or subprocess.run(mount, capture_output=True).returncode:
        pytest.skip("cannot mount a file system here")
    try:
        for name in ("gan", "unfinished"):
            shutil.copytree(world[name], fs / name)
        (fs / "sub").mkdir()
        if subprocess.run(["mount", "-o", "remount,ro", str(fs)], capture_output=True).returncode:
            pytest.skip("cannot make a file system read-only here")
        yield fs
    finally:
        subprocess.run(["umount", str(fs)], capture_output=True)


@pytest.mark.parametrize("argv", UNWRITABLE, ids=" ".join)
def test_read_only_file_system(argv, read_only, world, tmp_path, capsys, monkeypatch):
    uses_run = argv[-1] == "{there}" or "{there}" in argv[:3]
    there = read_only / ("unfinished" if argv[0] == "train" else "gan") if uses_run else (
        read_only / "sub")  # fmt: skip
    argv = [a.replace("{there}", str(there)) for a in argv]
    places = {**world, "root": read_only}
    before = tree(world["root"])
    check_rejected(argv, "read-only file system", places, tmp_path, capsys, monkeypatch)
    assert tree(world["root"]) == before


# -- the compiled kernels' cache ------------------------------------------------------------------
def fresh(code: str, env: dict[str, str]) -> dict:
    """Run ``code`` in a fresh interpreter; return the JSON it prints last."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


NO_PYCACHE = """
import json, os, sys
real = os.access
def access(path, mode, *args, **kwargs):  # the installed sources' __pycache__ is read-only
    if str(path).endswith(os.path.join("minimax", "__pycache__")) and mode & os.W_OK:
        return False
    return real(path, mode, *args, **kwargs)
os.access = access
import numba
import genlab.minimax.kernels  # decorates every kernel: fails without a cache locator
from genlab.minimax._jit import JIT
print(json.dumps({"cache": JIT["cache"], "dir": numba.config.CACHE_DIR,
                  "env": os.environ.get("NUMBA_CACHE_DIR")}))
"""


@pytest.mark.parametrize("private", [True, False], ids=["private", "shared"])
def test_kernels_cache_elsewhere_when_their_pycache_is_read_only(private, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env |= {"HOME": "/nonexistent", "TMPDIR": str(tmp_path)}
    folder = tmp_path / f"genlab-numba-cache-{os.getuid()}"
    if not private:  # a folder others may write in is never trusted with pickles
        folder.mkdir()
        folder.chmod(0o777)
    out = fresh(NO_PYCACHE, env)
    assert out["env"] is None  # the environment is left alone
    if private:
        assert out == {"cache": True, "dir": str(folder), "env": None}
        assert folder.stat().st_mode & 0o777 == 0o700
    else:
        assert out == {"cache": False, "dir": "", "env": None}


def test_data_list_imports_no_numba():
    code = """
import contextlib, io, json, sys
from genlab.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    rc = main(["data", "list"])
print(json.dumps({"rc": rc, "numba": "numba" in sys.modules}))
"""
    assert fresh(code, dict(os.environ)) == {"rc": 0, "numba": False}
