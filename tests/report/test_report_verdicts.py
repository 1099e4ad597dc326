"""The report's verdicts end to end: evaluation.json built as ``evaluate_run`` builds it
(``summarise`` of ``evaluate(..., floor_pairs=FLOOR_PAIRS)``), rendered by the report's own
section. A sampler drawn from the data itself is never worse than the floor; a collapsed one is,
on the metrics that see collapse; an old evaluation.json without floor_se still renders."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from genlab.data.registry import get_dataset
from genlab.evaluation.runs import summarise
from genlab.evaluation.suite import FLOOR_PAIRS, OT_FLOOR_PAIRS, evaluate
from genlab.report.metrics import evaluation_section

N = 500  # samples per member (the protocol's 2500 costs ~4 s per metric set)
STATUS = {"worse": "worse than floor", "within": "within floor&#x27;s spread",
          "better": "better than floor"}  # fmt: skip


def write_evaluation(folder: Path, dataset: str, members: list[np.ndarray], seed: int) -> Path:
    """A run folder holding just the evaluation.json ``evaluate_run`` would write."""
    evals = [evaluate(x, dataset, n=N, seed=seed, floor_pairs=FLOOR_PAIRS, ot_pairs=OT_FLOOR_PAIRS)
             for x in members]  # fmt: skip
    folder.mkdir(parents=True)
    record = {"model": "gan", "dataset": dataset, "seeds": list(range(len(members))), "n": N,
              "reference_seed": seed, "epoch": 1, "complete": True,
              "samples": "generated samples", "metrics": summarise(evals)}  # fmt: skip
    (folder / "evaluation.json").write_text(json.dumps(record))
    return folder


def verdicts(section: str) -> dict[str, str]:
    """metric → its verdict, as the table shows it."""
    out = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.DOTALL):
        name = re.match(r"<td>([a-z_0-9]+)</td>", row)
        if name:
            out[name.group(1)] = next(k for k, text in STATUS.items() if text in row)
    return out


def data_draws(dataset: str, members: int, start: int) -> list[np.ndarray]:
    spec = get_dataset(dataset)
    return [spec.sample(N, generator=start + e).numpy() for e in range(members)]


@pytest.mark.parametrize("dataset", ["ring", "swiss_roll"])
def test_a_sampler_drawn_from_the_data_is_never_worse_than_the_floor(tmp_path, dataset):
    for seed in range(3):  # reference seeds
        for members in (1, 3):
            run = write_evaluation(tmp_path / f"{seed}-{members}", dataset,
                                   data_draws(dataset, members, 1000 * seed + 7), seed)  # fmt: skip
            section = evaluation_section(run)
            found = verdicts(section)
            assert len(found) >= 13 and "worse" not in found.values(), (seed, members, found)
            assert "Within the floor&#x27;s spread on" in section
            assert "worse on" not in section


def collapsed(dataset: str, members: int) -> list[np.ndarray]:
    """Every sample in one small part of the data: one mode of the ring; for the swiss roll, the
    tenth of the points with the smallest polar angle (a wedge across the arms)."""
    spec = get_dataset(dataset)
    out = []
    for e in range(members):
        x = spec.sample(20 * N, generator=500 + e).numpy()
        if dataset == "ring":
            assert spec.centers is not None
            keep = np.linalg.norm(x - spec.centers().numpy()[0], axis=1) < 3 * spec.noise
        else:
            keep = np.argsort(np.arctan2(x[:, 1], x[:, 0]))[: 2 * N]  # one wedge
            keep = np.isin(np.arange(len(x)), keep)
        out.append(x[keep][:N])
    return out


SEE_COLLAPSE = {
    "ring": ["sliced_w2", "w1", "w2", "mmd2", "energy", "recall", "coverage", "kde_ll",
             "modes_captured", "reverse_kl"],
    "swiss_roll": ["sliced_w2", "w1", "w2", "mmd2", "energy", "recall", "coverage", "kde_ll",
                   "spiral_w1", "spiral_tv"],
}  # fmt: skip


@pytest.mark.parametrize("dataset", ["ring", "swiss_roll"])
@pytest.mark.parametrize("members", [1, 3])
def test_a_collapsed_sampler_is_worse_on_the_metrics_that_see_collapse(tmp_path, dataset, members):
    run = write_evaluation(tmp_path / "c", dataset, collapsed(dataset, members), seed=0)
    section = evaluation_section(run)
    found = verdicts(section)
    for name in SEE_COLLAPSE[dataset]:
        assert found[name] == "worse", (name, found)
    sentence = re.search(r"Within the floor&#x27;s spread on \d+ of \d+ metrics; worse on [^.<]*",
                         section)  # fmt: skip
    assert sentence is not None
    assert all(name in sentence.group(0) for name in SEE_COLLAPSE[dataset])


def test_the_table_shows_the_floors_spread_and_the_contrast_to_the_floor(tmp_path):
    run = write_evaluation(tmp_path / "c", "ring", collapsed("ring", 2), seed=0)
    ev = json.loads((run / "evaluation.json").read_text())
    w1, mmd = ev["metrics"]["w1"], ev["metrics"]["mmd2"]
    assert w1["floor_pairs"] == OT_FLOOR_PAIRS and w1["floor_se"] > 0
    assert mmd["floor_pairs"] == FLOOR_PAIRS
    section = evaluation_section(run)
    row = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.DOTALL)
               if r.startswith("<td>w1</td>"))  # fmt: skip
    assert f"{w1['floor']:.4g} ± {w1['floor_se']:.2g}" in row
    assert f"×{w1['mean'] / w1['floor']:.3g}" in row  # a distance: its ratio to the floor
    mrow = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.DOTALL)
                if r.startswith("<td>mmd2</td>"))  # fmt: skip
    assert f"{mmd['mean'] - mmd['floor']:+.3g}" in mrow  # can be negative: the difference
    assert html.escape(f"K = {OT_FLOOR_PAIRS} or {FLOOR_PAIRS} pairs") in section
    assert "no floor spread" not in section


def test_an_old_evaluation_without_floor_se_renders_with_the_spread_taken_as_zero(tmp_path):
    run = write_evaluation(tmp_path / "old", "ring", data_draws("ring", 2, 3), seed=0)
    ev = json.loads((run / "evaluation.json").read_text())
    for m in ev["metrics"].values():
        del m["floor_se"], m["floor_pairs"]
    (run / "evaluation.json").write_text(json.dumps(ev))
    section = evaluation_section(run)
    assert "no floor spread" in section and "taken as 0" in section
    assert "K = not measured" not in section and "not measured" in section
    assert len(verdicts(section)) == len(ev["metrics"])  # every row still has its verdict
    assert not math.isnan(ev["metrics"]["w1"]["se"])
