"""The user's own data: an N × d array of numbers read from a file, checked before training.

``load_points(spec)`` reads

- ``FILE.npy``: one array;
- ``FILE.npz``: its single array, or ``FILE.npz:KEY`` to pick one of several;
- ``FILE.csv`` / ``FILE.txt``: one point per line, comma- or whitespace-separated (decided per
  file by its first data line: a comma there means commas throughout). Blank lines and lines
  starting with ``#`` are skipped; the first remaining line is a header, and skipped, when not
  all of its cells are numbers. A number is a decimal literal (``-1``, ``2.5``, ``.5e-3``) or
  ``nan`` / ``inf``, so that NaN and inf are caught as such rather than as text.

A 1-D array (N,) is N points of dimension 1. Integers and floats are accepted (returned as
float64); anything else (strings, booleans, complex numbers, records, objects) is refused, and
``.npy`` / ``.npz`` are read with ``allow_pickle=False``. Every bad input raises ``UserError``
naming the file and the place (line and column of a text file, row of an array, key of an
``.npz``) and the allowed range, before any training starts.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from array import array
from pathlib import Path
from typing import BinaryIO

import numpy as np

from genlab.base.checks import check_int
from genlab.base.errors import UserError

MIN_POINTS = 10
"""The fewest points accepted: below this no batch, split or metric means anything."""

MAX_DIM = 64
"""The largest dimension d accepted: the metrics (nearest neighbours, optimal transport) and
the figures (pairwise projections) stay sane for d ≤ 64."""

MAX_BYTES = 256 * 2**20
"""The largest file read, 256 MiB: a larger one is refused from its size alone, before it is
opened, rather than exhausting memory."""

SUFFIXES = (".npy", ".npz", ".csv", ".txt")
"""The file types ``load_points`` reads."""

_NUMBER = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|nan|inf|infinity)", re.IGNORECASE)
_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members; an empty zip


def load_points(spec: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> np.ndarray:
    """The points in ``spec`` as a float64 array (N, d), with MIN_POINTS ≤ N and 1 ≤ d ≤ MAX_DIM.

    ``spec`` is a path to a ``.npy``, ``.npz`` or ``.csv`` / ``.txt`` file, or ``FILE.npz:KEY``
    (the module docstring gives the formats). A file over ``max_bytes`` bytes is refused before
    it is read. Every value must be finite. Raises ``UserError`` naming what is wrong and where.
    """
    max_bytes = check_int("max_bytes", max_bytes)
    path, key = _split_spec(spec)
    _check_file(path, max_bytes)
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as f:
            if suffix == ".npy":
                x = _read_npy(f, path)
                where, rows = str(path), None
            elif suffix == ".npz":
                x, where = _read_npz(f, path, key, max_bytes)
                rows = None
            else:
                x, rows = _read_text(f.read(), path)
                where = str(path)
    except PermissionError as e:
        raise UserError(f"cannot read {path}: permission denied") from e
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror or e}") from e
    return _check_points(x, where, rows)


def _split_spec(spec: str | os.PathLike[str]) -> tuple[Path, str | None]:
    """``(path, key)``: ``FILE.npz:KEY`` is split at its last colon; any other spec has no key."""
    if not isinstance(spec, (str, os.PathLike)):
        raise UserError(f"a data file must be given as a path, got {spec!r}")
    text = os.fspath(spec)
    if not text.strip():
        raise UserError("the data file path is empty")
    head, colon, key = text.rpartition(":")
    if colon and head.lower().endswith(".npz"):
        if not key:
            raise UserError(f"{text}: the key after ':' is empty; use FILE.npz:KEY")
        return Path(head), key
    return Path(text), None


def _check_file(path: Path, max_bytes: int) -> None:
    """Refuse a missing path, a folder, an unknown suffix, an empty or an oversized file."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise UserError(f"data file not found: {path}") from None
    except PermissionError as e:
        raise UserError(f"cannot read {path}: permission denied") from e
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror or e}") from e
    if path.is_dir():
        raise UserError(f"{path} is a folder, not a data file ({', '.join(SUFFIXES)})")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        shown = repr(path.suffix) if path.suffix else "no suffix"
        raise UserError(f"{path}: unknown data file type ({shown}); allowed: {', '.join(SUFFIXES)}")
    if st.st_size == 0:
        raise UserError(f"{path} is empty (0 bytes)")
    if st.st_size > max_bytes:
        raise UserError(
            f"{path} is {_size(st.st_size)}, above the limit of {_size(max_bytes)}; "
            "refused before reading"
        )


def _size(n: int) -> str:
    """``n`` bytes, with MiB beside it from 1 MiB up: ``"314572800 bytes (300.0 MiB)"``."""
    return f"{n} bytes" if n < 2**20 else f"{n} bytes ({n / 2**20:.1f} MiB)"


def _read_npy(f: BinaryIO, path: Path) -> np.ndarray:
    """The array of an open ``.npy`` file (its magic string checked first)."""
    if f.read(len(_NPY_MAGIC)) != _NPY_MAGIC:
        raise UserError(f"{path} is not a valid .npy file (it does not start as one)")
    f.seek(0)
    try:
        return np.load(f, allow_pickle=False)
    except ValueError as e:
        _raise_if_pickle(e, str(path))
        raise UserError(f"{path} is not a valid .npy file ({e})") from e
    except (EOFError, OSError) as e:
        raise UserError(f"{path} is not a valid .npy file ({e})") from e


def _read_npz(f: BinaryIO, path: Path, key: str | None, max_bytes: int) -> tuple[np.ndarray, str]:
    """``(array, where)``: the array of an open ``.npz`` file named by ``key``, or its only one."""
    if f.read(4) not in _ZIP_MAGICS:
        raise UserError(f"{path} is not a valid .npz file (it is not a zip archive)")
    f.seek(0)
    try:
        with np.load(f, allow_pickle=False) as z:
            keys = list(z.files)
            listed = ", ".join(keys)
            if not keys:
                raise UserError(f"{path} is an .npz file with no arrays in it")
            if key is None:
                if len(keys) > 1:
                    raise UserError(
                        f"{path} holds {len(keys)} arrays ({listed}); pick one with {path}:KEY"
                    )
                key = keys[0]
            elif key not in keys:
                raise UserError(f"{path} has no array {key!r}; its keys: {listed}")
            where = f"{path}:{key}"
            size = _unpacked_size(z, key)
            if size > max_bytes:
                raise UserError(
                    f"{where} unpacks to {size} bytes, above the limit of {max_bytes} bytes; "
                    "refused before reading"
                )
            return z[key], where
    except ValueError as e:
        if isinstance(e, UserError):
            raise
        _raise_if_pickle(e, f"{path}:{key}" if key else str(path))
        raise UserError(f"{path} is not a valid .npz file ({e})") from e
    except (EOFError, OSError, zipfile.BadZipFile, zlib.error) as e:
        raise UserError(f"{path} is not a valid .npz file ({e})") from e


def _unpacked_size(z: np.lib.npyio.NpzFile, key: str) -> int:
    """The uncompressed size in bytes of the member ``key`` of an open ``.npz`` (0 if unknown)."""
    if z.zip is None:
        return 0
    for name in (f"{key}.npy", key):
        try:
            return int(z.zip.getinfo(name).file_size)
        except KeyError:
            continue
    return 0


def _raise_if_pickle(e: ValueError, where: str) -> None:
    """Turn NumPy's refusal of a pickled (object) array into a clear ``UserError``."""
    if "allow_pickle" in str(e):
        raise UserError(
            f"{where} holds an object array; object arrays are not accepted (they need pickle, "
            "which can run code): save plain numbers, e.g. numpy.save(FILE, x.astype(float))"
        ) from e


def _read_text(data: bytes, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """``(x, lines)``: the points of a text file and the 1-based file line of each row.

    Blank and ``#`` lines are skipped; a first line that is not all numbers is a header. The
    separator (comma, else whitespace) comes from the first data line. Every row must have as
    many cells as the first one, and every cell must be a number (``_NUMBER``).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UserError(f"{path} is not UTF-8 text (undecodable byte at offset {e.start})") from e
    values: array[float] = array("d")
    lines: array[int] = array("q")
    sep: str | None = None  # None: runs of whitespace
    ncols = first_line = 0  # 0: no data line yet
    header_possible = True
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if ncols == 0:
            sep = "," if "," in line else None
            cells = _split(line, sep)
            if header_possible:
                header_possible = False
                if not all(_NUMBER.fullmatch(c) for c in cells):
                    continue  # the header
            ncols, first_line = len(cells), number
        else:
            cells = _split(line, sep)
            if len(cells) != ncols:
                raise UserError(
                    f"{path}, line {number}: {len(cells)} column{'s' * (len(cells) != 1)}, "
                    f"expected {ncols} (as on line {first_line})"
                )
        for column, cell in enumerate(cells, start=1):
            if not _NUMBER.fullmatch(cell):
                raise UserError(f"{path}, line {number}, column {column}: {cell!r} is not a number")
            values.append(float(cell))
        lines.append(number)
    if not lines:
        raise UserError(f"{path} holds 0 points (no data lines); at least {MIN_POINTS} are needed")
    x = np.frombuffer(values, dtype=np.float64).reshape(len(lines), ncols)
    return x, np.frombuffer(lines, dtype=np.int64)


def _split(line: str, sep: str | None) -> list[str]:
    """The stripped cells of ``line``, split at ``sep`` (``None``: runs of whitespace)."""
    return [c.strip() for c in line.split(sep)]


def check_points(x: object, where: str = "the data") -> np.ndarray:
    """An array the caller already holds (the Python API's ``data=``) checked as a file's
    would be: float64 (N, d) with MIN_POINTS ≤ N and 1 ≤ d ≤ MAX_DIM, every value finite."""
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as e:  # ragged nested lists
        raise UserError(f"{where} is not an N × d array of numbers ({e})") from None
    return _check_points(arr, where, None)


def _check_points(x: np.ndarray, where: str, lines: np.ndarray | None) -> np.ndarray:
    """``x`` as float64 (N, d) once its dtype, shape, size and values are allowed.

    ``lines`` are the file lines of the rows of a text file (named in messages), or ``None``
    for an array file (rows are named by their 0-based index).
    """
    if x.dtype.kind not in "iuf":
        raise UserError(
            f"{where} holds an array of dtype {x.dtype}; only integer or float numbers are accepted"
        )
    if x.ndim == 0:
        raise UserError(f"{where} holds a single number; expected an array N × d (or N)")
    if x.ndim > 2:
        raise UserError(
            f"{where} holds a {x.ndim}-D array of shape {x.shape}; expected N × d (2-D) or N (1-D)"
        )
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    n, d = x.shape
    if not 1 <= d <= MAX_DIM:
        raise UserError(
            f"{where} holds points of dimension d = {d}; allowed 1..{MAX_DIM} "
            f"(metrics and figures stay sane up to d ≤ {MAX_DIM})"
        )
    if n < MIN_POINTS:
        raise UserError(f"{where} holds {n} points; at least {MIN_POINTS} are needed")
    x = np.asarray(x, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(x).all(axis=1))
    if bad.size:
        first = f"line {lines[bad[0]]}" if lines is not None else f"row {bad[0]} (0-based)"
        rows = "1 row holds" if bad.size == 1 else f"{bad.size} rows hold"
        raise UserError(f"{where}: {rows} NaN or inf; the first is {first}")
    return np.ascontiguousarray(x)
