"""Samples beside data in any dimension: 1-D marginals, 2-D pairs and corner plots.

The look follows the homework's density panel (``genlab.plotting.density``): the model's
samples are green (a KDE line over a light fill in 1-D, the "Greens" density image in 2-D),
the data are grey (a filled histogram in 1-D, density contours drawn over the samples' image in
2-D), so that the two read apart at a glance. A corner plot (Foreman-Mackey's ``corner.py``
layout) shows the first few dimensions: the marginals on its diagonal, every pair below it.

Every function draws on the given ``ax`` (a corner: on a square array of axes) and returns it.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from genlab.plotting.density import kde_box, mass_level, plot_density

SAMPLE_COLOR = "#238b45"  # a dark green of the "Greens" map: the model's samples
DATA_FILL, DATA_LINE = "0.72", "0.25"  # greys: the data's histogram and its contours
CONTOUR_MASS = (0.1, 0.5, 0.8)
"""The data's contours enclose 90 %, 50 % and 20 % of its (gridded) mass."""
MAX_CORNER_DIMS = 4
"""A corner plot shows at most this many dimensions (the first ones)."""
CORNER_TICKS = 4
"""At most this many intervals between ticks on a corner's axes (ticks are most of its cost)."""


def finite(values: np.ndarray) -> np.ndarray:
    """The rows of ``values`` (n,) or (n, k) without a NaN or an infinity."""
    values = np.asarray(values, dtype=np.float64)
    return values[np.isfinite(values)] if values.ndim == 1 else values[np.isfinite(values).all(1)]


def kde_1d(
    values: np.ndarray, window: tuple[float, float], resolution: int = 300, bw_adjust: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian KDE of 1-D ``values`` at ``resolution`` cell centres of ``window``.

    Bandwidth: Scott's rule h = σ·n^(−1/5) (``scipy.stats.gaussian_kde``) on the values inside
    the window (at least 2; else all), at least one cell.
    The values are linearly binned on a grid padded by 4 bandwidths and convolved with the
    kernel (or, for a kernel wider than the window, summed exactly). Returns (x, density),
    the density integrating to the share of the mass that falls in the window; zeros for
    fewer than 2 finite values.
    """
    lo, hi = float(window[0]), float(window[1])
    step = (hi - lo) / resolution
    x = lo + step * (np.arange(resolution) + 0.5)
    values = finite(np.ravel(values))
    n = len(values)
    if n < 2:
        return x, np.zeros(resolution)
    inside = values[(values >= lo) & (values <= hi)]
    spread = inside if len(inside) >= 2 else values  # robust to far outliers, as ``kde_box``
    h = max(float(np.std(spread, ddof=1)) * len(spread) ** (-1 / 5) * bw_adjust, step)
    pad = int(np.ceil(4 * h / step)) + 1
    if pad > resolution:  # a kernel wider than the window: sum at the cell centres
        dens = np.zeros(resolution)
        for start in range(0, n, 4096):
            u = (x[:, None] - values[None, start : start + 4096]) / h
            dens += np.exp(-0.5 * u**2).sum(1)
        return x, dens / (n * h * np.sqrt(2 * np.pi))
    m = resolution + 2 * pad
    u = (values - lo) / step + pad - 0.5
    i0 = np.floor(u).astype(int)
    frac = u - i0
    grid = np.zeros(m + 1)
    for di, w in ((0, 1 - frac), (1, frac)):
        ok = (i0 + di >= 0) & (i0 + di <= m)
        np.add.at(grid, i0[ok] + di, w[ok])
    kernel = np.exp(-0.5 * (np.arange(-pad, pad + 1) * step / h) ** 2)
    dens = np.convolve(grid[:m], kernel / kernel.sum(), mode="same")[pad : pad + resolution]
    return x, np.clip(dens, 0, None) / (n * step)


def histogram(values: np.ndarray, window: tuple[float, float], bins: int) -> np.ndarray:
    """A density histogram over ``window``, normalised by every finite value (also those
    outside the window, as the KDE is), so that the two compare."""
    values = finite(np.ravel(values))
    counts, _ = np.histogram(values, bins=bins, range=(float(window[0]), float(window[1])))
    width = (float(window[1]) - float(window[0])) / bins
    return counts / max(1, len(values)) / width


def plot_marginal(
    ax: Axes,
    samples: np.ndarray | None,
    *,
    reference: np.ndarray | None = None,
    window: tuple[float, float],
    bins: int = 40,
    title: str | None = None,
    resolution: int = 300,
    ymax: float | None = None,
) -> Axes:
    """1-D samples beside 1-D data: the data (``reference``) as a filled grey histogram, the
    samples as a green KDE line over a light fill.

    Args:
        samples: the model's values (n,), or None to draw the data alone.
        reference: the data's values (N,), or None.
        window: the x-range (lo, hi).
        bins: the histogram's bins over the window.
        ymax: the top of the y-axis; default: the data's peak (or the samples'), raised to
            the samples' peak up to 3 × the data's (a collapsed model's spike does not flatten
            the data into the axis; it is cut at the top).
    """
    lo, hi = float(window[0]), float(window[1])
    peaks = []
    if reference is not None:
        heights = histogram(reference, (lo, hi), bins)
        ax.stairs(heights, np.linspace(lo, hi, bins + 1), fill=True, color=DATA_FILL,
                  label="data", zorder=1)  # fmt: skip
        peaks.append(float(heights.max()))
    if samples is not None:
        x, dens = kde_1d(samples, (lo, hi), resolution)
        ax.fill_between(x, dens, color=SAMPLE_COLOR, alpha=0.18, linewidth=0, zorder=2)
        ax.plot(x, dens, color=SAMPLE_COLOR, lw=1.6, label="samples", zorder=3)
        peak = float(dens.max())
        peaks.append(min(peak, 3 * peaks[0]) if peaks and peaks[0] > 0 else peak)
    top = ymax if ymax is not None else 1.08 * max(peaks, default=1.0)
    ax.grid(False)
    ax.set_xlim(lo, hi)
    ax.set_ylim(0, top if top > 0 else 1.0)
    if title is not None:
        ax.set_title(title)
    return ax


def plot_contours(
    ax: Axes, points: np.ndarray, window: np.ndarray, *, resolution: int = 100,
    mass: tuple[float, ...] = CONTOUR_MASS, color: str = DATA_LINE,
) -> Axes:  # fmt: skip
    """Density contours of 2-D ``points`` in ``window`` ((x0, x1), (y0, y1)): the level sets
    enclosing 1 − m of the mass for each m in ``mass`` (nothing for fewer than 3 points)."""
    points = finite(points)
    if len(points) < 3:
        return ax
    box = np.asarray(window, dtype=np.float64)
    dens = kde_box(points, box, resolution)
    levels = np.unique([mass_level(dens, m) for m in mass])
    levels = levels[(levels > 0) & (levels < dens.max())]
    if len(levels):
        step = (box[:, 1] - box[:, 0]) / resolution
        xs, ys = (box[i, 0] + step[i] * (np.arange(resolution) + 0.5) for i in (0, 1))
        ax.contour(xs, ys, dens, levels=levels, colors=color, linewidths=0.7, zorder=2)
    return ax


def plot_pair(
    ax: Axes,
    samples: np.ndarray,
    *,
    reference: np.ndarray | None = None,
    window: np.ndarray,
    resolution: int = 100,
    title: str | None = None,
) -> Axes:
    """2-D samples beside 2-D data: the samples' density (the homework's look) with the data's
    contours over it. Fewer than 3 finite samples: no image, only the contours."""
    samples = finite(samples)
    box = np.asarray(window, dtype=np.float64)
    if len(samples) >= 3:
        plot_density(ax, samples, window=box, resolution=resolution)
    else:
        ax.set_xlim(*box[0])
        ax.set_ylim(*box[1])
    if reference is not None:
        plot_contours(ax, reference, box, resolution=resolution)
    if title is not None:
        ax.set_title(title)
    return ax


def corner_dims(d: int, max_dims: int = MAX_CORNER_DIMS) -> tuple[int, ...]:
    """The dimensions a corner plot of d-dimensional points shows: the first ``max_dims``."""
    return tuple(range(min(d, max_dims)))


def truncation_note(dims: tuple[int, ...], d: int) -> str:
    """The title's note when a figure shows only ``dims`` of d: " · first k of d dimensions"
    (else "")."""
    return f" · first {len(dims)} of {d} dimensions" if len(dims) < d else ""


def plot_corner(
    axes: np.ndarray,
    samples: np.ndarray,
    *,
    reference: np.ndarray | None = None,
    window: np.ndarray,
    dims: tuple[int, ...] | None = None,
    resolution: int = 80,
    bins: int = 30,
) -> np.ndarray:
    """A corner plot of ``samples`` (n, d) beside ``reference`` (N, d) on a (k, k) array of
    axes: ``plot_marginal`` of dimension dims[i] at (i, i), ``plot_pair`` of (dims[j], dims[i])
    at (i, j) below the diagonal; the entries above it may be None (cheaper: no axes to draw),
    axes there are switched off. Returns ``axes``.

    Args:
        window: the window of every dimension, (d, 2).
        dims: the k dimensions shown; default ``corner_dims(d)`` with k = len(axes).
    """
    k = len(axes)
    dims = dims if dims is not None else tuple(range(k))
    if axes.shape != (len(dims), len(dims)):
        raise ValueError(f"a corner of {len(dims)} dimensions needs {len(dims)}² axes, "
                         f"got {axes.shape}")  # fmt: skip
    box = np.asarray(window, dtype=np.float64)
    for i, di in enumerate(dims):
        for j, dj in enumerate(dims):
            ax = axes[i, j]
            if j > i or ax is None:
                if ax is not None:
                    ax.set_axis_off()
                continue
            ref = None if reference is None else reference[:, di if i == j else [dj, di]]
            if i == j:
                plot_marginal(ax, samples[:, di], reference=ref, window=box[di], bins=bins)
            else:
                plot_pair(ax, samples[:, [dj, di]], reference=ref, window=box[[dj, di]],
                          resolution=resolution)  # fmt: skip
            # ticks on the outer edges only (the windows are shared along rows and columns)
            ax.tick_params(labelsize=6, length=2, pad=1)
            if i == k - 1:
                ax.xaxis.set_major_locator(MaxNLocator(CORNER_TICKS))
                ax.set_xlabel(f"x{dj + 1}", fontsize=8, labelpad=1)
            else:
                ax.set_xticks([])
            if j == 0 and i > 0:
                ax.yaxis.set_major_locator(MaxNLocator(CORNER_TICKS))
                ax.set_ylabel(f"x{di + 1}", fontsize=8, labelpad=1)
            else:
                ax.set_yticks([])
    return axes


def legend_handles(reference: bool = True) -> list[Line2D | Patch]:
    """Legend entries: the samples (green) and, with ``reference``, the data (grey)."""
    handles: list[Line2D | Patch] = [Patch(color=SAMPLE_COLOR, alpha=0.6, label="model samples")]
    if reference:
        handles.append(Patch(facecolor=DATA_FILL, edgecolor=DATA_LINE, label="data"))
    return handles
