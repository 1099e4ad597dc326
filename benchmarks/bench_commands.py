"""Whole commands, as a user runs them: wall time of fresh processes, median of N rounds.

    .venv/bin/python benchmarks/bench_commands.py [--repeat 3] [--epochs 150]

Rows (each a separate process; the commands run round-robin so that the machine's drift hits
them alike):

- ``genlab train vae|gan --epochs E`` (one member, default outputs: evaluation on 2500 samples,
  no figures), with the training epochs' own time (the sum of ``metrics.jsonl``'s seconds) and
  the fixed cost, the whole process minus those epochs. First, untimed but printed, one
  ``--epochs 1 --compile on`` run of each builds the compiled step's packages where they are
  not in genlab's cache yet, so that ``--compile auto`` finds them as any second run of the
  step does; the same command with ``--compile off`` (eager) is a row of its own;
- the homework's loop for the same E epochs as a process (``bench_train_speed.homework_epoch``:
  its imports, data, networks, Adam and training; *without* the notebook's plots, so a lower
  bound of the homework's own script), and genlab's ratio to it;
- ``genlab minimax run`` (the homework's 150,000 steps) and ``--seeds 0-63``;
- ``genlab train gan --epochs 0`` (rejected before any work: exit code 2);
- baselines, the same commands through ``genlab.cli.main`` without the console script's
  ``gc.freeze`` (``genlab.cli.run``), and for ``minimax run`` with ``scipy.linalg`` imported
  first, so that ``preload_blas`` does nothing: the process as it was before either.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from bench_startup import time_once  # one process, timed; its exit code checked

PY = sys.executable
GENLAB = str(Path(sys.executable).parent / "genlab")
HERE = Path(__file__).resolve().parent
NO_FREEZE = "import sys; from genlab.cli import main; sys.exit(main(sys.argv[1:]))"
AS_BEFORE = "import scipy.linalg; " + NO_FREEZE


def homework(model: str, epochs: int) -> list[str]:
    code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); from bench_train_speed import "
            f"homework_epoch; epoch, _ = homework_epoch({model!r}); "
            f"[epoch() for _ in range({epochs})]")  # fmt: skip
    return [PY, "-c", code]


def commands(tmp: Path, epochs: int) -> list[tuple[str, list[str], int]]:
    """(label, argv, expected exit code); ``{i}`` in an argv becomes the round number."""
    rows = []
    for model in ("vae", "gan"):
        out = str(tmp / f"{model}-{{i}}")
        train = [GENLAB, "train", model, "--epochs", str(epochs), "--out", out]
        rows.append((f"genlab train {model} --epochs {epochs}", train, 0))
        eager = [*train[:-1], out + "-eager", "--compile", "off"]
        rows.append((f"genlab train {model} --epochs {epochs} --compile off", eager, 0))
        rows.append((f"homework {model} loop, {epochs} epochs", homework(model, epochs), 0))
    return rows + [
        ("genlab minimax run", [GENLAB, "minimax", "run", "--out", str(tmp / "mm-{i}")], 0),
        ("genlab minimax run --seeds 0-63",
         [GENLAB, "minimax", "run", "--seeds", "0-63", "--out", str(tmp / "mm64-{i}")], 0),
        ("genlab train gan --epochs 0", [GENLAB, "train", "gan", "--epochs", "0"], 2),
        (f"before: train vae --epochs {epochs}",
         [PY, "-c", NO_FREEZE, "train", "vae", "--epochs", str(epochs),
          "--out", str(tmp / "vae-nf-{i}")], 0),
        ("before: minimax run",
         [PY, "-c", AS_BEFORE, "minimax", "run", "--out", str(tmp / "mm-b-{i}")], 0),
    ]  # fmt: skip


def epochs_seconds(run_dir: Path) -> float:
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    return sum(json.loads(line)["seconds"] for line in lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=150)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for model in ("vae", "gan"):  # the compiled step's packages, where not built yet
            build = [GENLAB, "train", model, "--epochs", "1", "--compile", "on",
                     "--out", str(Path(tmp) / f"build-{model}")]  # fmt: skip
            print(f"genlab train {model} --epochs 1 --compile on: {time_once(build, 0, 0):.1f} s")
        rows = commands(Path(tmp), args.epochs)
        times: dict[str, list[float]] = {label: [] for label, _, _ in rows}
        train: dict[str, list[float]] = {}
        for i in range(args.repeat):
            for label, argv, expected in rows:
                times[label].append(time_once(argv, expected, i))
                if label.startswith("genlab train") and expected == 0:
                    folder = argv[argv.index("--out") + 1].format(i=i)
                    train.setdefault(label, []).append(epochs_seconds(Path(folder)))
        med = {label: statistics.median(v) for label, v in times.items()}
        print(f"median of {args.repeat} rounds, seconds per whole process\n")
        print(f"{'command':48} {'whole':>7} {'epochs':>7} {'fixed':>7} {'vs homework':>12}")
        for label, _, _ in rows:
            line = f"{label:48} {med[label]:7.2f}"
            if label in train:
                ep = statistics.median(train[label])
                model = label.split()[2]
                base = med[f"homework {model} loop, {args.epochs} epochs"]
                line += f" {ep:7.2f} {med[label] - ep:7.2f} {base / med[label]:11.2f}×"
            print(line)


if __name__ == "__main__":
    main()
