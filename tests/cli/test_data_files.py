"""``genlab train vae|gan --data FILE``: the user's own points of any low dimension train,
evaluate against the held-out part (with floors) and draw their figures; every bad file exits 2
naming the problem, writes nothing and prints no traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from genlab.cli.main import main
from genlab.data.files import MAX_BYTES, MAX_DIM

FAST = ["--device", "cpu", "--frames", "5", "--snapshots", "1"]


def code_of(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return 0 if exc.code is None else int(exc.code)


def points(n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) + 3.0 * rng.integers(0, 2, size=(n, 1))  # two clusters


def write_csv(path: Path, x: np.ndarray, header: bool = True) -> Path:
    head = ",".join(f"x{i}" for i in range(x.shape[1])) + "\n" if header else ""
    path.write_text(head + "\n".join(",".join(f"{v:.6f}" for v in row) for row in x) + "\n")
    return path


def test_three_column_csv_trains_two_members_evaluates_and_draws_a_corner_plot(tmp_path):
    data = write_csv(tmp_path / "points.csv", points(200, 3))
    out = tmp_path / "R"
    argv = ["train", "gan", "--data", str(data), "--epochs", "5", "--seeds", "0-1", "--out"]
    assert code_of([*argv, str(out), *FAST, "--figures", "--exact-ot"]) == 0
    ev = json.loads((out / "evaluation.json").read_text())
    assert ev["dataset"] == "points.csv" and ev["seeds"] == [0, 1] and ev["exact_ot"] is True
    assert ev["compared"] == 40 and "40 of 40 held-out points" in ev["reference"]
    for name in ("sliced_w2", "w1", "mmd2", "energy", "precision", "coverage", "kde_ll"):
        m = ev["metrics"][name]
        assert len(m["values"]) == 2 and np.isfinite(m["floor"]), name
    assert "modes_captured" not in ev["metrics"] and "spiral_near" not in ev["metrics"]
    assert np.load(out / "samples.npy").shape[::2] == (2, 3)
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert "snapshots.png" in figures and "evolution.gif" in figures, figures
    assert "gan_lab.png" not in figures  # GAN Lab's view is 2-D only
    assert (out / "DONE").exists() and (out / "split.npz").exists()


def test_one_column_file_writes_the_one_dimensional_figure(tmp_path):
    np.save(tmp_path / "x.npy", points(150, 1)[:, 0])  # a 1-D array: N points of d = 1
    out = tmp_path / "R"
    argv = ["train", "vae", "--data", str(tmp_path / "x.npy"), "--epochs", "3", "--out", str(out)]
    assert code_of([*argv, *FAST, "--standardize", "--figures"]) == 0
    assert np.load(out / "samples.npy").shape[2] == 1
    assert (out / "figures" / "snapshots.png").stat().st_size > 1000
    ev = json.loads((out / "evaluation.json").read_text())
    assert ev["metrics"]["sliced_w2"]["floor"] > 0


def test_two_column_data_keeps_the_density_style_and_gan_lab(tmp_path):
    data = write_csv(tmp_path / "p.csv", points(120, 2), header=False)
    out = tmp_path / "R"
    argv = ["train", "gan", "--data", str(data), "--epochs", "2", "--out", str(out)]
    assert code_of([*argv, *FAST, "--eval-samples", "0"]) == 0
    assert code_of(["plot", str(out)]) == 0
    assert (out / "figures" / "gan_lab.png").exists()


def text(name: str, body: str):
    """A case that writes ``body`` to ``name`` and gives its path."""

    def make(p: Path) -> str:
        (p / name).write_text(body)
        return str(p / name)

    return make


def array(name: str, x: np.ndarray, key: str = ""):
    """A case that saves ``x`` (or two arrays a, b for an .npz) and gives its spec."""

    def make(p: Path) -> str:
        if name.endswith(".npz"):
            np.savez(p / name, a=x, b=x[:, :1])
        else:
            np.save(p / name, x)
        return str(p / name) + key

    return make


def sparse(p: Path) -> str:
    path = p / "huge.npy"
    with open(path, "wb") as f:
        f.truncate(MAX_BYTES + 1)  # a sparse file: no disk, no time
    return str(path)


ROWS = "1,2,3\n" * 6
BAD = {  # name -> (make the file and give its spec, the message expected)
    "non-numeric cell": (
        text("x.csv", "a,b,c\n" + ROWS + "1,oops,3\n" + ROWS),
        r"x\.csv, line 8, column 2: 'oops' is not a number",
    ),  # fmt: skip
    "NaN": (
        text("x.csv", ROWS + "nan,2,3\n" + ROWS),
        r"x\.csv: 1 row holds NaN or inf; the first is line 7",
    ),  # fmt: skip
    "inf in array": (array("x.npy", np.r_[points(12, 2), [[np.inf, 0]]]), r"row 12 \(0-based\)"),
    "ragged": (text("x.csv", ROWS + "1,2\n" + ROWS), r"line 7: 2 columns, expected 3"),
    "npz wrong key": (array("two.npz", points(30, 2), ":c"), r"two\.npz has no array 'c'"),
    "npz no key": (array("two.npz", points(30, 2)), r"holds 2 arrays \(a, b\); pick one"),
    "too few points": (array("x.npy", points(9, 2)), r"holds 9 points; at least 10 are needed"),
    "d too large": (
        array("x.npy", points(20, MAX_DIM + 1)),
        rf"dimension d = {MAX_DIM + 1}; allowed 1\.\.{MAX_DIM}",
    ),  # fmt: skip
    "empty": (text("x.csv", ""), r"x\.csv is empty"),
    "missing": (lambda p: str(p / "nowhere.csv"), r"nowhere\.csv"),
    "unreadable": (text("x.npy", "\x93NUMPY garbage"), r"x\.npy"),
    "oversized": (sparse, r"huge\.npy"),
    "holdout leaves too few": (
        array("x.npy", points(30, 2)),
        r"holds out 6; the evaluation needs at least 10",
    ),  # fmt: skip
}


@pytest.mark.parametrize("case", BAD)
def test_bad_data_exits_2_naming_it_and_writes_nothing(tmp_path, capsys, case):
    make, message = BAD[case]
    spec = make(tmp_path)
    out = tmp_path / "R"
    before = set(os.listdir(tmp_path))
    assert code_of(["train", "gan", "--data", spec, "--epochs", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("genlab: error: ") and "Traceback" not in err, err
    import re

    assert re.search(message, err), err
    assert not out.exists() and set(os.listdir(tmp_path)) == before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--dataset", "ring"], "not both"),
        (["--noise", "0.1"], "noise applies to a registered dataset"),
        (["--holdout", "0.7"], "holdout must be a fraction in (0, 0.5], got 0.7"),
        (["--n-samples", "10"], "--n-samples applies to a registered dataset"),
        (["--batch-size", "500"], "batch_size 500 is larger than the training part"),
    ],
)
def test_bad_data_options_exit_2(tmp_path, capsys, extra, message):
    np.save(tmp_path / "x.npy", points(100, 2))
    argv = ["train", "gan", "--data", str(tmp_path / "x.npy"), "--out", str(tmp_path / "R")]
    assert code_of([*argv, *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "R").exists()


def test_standardize_needs_a_data_file(capsys, tmp_path):
    assert code_of(["train", "vae", "--standardize", "--out", str(tmp_path / "R")]) == 2
    assert "standardize applies to a data file" in capsys.readouterr().err


def test_no_compile_overrides_a_file(tmp_path):
    from genlab.cli.main import build_parser, config_from_args

    (tmp_path / "c.toml").write_text('model = "vae"\n[train]\ncompile = true\n')
    args = build_parser().parse_args(["train", "vae", "--config", str(tmp_path / "c.toml"),
                                      "--no-compile"])  # fmt: skip
    assert config_from_args(args).train.compile is False


def test_config_toml_of_a_data_run_trains_it_again_from_anywhere(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    write_csv(tmp_path / "a" / "p.csv", points(100, 3))
    argv = ["train", "vae", "--data", "p.csv", "--standardize", "--epochs", "2", "--out", "R"]
    assert code_of([*argv, *FAST, "--eval-samples", "0"]) == 0
    text = (tmp_path / "a/R/config.toml").read_text()
    assert f'data = "{tmp_path / "a" / "p.csv"}"' in text and "standardize = true" in text
    monkeypatch.chdir(tmp_path)
    assert code_of(["train", "vae", "--config", "a/R/config.toml", "--out", "R2"]) == 0
    for name in ("samples.npy", "data.npy", "split.npz", "snapshots.npz"):
        assert (tmp_path / "a/R" / name).read_bytes() == (tmp_path / "R2" / name).read_bytes()
