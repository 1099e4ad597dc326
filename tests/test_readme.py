"""The README's Python example runs as written.

The first ```python block of README.md is executed verbatim, in a fresh namespace, from a
temporary working directory (so its relative ``out=`` folder lands there). The example is
written with small settings so that it runs in seconds; this test never shrinks or patches it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

import genlab

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_python_block() -> str:
    """The text of the first ```python fenced block of README.md."""
    match = re.search(r"^```python[ \t]*\n(.*?)^```[ \t]*$", README.read_text("utf-8"), re.S | re.M)
    assert match, "README.md has no ```python block"
    return match.group(1)


def test_readme_has_a_short_python_example():
    block = readme_python_block()
    assert "import genlab" in block
    assert len(block.strip().splitlines()) <= 20


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = compile(readme_python_block(), f"{README}:python", "exec")
    namespace: dict = {"__name__": "__readme__"}
    exec(code, namespace)
    printed = capsys.readouterr().out

    runs = [v for v in namespace.values() if isinstance(v, genlab.Run)]
    assert runs, "the example should leave a genlab.Run in its namespace"
    for run in runs:
        path = Path(run.path).resolve()
        assert path.is_relative_to(tmp_path.resolve()), f"{path} was written outside the tmp dir"
        assert run.is_done and (path / "DONE").is_file()
        for name in ("config.json", "metrics.jsonl", "checkpoints/last.pt", "samples.npy"):
            assert (path / name).is_file(), name
        assert len(run.history) == run.config.train.epochs

    run = runs[0]
    members = len(run.config.train.seeds)
    arrays = [v for v in namespace.values() if isinstance(v, np.ndarray)]
    assert arrays, "the example should draw samples"
    for x in arrays:
        assert x.ndim == 3 and x.shape[0] == members and x.shape[2] == 2
        assert np.isfinite(x).all()
        assert str(x.shape) in printed  # the example prints the shape it documents

    evaluation = run.evaluate(n=500)["metrics"]
    assert {"values", "mean", "se", "floor", "better"} <= set(evaluation["w1"])
