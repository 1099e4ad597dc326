"""``genlab verify PATH...``: runs, or the runs inside a reproduction or benchmark folder,
checked against their manifests and checkpoint seals (``genlab.training.verify``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from genlab.base.done import CONFIG
from genlab.base.errors import UserError


def run_folders(path: Path) -> list[Path]:
    """``path`` if it holds a training run, else the training runs up to three levels below."""
    import json

    def is_run(folder: Path) -> bool:  # a damaged run still counts: verify says what is wrong
        if (folder / "checkpoints").is_dir() or (folder / "manifest.json").exists():
            return True
        try:
            return json.loads((folder / CONFIG).read_text()).get("model") in ("vae", "gan")
        except (OSError, ValueError, AttributeError):
            return False

    if is_run(path):
        return [path]
    found = {p.parent for depth in ("*", "*/*", "*/*/*") for p in path.glob(f"{depth}/{CONFIG}")}
    found |= {p.parent for depth in ("*", "*/*") for p in path.glob(f"{depth}/checkpoints")}
    return sorted(p for p in found if is_run(p))


def runs_in(
    paths: list[Path],
    find: Callable[[Path], list[Path]] = run_folders,
    what: str = "training run (no config.json of a vae or gan run)",
) -> list[Path]:
    """The runs ``find`` finds in ``paths`` (each a run, or a folder that holds runs; training
    runs by default); a path that is no folder, or holds no run, is a ``UserError`` that says
    ``what`` was looked for."""
    folders = []
    for path in paths:
        if not path.is_dir():
            raise UserError(f"no folder at {path}")
        if not (found := find(path)):
            raise UserError(f"{path} holds no {what}")
        folders += found
    return folders


def cmd_verify(args: argparse.Namespace) -> int:
    from genlab.training.verify import verify_run

    folders = runs_in(args.paths)
    bad = 0
    for folder in folders:
        result = verify_run(folder)
        bad += not result.ok
        print(f"{'ok     ' if result.ok else 'DAMAGED'} {folder}")
        for line in result.problems:
            print(f"  problem: {line}")
        for line in result.notes if args.verbose or not result.ok else []:
            print(f"  note: {line}")
    print(f"{len(folders) - bad} of {len(folders)} runs are whole")
    return 1 if bad else 0


def add_verify_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="check runs against their manifests; exit 0 when all whole")
    p.add_argument("paths", type=Path, nargs="+", help="run folders, or folders that hold runs")
    p.add_argument("-v", "--verbose", action="store_true", help="also list unlisted files")
    p.set_defaults(func=cmd_verify)
