"""Trusted run folders: sealed weights-only checkpoints, the previous-checkpoint fallback, the
configuration check, the manifest, the lock, leftover temporary files and a full disk."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import socket
import subprocess
import sys

import numpy as np
import pytest
import torch

from genlab.base import atomic
from genlab.base.errors import RunWarning, UserError
from genlab.base.lock import StaleLockWarning, folder_lock
from genlab.cli.main import main
from genlab.training import FitHooks, fit
from genlab.training.config_file import read_config
from genlab.training.integrity import DamagedRunError
from genlab.training.rundir import RunDir
from genlab.training.verify import verify_run
from genlab.workflows.pipeline import train_run


class Payload:
    """Unpickling this runs code: it creates ``marker``."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _trained(make_config, make_run, name="run", epochs=3, **train):
    config = make_config("gan", epochs=epochs, checkpoint_every=1, snapshots=1, **train)
    return fit(make_run(config, name)).run


def test_a_checkpoint_that_runs_code_is_refused_without_running_it(make_config, make_run, tmp_path):
    run = _trained(make_config, make_run)
    marker = tmp_path / "pwned"
    for path in (run.checkpoint_file, run.previous_checkpoint_file):
        buf = io.BytesIO()
        torch.save({"epoch": 3, "model": Payload(str(marker))}, buf)
        path.write_bytes(buf.getvalue())
    with pytest.raises(DamagedRunError, match="last.pt is unreadable or not a genlab checkpoint"):
        run.load_checkpoint()
    assert not marker.exists()


def test_garbled_tensor_bytes_fall_back_to_the_previous_checkpoint(make_config, make_run):
    run = _trained(make_config, make_run)
    data = bytearray(run.checkpoint_file.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0x5A for b in data[middle : middle + 64])
    run.checkpoint_file.write_bytes(bytes(data))
    with pytest.warns(RunWarning, match="last.pt is .*; using .*previous.pt \\(epoch 2\\)"):
        assert run.load_checkpoint()["epoch"] == 2


def test_a_resume_from_the_previous_checkpoint_ends_where_a_straight_run_does(
    make_config, make_run
):
    straight = _trained(make_config, make_run, "straight", epochs=4)
    config = make_config("gan", epochs=4, checkpoint_every=1, snapshots=1)
    run = make_run(config, "resumed")

    def stop(record):
        if record.epoch == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit(run, hooks=FitHooks(on_epoch=stop))
    run.checkpoint_file.write_bytes(b"\0" * 100)  # the epoch-3 checkpoint is lost
    with pytest.warns(RunWarning):
        fit(run)
    a, b = straight.load_checkpoint()["model"], run.load_checkpoint()["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_an_edited_configuration_is_refused_naming_the_fields(make_config, make_run):
    run = _trained(make_config, make_run)
    text = run.config_file.read_text().replace('"lr": 0.0005', '"lr": 0.001')
    run.config_file.write_text(
        text.replace('"seeds": [\n      0\n    ]', '"seeds": [\n      7\n    ]')
    )
    with pytest.raises(UserError, match=r"train.lr 0.0005 → 0.001; train.seeds \[0\] → \[7\]"):
        run.load_checkpoint()


def test_a_finished_run_has_a_manifest_and_verify_names_a_damaged_file(tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "vae", "--epochs", "2", "--n-samples", "64", "--batch-size", "32",
            "--eval-samples", "50", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    run = RunDir.open(out)
    assert {"config.json", "DONE", "samples.npy", "checkpoints/last.pt"} <= set(run.manifest())
    assert verify_run(out).ok and main(["verify", str(out)]) == 0
    samples = np.load(run.samples_file)
    np.save(run.samples_file, samples + 1.0)
    capsys.readouterr()
    assert main(["verify", str(out)]) == 1
    assert "samples.npy is damaged" in capsys.readouterr().out
    with pytest.raises(DamagedRunError, match="samples.npy is damaged"):
        run.check(run.samples_file)


def test_evaluate_records_its_file_in_the_manifest(tmp_path):
    out = tmp_path / "run"
    argv = ["train", "gan", "--epochs", "2", "--n-samples", "64", "--batch-size", "32",
            "--eval-samples", "0", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0 and "evaluation.json" not in RunDir(out).manifest()
    assert main(["evaluate", str(out), "--n", "50"]) == 0
    assert "evaluation.json" in RunDir(out).manifest() and verify_run(out).ok


def test_a_second_writer_is_refused_naming_the_owner(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / ".lock").write_text(f'{{"pid": {other.pid}, "host": "{socket.gethostname()}"}}')
        with (
            pytest.raises(UserError, match=f"in use by process {other.pid}"),
            folder_lock(tmp_path),
        ):
            pass
    finally:
        other.kill()
        other.wait()
    # its owner is gone now; the holder may take it again
    with pytest.warns(StaleLockWarning), folder_lock(tmp_path) as lock, folder_lock(tmp_path):
        assert lock.exists()
    assert not lock.exists()


def test_a_resume_removes_leftover_temporary_files(make_config, make_run):
    run = _trained(make_config, make_run, eval_samples=0)
    left = run.path / "checkpoints" / ".last.pt.abc123.tmp"
    left.write_bytes(b"half a checkpoint")
    train_run(run)
    assert not left.exists() and run.is_done()


def test_a_full_disk_stops_with_a_message_and_keeps_a_resumable_checkpoint(
    tmp_path, monkeypatch, capsys
):
    out = tmp_path / "run"
    argv = ["train", "gan", "--epochs", "4", "--n-samples", "64", "--batch-size", "32",
            "--checkpoint-every", "1", "--eval-samples", "0", "--out", str(out)]  # fmt: skip
    real, writes = atomic.write_bytes, []

    def write_bytes(path, data):
        if path.name == "last.pt" and len(writes) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        writes.append(path) if path.name == "last.pt" else None
        return real(path, data)

    monkeypatch.setattr(atomic, "write_bytes", write_bytes)
    assert main(argv) == 1
    assert "no space left on the device" in capsys.readouterr().err
    monkeypatch.undo()
    assert RunDir.open(out).load_checkpoint()["epoch"] in (1, 2)
    assert main(["train", "gan", "--resume", str(out)]) == 0
    straight = tmp_path / "straight"
    assert main([*argv[:-1], str(straight)]) == 0
    a = RunDir.open(out).load_checkpoint()["model"]
    b = RunDir.open(straight).load_checkpoint()["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)
    shutil.rmtree(straight)


def test_a_resume_may_lower_the_learning_rate_and_says_so(tmp_path, monkeypatch, capsys):
    import dataclasses

    import genlab.workflows.pipeline as pipeline

    out = tmp_path / "run"
    real = pipeline.fit

    def interrupted(run, hooks):
        def stop(record):
            if record.epoch == 2:
                raise KeyboardInterrupt

        return real(run, hooks=dataclasses.replace(hooks, on_epoch=stop))

    monkeypatch.setattr(pipeline, "fit", interrupted)
    argv = ["train", "gan", "--epochs", "4", "--n-samples", "64", "--batch-size", "32",
            "--checkpoint-every", "1", "--eval-samples", "0", "--out", str(out)]  # fmt: skip
    assert main(argv) == 130
    monkeypatch.undo()
    assert main(["train", "gan", "--resume", str(out), "--epochs", "9"]) == 2
    assert main(["train", "gan", "--resume", str(out), "--lr", "1e-4"]) == 0
    assert "amended" in capsys.readouterr().out
    record = json.loads(RunDir(out).config_file.read_text())
    assert record["train"]["lr"] == 1e-4
    assert record["amended"] == [{"epoch": 2, "field": "train.lr", "old": 5e-4, "new": 1e-4}]
    assert read_config(out / "config.toml").train.lr == 1e-4  # the copy to rerun follows
    assert RunDir(out).is_done() and verify_run(out).ok


@pytest.fixture
def small_disk(tmp_path):
    """A 700 KiB tmpfs: room for a run's first checkpoints, not for many (skips where it
    cannot be mounted)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=700k", "tmpfs", str(disk)],
                             capture_output=True)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def test_a_real_full_disk_keeps_a_good_checkpoint(small_disk, tmp_path, capsys):
    out = small_disk / "run"
    argv = ["train", "gan", "--epochs", "6", "--n-samples", "64", "--batch-size", "32",
            "--checkpoint-every", "1", "--eval-samples", "0"]  # fmt: skip
    assert main([*argv, "--out", str(out)]) == 1
    assert "no space left on the device" in capsys.readouterr().err
    assert not list(out.rglob(".*.tmp"))  # the failed write left nothing behind
    moved = shutil.copytree(out, tmp_path / "moved")  # onto a disk with room
    assert RunDir.open(moved).load_checkpoint()["epoch"] >= 1
    assert main(["train", "gan", "--resume", str(moved)]) == 0
    assert main([*argv, "--out", str(tmp_path / "straight")]) == 0
    a = RunDir.open(moved).load_checkpoint()["model"]
    b = RunDir.open(tmp_path / "straight").load_checkpoint()["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)
