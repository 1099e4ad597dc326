"""GAN Lab's picture of a moment of GAN training (Kahng et al. 2018, "GAN Lab: Understanding
Complex Deep Generative Models using Interactive Visual Experimentation",
https://poloclub.github.io/ganlab/): the discriminator as a heatmap, real and generated points,
and arrows showing where the generator's next update moves each generated point.

Colour scale. With λ = 500 the optimal discriminator is D* = p / (p + λq) ≈ 1/(1 + λ) ≈ 0.002
wherever p ≈ q, so D itself is a flat image. We colour the logit s = log D/(1 − D) on a
diverging scale centred at s = −log λ, the logit of D = 1/(1 + λ) where the optimal
discriminator cannot tell p from q (s* = log p/q − log λ): green above (D says "real"),
purple below (D says "fake"). For λ = 1 this is GAN Lab's own centre, D = 0.5. The half-range
is a high quantile of |s + log λ| (``logit_norm``), so that a few extreme cells far from
any point do not wash the picture out.

Arrows. Lengths of the generator's directions vary by orders of magnitude across training,
so each panel's arrows are scaled by a robust size: the 90th percentile of their lengths is
drawn as ``arrow_length`` of the window's width, and longer arrows are clipped to that length.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Normalize

from genlab.base.errors import UserError

REAL_COLOR = "#00441b"  # the darkest green of the "PRGn" map: real data
FAKE_COLOR = "#c51b7d"  # magenta: generated points and their arrows
CMAP = "PRGn"  # purple (D says fake) → white → green (D says real)


def logit_norm(logits: np.ndarray, *, center: float = 0.0, quantile: float = 0.98) -> Normalize:
    """A colour scale symmetric about ``center``: center ± the ``quantile`` of |logits − center|
    over finite cells (1 when that is 0). Pass every panel's logits to share one scale."""
    dev = np.abs(np.asarray(logits, dtype=np.float64) - center)
    dev = dev[np.isfinite(dev)]
    half = float(np.quantile(dev, quantile)) if dev.size else 0.0
    half = half if half > 0 else 1.0
    return Normalize(center - half, center + half)


def arrow_vectors(
    points: np.ndarray, grad: np.ndarray, *, limit: float, length: float = 0.08, q: float = 0.9
) -> np.ndarray:
    """The drawn arrows (m, 2): ``grad`` rescaled so that its ``q``-quantile length is
    ``length`` × the window width 2·limit, longer ones clipped to that; zero where non-finite
    or when every arrow is zero."""
    grad = np.where(np.isfinite(grad), np.asarray(grad, dtype=np.float64), 0.0)
    norms = np.linalg.norm(grad, axis=1)
    scale = float(np.quantile(norms, q)) if len(norms) else 0.0
    if scale <= 0:
        return np.zeros_like(grad)
    target = length * 2 * limit
    shrink = np.minimum(1.0, scale / np.maximum(norms, 1e-300))  # clip to the quantile's length
    return grad * (target / scale) * shrink[:, None]


def plot_gan_lab(
    ax: Axes,
    logits: np.ndarray,
    limit: float,
    real: np.ndarray,
    fake: np.ndarray,
    grad: np.ndarray,
    *,
    title: str | None = None,
    norm: Normalize | None = None,
    center: float = 0.0,
    arrow_length: float = 0.06,
    cax: Axes | None = None,
    window: np.ndarray | None = None,
) -> Axes:
    """Draw one GAN Lab panel on ``ax`` and return it.

    Args:
        logits: the discriminator's logit on a grid, (R, R): row i ↔ y = linspace(−limit,
            limit, R)[i], column j ↔ x = linspace(−limit, limit, R)[j].
        limit: the half-width of the window.
        real: data points (n, 2), drawn green.
        fake: generated points (m, 2), drawn magenta, each with its arrow.
        grad: the direction the generator's update moves each generated point, (m, 2).
        norm: the colour scale (share one across panels); default ``logit_norm(logits,
            center=center)``. ``center`` is −log λ for a λ-GAN (see the module docstring).
        arrow_length: the drawn length of the 90th-percentile arrow, in window widths.
        cax: when given, a colorbar of the heatmap is drawn there. Without it, the heatmap
            is ``ax.get_images()[0]``, for a colorbar shared by several panels.
        window: a rectangular window ((x0, x1), (y0, y1)) instead of [−limit, limit]² (the
            grid then spans it: row i ↔ y = linspace(y0, y1, R)[i], likewise the columns;
            the arrows are scaled to its width x1 − x0).
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 2 or logits.shape[0] != logits.shape[1] or logits.shape[0] < 2:
        raise UserError(f"logits must be a square (R, R) grid with R >= 2, got {logits.shape}")
    aspect: Literal["equal", "auto"]
    if window is None:
        half_cell = limit / (logits.shape[0] - 1)  # grid values sit at cell centres
        edge = limit + half_cell
        extent, aspect = (-edge, edge, -edge, edge), "equal"
        (x0, x1), (y0, y1) = (-limit, limit), (-limit, limit)
    else:
        (x0, x1), (y0, y1) = np.asarray(window, dtype=np.float64)[:2].tolist()
        hx, hy = (x1 - x0) / (2 * (logits.shape[1] - 1)), (y1 - y0) / (2 * (logits.shape[0] - 1))
        extent, aspect = (x0 - hx, x1 + hx, y0 - hy, y1 + hy), "auto"
        limit = (x1 - x0) / 2  # the arrows' scale: the window's width
    image = ax.imshow(
        np.ma.masked_invalid(logits), origin="lower", extent=extent,
        cmap=CMAP, norm=norm if norm is not None else logit_norm(logits, center=center),
        interpolation="bilinear", aspect=aspect,
    )  # fmt: skip
    ax.scatter(real[:, 0], real[:, 1], s=3, color=REAL_COLOR, alpha=0.6, linewidths=0,
               label="real data")  # fmt: skip
    ax.scatter(fake[:, 0], fake[:, 1], s=5, color=FAKE_COLOR, linewidths=0,
               label="generated G(z)")  # fmt: skip
    arrows = arrow_vectors(fake, grad, limit=limit, length=arrow_length)
    ax.quiver(fake[:, 0], fake[:, 1], arrows[:, 0], arrows[:, 1], angles="xy",
              scale_units="xy", scale=1, color=FAKE_COLOR, alpha=0.75, width=0.0035,
              headwidth=3.5, headlength=4, headaxislength=3.5)  # fmt: skip
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if title is not None:
        ax.set_title(title)
    if cax is not None:
        ax.figure.colorbar(image, cax=cax, label="discriminator logit s(x)")
    return ax
