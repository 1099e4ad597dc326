"""Runs, many seeds, comparison tables, metrics kernels, run directories and figures."""

import json

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

from genlab.base.errors import UserError
from genlab.minimax import (
    MinimaxConfig,
    compare_rules,
    comparison_table,
    format_comparison,
    primal_gap,
    run_many_seeds,
    run_minimax,
    write_comparison,
    write_many_seeds,
    write_run,
)
from genlab.minimax.figures import draw_run_figures, read_run
from genlab.minimax.metrics import trajectory_metrics, trajectory_metrics_numpy
from genlab.minimax.plotting import (
    HOMEWORK_TITLES,
    plot_homework_panels,
    plot_primal_gap,
    plot_rule_comparison,
)
from genlab.minimax.problem import make_shifted_logistic_problem


@pytest.mark.parametrize("scale", [1e-3, 1.0, 30.0, 3000.0])
def test_compiled_metrics_match_numpy_for_tiny_to_huge_margins(scale):
    """Covers the polynomial exp (incl. its clamp at exp(-708)) and the folded log1p."""
    pr = make_shifted_logistic_problem(n=13, p=6, seed=4)
    rs = np.random.RandomState(1)
    w = np.linalg.lstsq(pr.X, pr.Y, rcond=None)[0]  # separates the 13 points in R^6
    thetas = scale * np.concatenate([rs.randn(50, 6), w[None] / np.abs(pr.Y * (pr.X @ w)).min()])
    phis = 0.1 * rs.randn(51, 6)
    fast = trajectory_metrics(pr.X, pr.Y, 0.01, thetas, phis)
    ref = trajectory_metrics_numpy(pr.X, pr.Y, 0.01, thetas, phis, chunk=7)
    np.testing.assert_allclose(fast.loss, ref.loss, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(fast.grad_theta_norm, ref.grad_theta_norm, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(fast.grad_phi_norm, ref.grad_phi_norm, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("margin", [30.0, 700.0])
def test_tiny_loss_keeps_relative_accuracy(margin):
    pr = make_shifted_logistic_problem(n=6, p=8, seed=4)
    w = np.linalg.lstsq(pr.X, pr.Y, rcond=None)[0]  # interpolates: every margin is 1
    theta = margin * w[None]
    zero = np.zeros_like(theta)
    fast = trajectory_metrics(pr.X, pr.Y, 0.0, theta, zero).loss[0]
    ref = trajectory_metrics_numpy(pr.X, pr.Y, 0.0, theta, zero).loss[0]
    assert ref == pytest.approx(np.exp(-margin), rel=1e-12)  # softplus(-m) = e^-m (1 + O(e^-m))
    assert fast == pytest.approx(ref, rel=1e-12)


def test_many_seeds_reproduce_single_runs():
    cfg = MinimaxConfig(epochs=30, rule="optimistic", average=True)
    many = run_many_seeds(cfg, [4, 0, 9], workers=2)
    for k, seed in enumerate([4, 0, 9]):
        one = run_minimax(cfg.replace(seed=seed))
        np.testing.assert_array_equal(many.loss[k], one.loss)
        np.testing.assert_array_equal(many.grad_theta_norm[k], one.grad_theta_norm)
        np.testing.assert_array_equal(many.final_theta[k], one.theta_avg[-1])
    ref = run_many_seeds(cfg.replace(backend="numpy", epochs=5), [4])
    np.testing.assert_allclose(ref.loss[0], many.loss[0, :150], rtol=1e-10)
    s = many.summary()
    assert s["n_seeds"] == 3
    assert s["final_loss"]["mean"] == pytest.approx(many.loss[:, -1].mean())


def test_comparison_table_and_run_directories(tmp_path):
    cfg = MinimaxConfig(epochs=4)
    results = compare_rules(cfg, ["homework", "extragradient"])
    rows = comparison_table(results)
    assert [r.rule for r in rows] == ["homework", "extragradient"]
    for r, res in zip(rows, results.values(), strict=True):
        assert r.final_loss == res.final_loss
        assert r.final_gap >= 0.0
        assert r.final_primal == pytest.approx(r.final_gap + r.final_loss)
    assert format_comparison(rows).count("\n") == 3

    run_dir = write_run(results["homework"], tmp_path / "hw", gap_points=20, dpi=30)
    for name in ("config.json", "trajectory.npz", "metrics.csv", "summary.json", "DONE"):
        assert (run_dir / name).is_file(), name
    assert not (run_dir / "figures").exists() and not (run_dir / "gap.npz").exists()
    config = json.loads((run_dir / "config.json").read_text())
    assert config["rule"] == "homework" and config["steps"] == 120 and "numba" in config["versions"]
    with np.load(run_dir / "trajectory.npz") as z:
        np.testing.assert_array_equal(z["loss"], results["homework"].loss)
        assert z["theta"].shape == (120, 20) and z["indices"].shape == (120,)
    csv = (run_dir / "metrics.csv").read_text().splitlines()
    assert csv[0] == "step,epoch,loss,grad_theta_norm,grad_phi_norm" and len(csv) == 1 + 4
    assert float(csv[-1].split(",")[2]) == results["homework"].final_loss
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["final_loss"] == results["homework"].final_loss

    cmp_dir = write_comparison(results, tmp_path / "cmp", dpi=30)
    assert (cmp_dir / "figures" / "comparison.png").is_file()
    assert (cmp_dir / "extragradient" / "DONE").is_file()
    assert len(json.loads((cmp_dir / "comparison.json").read_text())) == 2

    many = run_many_seeds(cfg, [0, 1], workers=1)
    seeds_dir = write_many_seeds(many, tmp_path / "seeds")
    with np.load(seeds_dir / "metrics.npz") as z:
        assert z["loss"].shape == (2, 120) and z["loss"].dtype == np.float32
        for name in ("loss", "grad_theta_norm", "grad_phi_norm"):
            np.testing.assert_array_equal(z[name], getattr(many, name).astype(np.float32))
        np.testing.assert_array_equal(z["final_theta"], many.final_theta)


def test_run_figures_are_drawn_on_demand_from_the_folder(tmp_path):
    result = run_minimax(MinimaxConfig(epochs=4, average=True))
    folder = write_run(result, tmp_path / "run")
    back = read_run(folder)
    assert back.config == result.config and back.problem.seed == result.problem.seed
    for name in ("theta", "phi", "theta_avg", "phi_avg", "loss", "grad_phi_norm"):
        np.testing.assert_array_equal(getattr(back, name), getattr(result, name))
    np.testing.assert_array_equal(back.problem.indices, result.problem.indices)

    drawn = draw_run_figures(folder, dpi=30)
    assert sorted(p.name for p in drawn) == ["homework.png", "primal_gap.png"]
    assert draw_run_figures(folder, dpi=30) == []  # current: nothing drawn again
    assert len(draw_run_figures(folder, dpi=30, force=True)) == 2
    summary = json.loads((folder / "summary.json").read_text())
    with np.load(folder / "gap.npz") as z:  # the gap curve ends at the summary's final gap
        assert z["steps"][-1] == result.steps
        assert z["gap"][-1] == pytest.approx(summary["final_gap"], rel=1e-12, abs=1e-15)
        assert z["primal"][-1] == pytest.approx(summary["final_primal"], rel=1e-12)

    eager = write_run(result, tmp_path / "eager", figures=True, dpi=30)
    assert (eager / "gap.npz").is_file() and len(list((eager / "figures").glob("*.png"))) == 2
    assert json.loads((eager / "summary.json").read_text()) == summary


def test_run_figures_need_a_finished_minimax_run(tmp_path):
    with pytest.raises(UserError, match="not a finished minimax run"):
        draw_run_figures(tmp_path)
    (tmp_path / "DONE").write_text("{}")
    with pytest.raises(UserError, match="holds no minimax run"):
        draw_run_figures(tmp_path)


def test_plots_take_axes_and_return_them():
    res = run_minimax(MinimaxConfig(epochs=3))
    fig = Figure()
    axes = [fig.add_subplot(3, 1, k) for k in (1, 2, 3)]
    assert plot_homework_panels(res, axes) is axes
    assert tuple(ax.get_title() for ax in axes) == HOMEWORK_TITLES
    assert HOMEWORK_TITLES == ("L function", "||D_theta L||", "||D_phi L||")
    np.testing.assert_array_equal(axes[0].lines[0].get_ydata(), res.loss)
    np.testing.assert_array_equal(axes[0].lines[0].get_xdata(), np.arange(1, 91))

    gap = primal_gap(res.problem.X, res.problem.Y, res.problem.lam, res.theta, res.phi, num=10)
    ax = Figure().add_subplot()
    assert plot_primal_gap(gap, ax) is ax and ax.get_yscale() == "log"

    other = run_minimax(MinimaxConfig(epochs=3, rule="simultaneous"))
    pair = [fig.add_subplot(1, 2, k) for k in (1, 2)]
    assert plot_rule_comparison({"hw": res, "sim": other}, pair) is pair
    assert pair[0].get_ylim() == pair[1].get_ylim() and pair[0].get_yscale() == "log"
    assert len(pair[1].lines) == 2
