"""Density-panel speed: genlab's ``plot_density`` against the homework's seaborn call.

The homework draws every panel with ``sns.kdeplot(fill=True, thresh=0.1, levels=1000,
cmap="Greens")``. genlab draws the same picture (see ``genlab.plotting.density``). Both are timed on
the same 2000 swiss-roll points, including rendering the figure to PNG, in one process.

    python benchmarks/bench_plot_speed.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import io
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from genlab.data import make_swiss_roll  # noqa: E402
from genlab.plotting.density import homework_style, plot_density  # noqa: E402


def genlab_panel(x) -> None:
    with homework_style():
        fig, ax = plt.subplots(figsize=(5, 5))
        plot_density(ax, x, title="Epoch : 2000")
        fig.savefig(io.BytesIO(), format="png", dpi=100)
        plt.close(fig)


def seaborn_panel(x) -> None:
    with homework_style():
        fig, ax = plt.subplots(figsize=(5, 5))
        sns.kdeplot(x=x[:, 0], y=x[:, 1], fill=True, thresh=0.1, levels=1000, cmap="Greens", ax=ax)
        ax.set_xlim(-1.5, 1.5)
        ax.set_ylim(-1.5, 1.5)
        ax.set_title("Epoch : 2000")
        fig.savefig(io.BytesIO(), format="png", dpi=100)
        plt.close(fig)


def seconds(f, x, repeats: int) -> float:
    f(x)  # warm-up
    tic = time.perf_counter()
    for _ in range(repeats):
        f(x)
    return (time.perf_counter() - tic) / repeats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    x = make_swiss_roll(2000, generator=0).numpy()
    base = seconds(seaborn_panel, x, args.repeats)
    ours = seconds(genlab_panel, x, args.repeats)
    print("density panel of 2000 points, rendered to PNG (seconds per figure)")
    print(f"{'seaborn kdeplot levels=1000':30} {base:8.3f}  1.00x")
    print(f"{'genlab plot_density':30} {ours:8.3f}  {base / ours:5.1f}x faster")


if __name__ == "__main__":
    main()
