"""The report of a run on points of any dimension: every figure render_run wrote is embedded,
none is broken, and the captions say what a panel shows when the points are not 2-D."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from genlab.base.done import mark_done
from genlab.plotting.points import MAX_CORNER_DIMS
from genlab.plotting.run_figures import render_run
from genlab.report.page import build_report
from genlab.report.sections import CORNER_DIMS, dimension_note, npy_shape

sys.path.insert(0, str(Path(__file__).parents[1] / "plotting"))
from test_figures_dims import build_run  # noqa: E402

IMG = re.compile(r'<img src="data:image/(png|gif);base64,[A-Za-z0-9+/=]+" alt="([^"]+)"')


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("d", [1, 3, 8])
def test_a_run_in_dimension_d_reports_every_figure_it_has(tmp_path, d):
    run = build_run(tmp_path / f"d{d}", d, "vae")
    written = {p.name for p in render_run(run)}
    mark_done(run.path, {"seconds": 1.0})
    page = build_report([run.path])
    assert "could not be rendered" not in page and "could not be embedded" not in page
    assert "Missing figure" not in page
    embedded = [name for _, name in IMG.findall(page)]
    assert sorted(embedded) == sorted(written)  # each once, none broken, no gan_lab.png
    assert f"The points are {d}-D" in page
    assert "The homework&#x27;s figure" not in page  # not the homework's 2-D panels
    if d > MAX_CORNER_DIMS:
        assert f"the first {MAX_CORNER_DIMS} of {d}" in page


def test_the_report_knows_the_dimension_from_the_data_header_alone(tmp_path):
    np.save(tmp_path / "data.npy", np.zeros((1, 5, 7), dtype=np.float32))
    assert npy_shape(tmp_path / "data.npy") == (1, 5, 7)
    (tmp_path / "bad.npy").write_bytes(b"not an array")
    assert npy_shape(tmp_path / "bad.npy") is None and npy_shape(tmp_path / "none.npy") is None
    assert dimension_note(2) == dimension_note(None) == ""
    assert CORNER_DIMS == MAX_CORNER_DIMS  # the report's caption says what the plots show
