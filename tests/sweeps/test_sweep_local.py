"""Sweeps on the default LocalCluster (one sweep, shared by the tests of this file): bit for
bit the serial runs, a failed cell that stops no other, a rerun that trains nothing,
``--force``."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import time

import pytest
from sweep_helpers import fingerprint, tiny_spec

from genlab.cli.main import main
from genlab.sweeps.engine import Engine
from genlab.sweeps.runner import plan_sweep, run_sweep
from genlab.sweeps.spec import read_spec

GOOD, FAILING = '"train.lr" = [0.0005, 0.002]', '"train.lr" = [0.0005, 0.002, 1e6]'
BAD_CELLS = ["lr=1000000.0,dataset=ring", "lr=1000000.0,dataset=swiss_roll"]


def variant(tmp_path, name: str, grid: str):
    path = tmp_path / name
    path.write_text(tiny_spec(tmp_path).read_text().replace(GOOD, grid))
    return path


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """The tiny spec's 4 cells and 2 more that diverge (lr = 1e6), swept once on a local cluster
    of 2 worker processes: (folder, exit code, stdout, stderr)."""
    tmp = tmp_path_factory.mktemp("swept")
    out = tmp / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["sweep", str(variant(tmp, "six.toml", FAILING)), "--out", str(out),
                     "--workers", "2"])  # fmt: skip
    return out, code, stdout.getvalue(), stderr.getvalue()


def test_local_cluster_is_bit_identical_to_serial(swept, serial_reference):
    out, code, printed, _ = swept
    reference = serial_reference()
    assert len(reference) == 4  # 4 cells of 2 members, one task each
    for folder, expected in reference.items():
        assert fingerprint(out / folder) == expected, folder
    manifest = json.loads((out / "sweep.json").read_text())
    summary = manifest["summary"]
    assert summary | {"cells": 6, "done": 4, "failed": 2, "trained": 4} == summary
    tasks = [t for c in manifest["cells"] for t in c["tasks"]]
    assert all(t["worker"].startswith("tcp://127.0.0.1:") and t["attempts"] == 1 for t in tasks)
    assert manifest["members_per_task"] == 2 and "finished" in manifest
    rows = list(csv.DictReader(io.StringIO((out / "results.csv").read_text())))
    assert [(r["train.lr"], r["train.dataset"], r["members"], r["status"]) for r in rows][:2] == [
        ("0.0005", "ring", "2", "done"), ("0.0005", "swiss_roll", "2", "done")]  # fmt: skip
    assert "w1_mean" in rows[0] and "modes_captured_mean" in rows[0]
    assert (out / "results.md").read_text() in printed and "± " in printed


def test_a_failed_cell_stops_no_other(swept):
    out, code, printed, err = swept
    assert code == 1
    assert f"2 cell(s) failed: {', '.join(BAD_CELLS)}" in err
    cells = {c["cell"]: c for c in json.loads((out / "sweep.json").read_text())["cells"]}
    for name in BAD_CELLS:
        (task,) = cells[name]["tasks"]
        assert cells[name]["status"] == "failed" and "NonFiniteLossError" in task["error"]
        assert "Traceback" in task["traceback"] and task["worker"]
        assert not (out / task["run"] / "DONE").exists()
    assert "| 1000000.0 | ring | 2 | failed | — |" in printed
    assert sum(c["status"] == "done" for c in cells.values()) == 4


def test_a_rerun_of_a_finished_sweep_trains_nothing(swept, tmp_path, capsys):
    out = swept[0]
    spec = variant(tmp_path, "four.toml", GOOD)  # the same 4 cells, all DONE
    done = sorted(out.glob("runs/*/DONE"))
    stamps = [p.stat().st_mtime_ns for p in done]
    before = {t["run"]: t for c in json.loads((out / "sweep.json").read_text())["cells"]
              for t in c["tasks"]}  # fmt: skip
    tic = time.perf_counter()
    assert main(["sweep", str(spec), "--out", str(out)]) == 0  # no cluster is started
    assert time.perf_counter() - tic < 5
    assert "0 to train" in capsys.readouterr().out
    assert [p.stat().st_mtime_ns for p in sorted(out.glob("runs/*/DONE"))] == stamps
    again = json.loads((out / "sweep.json").read_text())
    assert again["summary"] | {"cells": 4, "done": 4, "trained": 0} == again["summary"]
    for cell in again["cells"]:  # each keeps the entry of the sweep that trained it
        assert cell["tasks"] == [before[t["run"]] for t in cell["tasks"]]
    assert main(["verify", *map(str, sorted(p.parent for p in done))]) == 0


def test_force_redoes_complete_cells(swept, tmp_path, serial_reference):
    out = swept[0]
    one = variant(tmp_path, "one.toml", '"train.lr" = [0.0005]').read_text()
    path = tmp_path / "one.toml"
    path.write_text(one.replace('["ring", "swiss_roll"]', '["ring"]'))
    folder = "runs/lr=0.0005,dataset=ring"
    stamp = (out / folder / "DONE").stat().st_mtime_ns
    assert plan_sweep(read_spec(path), out).todo == []
    plan = plan_sweep(read_spec(path), out, force=True)
    assert len(plan.todo) == 1
    result = run_sweep(plan, Engine(workers=0))  # this process, no Dask
    assert result.failed == [] and result.trained == 1
    assert json.loads((out / "sweep.json").read_text())["engine"].startswith("this process")
    assert (out / folder / "DONE").stat().st_mtime_ns != stamp
    assert fingerprint(out / folder) == serial_reference()[folder]


def test_a_folder_of_another_configuration_is_refused(swept, tmp_path, capsys):
    out = swept[0]
    path = variant(tmp_path, "other.toml", GOOD)
    path.write_text(path.read_text().replace("epochs = 200", "epochs = 201"))
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    assert "holds a run of another configuration" in capsys.readouterr().err
    assert main(["sweep", str(path), "--out", str(out), "--members-per-task", "1"]) == 2
    assert "packed with 2 members per task" in capsys.readouterr().err
