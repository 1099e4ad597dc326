"""``genlab verify``: a run folder checked against what it says it holds.

Two checks, each naming the file at fault:

- every file in ``manifest.json`` (a finished run) is there with its SHA-256 and size; a file of
  the folder that the manifest does not list is reported as *unlisted* (written afterwards by
  hand or by another tool), which is not damage;
- the last checkpoint is whole and agrees with what the run says it trained (its seal: the
  configuration, the metrics log, the snapshots and frames up to its epoch). This also covers
  unfinished runs, which have no manifest yet.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from genlab.base.errors import UserError
from genlab.training import integrity
from genlab.training.checkpoints import read_checkpoint
from genlab.training.rundir import RunDir


@dataclass(frozen=True)
class Verification:
    """What ``verify_run`` found: ``problems`` (damage, missing files), ``notes`` (unlisted
    files, a fallback to the previous checkpoint, an unfinished run)."""

    path: Path
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_run(path: str | Path) -> Verification:
    """Check the run in ``path`` (see the module docstring)."""
    run, result = RunDir(Path(path)), Verification(Path(path))
    if not run.config_file.exists():
        result.problems.append(f"{run.config_file} is missing: {run.path} holds no run")
        return result
    try:
        manifest = run.manifest()
    except UserError as err:
        result.problems.append(str(err))
        manifest = None
    if manifest is None:
        state = "finished, but has no manifest" if run.is_done() else "unfinished (no manifest)"
        result.notes.append(f"{run.path} is {state}: its checkpoint's seal is checked")
    else:
        for name in manifest:
            try:
                integrity.check_file(run.path, name, manifest)
            except UserError as err:
                result.problems.append(str(err))
        for name in sorted(set(run.files()) - set(manifest)):
            result.notes.append(f"{run.path / name} is unlisted (written after the run finished)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if run.load_checkpoint() is None:
                result.notes.append(f"{run.path} has no checkpoint yet")
        except UserError as err:
            result.problems.append(str(err))
    result.problems.extend(str(w.message) for w in caught)
    if not run.is_done() and run.previous_checkpoint_file.exists():  # the fallback must be good
        try:
            read_checkpoint(run, run.previous_checkpoint_file)
        except UserError as err:
            result.problems.append(str(err))
    result.problems[:] = list(dict.fromkeys(result.problems))  # one line per fault
    return result
