"""A sweep over a user's data file: the file is read and checked when the sweep is planned
(bad data fails before any cluster starts), each task saves its split, the runs equal
``genlab train --data`` of the same cells, and a rerun trains nothing."""

from __future__ import annotations

import numpy as np

from genlab.cli.main import main
from genlab.sweeps.engine import Engine
from genlab.sweeps.runner import plan_sweep, run_sweep
from genlab.sweeps.spec import read_spec

SPEC = """
model = "gan"

[train]
data = "{data}"
epochs = 3
batch_size = 32
snapshots = 1
frames = 0
eval_samples = 0
device = "cpu"

[grid]
"train.holdout" = [0.2, 0.3]

[sweep]
seeds = [0, 1]
"""


def test_a_sweep_over_a_data_file_equals_training_its_cells(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    np.save(tmp_path / "p.npy", np.random.default_rng(0).normal(size=(100, 3)))
    (tmp_path / "s.toml").write_text(SPEC.format(data="p.npy"))
    plan = plan_sweep(read_spec(tmp_path / "s.toml"), tmp_path / "out")
    assert [t.config["train"]["n_samples"] for t in plan.tasks] == [80, 70]
    result = run_sweep(plan, Engine(workers=1, processes=False))
    assert result.trained == 2 and result.failed == []
    for task, holdout in zip(plan.tasks, (0.2, 0.3), strict=True):
        alone = tmp_path / f"alone-{holdout}"
        argv = ["train", "gan", "--data", "p.npy", "--holdout", str(holdout), "--epochs", "3",
                "--batch-size", "32", "--snapshots", "1", "--frames", "0", "--eval-samples",
                "0", "--device", "cpu", "--seeds", "0,1", "--out", str(alone)]  # fmt: skip
        assert main(argv) == 0
        for name in ("samples.npy", "split.npz"):
            assert (alone / name).read_bytes() == (tmp_path / task.path / name).read_bytes()
    again = run_sweep(plan_sweep(read_spec(tmp_path / "s.toml"), tmp_path / "out"),
                      Engine(workers=1, processes=False))  # fmt: skip
    assert again.trained == 0 and again.failed == []


def test_bad_data_in_a_spec_fails_at_planning(tmp_path, capsys):
    (tmp_path / "p.csv").write_text("1,2\n" * 5 + "1,x\n" + "1,2\n" * 6)
    (tmp_path / "s.toml").write_text(SPEC.format(data=tmp_path / "p.csv"))
    assert main(["sweep", str(tmp_path / "s.toml"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "cell holdout=0.2" in err and "line 6, column 2: 'x' is not a number" in err
    assert not (tmp_path / "out").exists()
