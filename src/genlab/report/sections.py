"""The report's sections: one per kind of folder, the homework's own figure first.

Each section is a list of parts; a part that raises is shown as an error box in its place and
the others still render (:func:`parts`). Missing optional files (animations, GAN Lab panels)
are skipped; a missing homework figure is said to be missing.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from pathlib import Path

from genlab.base.done import CONFIG
from genlab.report.html import (
    Html,
    details,
    exception_box,
    figure,
    join,
    markdown_table,
    note,
    panels,
    pre,
    row,
    table,
    tag,
    transposed,
)
from genlab.report.metrics import evaluation_section, read_json, snapshot_table

Part = Callable[[], object]


def parts(*items: Part) -> Html:
    """Each part rendered in turn; one that raises becomes an error box, the rest go on."""
    out = []
    for item in items:
        try:
            out.append(item())
        except Exception as err:  # noqa: BLE001 - a broken part is shown, never hides the rest
            out.append(exception_box("This part of the report could not be rendered", err))
    return join(out)


def h4(text: object) -> Html:
    return tag("h4", text)


def maybe_figure(path: Path, caption: object, cls: str = "fig") -> Html:
    """The figure if the file exists, else nothing (for optional files)."""
    return figure(path, caption, cls) if path.exists() else Html("")


def required_figure(path: Path, caption: object, cls: str = "fig") -> Html:
    """The figure, or a visible note that it is missing."""
    if path.exists():
        return figure(path, caption, cls)
    return note(f"Missing figure: {path.parent.name}/{path.name}.", "bad")


def config_details(path: Path, label: str = "configuration") -> Html:
    """``path`` (a JSON file) pretty-printed in a collapsed block; nothing when absent."""
    if not path.exists():
        return Html("")
    text = json.dumps(read_json(path), indent=2, ensure_ascii=False)
    return details(f"{label} ({path.parent.name}/{path.name})", pre(text))


def numbered(folder: Path, prefix: str) -> list[Path]:
    """``folder/prefix_N.png`` sorted by N."""
    pattern = re.compile(rf"{re.escape(prefix)}_(\d+)\.png")
    found = [
        (int(m.group(1)), p)
        for p in folder.glob(f"{prefix}_*.png")
        if (m := pattern.fullmatch(p.name))
    ]
    return [p for _, p in sorted(found)]


def md_table(path: Path) -> Html:
    """A Markdown table file as HTML; one of few rows and many columns turned on its side."""
    headers, rows = markdown_table(path.read_text())
    return transposed(headers, rows) if len(rows) <= 3 < len(headers) else table(headers, rows)


# -- Problems 3 and 4: training runs
KIND = {"vae": "reconstructions decode(μ(x)) of the training data", "gan": "generated samples G(z)"}


def npy_shape(path: Path) -> tuple[int, ...] | None:
    """The shape in a ``.npy`` file's header (read without NumPy); None when it is missing or
    not a ``.npy`` file."""
    try:
        with path.open("rb") as f:
            magic = f.read(8)
            if magic[:6] != b"\x93NUMPY":
                return None
            size = int.from_bytes(f.read(2 if magic[6] == 1 else 4), "little")
            header = ast.literal_eval(f.read(size).decode("latin1"))
        return tuple(int(n) for n in header["shape"])
    except (OSError, ValueError, SyntaxError, KeyError, TypeError, IndexError):
        return None


CORNER_DIMS = 4
"""The dimensions the epoch figures' corner plots show (``genlab.plotting.points``)."""


def dimension_note(d: int | None) -> str:
    """What the epoch figures of d-dimensional points show ("" for 2-D or unknown d)."""
    if d == 1:
        return (" The points are 1-D: each panel is the samples' density (green) over the "
                "data's histogram (grey).")  # fmt: skip
    if d is None or d <= 2:
        return ""
    shown = "every dimension" if d <= CORNER_DIMS else f"the first {CORNER_DIMS} of {d}"
    return (f" The points are {d}-D: each panel is a corner plot of {shown} (the samples' "
            "densities under the data's contours, the marginals on the diagonal); the "
            "snapshot grid and the animations show the pair (x1, x2).")  # fmt: skip


def training_run(run: Path) -> Html:
    """A VAE or GAN run: the homework's "Epoch : N" panels, then metrics, figures, config."""
    cfg = read_json(run / CONFIG)
    model, t = cfg.get("model", "?"), cfg.get("train", {})
    seeds = t.get("seeds", [0])
    fig = run / "figures"
    epochs = numbered(fig, "epoch")
    kind = KIND.get(model, "samples")
    shape = npy_shape(run / "data.npy")
    d = shape[-1] if shape else None

    def homework() -> Html:
        what = (
            f'The homework\'s figure: {kind}, "Epoch : N" at each '
            f"snapshot of {t.get('epochs', '?')} epochs (member 0, seed {seeds[0]})."
        )
        if d is not None and d != 2:  # not the homework's 2-D figure: the same, in d dims
            what = (f'{kind[0].upper()}{kind[1:]}, "Epoch : N" at each snapshot of '
                    f"{t.get('epochs', '?')} epochs (member 0, seed {seeds[0]})."
                    + dimension_note(d))  # fmt: skip
        if epochs:
            return panels(epochs, what, "large")
        return required_figure(fig / "snapshots.png", what)

    return parts(
        homework,
        lambda: h4("genlab's additions: sample quality"),
        lambda: evaluation_section(run, model),
        lambda: other_evaluations(run, model),
        lambda: snapshot_table(run),
        lambda: h4("Figures") if fig.exists() else "",
        lambda: row(
            [
                maybe_figure(
                    fig / "evolution.gif",
                    f"{kind[0].upper()}{kind[1:]} over the epochs (member 0).",
                ),
                maybe_figure(
                    fig / "evolution_prior.gif",
                    "Prior samples decode(z), z ~ N(0, I), over the epochs (member 0).",
                ),
            ]
        ),
        lambda: (
            panels(p, "Prior samples decode(z), z ~ N(0, I), at each snapshot (member 0).")
            if (p := numbered(fig, "prior_epoch"))
            else ""
        ),
        lambda: maybe_figure(
            fig / "gan_lab.png",
            "GAN Lab view at each snapshot: discriminator "
            "heatmap, real and generated samples, generator-gradient arrows.",
        ),
        lambda: (
            maybe_figure(fig / "snapshots.png", "The true data and every snapshot side by side.")
            if epochs
            else ""
        ),
        lambda: maybe_figure(fig / "losses.png", "Loss curves, one line per member."),
        lambda: other_figures(fig, KNOWN_FIGURES),
        lambda: config_details(run / CONFIG),
    )


def other_evaluations(run: Path, model: str | None) -> Html:
    """The run's evaluations with other samplers or settings (``genlab evaluate RUN
    --sampler …``, ``evaluation-SAMPLER….json``), each a table of its own."""
    return join(
        join([h4(f"Sample quality with another sampler: {p.stem.removeprefix('evaluation-')}"),
              evaluation_section(run, model, p.name)])
        for p in sorted(run.glob("evaluation-*.json"))
    )  # fmt: skip


KNOWN_FIGURES = re.compile(
    r"(prior_)?epoch_\d+\.png|evolution(_prior)?\.gif|gan_lab\.png|snapshots\.png|losses\.png"
)
"""The figures a training run's section shows in their own places."""


def other_figures(folder: Path, known: re.Pattern[str]) -> Html:
    """Any other figure in ``folder``: new kinds are shown, under their file names."""
    others = sorted(p for p in folder.glob("*") if p.suffix in (".png", ".gif")
                    and not known.fullmatch(p.name))  # fmt: skip
    return join(figure(p, p.name) for p in others)


# -- anything else
def other_folder(folder: Path) -> Html:
    """A folder of an unknown kind: its figures and its JSON files."""
    figs = sorted(p for ext in ("png", "gif") for p in folder.glob(f"**/*.{ext}"))
    out = [figure(p, str(p.relative_to(folder))) for p in figs[:40]]
    if not figs:
        out.append(note(f"No figures in {folder}.", "warn"))
    out += [config_details(p, p.stem) for p in sorted(folder.glob("*.json"))]
    return join(out)
