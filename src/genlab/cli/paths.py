"""Checks of the paths a verb will write, made before any work: a bad ``--out`` or ``-o`` fails
at once (``UserError``, naming the option and the path) instead of after the work, or halfway
through writing."""

from __future__ import annotations

import os
from pathlib import Path

from genlab.base.errors import UserError


def _writable(option: str, path: Path, folder: Path) -> None:
    """``folder``, where ``path`` goes, or else its nearest existing ancestor, must be a folder
    this process may write in."""
    parent = folder.absolute()
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise UserError(f"{option} {path}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        statvfs = getattr(os, "statvfs", None)  # POSIX only
        read_only = statvfs is not None and bool(statvfs(parent).f_flag & os.ST_RDONLY)
        why = "is on a read-only file system" if read_only else "is not writable (no permission)"
        raise UserError(f"{option} {path}: cannot write there, {parent} {why}")


def check_output_file(option: str, path: Path) -> Path:
    """``path`` can be written as a file: not an existing folder, in a writable folder."""
    if path.is_dir():
        raise UserError(f"{option} {path}: an existing folder, not a file")
    _writable(option, path, path.parent)
    return path


def check_output_dir(option: str, path: Path, *files: str) -> Path:
    """``path`` can be a folder to write ``files`` (and others) in: not an existing file, and
    writable if it exists, else its nearest existing ancestor is; none of ``files`` inside it is
    an existing folder."""
    if path.exists() and not path.is_dir():
        raise UserError(f"{option} {path}: an existing file, not a folder")
    _writable(option, path, path)
    for name in files:
        if (path / name).is_dir():
            raise UserError(f"{option} {path}: {path / name} is a folder, where a file goes")
    return path
