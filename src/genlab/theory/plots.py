"""Heatmaps of discriminators on a 2-D grid: ax in, ax out, never ``plt.show()``.

Values are computed elsewhere (``genlab.theory.identity``, ``genlab.theory.discriminator_fit``) on a
``genlab.theory.quadrature.Grid``; these functions only draw them. Logits are the natural scale: at
λ = 500 the optimal D = sigmoid(log p − log λ − log q) is ≈ 0.002 wherever p ≈ q, so D itself
is a nearly flat image; ``show="D"`` draws it anyway, on [0, 1].
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import Normalize

from genlab.base.errors import UserError
from genlab.theory.quadrature import Grid

SHOWS = ("logit", "D")


def _image(grid: Grid, values: torch.Tensor | np.ndarray) -> np.ndarray:
    if grid.dim != 2:
        raise UserError(f"heatmaps need a 2-D grid, got dim {grid.dim}")
    values = torch.as_tensor(values, dtype=torch.float64).reshape(-1)
    if values.numel() != grid.points.shape[0]:
        raise UserError(f"{values.numel()} values for a grid of {grid.points.shape[0]} points")
    return grid.image(values)


def discriminator_heatmap(
    ax: Axes,
    grid: Grid,
    logits: torch.Tensor | np.ndarray,
    *,
    show: str = "logit",
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: str = "viridis",
    title: str | None = None,
    colorbar: bool = True,
) -> Axes:
    """Draw a discriminator's logit s(x) (``show="logit"``) or D(x) = sigmoid(s) (``"D"``).

    Non-finite logits are drawn as blank cells (a discriminator should never produce them).
    """
    if show not in SHOWS:
        raise UserError(f"unknown show {show!r}; allowed: {', '.join(SHOWS)}")
    image = _image(grid, logits)
    if show == "D":
        image = 1 / (1 + np.exp(-np.clip(image, -700, 700)))
        vmin, vmax = (0.0 if vmin is None else vmin), (1.0 if vmax is None else vmax)
    image = np.ma.masked_invalid(image)
    im = ax.imshow(
        image, origin="lower", extent=grid.extent, cmap=cmap, norm=Normalize(vmin, vmax),
        interpolation="nearest", aspect="equal",
    )  # fmt: skip
    if colorbar:
        ax.figure.colorbar(im, ax=ax, label="D(x)" if show == "D" else "logit s(x)")
    if title is not None:
        ax.set_title(title)
    return ax


def difference_heatmap(
    ax: Axes,
    grid: Grid,
    difference: torch.Tensor | np.ndarray,
    *,
    vmax: float | None = None,
    weight: torch.Tensor | np.ndarray | None = None,
    levels: int = 4,
    cmap: str = "RdBu_r",
    title: str | None = None,
    colorbar: bool = True,
) -> Axes:
    """Draw a signed difference (e.g. learned logit − optimal logit) on a symmetric scale.

    ``vmax`` defaults to the 99th percentile of |difference| (weighted by ``weight`` when
    given), so huge differences where no mass lives (s* → −∞ far from the data) do not wash
    out the picture. ``weight`` (e.g. (p + q)/2 on the grid) also adds contour lines at
    ``levels`` quantiles of its mass, to show where the difference matters.
    """
    image = _image(grid, difference)
    w = None if weight is None else _image(grid, weight)
    if vmax is None:
        vmax = _robust_max(image, w)
    im = ax.imshow(
        np.ma.masked_invalid(image), origin="lower", extent=grid.extent, cmap=cmap,
        norm=Normalize(-vmax, vmax), interpolation="nearest", aspect="equal",
    )  # fmt: skip
    if w is not None:
        ax.contour(w, levels=_mass_levels(w, levels), colors="k", linewidths=0.5,
                   extent=grid.extent, origin="lower")  # fmt: skip
    if colorbar:
        ax.figure.colorbar(im, ax=ax, label="difference")
    if title is not None:
        ax.set_title(title)
    return ax


def _mass_levels(weight: np.ndarray, levels: int) -> np.ndarray:
    """Density values enclosing 20 %, …, 80 % (``levels`` values) of the weight's mass."""
    flat = np.sort(weight.ravel())[::-1]
    cum = np.cumsum(flat) / flat.sum()
    targets = np.linspace(0.2, 0.8, levels)
    values = flat[np.minimum(np.searchsorted(cum, targets), len(flat) - 1)]
    return np.unique(values)


def _robust_max(image: np.ndarray, weight: np.ndarray | None) -> float:
    """The (weighted) 99th percentile of |image| over finite cells; 1 if that is 0."""
    ok = np.isfinite(image)
    values = np.abs(image[ok])
    if values.size == 0:
        return 1.0
    if weight is None:
        top = float(np.quantile(values, 0.99))
    else:
        w = np.clip(weight[ok], 0, None)
        order = np.argsort(values)
        cum = np.cumsum(w[order])
        top = float(values[order][min(np.searchsorted(cum, 0.99 * cum[-1]), values.size - 1)])
    return top if top > 0 else 1.0
