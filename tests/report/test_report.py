"""The HTML report: self-contained, honest about failures and about numbers worse than their
floors or the homework's, and robust to a section that cannot render."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
import report_builders as rb

import genlab.report.page as report
from genlab.base import atomic
from genlab.report.header import QUICK_BANNER as BANNER
from genlab.report.page import build_report, write_report

QUICK_BANNER = html.escape(BANNER)

IMG_SRC = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]*)\"")
ATTR = re.compile(r"\b(?:src|href|action|poster|data)\s*=\s*\"([^\"]*)\"", re.IGNORECASE)


def sections(page: str) -> dict[str, str]:
    """Section id → its HTML."""
    return dict(re.findall(r'<section id="([^"]+)">(.*?)</section>', page, re.DOTALL))


def metric_row(page: str, name: str) -> str:
    """The table row of metric ``name`` (the first one in ``page``)."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.DOTALL)
    return next(r for r in rows if r.startswith(f"<td>{name}</td>"))


def assert_self_contained(page: str, min_images: int = 1) -> None:
    srcs = IMG_SRC.findall(page)
    assert len(srcs) >= min_images
    assert all(re.match(r"data:image/(png|gif);base64,[A-Za-z0-9+/=]+$", s) for s in srcs)
    for value in ATTR.findall(page):
        assert not value.lower().startswith(("http:", "https:", "//", "file:")), value
    assert "<script" not in page.lower() and "@import" not in page and "url(" not in page
    assert '<link rel="stylesheet"' not in page


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return rb.reproduction(tmp_path / "reproduce", extras=True)


# -- the page as a whole -----------------------------------------------------------------------
def test_a_reproduction_renders_self_contained_with_a_section_per_problem(root):
    page = build_report([root])
    assert_self_contained(page, min_images=15)
    assert list(sections(page)) == ["problem1", "problem2", "vae", "gan"]
    assert "could not be rendered" not in page
    assert page.count("data:image/gif") == 3  # both evolutions of the VAE, the GAN's
    for name in ("problem1", "problem2", "vae", "gan"):
        assert f'href="#{name}"' in page  # contents


def test_the_homework_figure_comes_first_in_every_problem(root):
    for name, body in sections(build_report([root])).items():
        first = IMG_SRC.search(body)
        assert first is not None, name
        caption = body[first.end() :].split("</figcaption>")[0]
        if name == "problem2":  # a proof in the homework: the identity table, then D against D*
            assert body.index("<table") < first.start() and "against D*" in caption
        else:
            assert html.escape("The homework's figure") in caption, name


def test_header_says_what_when_where_versions_and_total_time(root):
    page = build_report([root])
    head = page.split("<nav")[0]
    expected = ["python 3.11.7", "torch 2.9.9+cpu", "numpy 2.4.6", "genlab 0.1.0", "2 min 5 s",
                "2026-01-02T03:00:00+00:00", "2026-01-02T03:02:05+00:00", "cpu_count = 2",
                "torch_threads = 2", "seeds = [0, 1]", "Problem 3: VAE"]  # fmt: skip
    for text in expected:
        assert html.escape(text) in head, text


def test_without_a_manifest_the_header_comes_from_the_runs(tmp_path):
    root = rb.reproduction(tmp_path / "old", manifest=False)
    head = build_report([root]).split("<nav")[0]
    assert "torch 2.9.9+cpu" in head and "scipy 1.17.1" in head  # training and minimax configs
    assert "2026-01-02T03:04:05+0000" in head  # the first run's creation time
    assert "2 min 25 s (sum of the stage times)" in head  # 5 + 20 + 60 + 60 s (DONE)
    assert head.count(">done<") == 4


def test_write_report_is_atomic_and_returns_the_path(root, tmp_path):
    out = write_report([root], tmp_path / "out" / "report.html", title="My <report>")
    assert out == tmp_path / "out" / "report.html"
    text = out.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<title>My &lt;report&gt;</title>" in text
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temporary left
    assert build_report([root], title="My <report>") == text  # the same files, the same page


# -- failures are shown, never hidden -------------------------------------------------------------
def test_a_failed_stage_shows_its_error_and_the_rest_still_renders(tmp_path):
    root = rb.reproduction(tmp_path / "r", failed="vae")
    page = build_report([root])
    vae, gan = sections(page)["vae"], sections(page)["gan"]
    assert "RuntimeError: the &lt;b&gt;loss&lt;/b&gt; &amp; diverged" in vae  # escaped
    assert "<details><summary>traceback</summary>" in vae and "BOOM" in vae
    assert ">failed<" in page.split("<nav")[0]
    assert "Epoch : N" in gan and "evaluation" not in vae.lower()
    assert_self_contained(page)


def test_error_json_alone_fails_a_stage(tmp_path):
    root = rb.reproduction(tmp_path / "r", failed="gan", manifest=False)
    gan = sections(build_report([root]))["gan"]
    assert "the &lt;b&gt;loss&lt;/b&gt;" in gan and "BOOM" in gan


def test_missing_and_unfinished_stages_are_said_so(tmp_path):
    root = rb.reproduction(tmp_path / "r", manifest=False)
    shutil.rmtree(root / "problem2")
    (root / "gan" / "DONE").unlink()
    page = build_report([root])
    assert "Not run" in sections(page)["problem2"]
    gan = sections(page)["gan"]
    assert "incomplete" in gan and "no DONE marker" in gan
    assert "Epoch : N" in gan  # what it holds so far is still shown
    assert ">not run<" in page.split("<nav")[0] and ">incomplete<" in page.split("<nav")[0]


def test_a_section_that_raises_is_caught_and_the_next_renders(root, monkeypatch):
    def boom(folder):
        raise ZeroDivisionError("section <exploded>")

    monkeypatch.setitem(report.STAGES, "problem2", ("Problem 2", boom))
    page = build_report([root])
    p2 = sections(page)["problem2"]
    assert "could not be rendered" in p2 and "ZeroDivisionError: section &lt;exploded&gt;" in p2
    assert "Epoch : N" in sections(page)["vae"]


def test_a_broken_file_breaks_only_its_part(root):
    (root / "gan" / "evaluation.json").write_text("{not json")
    (root / "problem1" / "compare" / "comparison.json").write_text("[")
    (root / "vae" / "figures" / "losses.png").write_bytes(b"not a png")
    page = build_report([root])
    gan, vae = sections(page)["gan"], sections(page)["vae"]
    assert "JSONDecodeError" in gan and "Epoch : N" in gan and "losses" in gan
    assert "JSONDecodeError" in sections(page)["problem1"]
    assert "losses.png could not be embedded" in vae
    assert_self_contained(page)


# -- numbers against floors and the homework ----------------------------------------------------
CASES = [("gan", 0.85, True), ("gan", 0.95, False), ("vae", 0.80, True), ("vae", 0.86, False)]


@pytest.mark.parametrize(("model", "value", "below"), CASES)
def test_below_the_homework_is_marked_only_when_it_is(tmp_path, model, value, below):
    run = rb.training_run(tmp_path / model, model, spiral_near=value)
    page = build_report([run])
    row = metric_row(page, "spiral_near")
    ref = {"gan": "0.90", "vae": "0.82"}[model]
    assert (f"below homework ({ref})" in row) is below
    assert (f"as good as homework ({ref})" in row) is not below
    assert (html.escape(f"is below the homework's {ref}") in page) is below
    assert "worse than floor" in row  # 0.85–0.95 ± 0.01 < floor 0.998 by > 4 s.e.
    assert "no floor spread" in page  # the builder writes evaluations of the old format


def test_evaluations_with_other_samplers_get_tables_of_their_own(tmp_path):
    run = rb.training_run(tmp_path / "vae", "vae", spiral_near=0.80)
    values = {"sliced_w2": [0.03, 0.04], "recall": [0.97, 0.98], "density": [0.96, 0.99],
              "spiral_near": [0.991, 0.993]}  # fmt: skip
    other = rb.evaluation("vae", values)
    atomic.write_json(run / "evaluation-posterior_gmm-k100.json", other | {"samples": "mixture"})
    page = build_report([run])
    head = "Sample quality with another sampler: posterior_gmm-k100"
    assert page.count(head) == 1
    own, extra = page.split(head)
    assert "0.8 ± 0.01" in metric_row(own, "spiral_near")  # the run's own evaluation first
    assert "0.992 ± 0.001" in metric_row(extra, "spiral_near")
    assert "Mixture of the VAE" in extra


def test_worse_than_floor_follows_each_metrics_direction_beyond_the_spread(tmp_path):
    run = rb.training_run(tmp_path / "gan", "gan")
    ev = rb.evaluation("gan", {"sliced_w2": [0.09, 0.11], "recall": [0.99, 0.995],
                               "density": [0.9, 0.95], "spiral_near": [0.94, 0.96]})  # fmt: skip
    for name, floor_se in {"sliced_w2": 0.002, "recall": 0.003, "density": 0.005,
                           "spiral_near": 0.001}.items():  # fmt: skip
        ev["metrics"][name] |= {"floor_se": floor_se, "floor_pairs": 10}
    atomic.write_json(run / "evaluation.json", ev)
    page = build_report([run])
    # lower better: 0.10 ± 0.01 against 0.02 ± 0.002, 7.8 combined s.e. above: worse
    assert "worse than floor" in metric_row(page, "sliced_w2")
    assert "×5" in metric_row(page, "sliced_w2")  # the ratio to the floor
    # higher better: 0.9925 ± 0.0025 against 0.98 ± 0.003, 3.2 s.e. above: within
    assert html.escape("within floor's spread") in metric_row(page, "recall")
    # closest to floor: 0.925 ± 0.025 against 0.98, 2.2 s.e. below (both sides count): within
    assert html.escape("within floor's spread") in metric_row(page, "density")
    assert "-0.055" in metric_row(page, "density")  # a score: the difference to the floor
    assert "worse than floor" in metric_row(page, "spiral_near")  # 4.8 s.e. below
    assert html.escape("Within the floor's spread on 2 of 4 metrics; worse on sliced_w2, "
                       "spiral_near.") in page  # fmt: skip
    assert "0.1 ± 0.01" in metric_row(page, "sliced_w2")  # mean ± s.e. over the 2 members
    assert "0.02 ± 0.002" in metric_row(page, "sliced_w2")  # the floor ± its spread
    assert "n = 2 members" in page and "no floor spread" not in page


def test_an_identity_row_off_by_more_than_3_se_is_marked(tmp_path):
    ok = build_report([rb.problem2(tmp_path / "ok", mc_difference=1e-3)])
    bad = build_report([rb.problem2(tmp_path / "bad", mc_difference=0.1)])
    assert "All 2 computations agree" in ok and "disagree" not in ok
    assert "disagree: monte_carlo" in bad and "1 of 2 computations do not agree" in bad


# -- the quick banner ----------------------------------------------------------------------------
@pytest.mark.parametrize("quick", [True, False])
@pytest.mark.parametrize("manifest", [True, False])
def test_the_quick_banner_is_shown_iff_the_run_was_quick(tmp_path, quick, manifest):
    root = rb.reproduction(tmp_path / "r", quick=quick, manifest=manifest)
    assert (QUICK_BANNER in build_report([root])) is quick


def test_an_old_quick_folder_is_recognised_by_its_training_length(tmp_path):
    root = tmp_path / "r"
    rb.training_run(root / "vae", "vae", epochs=200)
    assert QUICK_BANNER in build_report([root])
    rb.training_run(root / "vae", "vae", epochs=2000)
    assert QUICK_BANNER not in build_report([root])


def test_a_minimax_run_whose_figures_cannot_be_drawn_says_so(tmp_path):
    root = rb.reproduction(tmp_path / "r")
    shutil.rmtree(root / "problem1" / "homework" / "figures")  # and it has no trajectory.npz
    found = sections(build_report([root]))
    assert "Missing figure: figures/homework.png" in found["problem1"]
    assert "could not be rendered" not in found["problem1"]


# -- any runs -------------------------------------------------------------------------------------
def test_any_run_folders_render_as_generic_sections(tmp_path):
    root = rb.reproduction(tmp_path / "r")
    paths = [root / "gan", root / "problem1" / "homework", root / "problem2" / "check",
             tmp_path / "missing", root]  # fmt: skip
    page = build_report(paths)
    found = sections(page)
    assert list(found) == ["run1", "run2", "run3", "run4", "run5"]
    assert "gan run" in page and "minimax run" in page and "theorem check" in page
    assert "Not found" in found["run4"] and ">not found<" in page.split("<nav")[0]
    assert "Problem 4: λ-GAN" in found["run5"]  # a reproduction among them: its stages inside
    assert ">incomplete<" not in page  # check/ and the root are not finished by a DONE
    assert QUICK_BANNER not in page
    assert_self_contained(page, min_images=10)


def test_optional_figures_are_skipped_silently(tmp_path):
    page = build_report([rb.training_run(tmp_path / "gan", "gan", extras=False)])
    assert "data:image/gif" not in page and "GAN Lab" not in page and "Missing" not in page


def test_figures_of_a_new_kind_are_shown_too(tmp_path):
    run = rb.training_run(tmp_path / "gan", "gan")
    rb.png(run / "figures" / "something_new.png")
    page = build_report([run])
    assert "<figcaption>something_new.png</figcaption>" in page
    assert page.count("<figcaption>losses.png</figcaption>") == 0  # shown once, in its place


# -- a real (tiny) reproduction -------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_root(tmp_path_factory, make_config) -> Path:
    """Every stage's folder written by genlab's own code, at toy sizes (~6 s)."""
    from genlab.evaluation.runs import evaluate_run
    from genlab.minimax import MinimaxConfig, compare_rules, run_minimax, write_comparison
    from genlab.minimax import write_run as write_minimax
    from genlab.plotting.run_figures import render_run
    from genlab.theory.discriminator_fit import FitConfig, fit_discriminator
    from genlab.theory.identity import check_theorem
    from genlab.theory.outputs import write_check, write_discriminator
    from genlab.training import fit
    from genlab.training.rundir import RunDir, environment

    root = tmp_path_factory.mktemp("real") / "reproduce"
    config = MinimaxConfig(epochs=20, seed=0)
    write_minimax(run_minimax(config), root / "problem1" / "homework")  # figures: on demand
    write_comparison(compare_rules(config, ("homework", "extragradient")),
                     root / "problem1" / "compare", per_run=False, dpi=30)  # fmt: skip
    rows = check_theorem(("gaussian_1d",), (1.0, 500.0), n_samples=2000, seed=0)
    write_check(root / "problem2" / "check", rows, {"quick": True})
    fit_d = fit_discriminator(FitConfig(steps=20, eval_samples=2000, grid_n=30))
    write_discriminator(root / "problem2" / "discriminator", fit_d, dpi=30)
    for name in ("problem1", "problem2"):
        atomic.write_json(root / name / "DONE", {"seconds": 1.0})
    for model in ("vae", "gan"):
        cfg = make_config(model, seeds=(0, 1), epochs=2, snapshots=2, eval_samples=0)
        run = fit(RunDir.create(root / model, cfg, environment("cpu"))).run
        if model == "vae":  # the GAN's figures and exact OT metrics are left to the report
            evaluate_run(run, n=100)
            render_run(run, dpi=30)
        else:
            evaluate_run(run, n=100, exact_ot=False)
        run.mark_done({"seconds": 1.0})
    return root


def test_a_real_tiny_reproduction(real_root):
    from genlab.training.verify import verify_run

    assert not (real_root / "gan" / "figures").exists()
    assert not (real_root / "problem1" / "homework" / "figures").exists()
    page = build_report([real_root])
    assert (real_root / "gan" / "figures" / "losses.png").is_file()  # drawn on demand...
    evaluation = json.loads((real_root / "gan" / "evaluation.json").read_text())
    assert evaluation["exact_ot"] is True and "w1" in evaluation["metrics"]  # ...evaluated...
    assert verify_run(real_root / "gan").ok  # ...and recorded in the run's manifest
    for name in ("homework.png", "primal_gap.png"):  # the minimax run's, drawn on demand too
        assert (real_root / "problem1" / "homework" / "figures" / name).is_file()
    assert_self_contained(page, min_images=10)
    assert "could not be rendered" not in page and "Missing figure" not in page
    found = sections(page)
    assert list(found) == ["problem1", "problem2", "vae", "gan"]
    assert "L, ‖∇θL‖ and ‖∇φL‖" in found["problem1"] and "extragradient" in found["problem1"]
    assert "All 4 computations agree" in found["problem2"]
    for model in ("vae", "gan"):
        assert "spiral_near" in found[model] and "n = 2 members" in found[model]
        assert "worse than floor" in found[model]  # two epochs of training
    assert "torch " in page.split("<nav")[0] and QUICK_BANNER in page  # 2 epochs: not 2000


@pytest.mark.slow
def test_a_quick_reproduction_through_the_cli(tmp_path):
    """``genlab reproduce --quick`` end to end (~90 s on two cores), then its report."""
    from genlab.cli.main import main

    out = tmp_path / "rq"
    main(["reproduce", "--quick", "--out", str(out)])
    page = build_report([out])
    assert QUICK_BANNER in page and "could not be rendered" not in page
    assert list(sections(page)) == ["problem1", "problem2", "vae", "gan"]
    assert_self_contained(page, min_images=20)
