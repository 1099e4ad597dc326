"""The loader of the user's own data files: round trips, and every bad input as a UserError."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from genlab.base.errors import UserError
from genlab.data import files
from genlab.data.files import MAX_DIM, MIN_POINTS, load_points

RNG = np.random.default_rng(0)
X3 = RNG.normal(size=(12, 3))
X1 = RNG.normal(size=(12, 1))


def write_text(path, x, *, sep=",", header=None, extra=False):
    """``x`` as a text file, one row a line, every float written exactly (``repr``)."""
    lines = [header] if header else []
    if extra:
        lines += ["# a comment", "", "   "]
    lines += [sep.join(repr(float(v)) for v in row) for row in x]
    path.write_text("\n".join(lines) + "\n")
    return path


def expect(match, spec, **kwargs):
    """Assert that ``load_points(spec)`` raises a UserError whose message matches ``match``."""
    with pytest.raises(UserError, match=match) as info:
        load_points(spec, **kwargs)
    return str(info.value)


# -- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("x", [X1, X3], ids=["d1", "d3"])
def test_npy_round_trip(tmp_path, x):
    np.save(tmp_path / "x.npy", x)
    got = load_points(tmp_path / "x.npy")
    assert got.dtype == np.float64
    assert_array_equal(got, x)


def test_npy_one_dimensional_and_integer(tmp_path):
    np.save(tmp_path / "v.npy", np.arange(15))
    got = load_points(str(tmp_path / "v.npy"))
    assert got.dtype == np.float64 and got.shape == (15, 1)
    assert_array_equal(got, np.arange(15, dtype=np.float64)[:, None])


def test_npz_single_and_keyed(tmp_path):
    np.savez(tmp_path / "one.npz", X3)
    assert_array_equal(load_points(tmp_path / "one.npz"), X3)
    assert_array_equal(load_points(f"{tmp_path / 'one.npz'}:arr_0"), X3)
    np.savez_compressed(tmp_path / "two.npz", a=X1, b=X3)
    assert_array_equal(load_points(f"{tmp_path / 'two.npz'}:b"), X3)
    assert_array_equal(load_points(f"{tmp_path / 'two.npz'}:a"), X1)


@pytest.mark.parametrize("x", [X1, X3], ids=["d1", "d3"])
@pytest.mark.parametrize("sep", [",", " ", "\t", ", "], ids=["comma", "space", "tab", "comma-sp"])
@pytest.mark.parametrize("header", [None, "x,y,z", "x y z"], ids=["none", "comma", "space"])
def test_text_round_trip(tmp_path, x, sep, header):
    path = write_text(tmp_path / "x.csv", x, sep=sep, header=header, extra=True)
    got = load_points(path)
    assert got.dtype == np.float64
    assert_array_equal(got, x)


def test_txt_suffix_windows_lines_and_nan_spelling(tmp_path):
    path = tmp_path / "X.TXT"
    path.write_bytes(b"\xef\xbb\xbfa b\r\n" + b"".join(b"%d 1e-3\r\n" % i for i in range(10)))
    expected = np.column_stack([np.arange(10.0), np.full(10, 1e-3)])
    assert_array_equal(load_points(path), expected)


# -- the file itself -----------------------------------------------------------------------


def test_missing_file(tmp_path):
    expect(r"data file not found: .*nope\.csv", tmp_path / "nope.csv")


def test_folder(tmp_path):
    (tmp_path / "d.npy").mkdir()
    expect(r"d\.npy is a folder, not a data file", tmp_path / "d.npy")


@pytest.mark.parametrize("name", ["x.csv", "x.npy", "x.npz", "x.txt"])
def test_empty_file(tmp_path, name):
    (tmp_path / name).write_bytes(b"")
    expect(rf"{name} is empty \(0 bytes\)", tmp_path / name)


@pytest.mark.parametrize("name", ["x.json", "x", "x.npy.gz"])
def test_unknown_suffix(tmp_path, name):
    (tmp_path / name).write_text("1\n")
    msg = expect("unknown data file type", tmp_path / name)
    assert "allowed: .npy, .npz, .csv, .txt" in msg


def test_unreadable_file(tmp_path, monkeypatch):
    # Simulated: the tests may run as root, for whom a chmod 000 file is still readable.
    path = write_text(tmp_path / "x.csv", X3)

    def denied(file, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(file))

    monkeypatch.setattr(files, "open", denied, raising=False)
    expect(r"cannot read .*x\.csv: permission denied", path)


def test_over_max_bytes_is_refused_without_reading(tmp_path, monkeypatch):
    path = write_text(tmp_path / "x.csv", X3)
    size = path.stat().st_size

    def never(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(files, "open", never, raising=False)
    monkeypatch.setattr(np, "load", never)
    msg = expect("above the limit", path, max_bytes=size - 1)
    assert f"{size} bytes" in msg and f"{size - 1} bytes" in msg and "before reading" in msg


def test_max_bytes_must_be_positive(tmp_path):
    expect(r"max_bytes must be an integer >= 1, got 0", tmp_path / "x.csv", max_bytes=0)


def test_npz_member_unpacking_over_max_bytes(tmp_path):
    np.savez_compressed(tmp_path / "z.npz", np.zeros((100_000, 2)))  # 1.6 MB, packs to ~2 kB
    size = (tmp_path / "z.npz").stat().st_size
    expect(
        r"z\.npz:arr_0 unpacks to \d+ bytes, above the limit",
        tmp_path / "z.npz",
        max_bytes=size + 1,
    )


@pytest.mark.parametrize(
    "content",
    [b"garbage, not numpy", np.lib.format.MAGIC_PREFIX + b"\x01\x00garbage header"],
    ids=["no-magic", "bad-header"],
)
def test_corrupted_npy(tmp_path, content):
    (tmp_path / "x.npy").write_bytes(content)
    expect(r"x\.npy is not a valid \.npy file", tmp_path / "x.npy")


def test_truncated_npy(tmp_path):
    np.save(tmp_path / "x.npy", X3)
    data = (tmp_path / "x.npy").read_bytes()
    (tmp_path / "x.npy").write_bytes(data[:-40])
    expect(r"x\.npy is not a valid \.npy file", tmp_path / "x.npy")


@pytest.mark.parametrize("cut", [None, 30, -30], ids=["no-zip", "head", "tail"])
def test_corrupted_npz(tmp_path, cut):
    path = tmp_path / "x.npz"
    if cut is None:
        path.write_bytes(b"not a zip archive at all")
    else:
        np.savez(path, X3)
        data = path.read_bytes()
        path.write_bytes(data[:cut])
    expect(r"x\.npz is not a valid \.npz file", path)


def test_not_utf8_text(tmp_path):
    (tmp_path / "x.csv").write_bytes(b"1,2\n\xff\xfe,3\n")
    expect(r"x\.csv is not UTF-8 text \(undecodable byte at offset 4\)", tmp_path / "x.csv")


# -- the cells of a text file --------------------------------------------------------------


@pytest.mark.parametrize(
    "sep, bad, column", [(",", "abc", 2), (" ", "1,5", 3), (",", "", 3), (",", "1_000", 1)]
)
def test_non_numeric_cell(tmp_path, sep, bad, column):
    rows = [[repr(float(v)) for v in row] for row in X3]
    rows[4][column - 1] = bad
    # line 1 comment, 2 header, 3 blank, rows from line 4: row 4 is on line 8.
    text = "# note\nx y z\n\n" + "\n".join(sep.join(r) for r in rows) + "\n"
    (tmp_path / "x.csv").write_text(text)
    expect(rf"x\.csv, line 8, column {column}: {bad!r} is not a number", tmp_path / "x.csv")


def test_ragged_rows(tmp_path):
    rows = [",".join(repr(float(v)) for v in row) for row in X3]
    rows[6] = "1.0,2.0"
    (tmp_path / "x.csv").write_text("a,b,c\n" + "\n".join(rows) + "\n")
    expect(r"x\.csv, line 8: 2 columns, expected 3 \(as on line 2\)", tmp_path / "x.csv")


def test_non_finite_in_text(tmp_path):
    x = X3.copy()
    x[3, 1], x[3, 2], x[7, 0] = np.nan, np.inf, -np.inf
    path = write_text(tmp_path / "x.csv", x, header="a,b,c")
    expect(r"x\.csv: 2 rows hold NaN or inf; the first is line 5$", path)


@pytest.mark.parametrize("suffix", [".npy", ".npz"])
def test_non_finite_in_array(tmp_path, suffix):
    x = X3.copy()
    x[9, 0] = np.nan
    path = tmp_path / f"x{suffix}"
    (np.save if suffix == ".npy" else np.savez)(path, x)
    expect(r"1 row holds NaN or inf; the first is row 9 \(0-based\)", path)


# -- npz keys ------------------------------------------------------------------------------


def test_npz_several_arrays_and_no_key(tmp_path):
    np.savez(tmp_path / "two.npz", a=X1, b=X3)
    expect(r"two\.npz holds 2 arrays \(a, b\); pick one with .*two\.npz:KEY", tmp_path / "two.npz")


def test_npz_wrong_key(tmp_path):
    np.savez(tmp_path / "two.npz", a=X1, b=X3)
    expect(r"two\.npz has no array 'c'; its keys: a, b", f"{tmp_path / 'two.npz'}:c")


def test_npz_empty_key(tmp_path):
    np.savez(tmp_path / "two.npz", a=X1)
    expect(r"the key after ':' is empty", f"{tmp_path / 'two.npz'}:")


def test_npz_with_no_arrays(tmp_path):
    np.savez(tmp_path / "none.npz")
    expect(r"none\.npz is an \.npz file with no arrays", tmp_path / "none.npz")


# -- size, shape and dtype -----------------------------------------------------------------


def test_too_few_points(tmp_path):
    np.save(tmp_path / "x.npy", X3[: MIN_POINTS - 1])
    expect(rf"holds {MIN_POINTS - 1} points; at least {MIN_POINTS} are needed", tmp_path / "x.npy")
    (tmp_path / "h.csv").write_text("# only a header\nx,y\n")
    expect(r"h\.csv holds 0 points \(no data lines\); at least 10", tmp_path / "h.csv")


@pytest.mark.parametrize("d", [0, MAX_DIM + 1])
def test_dimension_out_of_range(tmp_path, d):
    np.save(tmp_path / "x.npy", np.ones((20, d)))
    expect(rf"dimension d = {d}; allowed 1\.\.{MAX_DIM}", tmp_path / "x.npy")


def test_dimension_limit_in_text(tmp_path):
    write_text(tmp_path / "x.csv", np.ones((12, MAX_DIM + 1)))
    expect(rf"d = {MAX_DIM + 1}; allowed 1\.\.{MAX_DIM}", tmp_path / "x.csv")
    write_text(tmp_path / "ok.csv", np.ones((12, MAX_DIM)))
    assert load_points(tmp_path / "ok.csv").shape == (12, MAX_DIM)


def test_more_than_two_dimensions(tmp_path):
    np.save(tmp_path / "x.npy", np.ones((10, 2, 2)))
    expect(r"holds a 3-D array of shape \(10, 2, 2\); expected N × d", tmp_path / "x.npy")
    np.save(tmp_path / "s.npy", np.float64(3.0))
    expect(r"holds a single number", tmp_path / "s.npy")


@pytest.mark.parametrize(
    "x",
    [np.array(["a", "b"] * 10), np.ones(20, dtype=bool), np.ones(20, dtype=complex)],
    ids=["str", "bool", "complex"],
)
def test_non_numeric_dtype(tmp_path, x):
    np.save(tmp_path / "x.npy", x)
    expect(rf"dtype {x.dtype}; only integer or float numbers are accepted", tmp_path / "x.npy")


@pytest.mark.parametrize("suffix", [".npy", ".npz"])
def test_object_array(tmp_path, suffix):
    x = np.array([1.0, "a", None] * 5, dtype=object)
    path = tmp_path / f"x{suffix}"
    if suffix == ".npy":
        np.save(path, x, allow_pickle=True)
    else:
        np.savez(path, obj=x)
    msg = expect("object arrays are not accepted", path)
    assert msg.startswith(str(path))


def test_not_a_path():
    expect(r"must be given as a path, got 3", 3)
    expect(r"the data file path is empty", "")
