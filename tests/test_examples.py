"""The README's data examples, smoke-tested: the ```sh block of "Your own data" runs with its
commands as written, but with a few epochs appended (a later option overrides an earlier one),
so that the real data set that scikit-learn ships (iris, 150 × 4) and the 3-D swiss roll train,
evaluate against their references and draw their figures in seconds."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

from genlab.cli.main import main

README = Path(__file__).resolve().parents[1] / "README.md"
SHORT = ["--epochs", "3", "--frames", "3", "--snapshots", "1", "--eval-samples", "200"]


def data_commands() -> list[list[str]]:
    text = README.read_text("utf-8")
    match = re.search(r"## Your own data\s+```sh\n(.*?)^```", text, re.S | re.M)
    assert match, "README.md has no sh block under 'Your own data'"
    return [shlex.split(line, comments=True) for line in match.group(1).splitlines() if line]


def test_the_readme_data_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    commands = data_commands()
    assert commands[0][0] == "python" and [c[:2] for c in commands[1:]] == [
        ["genlab", "train"], ["genlab", "train"], ["genlab", "plot"]]  # fmt: skip
    subprocess.run([sys.executable, *commands[0][1:]], check=True)
    for command in commands[1:3]:
        assert main([*command[1:], *SHORT]) == 0, command
        out = Path(command[command.index("--out") + 1])
        evaluation = json.loads((out / "evaluation.json").read_text())
        assert all(len(m["values"]) == 5 for m in evaluation["metrics"].values())
    assert main(commands[3][1:]) == 0
    for out in commands[3][2:]:
        assert (Path(out) / "figures" / "snapshots.png").is_file()
    iris = json.loads((tmp_path / "runs/iris/evaluation.json").read_text())
    assert iris["dataset"] == "iris.npy" and iris["compared"] == 30  # 20 % of 150 held out
