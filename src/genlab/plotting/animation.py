"""The training animation: the homework's density panel at every frame epoch, as a GIF (for
1-D points: the samples' KDE over the data's histogram, ``marginal_frames``).

One Agg figure is built once and redrawn per frame (only the density image and the title
change), each frame is rasterised, all frames are mapped onto one shared palette (so that
unchanged pixels stay identical and Pillow stores only the changed region of each frame), and
Pillow writes the GIF with per-frame durations, so that the last frame holds for a moment.
No pyplot: the figure is never registered globally, nothing needs closing, nothing is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from genlab.base import atomic
from genlab.base.errors import UserError
from genlab.plotting.density import homework_style, plot_density, plot_scatter
from genlab.plotting.points import histogram, kde_1d, plot_marginal


def density_frames(
    epochs: Sequence[int],
    points: np.ndarray,
    *,
    limit: float,
    title: str = "Epoch : {epoch}",
    reference: np.ndarray | None = None,
    size: float = 4.0,
    dpi: int = 75,
    resolution: int = 120,
    window: np.ndarray | None = None,
) -> list[Image.Image]:
    """One RGB image per frame: ``plot_density(points[f])`` titled ``title.format(epoch=…)``.

    Args:
        epochs: the epoch of each frame, (F,).
        points: the points of each frame, (F, n, 2).
        limit: the half-width of the square window.
        window: a rectangular window ((x0, x1), (y0, y1)) instead; None: the square one.
        reference: optional points (e.g. the true data), drawn over every frame as faint
            grey dots: the target to reach.
        size, dpi: the figure's side in inches and its resolution (4 in × 75 dpi = 300 px).
        resolution: the KDE grid; 120² (cells of 0.025 at limit 1.5, a sixth of the swiss
            roll's bandwidth) drawn bilinearly on the ~230-pixel panel looks like 300².
    """
    points = np.asarray(points)
    if points.ndim != 3 or points.shape[-1] != 2 or len(points) != len(epochs) or not len(points):
        raise UserError(
            f"points must be (F, n, 2) with F = {len(epochs)} >= 1 epochs, got {points.shape}"
        )
    frames = []
    with homework_style():
        fig = Figure(figsize=(size, size), dpi=dpi)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        if reference is not None:  # above the density image (zorder 0), faint
            plot_scatter(ax, reference, limit=limit, window=window, s=0.8, alpha=0.4,
                         color="0.25", linewidths=0, zorder=1)  # fmt: skip
        ax.set_title(title.format(epoch=int(epochs[-1])))
        fig.tight_layout()  # once, with the widest title: the layout then stays put
        for epoch, frame in zip(epochs, points, strict=True):
            for image in ax.get_images():
                image.remove()
            if np.isfinite(frame).all(axis=1).sum() >= 3:
                plot_density(ax, frame, limit=limit, resolution=resolution, window=window)
            ax.set_title(title.format(epoch=int(epoch)))
            frames.append(rasterise(canvas))
    return frames


def rasterise(canvas: FigureCanvasAgg) -> Image.Image:
    """The figure as drawn now, an RGB image."""
    canvas.draw()
    return Image.fromarray(np.array(canvas.buffer_rgba())[..., :3])


def marginal_frames(
    epochs: Sequence[int],
    values: np.ndarray,
    *,
    window: tuple[float, float],
    title: str = "Epoch : {epoch}",
    reference: np.ndarray | None = None,
    size: tuple[float, float] = (4.8, 3.2),
    dpi: int = 75,
) -> list[Image.Image]:
    """One RGB image per frame of 1-D ``values`` (F, n): ``plot_marginal`` of the frame over
    the data's histogram (``reference``, drawn once), on one y-scale for every frame."""
    values = np.asarray(values)
    if values.ndim != 2 or len(values) != len(epochs) or not len(values):
        raise UserError(
            f"values must be (F, n) with F = {len(epochs)} >= 1 epochs, got {values.shape}"
        )
    peaks = [float(kde_1d(v, window)[1].max()) for v in values]
    ref_peak = float(histogram(reference, window, 40).max()) if reference is not None else 0.0
    top = 1.08 * max(ref_peak, min(max(peaks), 3 * ref_peak) if ref_peak > 0 else max(peaks))
    frames = []
    with homework_style():
        fig = Figure(figsize=size, dpi=dpi)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        plot_marginal(ax, None, reference=reference, window=window, ymax=top if top > 0 else 1)
        ax.set_title(title.format(epoch=int(epochs[-1])))
        fig.tight_layout()
        for epoch, frame in zip(epochs, values, strict=True):
            for artist in [*ax.lines, *ax.collections]:
                artist.remove()
            plot_marginal(ax, frame, window=window, ymax=top if top > 0 else 1)
            ax.set_title(title.format(epoch=int(epoch)))
            frames.append(rasterise(canvas))
    return frames


def save_gif(
    path: str | Path, frames: Sequence[Image.Image], *, fps: float = 7.0, hold: float = 1.5
) -> Path:
    """Write ``frames`` as a looping GIF at ``fps`` frames per second, the last one shown for
    ``hold`` seconds, atomically. Every frame is mapped, undithered, onto one palette
    quantised from the first, middle and last frames."""
    if not frames:
        raise UserError("a GIF needs at least one frame")
    picks = [frames[0], frames[len(frames) // 2], frames[-1]]
    sample = Image.fromarray(np.concatenate([np.asarray(f) for f in picks], axis=0))
    palette = sample.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    indexed = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    durations = [round(1000 / fps)] * len(indexed)
    durations[-1] = max(durations[-1], round(1000 * hold))

    def write(f) -> None:
        indexed[0].save(f, format="GIF", save_all=True, append_images=indexed[1:],
                        duration=durations, loop=0)  # fmt: skip

    return atomic.atomic_write(path, write)


def write_density_gif(
    path: str | Path,
    epochs: Sequence[int],
    points: np.ndarray,
    *,
    limit: float,
    title: str = "Epoch : {epoch}",
    reference: np.ndarray | None = None,
    fps: float = 7.0,
    hold: float = 1.5,
    dpi: int = 75,
    window: np.ndarray | None = None,
) -> Path:
    """``density_frames`` written by ``save_gif``: the training animation of one member."""
    frames = density_frames(epochs, points, limit=limit, title=title, reference=reference,
                            dpi=dpi, window=window)  # fmt: skip
    return save_gif(path, frames, fps=fps, hold=hold)
