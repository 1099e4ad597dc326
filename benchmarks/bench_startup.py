"""Start-up cost of the ``genlab`` command line: whole-process wall time, median of N runs.

Times, as separate processes of the venv's interpreter and its ``genlab`` entry point:
``python -c pass`` (the baseline), ``import numpy`` and ``import torch`` (for scale),
``import genlab``, ``genlab --help``, ``genlab train gan --epochs 0`` (rejected: exit code 2),
``genlab data list`` and a short real ``genlab minimax run --epochs 50``. The commands run
round-robin (one untimed warm-up round first), so machine load hits them alike; every ratio is
against the baseline and ``import torch`` measured in this same invocation. Then, for
``--help`` and the rejected argument, one ``-X importtime`` run: the slowest cumulative imports
and whether torch, ot, matplotlib, numba or scipy.stats were imported at all.
Goal: ``genlab --help`` and ``genlab train gan --epochs 0`` each <= 0.3 s.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 5] [--top 8]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
GENLAB = str(Path(sys.executable).parent / "genlab")
GOAL_S = 0.3
HEAVY = ("torch", "ot", "matplotlib", "numba", "scipy.stats")
IMPORTTIME_ARGV = {  # label -> argv passed to genlab.cli.main
    "genlab --help": ["--help"],
    "genlab train gan --epochs 0": ["train", "gan", "--epochs", "0"],
}


def commands(tmp: Path) -> list[tuple[str, list[str], int]]:
    """(label, argv, expected exit code). ``{i}`` in an argv is replaced by the run number."""
    return [
        ("python -c pass", [PY, "-c", "pass"], 0),
        ("python -c 'import numpy'", [PY, "-c", "import numpy"], 0),
        ("python -c 'import torch'", [PY, "-c", "import torch"], 0),
        ("python -c 'import genlab'", [PY, "-c", "import genlab"], 0),
        ("genlab --help", [GENLAB, "--help"], 0),
        ("genlab train gan --epochs 0", [GENLAB, "train", "gan", "--epochs", "0"], 2),
        ("genlab data list", [GENLAB, "data", "list"], 0),
        ("genlab minimax run --epochs 50", [GENLAB, "minimax", "run", "--epochs", "50",
                                            "--out", str(tmp / "minimax-{i}")], 0),
    ]  # fmt: skip


def time_once(argv: list[str], expected: int, i: int) -> float:
    argv = [a.replace("{i}", str(i)) for a in argv]
    tic = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True)
    seconds = time.perf_counter() - tic
    if proc.returncode != expected:
        sys.exit(f"{' '.join(argv)}: exit code {proc.returncode}, expected {expected}\n"
                 f"{proc.stderr[-2000:]}")  # fmt: skip
    return seconds


def measure(repeat: int, tmp: Path) -> dict[str, tuple[float, list[float], int]]:
    """label -> (median s, all times, expected exit code); round-robin after a warm-up round."""
    cmds = commands(tmp)
    for _, argv, rc in cmds:  # warm-up: file cache, numba's on-disk cache, .pyc files
        time_once(argv, rc, -1)
    times: dict[str, list[float]] = {label: [] for label, _, _ in cmds}
    for i in range(repeat):
        for label, argv, rc in cmds:
            times[label].append(time_once(argv, rc, i))
    return {label: (statistics.median(times[label]), times[label], rc) for label, _, rc in cmds}


def importtime(cli_argv: list[str]) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module) of every import, from one ``-X importtime`` run."""
    code = f"import sys; from genlab.cli import main; sys.exit(main({cli_argv!r}))"
    proc = subprocess.run([PY, "-X", "importtime", "-c", code], capture_output=True, text=True)
    rows = []
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "self [us]" not in line:
            self_us, cum_us, name = line.removeprefix("import time:").split("|")
            rows.append((int(self_us), int(cum_us), name.rstrip()))
    return rows


def print_importtime(label: str, rows: list[tuple[int, int, str]], top: int) -> None:
    names = {name.strip() for _, _, name in rows}
    total = sum(self_us for self_us, _, _ in rows) / 1e6
    print(f"\n-X importtime: {label}  ({len(rows)} modules, {total:.3f} s of imports)")
    for _, cum_us, name in sorted(rows, key=lambda r: -r[1])[:top]:
        nested = " (nested)" if name.startswith("  ") else ""  # imported by another module
        print(f"  {cum_us / 1e6:8.3f} s  {name.strip()}{nested}")
    present = [h for h in HEAVY if any(n == h or n.startswith(h + ".") for n in names)]
    absent = [h for h in HEAVY if h not in present]
    print(f"  heavy imported: {', '.join(present) or 'none'};  absent: {', '.join(absent)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per command")
    parser.add_argument("--top", type=int, default=8, help="slowest imports shown")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]} at {PY}; median of {args.repeat} runs, round-robin")

    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        results = measure(args.repeat, Path(tmp))
    base = results["python -c pass"][0]
    torch_s = results["python -c 'import torch'"][0]
    for label, (median, times, _) in results.items():
        spread = ", ".join(f"{t:.3f}" for t in times)
        print(f"{label:34} {median:7.3f} s  ×{median / base:5.1f} pass  "
              f"×{median / torch_s:5.2f} torch   [{spread}]")  # fmt: skip

    for label, cli_argv in IMPORTTIME_ARGV.items():
        print_importtime(label, importtime(cli_argv), args.top)

    print("\n| command | exit | median s | × `python -c pass` | × `import torch` | goal |")
    print("|---|---:|---:|---:|---:|---|")
    for label, (median, _, rc) in results.items():
        goal = ""
        if label in IMPORTTIME_ARGV:
            goal = f"≤ {GOAL_S} s: {'met' if median <= GOAL_S else 'MISSED'}"
        print(f"| `{label}` | {rc} | {median:.3f} | {median / base:.1f} | "
              f"{median / torch_s:.2f} | {goal} |")  # fmt: skip


if __name__ == "__main__":
    main()
