"""The fault-injection battery: every corrupted run file against every command that reads it.

Three tiny runs are trained once (a finished GAN and VAE, and the GAN interrupted after epoch 2
of 4, whose uninterrupted twin is the finished GAN). For each case a pristine run is copied,
one file of the copy is damaged (``fault_cases.CORRUPTIONS``), and one command runs on it
in-process through ``genlab.cli.main``:

    train MODEL --resume RUN, sample RUN -n 10, evaluate RUN --n 50, compare RUN --n 50,
    report RUN -o OUT.html, verify RUN

Each pair must give either a **clear error** (exit code 1 or 2, stderr naming the damaged file,
no traceback, no "internal error") or a **correct result**:

- resume of the unfinished run: its final checkpoint (model, optimizer, random states) equals
  the uninterrupted twin's bit for bit, as do its metrics log and samples, and the run then
  verifies whole; resume of a finished run: "already complete", nothing in the folder touched;
- sample, evaluate, compare: the same numbers as the undamaged run gives, or, for the
  unfinished run, those of its previous checkpoint (epoch 1) with a warning that names the
  damaged file (the documented fallback);
- report: the page shows the run as "damaged", naming the file;
- verify: exit 1, "DAMAGED", the damaged file's path in a problem line.

Never a traceback, never a silently wrong result, and never the malicious checkpoint's code
run (it would create ``PWNED`` next to the run). Undamaged copies verify ``ok`` (exit 0).

The battery holds 698 corruption × command pairs (``PAIRS``): 44 corruptions × 6 commands on
the finished VAE (264), 43 on the finished GAN (258, no reconstructions.npy), 30 on the
unfinished GAN (176: no samples, data, evaluation, figures, DONE or manifest yet, and 4 noted
below). Of them 116 are ``verify`` pairs, one per damaged file planted. A pair that fails is a
bug in genlab: ``BUGS`` (empty now) marks any that are known as strict ``xfail``, with what
the command did instead, until they are fixed.

On the unfinished run, ``last.pt`` replaced by ``previous.pt`` is a valid older state that no
record contradicts (it has no manifest yet): only resume (bit for bit) and sample (the epoch 1
samples) are checked there. Resumes do not draw the figures (seconds each; they read no
checkpoint), but for one (``FULL_PIPELINE``).

Beside the pairs: an edited config.json (seeds, lr, model) is refused naming the fields that
differ, a lock of another host refuses every writer, and a stale lock is taken over.
``GENLAB_FAULTS_SUMMARY=FILE`` writes each passing pair's outcome there, for the counts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from fault_cases import CORRUPTIONS, MARKER, Corruption

import genlab.workflows.pipeline as pipeline
from genlab.cli.main import main
from genlab.training.rundir import RunDir

pytestmark = pytest.mark.faults

TRAIN = ["--epochs", "4", "--n-samples", "128", "--batch-size", "32", "--checkpoint-every", "1",
         "--seeds", "0-1", "--eval-samples", "50", "--device", "cpu", "--figures",
         "--exact-ot"]  # fmt: skip
COMMANDS = ("resume", "sample", "evaluate", "compare", "report", "verify")
MODEL = {"gan": "gan", "vae": "vae", "unfinished": "gan", "epoch1": "gan"}
TWIN = "gan"
"""The unfinished run's uninterrupted twin: the finished GAN, trained with the same options."""


def code_of(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return 0 if exc.code is None else int(exc.code)


def argv_of(command: str, kind: str, run: Path, tmp: Path) -> list[str]:
    return {
        "resume": ["train", MODEL[kind], "--resume", str(run)],
        "sample": ["sample", str(run), "-n", "10", "-o", str(tmp / "samples-out.npy")],
        "evaluate": ["evaluate", str(run), "--n", "50"],
        "compare": ["compare", str(run), "--n", "50"],
        "report": ["report", str(run), "-o", str(tmp / "report.html")],
        "verify": ["verify", str(run)],
    }[command]


def tree(path: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(path)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in path.rglob("*") if p.is_file()}  # fmt: skip


def interrupted_fit(after: int):
    real_fit = pipeline.fit

    def fit(run, hooks):
        def stop(record):
            hooks.on_epoch(record)
            if record.epoch == after:
                raise KeyboardInterrupt

        return real_fit(run, hooks=dataclasses.replace(hooks, on_epoch=stop))

    return fit


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> dict[str, Path]:
    """The runs, never touched: gan, vae (finished), unfinished (after epoch 2 of 4), epoch1
    (the same, interrupted after epoch 1: the state the unfinished run's previous.pt holds)."""
    root = tmp_path_factory.mktemp("pristine")
    runs = {kind: root / kind for kind in MODEL}
    for kind in ("gan", "vae"):
        assert code_of(["train", kind, *TRAIN, "--out", str(runs[kind])]) == 0
    with pytest.MonkeyPatch.context() as mp:
        for kind, after in (("unfinished", 2), ("epoch1", 1)):
            mp.setattr(pipeline, "fit", interrupted_fit(after))
            assert code_of(["train", "gan", *TRAIN, "--out", str(runs[kind])]) == 130
    assert RunDir(runs["unfinished"]).checkpoint_epoch() == 2
    return runs


def copy_run(source: Path, tmp: Path) -> Path:
    """A copy named ``run`` (compare's table shows the folder's name: every copy has the same)."""
    tmp.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copytree(source, tmp / "run"))


class References:
    """What each command gives on an undamaged copy (computed once, on first use)."""

    def __init__(self, pristine: dict[str, Path], root: Path) -> None:
        self.pristine, self.root, self.cache = pristine, root, {}

    def __call__(self, kind: str, command: str):
        if (kind, command) not in self.cache:
            tmp = self.root / f"{kind}-{command}"
            run = copy_run(self.pristine[kind], tmp)
            rc, out = _captured(argv_of(command, kind, run, tmp))
            assert rc == 0, out
            self.cache[kind, command] = {
                "sample": lambda: np.load(tmp / "samples-out.npy"),
                "evaluate": lambda: evaluation(run),
                "compare": lambda: table(out),
            }[command]()
        return self.cache[kind, command]


def _captured(argv: list[str]) -> tuple[int, str]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = code_of(argv)
    return rc, buf.getvalue()


@pytest.fixture(scope="module")
def references(pristine, tmp_path_factory) -> References:
    return References(pristine, tmp_path_factory.mktemp("references"))


def evaluation(run: Path) -> dict:
    record = json.loads((run / "evaluation.json").read_text())
    record.pop("run")
    return record


def table(markdown: str) -> list[str]:
    """compare's table without the run names (a copy's evaluation.json names the folder the
    run was trained in, a fresh evaluation the copy's)."""
    return [ln.split("|", 2)[-1] for ln in markdown.splitlines()]


def states_equal(a, b) -> bool:
    """Nested checkpoint states equal, tensors bit for bit."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)
                and a.dtype == b.dtype and torch.equal(a, b))  # fmt: skip
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(states_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(states_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def without_seconds(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


# -- the pairs --------------------------------------------------------------------------------
UNDETECTABLE = {("unfinished", "last.pt-older")}
"""(run, corruption) whose damage leaves a valid state: only resume and sample are checked."""

RUNS = ("gan", "vae", "unfinished")
BUGS: dict[tuple[str, str, str], str] = {}
"""(run, corruption, command) → what the command does instead of a clear error or a correct
result: bugs in genlab, kept as strict xfails until fixed."""


def applies(kind: str, corruption: Corruption, command: str) -> bool:
    if kind not in corruption.runs:
        return False
    return (kind, corruption.name) not in UNDETECTABLE or command in ("resume", "sample")


PAIRS = [
    (kind, c, command)
    for kind in RUNS
    for c in CORRUPTIONS
    for command in COMMANDS
    if applies(kind, c, command)
]


def param(kind: str, corruption: Corruption, command: str):
    marks = []
    if (reason := BUGS.get((kind, corruption.name, command))) is not None:
        marks.append(pytest.mark.xfail(strict=True, reason=reason))
    return pytest.param(kind, corruption, command, marks=marks,
                        id=f"{kind}-{corruption.name}-{command}")  # fmt: skip


OUTCOMES: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def summary():
    """With GENLAB_FAULTS_SUMMARY=FILE, each pair's outcome as JSON (for the counts)."""
    yield
    if target := os.environ.get("GENLAB_FAULTS_SUMMARY"):
        Path(target).write_text(json.dumps(OUTCOMES, indent=1, sort_keys=True) + "\n")


# -- what each command must give --------------------------------------------------------------
@dataclasses.dataclass
class Case:
    kind: str
    corruption: Corruption
    command: str
    run: Path
    tmp: Path
    rc: int
    out: str
    err: str

    @property
    def damaged(self) -> Path:
        return self.run / self.corruption.target

    def clear_error(self) -> bool:
        return (self.rc in (1, 2) and "internal error" not in self.err
                and self.damaged.name in self.err)  # fmt: skip

    def warned(self) -> bool:
        """A ``genlab: warning:`` line names the damaged file (the fallback to previous.pt)."""
        lines = [ln for ln in self.err.splitlines() if ln.startswith("genlab: warning:")]
        return any(self.damaged.name in ln and "previous.pt" in ln for ln in lines)

    def describe(self) -> str:
        return f"exit {self.rc}\nstdout: {self.out[-1500:]}\nstderr: {self.err[-1500:]}"


def same_or_fallback(case: Case, got, want, want_epoch1) -> str:
    """The undamaged run's result, or (unfinished run) its previous checkpoint's, warned."""
    if want(got):
        return "correct"
    if case.kind == "unfinished" and want_epoch1(got):
        if (case.kind, case.corruption.name) in UNDETECTABLE:
            return "correct (a valid older state)"
        assert case.warned(), f"fell back to epoch 1 without a warning\n{case.describe()}"
        return "warned fallback to epoch 1"
    raise AssertionError(f"a silently wrong result\n{case.describe()}")


def check_resume(case: Case, pristine, references, before) -> str:
    if case.kind != "unfinished":
        assert tree(case.run) == before, f"a finished run was touched\n{case.describe()}"
        if case.rc == 0 and "already complete" in case.out:
            return "correct (already complete)"
        assert case.clear_error(), case.describe()
        return "error"
    if case.rc != 0:
        assert case.clear_error(), case.describe()
        return "error"
    twin, run = RunDir(pristine[TWIN]), RunDir(case.run)
    assert run.is_done(), case.describe()
    a, b = run.load_checkpoint(), twin.load_checkpoint()
    assert a["epoch"] == b["epoch"] == 4
    for part in ("model", "trainer", "rng"):
        assert states_equal(a[part], b[part]), f"{part} differs from the twin's\n{case.describe()}"
    assert without_seconds(run.read_metrics()) == without_seconds(twin.read_metrics())
    assert np.array_equal(np.load(run.samples_file), np.load(twin.samples_file))
    assert code_of(["verify", str(case.run)]) == 0, "the resumed run does not verify whole"
    return "correct"


def check_sample(case: Case, pristine, references, before) -> str:
    if case.rc != 0:
        assert case.clear_error(), case.describe()
        return "error"
    got = np.load(case.tmp / "samples-out.npy")
    return same_or_fallback(
        case, got,
        lambda x: np.array_equal(x, references(case.kind, "sample")),
        lambda x: np.array_equal(x, references("epoch1", "sample")),
    )  # fmt: skip


def check_evaluate(case: Case, pristine, references, before) -> str:
    if case.rc != 0:
        assert case.clear_error(), case.describe()
        return "error"
    got = evaluation(case.run)
    return same_or_fallback(
        case, got,
        lambda e: e == references(case.kind, "evaluate"),
        lambda e: e == references("epoch1", "evaluate"),
    )  # fmt: skip


def check_compare(case: Case, pristine, references, before) -> str:
    if case.rc != 0:
        assert case.clear_error(), case.describe()
        return "error"
    return same_or_fallback(
        case, table(case.out),
        lambda t: t == references(case.kind, "compare"),
        lambda t: t == references("epoch1", "compare"),
    )  # fmt: skip


def check_report(case: Case, pristine, references, before) -> str:
    if case.rc != 0:
        assert case.clear_error(), case.describe()
        return "error"
    html = (case.tmp / "report.html").read_text()
    assert "damaged" in html, f"the report does not show the run as damaged\n{case.describe()}"
    assert case.damaged.name in html, "the report does not name the damaged file"
    return "correct (shown damaged)"


def check_verify(case: Case, pristine, references, before) -> str:
    assert case.rc == 1, f"verify did not flag the damage\n{case.describe()}"
    problems = [ln for ln in case.out.splitlines() if ln.strip().startswith("problem:")]
    assert f"DAMAGED {case.run}" in case.out, case.describe()
    assert any(str(case.damaged) in ln for ln in problems), case.describe()
    return "correct (flagged)"


CHECKS = {"resume": check_resume, "sample": check_sample, "evaluate": check_evaluate,
          "compare": check_compare, "report": check_report, "verify": check_verify}  # fmt: skip
FULL_PIPELINE = {("unfinished", "last.pt-half")}
"""Resumes that also draw the figures (``--figures``); the others do not (seconds each, no
checkpoint read)."""


@pytest.mark.parametrize(("kind", "corruption", "command"), [param(*p) for p in PAIRS])
def test_fault(kind, corruption, command, pristine, references, tmp_path, capsys):
    run = copy_run(pristine[kind], tmp_path)
    corruption.apply(run / corruption.target)
    before = tree(run)
    capsys.readouterr()
    figures = command == "resume" and (kind, corruption.name) in FULL_PIPELINE
    rc = code_of(argv_of(command, kind, run, tmp_path) + ["--figures"] * figures)
    out, err = capsys.readouterr()
    case = Case(kind, corruption, command, run, tmp_path, rc, out, err)
    assert not (tmp_path / MARKER).exists(), "the malicious checkpoint ran code"
    assert "Traceback" not in out + err, case.describe()
    OUTCOMES[f"{kind}-{corruption.name}-{command}"] = CHECKS[command](
        case, pristine, references, before
    )


@pytest.mark.parametrize("kind", RUNS)
def test_verify_passes_an_undamaged_copy(kind, pristine, tmp_path, capsys):
    run = copy_run(pristine[kind], tmp_path)
    assert code_of(["verify", str(run)]) == 0
    out = capsys.readouterr().out
    assert f"ok      {run}" in out and "1 of 1 runs are whole" in out


# -- an edited configuration is refused naming what differs --------------------------------------
EDITS = {"config-seeds": "train.seeds", "config-lr": "train.lr", "config-model": "model"}
EDIT_BUGS = {}


@pytest.mark.parametrize(
    ("kind", "edit", "command"),
    [pytest.param(kind, edit, command, id=f"{kind}-{edit}-{command}", marks=[
        pytest.mark.xfail(strict=True, reason=EDIT_BUGS[kind, edit, command])
    ] if (kind, edit, command) in EDIT_BUGS else [])
     for kind, commands in (("unfinished", ("resume", "sample", "evaluate")),
                            ("gan", ("sample", "evaluate")))
     for edit in EDITS for command in commands],
)  # fmt: skip
def test_an_edited_config_is_refused_naming_the_fields(kind, edit, command, pristine, tmp_path,
                                                        capsys):  # fmt: skip
    run = copy_run(pristine[kind], tmp_path)
    corruption = next(c for c in CORRUPTIONS if c.name == edit)
    corruption.apply(run / corruption.target)
    before = tree(run)
    assert code_of(argv_of(command, kind, run, tmp_path)) == 2
    err = capsys.readouterr().err
    assert "config.json" in err and EDITS[edit] in err, err
    assert tree(run) == before


# -- the lock -------------------------------------------------------------------------------------
def test_a_lock_of_another_host_refuses_every_writer(pristine, tmp_path, capsys):
    runs = {kind: copy_run(pristine[kind], tmp_path / kind) for kind in ("unfinished", "gan")}
    for run in runs.values():
        (run / ".lock").write_text(json.dumps({"pid": 1, "host": "elsewhere.example"}))
    before = {kind: tree(run) for kind, run in runs.items()}
    for argv in (["train", "gan", "--resume", str(runs["unfinished"])],
                 ["evaluate", str(runs["gan"]), "--n", "50"]):  # fmt: skip
        assert code_of(argv) == 2
        err = capsys.readouterr().err
        assert ".lock" in err and "elsewhere.example" in err and "Traceback" not in err
    assert {kind: tree(run) for kind, run in runs.items()} == before


def test_a_stale_lock_is_taken_over_and_the_resume_ends_bit_for_bit(pristine, tmp_path, capsys):
    run = copy_run(pristine["unfinished"], tmp_path)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    pid = int(gone.stdout)
    (run / ".lock").write_text(json.dumps({"pid": pid, "host": socket.gethostname()}))
    assert code_of(["train", "gan", "--resume", str(run)]) == 0
    err = capsys.readouterr().err
    assert f"took over the lock of process {pid}" in err
    a, b = RunDir(run).load_checkpoint(), RunDir(pristine[TWIN]).load_checkpoint()
    assert states_equal(a["model"], b["model"]) and not (run / ".lock").exists()
