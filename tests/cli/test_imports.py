"""What importing genlab and running its cheap commands pull into ``sys.modules``.

Each check runs in a fresh interpreter (``sys.executable -c ...``): the test process itself has
long since imported torch. The snippet prints one JSON line, which the test reads. Nothing here
asserts a time; ``benchmarks/bench_startup.py`` measures the speed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

# Appended to every snippet: the heavy top-level packages present, and the snippet's ``out``.
REPORT = """
import json as _json, sys as _sys
_heavy = ("torch", "ot", "matplotlib", "numba", "scipy")
out["loaded"] = sorted(h for h in _heavy if any(m == h or m.startswith(h + ".")
                                               for m in _sys.modules))
print("RESULT " + _json.dumps(out))
"""


def run_fresh(snippet: str, env: dict[str, str] | None = None) -> dict:
    """Run ``snippet`` (which fills a dict ``out``) in a fresh interpreter; return ``out`` with
    ``loaded``, the heavy packages it imported."""
    code = "out = {}\n" + textwrap.dedent(snippet) + REPORT
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=300)  # fmt: skip
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, f"snippet failed:\n{proc.stdout}\n{proc.stderr}"
    return json.loads(lines[-1].removeprefix("RESULT "))


def test_import_genlab_loads_nothing_heavy():
    out = run_fresh("import genlab")
    assert out["loaded"] == []


def test_rejected_argument_loads_no_torch_pot_numba_matplotlib():
    out = run_fresh("""
        from genlab.cli import main
        out["rc"] = main(["train", "gan", "--epochs", "0"])
    """)
    assert out["rc"] == 2
    assert not {"torch", "ot", "numba", "matplotlib"} & set(out["loaded"]), out["loaded"]


def test_console_script_freezes_the_collector_after_main():
    """``genlab`` is ``genlab.cli:run``: main's exit code, then ``gc.freeze`` so that the
    interpreter's shutdown does not walk torch's and numba's objects."""
    out = run_fresh("""
        import gc, sys
        from importlib.metadata import entry_points
        from genlab.cli import run
        out["entry"] = [e.value for e in entry_points(group="console_scripts", name="genlab")]
        sys.argv = ["genlab", "train", "gan", "--epochs", "0"]
        out["before"] = gc.get_freeze_count()
        out["rc"] = run()
        out["after"] = gc.get_freeze_count()
    """)
    assert out["entry"] == ["genlab.cli:run"]
    assert out["rc"] == 2
    assert out["before"] == 0 < out["after"]


def test_help_loads_no_torch_or_pot():
    out = run_fresh("""
        import contextlib, io
        from genlab.cli import main
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                main(["--help"])
        except SystemExit as exc:
            out["code"] = exc.code
    """)
    assert out["code"] == 0
    assert not {"torch", "ot"} & set(out["loaded"]), out["loaded"]


def test_minimax_run_loads_no_torch_or_pot(tmp_path):
    out = run_fresh(f"""
        import contextlib, io
        from genlab.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            out["rc"] = main(["minimax", "run", "--epochs", "20", "--out", {str(tmp_path)!r}])
    """)
    assert out["rc"] == 0
    assert not {"torch", "ot"} & set(out["loaded"]), out["loaded"]


def test_minimax_run_loads_numbas_blas_without_scipy_linalg(tmp_path):
    """The command loads ``scipy.linalg.cython_blas`` alone (``preload_blas``), and its
    compiled ``np.dot`` gives the numbers of the library in a process with all of SciPy."""
    out = run_fresh(f"""
        import contextlib, io, json, sys
        from genlab.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            out["rc"] = main(["minimax", "run", "--epochs", "20", "--out", {str(tmp_path)!r}])
        out["linalg"] = "scipy.linalg" in sys.modules
        blas = sys.modules.get("scipy.linalg.cython_blas")
        out["dgemm"] = blas is not None and "dgemm" in blas.__pyx_capi__
        out["loss"] = json.load(open({str(tmp_path / "summary.json")!r}))["final_loss"]
    """)
    assert out["rc"] == 0 and out["dgemm"] and not out["linalg"]
    import scipy.linalg  # noqa: F401  # this process: the usual import

    from genlab.minimax import MinimaxConfig, run_minimax

    assert run_minimax(MinimaxConfig(epochs=20)).final_loss == out["loss"]


def test_preload_blas_leaves_an_imported_scipy_linalg_alone():
    out = run_fresh("""
        import sys
        import scipy.linalg
        from genlab.minimax import preload_blas
        before = sys.modules["scipy.linalg.cython_blas"]
        preload_blas()
        out["same"] = sys.modules["scipy.linalg.cython_blas"] is before is scipy.linalg.cython_blas
    """)
    assert out["same"]


# How the backend stands before genlab is touched: not chosen yet (genlab must not choose it),
# chosen explicitly as svg (genlab must not switch it, e.g. to Agg), or resolved by
# get_backend() itself (which imports pyplot, so the pyplot check does not apply).
BACKEND_SETUPS = {
    "unchosen": "before = matplotlib.get_backend(auto_select=False)",
    "svg": "matplotlib.use('svg'); before = matplotlib.get_backend(auto_select=False)",
    "resolved": "before = matplotlib.get_backend()",
}


@pytest.mark.parametrize("setup", BACKEND_SETUPS)
def test_public_names_change_no_global_state(setup):
    # genlab.evaluate imports torch anyway, so each case checks torch's state too.
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    get = "get_backend()" if setup == "resolved" else "get_backend(auto_select=False)"
    out = run_fresh(f"""
        import sys
        import matplotlib
        import torch
        torch.set_num_threads(3)
        dtype = torch.get_default_dtype()
        {BACKEND_SETUPS[setup]}
        pyplot_before = "matplotlib.pyplot" in sys.modules
        import genlab
        genlab.plot_density, genlab.homework_style, genlab.train, genlab.load, genlab.evaluate
        out["backend"] = [before, matplotlib.{get}]
        out["pyplot"] = [pyplot_before, "matplotlib.pyplot" in sys.modules]
        out["threads"] = torch.get_num_threads()
        out["dtype_kept"] = torch.get_default_dtype() == dtype
    """, env=env)  # fmt: skip
    before, after = out["backend"]
    assert after == before, f"genlab changed the matplotlib backend: {before!r} -> {after!r}"
    if not out["pyplot"][0]:
        assert not out["pyplot"][1], "genlab imported matplotlib.pyplot"
    assert out["threads"] == 3, f"genlab changed torch's threads: 3 -> {out['threads']}"
    assert out["dtype_kept"], "genlab changed torch's default dtype"


def test_help_genlab_lists_the_public_names():
    out = run_fresh("""
        import pydoc
        import genlab
        out["doc"] = pydoc.render_doc(genlab, renderer=pydoc.plaintext)
    """)
    doc = out["doc"]
    for name in ("train", "load", "Run", "RunConfig", "evaluate"):
        assert re.search(rf"^    (class )?{name}\(", doc, re.M), f"help(genlab) lacks {name}"
