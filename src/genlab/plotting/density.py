"""Figures. Every function draws on a given ``ax`` and returns it; none calls ``plt.show()``.

The default look is the homework's ``show_data`` (hw12 "Step 1"): a Gaussian KDE of the
points filled with the "Greens" colormap over a honeydew background, limits ±1.5, serif font,
no grid, titled "Epoch : N". The homework draws it with ``seaborn.kdeplot(fill=True,
thresh=0.1, levels=1000)``: 1000 filled contours whose levels are the density values that
enclose 10 %…100 % of the probability mass. With that many levels the fill is, to the eye, a
continuous image of the density, coloured linearly from the 10 %-mass level (lightest) to the
maximum (darkest), and transparent below it. We draw exactly that image directly: the KDE is
evaluated on a grid by linear binning and an FFT convolution with the Scott-rule Gaussian
kernel (seaborn's default bandwidth, full covariance), then shown with ``imshow``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any, Literal

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy.signal import fftconvolve

from genlab.base.errors import UserError

HOMEWORK_STYLE: dict[str, Any] = {
    "axes.facecolor": "honeydew",
    "font.family": "serif",
    "font.size": 10,
    "axes.grid": False,
    "axes.edgecolor": "white",
    "xtick.color": "0.15",
    "ytick.color": "0.15",
}


def subplots(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None,
    layout: Literal["constrained", "compressed", "tight"] | None = None, **kwargs: Any,
) -> tuple[Figure, Any]:  # fmt: skip
    """``pyplot.subplots`` without pyplot: the figure is never registered globally, so the
    user's backend is untouched and nothing needs closing (saved through the Agg canvas)."""
    fig = Figure(figsize=figsize, layout=layout)
    return fig, fig.subplots(nrows, ncols, **kwargs)


@contextmanager
def homework_style():
    """The homework's rc settings (seaborn's darkgrid look with a honeydew face, serif 10pt)."""
    with mpl.rc_context(HOMEWORK_STYLE):
        yield


def kde_grid(
    points: np.ndarray, limit: float, resolution: int = 300, bw_adjust: float = 1.0,
    cov: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """Gaussian KDE of 2-D ``points`` on a ``resolution``² grid over [−limit, limit]².

    Bandwidth: Scott's rule on the full covariance, H = n^(−1/3)·Σ (as ``scipy.stats.
    gaussian_kde``, used by seaborn), or the kernel's covariance ``cov`` when given. Points
    are linearly binned on a grid padded by 4 bandwidths, convolved with the kernel by FFT,
    and the padding is cut off. Returns the density in cells [row = y, col = x], integrating
    to the mass that falls in the window.
    """
    points = np.asarray(points, dtype=np.float64)
    points = points[np.isfinite(points).all(axis=1)]
    if len(points) < 3:
        raise UserError(f"a KDE needs at least 3 finite points, got {len(points)}")
    n = len(points)
    if cov is None:
        cov = np.atleast_2d(np.cov(points.T)) * (n ** (-1 / 6) * bw_adjust) ** 2
    cov = cov + np.eye(2) * 1e-12
    step = 2 * limit / resolution
    pad = int(np.ceil(4 * np.sqrt(cov.diagonal().max()) / step)) + 1
    if pad > resolution:  # a kernel wider than the window: binning would need a huge grid
        return _kde_direct(points, cov, limit, resolution)
    m = resolution + 2 * pad
    # linear binning onto cell centres of the padded grid
    u = (points + limit) / step + pad - 0.5
    i0 = np.floor(u).astype(int)
    frac = u - i0
    grid = np.zeros((m + 1, m + 1))
    for dx in (0, 1):
        for dy in (0, 1):
            w = np.where(dx, frac[:, 0], 1 - frac[:, 0]) * np.where(dy, frac[:, 1], 1 - frac[:, 1])
            ix, iy = i0[:, 0] + dx, i0[:, 1] + dy
            ok = (ix >= 0) & (ix <= m) & (iy >= 0) & (iy <= m)
            np.add.at(grid, (iy[ok], ix[ok]), w[ok])
    grid = grid[:m, :m] / n
    # the Gaussian kernel, sampled at cell offsets, normalised to unit mass
    r = np.arange(-pad, pad + 1) * step
    dx, dy = np.meshgrid(r, r)
    d = np.stack((dx, dy), -1)
    kernel = np.exp(-0.5 * np.einsum("...i,ij,...j->...", d, np.linalg.inv(cov), d))
    kernel /= kernel.sum()
    dens = fftconvolve(grid, kernel, mode="same")[pad : pad + resolution, pad : pad + resolution]
    return np.clip(dens, 0, None) / step**2


def _kde_direct(points: np.ndarray, cov: np.ndarray, limit: float, resolution: int) -> np.ndarray:
    """The same KDE summed exactly at the cell centres (for kernels wider than the window).

    With inv(cov) = L Lᵀ the exponent is ½‖(c − x) L‖², expanded as ‖cL‖² + ‖xL‖² − 2 cL·xL so
    that the sum over points is one matrix product per chunk of cells.
    """
    step = 2 * limit / resolution
    axis = -limit + step * (np.arange(resolution) + 0.5)
    gx, gy = np.meshgrid(axis, axis)  # rows = y, cols = x
    chol = np.linalg.cholesky(np.linalg.inv(cov))
    cells, pts = np.column_stack((gx.ravel(), gy.ravel())) @ chol, points @ chol
    norm = 2 * np.pi * np.sqrt(np.linalg.det(cov)) * len(points)
    pts_sq = np.einsum("ni,ni->n", pts, pts)
    dens = np.empty(len(cells))
    chunk = max(1, 2**21 // len(points))  # ≤ 16 MB of float64 per product
    for start in range(0, len(cells), chunk):
        c = cells[start : start + chunk]
        sq = np.einsum("ci,ci->c", c, c)[:, None] + pts_sq[None] - 2 * c @ pts.T
        dens[start : start + chunk] = np.exp(-0.5 * np.clip(sq, 0, None)).sum(1)
    return (dens / norm).reshape(resolution, resolution)


def mass_level(density: np.ndarray, thresh: float) -> float:
    """The density value below which a share ``thresh`` of the (gridded) mass lies."""
    values = np.sort(density.ravel())
    cum = np.cumsum(values)
    if cum[-1] <= 0:
        return 0.0
    return float(values[np.searchsorted(cum, thresh * cum[-1])])


def kde_box(points: np.ndarray, box: np.ndarray, resolution: int = 300) -> np.ndarray:
    """``kde_grid`` over a rectangular window ``box`` = ((x0, x1), (y0, y1)), in data units.

    The Scott-rule KDE on the full covariance is affine-equivariant, so the points are mapped
    onto [−1, 1]² (each axis by its own scale), the KDE is gridded there and the density is
    rescaled by the map's Jacobian: the same estimate as gridding in data units directly.
    The bandwidth is Scott's rule on the points inside the window (at least 3; else all), so
    that a few far outliers (a user's data, a diverging model) do not blur the picture.
    """
    box = np.asarray(box, dtype=np.float64)
    centre, half = box.mean(axis=1), (box[:, 1] - box[:, 0]) / 2
    unit = (np.asarray(points, dtype=np.float64)[:, :2] - centre) / half
    inside = unit[(np.abs(unit) <= 1).all(axis=1)]  # NaN compares False: finite points only
    cov = None
    if len(inside) >= 3:  # Scott's rule on the points in the window: robust to far outliers
        cov = np.atleast_2d(np.cov(inside.T)) * len(inside) ** (-1 / 3)
    return kde_grid(unit, 1.0, resolution, cov=cov) / (half[0] * half[1])


def plot_density(
    ax: Axes,
    points: np.ndarray,
    *,
    limit: float = 1.5,
    title: str | None = None,
    thresh: float = 0.1,
    cmap: str = "Greens",
    resolution: int = 300,
    window: np.ndarray | None = None,
) -> Axes:
    """The homework's density panel of ``points`` on ``ax`` (see the module docstring).

    Args:
        limit: the half-width of the square window [−limit, limit]².
        window: a rectangular window ((x0, x1), (y0, y1)) instead (e.g. one derived from a
            user's data, ``genlab.plotting.window``); None: the square one.
    """
    if window is None:
        dens = kde_grid(points, limit, resolution)
        x0, x1, y0, y1 = -limit, limit, -limit, limit
    else:
        dens = kde_box(points, window, resolution)
        (x0, x1), (y0, y1) = np.asarray(window, dtype=np.float64)[:2].tolist()
    level = mass_level(dens, thresh)
    masked = np.ma.masked_less(dens, level)
    ax.set_facecolor(HOMEWORK_STYLE["axes.facecolor"])
    ax.imshow(
        masked,
        origin="lower",
        extent=(x0, x1, y0, y1),
        cmap=cmap,
        vmin=level,
        vmax=dens.max(),
        interpolation="bilinear",
        aspect="auto",
    )
    ax.grid(False)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if title is not None:
        ax.set_title(title)
    return ax


def plot_scatter(
    ax: Axes, points: np.ndarray, *, limit: float = 1.5, window: np.ndarray | None = None,
    **kwargs,
) -> Axes:  # fmt: skip
    """Points as a light scatter (for overlays and for sample sets too small for a KDE), in the
    square window of half-width ``limit`` or the rectangular ``window`` ((x0, x1), (y0, y1))."""
    ax.scatter(points[:, 0], points[:, 1], s=kwargs.pop("s", 2), alpha=kwargs.pop("alpha", 0.5),
               **kwargs)  # fmt: skip
    (x0, x1), (y0, y1) = (
        ((-limit, limit), (-limit, limit)) if window is None else np.asarray(window)[:2].tolist()
    )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return ax


def plot_losses(
    ax: Axes,
    epochs: np.ndarray,
    losses: np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    log: bool = False,
) -> Axes:
    """Per-member loss curves: ``losses`` is (epochs, E); members drawn thin, the mean thick."""
    losses = np.asarray(losses)
    for e in range(losses.shape[1]):
        label = labels[e] if labels is not None and losses.shape[1] <= 8 else None
        ax.plot(epochs, losses[:, e], lw=0.8, alpha=0.6, label=label)
    if losses.shape[1] > 1:
        ax.plot(epochs, losses.mean(1), color="k", lw=1.6, label="mean over members")
    if log and np.all(losses > 0):
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    if title:
        ax.set_title(title)
    if labels is not None or losses.shape[1] > 1:
        ax.legend(fontsize=7, loc="best")
    return ax
