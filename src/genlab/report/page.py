"""One self-contained HTML report of a reproduction (``genlab reproduce``) or of any runs.

    build_report([Path("runs/reproduce")])             # the homework, problem by problem
    write_report([run_a, run_b], Path("report.html"))  # any run folders, one section each

The page embeds every figure as a ``data:`` URI, carries its CSS inline and runs no script: it
opens from disk, offline. Its header says what was run, when, on what machine, with which
versions and for how long; a section per problem shows the homework's own figure first, then
genlab's additions (metrics against floors and the homework's numbers, more figures, the
config). A failed, unfinished or missing stage is shown as such, and an error while rendering
one section is shown in that section: the rest of the report still renders.

Reads only files (JSON, Markdown tables, images): no torch, no model, no recomputation. The
one thing it writes: a finished, undamaged training run whose figures were never drawn (or
are older than its files) has them drawn first, from its files, and kept in its folder
(``genlab.plotting.run_figures.draw_figures``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genlab import __version__
from genlab.base import atomic
from genlab.base.done import CONFIG, DONE, is_done
from genlab.base.errors import UserError
from genlab.minimax.folders import is_minimax_run
from genlab.report.header import header, reproduction_settings, try_json
from genlab.report.html import Html, error_box, exception_box, join, note, page, tag
from genlab.report.problems import (
    minimax_comparison,
    minimax_run,
    problem1,
    problem2,
    theory_check,
    theory_discriminator,
)
from genlab.report.sections import other_folder, training_run

Render = Callable[[Path], Html]

STAGES: dict[str, tuple[str, Render]] = {
    "problem1": ("Problem 1: minimax SGDA", problem1),
    "problem2": ("Problem 2: the λ-GAN theorem", problem2),
    "vae": ("Problem 3: VAE", training_run),
    "gan": ("Problem 4: λ-GAN, λ = 500", training_run),
}
"""Stage folder → (title, section), in the homework's order (as
``genlab.workflows.reproduce.STAGES``)."""

FINISHED_BY_DONE = (training_run, minimax_run, minimax_comparison, problem1, problem2)
"""The sections whose folders are complete only once they hold ``DONE``."""

DEFAULT_TITLE = "genlab — MathDNN Homework 12, reproduced"


@dataclass(frozen=True)
class StageState:
    """One section of the report: a stage of the reproduction, or one run folder.

    Attributes:
        name: the section's anchor.
        title: its heading.
        folder: the folder it shows.
        status: ``done``, ``skipped`` (complete from an earlier reproduction), ``failed``,
            ``incomplete`` (no ``DONE``), ``damaged`` (``genlab verify`` finds a fault),
            ``not run`` or ``not found``.
        render: the section's content, from the folder.
        seconds: how long it took, when known.
        error, traceback: why it failed or is incomplete.
    """

    name: str
    title: str
    folder: Path
    status: str
    render: Render
    seconds: float | None = None
    error: str | None = None
    traceback: str | None = None


def folder_state(
    name: str, title: str, folder: Path, render: Render, entry: dict[str, Any] | None = None,
    missing: str = "not run", needs_done: bool = True,
) -> StageState:  # fmt: skip
    """A section's status: the manifest ``entry`` says what happened, the folder has the last
    word (an ``ERROR.json`` fails it; a missing ``DONE`` makes it incomplete, for the kinds of
    folder that are finished by one: ``needs_done``)."""
    entry = entry or {}
    status, error, trace = entry.get("status"), entry.get("error"), entry.get("traceback")
    if (folder / "ERROR.json").exists():
        record = try_json(folder / "ERROR.json")
        record = record if isinstance(record, dict) else {"error": "unreadable ERROR.json"}
        status = "failed"
        error, trace = error or record.get("error"), trace or record.get("traceback")
    elif status == "failed":
        pass
    elif not folder.is_dir():
        status = missing
    elif needs_done and not (folder / DONE).exists():
        status = "incomplete"
        error = error or f"{folder.name}/ has no DONE marker: interrupted, or still running"
    elif status is None:
        status = "done"
    if status in ("done", "skipped", "incomplete") and folder.is_dir():
        problems = _run_problems(folder)
        if problems:
            status, error = "damaged", "; ".join(problems)
    seconds = entry.get("seconds")
    if seconds is None or status == "skipped":  # skipped: 0 s now, its own time in DONE
        done = try_json(folder / DONE)
        seconds = done.get("seconds", seconds) if isinstance(done, dict) else seconds
    return StageState(name, title, folder, status, render, seconds, error, trace)


def _run_problems(folder: Path) -> list[str]:
    """What ``genlab verify`` finds wrong in a training run that has something to check
    against (a manifest or a checkpoint); [] for other folders."""
    from genlab.training.integrity import MANIFEST
    from genlab.training.rundir import RunDir
    from genlab.training.verify import verify_run

    if not ((folder / MANIFEST).exists() or RunDir(folder).checkpoint_file.parent.is_dir()):
        return []
    return verify_run(folder).problems


def detect(folder: Path) -> tuple[str, Render]:
    """What a folder holds (a label) and the section that renders it."""
    config = try_json(folder / CONFIG)
    if isinstance(config, dict) and "train" in config:
        return f"{config.get('model', 'training')} run", training_run
    if (folder / "summary.json").exists() and is_minimax_run(folder):
        return "minimax run", minimax_run
    if (folder / "comparison.json").exists():
        return "minimax comparison", minimax_comparison
    if (folder / "homework").is_dir() and (folder / "compare").is_dir():
        return "Problem 1 stage", problem1
    if (folder / "table.md").exists():
        return "theorem check", theory_check
    if (folder / "members.md").exists():
        return "discriminator against D*", theory_discriminator
    if (folder / "check").is_dir() or (folder / "discriminator").is_dir():
        return "Problem 2 stage", problem2
    return "folder", other_folder


def is_reproduce_root(path: Path) -> bool:
    """A ``genlab reproduce`` folder: its manifest, or stage folders and no config of its own."""
    if (path / "reproduce.json").exists():
        return True
    return not (path / CONFIG).exists() and any((path / s).is_dir() for s in STAGES)


def stage_states(root: Path, manifest: dict[str, Any] | None) -> list[StageState]:
    """Every stage of the homework (and any other the manifest names), in order."""
    stages = manifest.get("stages", []) if manifest else []
    entries = {str(e.get("folder") or e.get("stage")): e for e in stages if isinstance(e, dict)}
    states = []
    for name in list(STAGES) + [n for n in entries if n not in STAGES]:
        entry = entries.get(name, {})
        title, render = STAGES.get(name, (name, lambda f: detect(f)[1](f)))
        states.append(folder_state(name, entry.get("title") or title, root / name, render, entry))
    return states


def run_states(paths: Sequence[Path]) -> list[StageState]:
    """One section per run folder, of the kind its files say (``report_sections.detect``)."""
    states = []
    for i, p in enumerate(paths, start=1):
        kind, render = detect(p) if p.is_dir() else ("missing", lambda f: Html(""))
        if p.is_dir() and is_reproduce_root(p):
            kind, render = "reproduction", _stages_inside
        title, done = f"{p.name or p} ({kind})", render in FINISHED_BY_DONE
        states.append(folder_state(f"run{i}", title, p, render, missing="not found",
                                   needs_done=done))  # fmt: skip
    return states


def _stages_inside(root: Path) -> Html:
    """A reproduction among other runs: its stages as subsections."""
    manifest = try_json(root / "reproduce.json")
    states = stage_states(root, manifest if isinstance(manifest, dict) else None)
    return join(join([tag("h3", s.title), _guarded(s)]) for s in states)


def _body(state: StageState) -> object:
    """A section's content: its error first when it failed or is damaged (then nothing else:
    its files are not to be trusted), or when it is incomplete (then what it holds so far)."""
    if state.status in ("not run", "not found"):
        return note(f"{state.status.capitalize()}: {state.folder} does not exist.", "warn")
    if state.status not in ("failed", "incomplete", "damaged"):
        if state.render is training_run:
            _complete_run(state.folder)
        elif state.render in (minimax_run, problem1):
            _draw_minimax_figures(state.folder)
        return state.render(state.folder)
    box = error_box(f"{state.title}: {state.status}", state.error or "no error recorded",
                    state.traceback)  # fmt: skip
    if state.status in ("failed", "damaged"):
        return box
    try:
        return join([box, state.render(state.folder)])
    except Exception as err:  # noqa: BLE001 - partial output that cannot render is said so
        return join([box, exception_box("Its partial output could not be rendered", err)])


def _complete_run(folder: Path) -> None:
    """Draw a finished run's figures if they are missing or stale, and add the exact OT
    metrics to an evaluation written without them (on demand: training does neither by
    default). A folder this process cannot write keeps what it has: the section then says
    which figures are missing, and its table lacks ``w1`` and ``w2``."""
    from genlab.evaluation.runs import evaluate_run, lacks_exact_ot
    from genlab.plotting.run_figures import draw_figures
    from genlab.training.rundir import RunDir

    run = RunDir.open(folder)
    with contextlib.suppress(OSError):
        draw_figures(run)
    made = try_json(run.evaluation_file)
    if isinstance(made, dict) and lacks_exact_ot(made):
        with contextlib.suppress(OSError):
            evaluate_run(run, n=made.get("n", 2500), seed=made.get("reference_seed", 0))


def _draw_minimax_figures(folder: Path) -> None:
    """Draw the figures of a finished minimax run (or of every run inside a Problem 1 stage)
    that lacks them, as ``_complete_run`` does for a training run. One that cannot be drawn (a
    folder this process cannot write, a run without its trajectory) keeps what it has: the
    section then says which figure is missing."""
    from genlab.minimax.figures import draw_run_figures
    from genlab.minimax.folders import minimax_runs_in

    for run in minimax_runs_in(folder):
        with contextlib.suppress(OSError, UserError):
            if is_done(run):
                draw_run_figures(run)


def _guarded(state: StageState) -> object:
    try:
        return _body(state)
    except Exception as err:  # noqa: BLE001 - one broken section never aborts the report
        return exception_box("This section could not be rendered", err)


def _section(state: StageState) -> Html:
    return tag("section", join([tag("h2", state.title), _guarded(state)]), id=state.name)


def build_report(paths: Sequence[Path], *, title: str | None = None) -> str:
    """The report as one HTML document.

    Args:
        paths: one ``genlab reproduce`` folder (found by its ``reproduce.json`` or its stage
            folders), or any run folders (training, minimax, theory), a section each.
        title: the page's title (default: what the report is of).

    Returns:
        The complete HTML text.
    """
    paths = [Path(p) for p in paths]
    if len(paths) == 1 and paths[0].is_dir() and is_reproduce_root(paths[0]):
        root = paths[0]
        manifest = try_json(root / "reproduce.json")
        manifest = manifest if isinstance(manifest, dict) else None
        states = stage_states(root, manifest)
        heading = title or DEFAULT_TITLE
        settings = reproduction_settings(root, list(STAGES), manifest)

        def top() -> Html:
            return header(heading, [root], states, manifest=manifest, settings=settings)
    else:
        states = run_states(paths)
        heading = title or "genlab report"
        quick = [p.name for p in paths if (try_json(p / "SETTINGS.json") or {}).get("quick")]
        settings = {"quick": f"True for {', '.join(quick)}"} if quick else {}

        def top() -> Html:
            return header(heading, paths, states, settings=settings, label="Runs")

    try:
        head = top()
    except Exception as err:  # noqa: BLE001 - nor does a broken header
        head = join([tag("h1", heading), exception_box("The header could not be rendered", err)])
    toc = tag("nav", join(tag("a", s.title, href=f"#{s.name}") for s in states), "toc")
    footer = tag(
        "p",
        f"Written by genlab {__version__} from the files in {', '.join(map(str, paths))}.",
        "muted",
    )
    return page(heading, join([head, toc, *map(_section, states), footer]))


def write_report(paths: Sequence[Path], out: Path, *, title: str | None = None) -> Path:
    """Write :func:`build_report` to ``out`` atomically (UTF-8); return ``out``."""
    return atomic.write_text(Path(out), build_report(paths, title=title))
