"""Sweep specs: parsing, the cells and their packing, and every bad input refused (exit 2,
nothing written, no cluster started). No task runs here."""

from __future__ import annotations

import time

import pytest

from genlab.base.errors import UserError
from genlab.cli.main import main
from genlab.sweeps.cells import cell_names, expand, pack, split_seeds
from genlab.sweeps.engine import Engine
from genlab.sweeps.runner import plan_sweep
from genlab.sweeps.spec import parse_spec, read_spec
from genlab.sweeps.specs import SPECS, spec_path
from genlab.training.config import TrainConfig
from genlab.workflows.presets import PRESETS

BASE = """
model = "gan"
[train]
n_samples = 128
batch_size = 32
epochs = 3
"""


def spec(grid: str = '"gan.lam" = [1.0, 500.0]\n', sweep: str = "", base: str = BASE):
    return parse_spec(f"{base}\n[grid]\n{grid}\n[sweep]\n{sweep}", source="s.toml")


def test_cells_are_the_product_in_the_order_written():
    s = spec('"gan.lam" = [1.0, 500.0]\n"train.dataset" = ["ring", "grid", "moons"]\n',
             'seeds = "0-4"\nmembers_per_task = 2\n')  # fmt: skip
    cells = expand(s)
    assert s.n_cells == len(cells) == 6 and s.seeds == (0, 1, 2, 3, 4)
    assert [c.name for c in cells[:3]] == ["lam=1.0,dataset=ring", "lam=1.0,dataset=grid",
                                           "lam=1.0,dataset=moons"]  # fmt: skip
    c = cells[4].config
    assert (c.arch.lam, c.train.dataset, c.train.seeds, c.train.epochs) == (
        500.0, "grid", (0, 1, 2, 3, 4), 3)  # fmt: skip
    assert c.arch.rule == "alternating"  # the base's defaults stay
    assert cells[4].values == {"gan.lam": 500.0, "train.dataset": "grid"}


def test_nested_grid_tables_and_integers_for_numbers():
    s = spec("[grid.gan]\nlam = [1, 2]\n[grid.train]\nlr = [1, 0.5]\n")
    assert [a.key for a in s.axes] == ["gan.lam", "train.lr"]
    cells = expand(s)
    assert cells[0].config.arch.lam == 1.0 and isinstance(cells[0].config.arch.lam, float)


def test_seeds_are_packed_evenly_into_tasks(tmp_path):
    assert split_seeds(tuple(range(10)), 8) == [tuple(range(5)), tuple(range(5, 10))]
    assert split_seeds((3, 9, 4), 1) == [(3,), (9,), (4,)]
    assert split_seeds(tuple(range(16)), 8) == [tuple(range(8)), tuple(range(8, 16))]
    tasks = pack(expand(spec(sweep='seeds = "0-9"\n')), str(tmp_path), 4, "tok")
    assert [t.folder for t in tasks[:4]] == ["runs/lam=1.0--seeds-0-3", "runs/lam=1.0--seeds-4-6",
                                             "runs/lam=1.0--seeds-7-9",
                                             "runs/lam=500.0--seeds-0-3"]  # fmt: skip
    assert [len(t.seeds) for t in tasks] == [4, 3, 3] * 2
    assert len({t.key for t in tasks}) == 6 and all(t.key.endswith("-tok") for t in tasks)
    one = pack(expand(spec(sweep="seeds = [0, 1]\n")), str(tmp_path), 8)
    assert [t.folder for t in one] == ["runs/lam=1.0", "runs/lam=500.0"]


def test_names_are_safe_and_unique():
    s = spec('"train.dataset" = ["ring"]\n"gan.generator_hidden" = [[32], [64, 64]]\n'
             '"gan.generator_activations" = [["tanh"], ["tanh", "tanh"]]\n')  # fmt: skip
    names = cell_names(s)
    assert names[0] == "dataset=ring,generator_hidden=32,generator_activations=tanh"
    assert len(set(names)) == len(names) == 4
    long = spec('"gan.generator_hidden" = [' + ", ".join(str([i] * 60) for i in range(3)) + "]\n")
    assert all(len(n) <= 105 and "~" in n for n in cell_names(long))
    assert len(set(cell_names(long))) == 3


def test_seeds_default_to_the_base_and_shipped_specs_parse(tmp_path):
    s = spec(base=BASE + "seeds = [4, 5]\n")
    assert s.seeds == (4, 5)
    for name in SPECS:
        example = read_spec(spec_path(name))
        assert plan_sweep(example, tmp_path / name).cells
    assert not list(tmp_path.iterdir())  # planning writes nothing


@pytest.mark.parametrize(
    ("grid", "sweep", "message"),
    [
        ("", "", "is empty"),
        ('"gan.lam" = []\n', "", "has no values"),
        ('"gan.lam" = [1.0, 1.0]\n', "", "repeats the value 1.0"),
        ('"gan.nope" = [1.0]\n', "", "unknown grid key 'gan.nope'"),
        ('"vae.latent_dim" = [2]\n', "", "this spec's model is 'gan'"),
        ('"lam" = [1.0]\n', "", "names no configuration field"),
        ('"train.seeds" = [[0]]\n', "", "seeds are not a grid axis"),
        ('"gan.lam" = 1.0\n', "", "expected an array of values"),
        ('"gan.lam" = [1.0, -1.0]\n', "", "cell lam=-1.0: lambda must be"),
        ('"train.lr" = ["fast"]\n', "", "train.lr in s.toml, cell lr=fast: expected a number"),
        ('"train.dataset" = ["ring", "nope"]\n', "", "unknown dataset"),
        ('"train.batch_size" = [64, 256]\n', "", "batch_size 256 is larger than the data"),
        ('"gan.lam" = [1.0]\n', 'seeds = "3-1"\n', "the end is below the start"),
        ('"gan.lam" = [1.0]\n', "seeds = [0, 0]\n", "seeds must be distinct"),
        ('"gan.lam" = [1.0]\n', "members_per_task = 0\n", "members_per_task must be"),
        ('"gan.lam" = [1.0]\n', "workers = 2\n", "unknown key 'sweep.workers'"),
    ],
)  # fmt: skip
def test_bad_specs_name_the_problem(grid, sweep, message):
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        expand(spec(grid, sweep))


PRESET_BASE = BASE.replace('model = "gan"\n', "")


def test_a_preset_axis_gives_each_cell_its_presets_model_and_schedule():
    s = spec('preset = ["vae", "pacgan2", "gan-λ500-wide-tanh-long-rejection"]\n'
             '"train.dataset" = ["ring"]\n', base=PRESET_BASE)  # fmt: skip
    cells = expand(s)
    assert [c.name for c in cells] == [
        "preset=vae,dataset=ring", "preset=pacgan2,dataset=ring",
        "preset=gan-lam500-wide-tanh-long-rejection,dataset=ring"]  # fmt: skip
    train = TrainConfig(n_samples=128, batch_size=32, epochs=3, dataset="ring")
    for cell, name in zip(cells, s.axes[0].values, strict=True):
        assert cell.config == PRESETS[name].run_config(train)
    assert cells[2].config.train.epochs == 6  # the preset's own factor on the spec's epochs


@pytest.mark.parametrize(
    ("grid", "base", "message"),
    [
        ('preset = ["nope"]\n', PRESET_BASE, "unknown preset 'nope'"),
        ("preset = []\n", PRESET_BASE, "expected an array of preset names"),
        ('preset = ["vae"]\n', BASE, "drop 'model'"),
        ('preset = ["vae"]\n', PRESET_BASE + "[gan]\nlam = 1.0\n", "drop 'gan'"),
        ('preset = ["vae"]\n"gan.lam" = [1.0]\n', PRESET_BASE, "a preset sets it"),
    ],
)  # fmt: skip
def test_bad_preset_axes_name_the_problem(grid, base, message):
    with pytest.raises(UserError, match=message):
        expand(spec(grid, base=base))


def test_bad_base_and_toml_are_refused():
    with pytest.raises(UserError, match="unknown key 'train.nope'"):
        expand(spec(base=BASE + "nope = 1\n"))
    with pytest.raises(UserError, match="not valid TOML"):
        parse_spec("model = \n", source="s.toml")
    with pytest.raises(UserError, match="has no \\[grid\\]"):
        parse_spec(BASE, source="s.toml")
    with pytest.raises(UserError, match="unknown key 'grids'"):
        parse_spec(BASE + "[grids]\n", source="s.toml")
    with pytest.raises(UserError, match="seeds twice"):
        expand(spec(sweep="seeds = [1]\n", base=BASE + "seeds = [0]\n"))


def write(tmp_path, grid='"gan.lam" = [1.0, 500.0]\n', sweep=""):
    path = tmp_path / "spec.toml"
    path.write_text(f"{BASE}\n[grid]\n{grid}\n[sweep]\n{sweep}")
    return path


@pytest.mark.parametrize(
    ("grid", "options", "message"),
    [
        ('"gan.lam" = [1.0, -5.0]\n', [], "lambda must be"),
        ('"gan.nope" = [1]\n', [], "unknown grid key"),
        ('"gan.lam" = [1.0]\n', ["--workers", "-1"], "workers must be"),
        ('"gan.lam" = [1.0]\n', ["--members-per-task", "0"], "--members-per-task must be"),
        ('"gan.lam" = [1.0]\n', ["--scheduler", "tcp://x:1", "--workers", "2"], "--workers sizes"),
        ('"gan.lam" = [1.0]\n', ["--scheduler", "no address"], "malformed scheduler address"),
    ],
)  # fmt: skip
def test_the_command_refuses_bad_input_with_exit_2_writing_nothing(
    tmp_path, capsys, grid, options, message
):
    out = tmp_path / "out"
    assert main(["sweep", str(write(tmp_path, grid)), "--out", str(out), *options]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_missing_spec_and_an_out_that_is_a_file(tmp_path, capsys):
    assert main(["sweep", str(tmp_path / "none.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "no sweep spec at" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert main(["sweep", str(write(tmp_path)), "--out", str(tmp_path / "file")]) == 2
    assert "an existing file, not a folder" in capsys.readouterr().err


def test_an_unreachable_scheduler_fails_within_seconds(tmp_path, capsys):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "out"
    tic = time.perf_counter()
    argv = ["sweep", str(write(tmp_path)), "--out", str(out), "--scheduler",
            f"tcp://127.0.0.1:{port}", "--connect-timeout", "1"]  # fmt: skip
    assert main(argv) == 2
    assert time.perf_counter() - tic < 10
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    assert not out.exists()


def test_engine_settings_are_checked():
    assert Engine().local and "local cluster" in Engine(workers=3).describe()
    with pytest.raises(UserError, match="connect timeout"):
        Engine(scheduler="tcp://127.0.0.1:8786", connect_timeout=0)


def test_the_command_line_imports_dask_only_for_a_sweep():
    import subprocess
    import sys

    code = ("import contextlib, io, sys\nfrom genlab.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('dask', 'distributed', 'torch', 'tqdm')))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
