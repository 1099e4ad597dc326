"""The verdict rule (worse than the floor only beyond z combined standard errors), the floor's
spread it reads (``floor_se`` over K pairs, the floor itself unchanged), and the contrast and
sentence the report shows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from genlab import evaluation
from genlab.data.registry import get_dataset
from genlab.evaluation.metrics import sliced_w2
from genlab.evaluation.suite import FLOOR_PAIRS, disjoint_subsets, floor_subsets
from genlab.evaluation.verdicts import Verdict, Z, verdict, verdict_sentence, versus_floor

S = math.hypot(0.3, 0.4)  # the combined spread of se = 0.3, floor_se = 0.4: 0.5


# -- the rule on hand-made numbers --------------------------------------------------------------
@pytest.mark.parametrize(
    ("better", "offset", "status"),
    [
        ("lower", +1.01, "worse"),  # above the floor by more than z·s: worse
        ("lower", +0.99, "within"),
        ("lower", -0.99, "within"),
        ("lower", -1.01, "better"),
        ("higher", -1.01, "worse"),  # below the floor
        ("higher", -0.99, "within"),
        ("higher", +1.01, "better"),
        ("floor", +1.01, "worse"),  # closest to the floor: both sides count
        ("floor", -1.01, "worse"),
        ("floor", +0.99, "within"),
        ("floor", -0.99, "within"),
    ],
)
def test_worse_only_beyond_z_combined_standard_errors(better, offset, status):
    floor = 2.0
    v = verdict(floor + offset * Z * S, 0.3, floor, 0.4, better)
    assert v.status == status
    assert v.spread == pytest.approx(S)
    assert v.difference == pytest.approx(offset * Z * S)
    assert v.z == pytest.approx(abs(offset) * Z)
    assert not v.floor_se_assumed and not v.se_assumed


@pytest.mark.parametrize("floor_se", [None, math.nan])
def test_a_missing_floor_spread_is_taken_as_zero(floor_se):
    v = verdict(1.0 + 2.5 * Z * 0.3, 0.3, 1.0, floor_se, "lower")
    assert v.floor_se_assumed and v.spread == pytest.approx(0.3) and v.status == "worse"
    old = verdict(1.0 + 1e-9, math.nan, 1.0, floor_se, "lower")  # the old rule: any excess
    assert old.status == "worse" and old.spread == 0 and old.z == math.inf
    assert verdict(1.0, math.nan, 1.0, floor_se, "lower").status == "within"  # no excess


@pytest.mark.parametrize("se", [None, math.nan])
def test_one_member_stands_in_the_floors_spread_for_its_own(se):
    v = verdict(1.0, se, 1.0 + 0.9 * Z * math.sqrt(2) * 0.1, 0.1, "higher")
    assert v.se_assumed and v.spread == pytest.approx(math.sqrt(2) * 0.1)
    assert v.status == "within"
    assert verdict(1.0, se, 1.0 + 1.1 * Z * math.sqrt(2) * 0.1, 0.1, "higher").status == "worse"


@pytest.mark.parametrize(
    ("mean", "floor", "better"),
    [(math.nan, 1.0, "lower"), (1.0, math.nan, "lower"), (1.0, 2.0, None), (1.0, 2.0, "up")],
)
def test_no_verdict_without_numbers_or_a_direction(mean, floor, better):
    assert verdict(mean, 0.1, floor, 0.1, better).status == "unknown"


def test_versus_floor_is_a_ratio_for_distances_and_a_difference_otherwise():
    assert versus_floor("w1", 0.06, 0.04).kind == "ratio"
    assert versus_floor("w1", 0.06, 0.04).value == pytest.approx(1.5)
    for name, mean, floor in [("mmd2", 1e-3, -1e-4), ("kde_ll", -1.3, -1.2),
                              ("coverage", 0.8, 0.97), ("modes_captured", 6.0, 8.0)]:  # fmt: skip
        c = versus_floor(name, mean, floor)
        assert c.kind == "difference" and c.value == pytest.approx(mean - floor), name
    assert versus_floor("w1", 0.06, 0.0).kind == "difference"  # no ratio to a zero floor


def test_the_sentence_says_what_is_good_and_what_is_not():
    def v(status: str) -> Verdict:
        return Verdict(status, 0.0, 1.0, 0.0)  # type: ignore[arg-type]

    mixed = {"w1": v("worse"), "mmd2": v("within"), "coverage": v("worse"),
             "precision": v("better"), "density": v("within")}  # fmt: skip
    assert verdict_sentence(mixed) == (
        "Within the floor's spread on 2 of 5 metrics; worse on w1, coverage; "
        "better than the floor on precision."
    )
    assert verdict_sentence({"w1": v("within")}) == "Within the floor's spread on all 1 metrics."
    assert verdict_sentence({"a": v("worse"), "b": v("worse")}).startswith(
        "Worse than the floor on all 2 metrics"
    )
    assert "no verdict on x" in verdict_sentence({"x": v("unknown"), "y": v("within")})
    assert verdict_sentence({}) == ""


# -- the floor's spread ---------------------------------------------------------------------------
def test_the_floor_spread_leaves_the_floor_bit_identical_and_is_the_sd_over_k_pairs():
    n, seed, pairs = 120, 3, 4
    x = get_dataset("ring").sample(n, generator=99).numpy()
    plain = evaluation.evaluate(x, "ring", n=n, seed=seed)
    spread = evaluation.evaluate(x, "ring", n=n, seed=seed, floor_pairs=pairs)
    assert all(s.floor_se is None and s.floor_pairs == 1 for s in plain.scores.values())
    ref, second = evaluation.suite.reference_sets("ring", n, seed=seed)
    words = np.random.SeedSequence([seed, evaluation.suite._REFERENCE_TAG]).generate_state(5)
    assert [int(w) for w in words[:2]] == [  # the first pair is the floor's own
        int(w) for w in np.random.SeedSequence([seed, evaluation.suite._REFERENCE_TAG])
        .generate_state(2)
    ]  # fmt: skip
    seconds = [second] + [get_dataset("ring").sample(n, generator=int(w)).numpy()
                          for w in words[2:pairs + 1]]  # fmt: skip
    by_hand = np.std([sliced_w2(s, ref) for s in seconds], ddof=1)
    for name, score in spread.scores.items():
        assert score.floor == plain.scores[name].floor, name  # bit-identical
        assert score.value == plain.scores[name].value, name
        assert score.floor_pairs == pairs and score.floor_se is not None and score.floor_se >= 0
    assert spread.scores["sliced_w2"].floor_se == pytest.approx(by_hand, rel=1e-12)
    assert spread.scores["w1"].floor_se > 0 and spread.scores["modes_captured"].floor_se == 0
    assert spread.as_dict()["w1_floor_se"] == spread.scores["w1"].floor_se
    assert "w1_floor_se" not in plain.as_dict()
    fewer = evaluation.evaluate(x, "ring", n=n, seed=seed, floor_pairs=pairs, ot_pairs=2)
    assert fewer.scores["w1"].floor_pairs == fewer.scores["w2"].floor_pairs == 2
    assert fewer.scores["sliced_w2"].floor_se == spread.scores["sliced_w2"].floor_se
    w1 = [evaluation.metrics.wasserstein(s, ref, p=1) for s in seconds[:2]]
    assert fewer.scores["w1"].floor_se == pytest.approx(np.std(w1, ddof=1), rel=1e-12)
    assert fewer.scores["w1"].floor == plain.scores["w1"].floor


def test_evaluate_points_spread_is_the_sd_over_its_second_sets():
    rng = np.random.default_rng(0)
    ref, x = rng.normal(size=(60, 3)), rng.normal(size=(60, 3))
    seconds = [rng.normal(size=(60, 3)) for _ in range(4)]
    plain = evaluation.evaluate_points(x, ref, seconds[0], cheap=True)
    spread = evaluation.evaluate_points(x, ref, seconds[0], cheap=True, spread=seconds[1:])
    assert spread.scores["sliced_w2"].floor == plain.scores["sliced_w2"].floor
    by_hand = np.std([sliced_w2(s, ref) for s in seconds], ddof=1)
    assert spread.scores["sliced_w2"].floor_se == pytest.approx(by_hand, rel=1e-12)
    assert spread.scores["sliced_w2"].floor_pairs == 4
    full = evaluation.evaluate_points(x, ref, seconds[0], spread=seconds[1:], ot_pairs=3)
    assert full.scores["w1"].floor_pairs == 3 and full.scores["mmd2"].floor_pairs == 4
    w1 = [evaluation.metrics.wasserstein(s, ref, p=1) for s in seconds[:3]]
    assert full.scores["w1"].floor_se == pytest.approx(np.std(w1, ddof=1), rel=1e-12)
    with pytest.raises(evaluation.suite.UserError, match=r"spread\[1\] has 2-D"):
        evaluation.evaluate_points(x, ref, seconds[0], spread=[seconds[1], seconds[2][:, :2]])


def test_floor_subsets_are_the_floors_set_then_disjoint_blocks_then_random_subsets():
    train = np.arange(50.0).reshape(25, 2)
    sets = floor_subsets(train, 10, FLOOR_PAIRS, seed=1)
    assert len(sets) == FLOOR_PAIRS and all(s.shape == (10, 2) for s in sets)
    assert np.array_equal(sets[0], train[:10]) and np.array_equal(sets[1], train[10:20])
    assert disjoint_subsets(25, 10, FLOOR_PAIRS) == 2
    for s in sets[2:]:  # drawn without replacement from the whole training part
        assert len({tuple(p) for p in s}) == 10
    again = floor_subsets(train, 10, FLOOR_PAIRS, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(sets, again, strict=True))
    assert len(floor_subsets(train, 40, 3)) == 3  # m capped at the training part's size


def test_evaluate_run_on_a_data_file_stores_the_floors_spread(tmp_path):
    """A run on the user's points: the floor is the held-out points against train[:m], as
    before; floor_se comes from K sets of m training points (5 of them for w1, w2)."""
    import genlab
    from genlab.evaluation.runs import evaluate_run
    from genlab.evaluation.suite import OT_FLOOR_PAIRS
    from genlab.training.rundir import RunDir

    points = np.random.default_rng(0).normal(size=(300, 2))
    tiny = dict(epochs=2, batch_size=32, eval_samples=0, device="cpu", snapshots=1, frames=0)
    genlab.train("vae", out=tmp_path / "r", data=points, seeds=(0, 1), **tiny)
    result = evaluate_run(RunDir(tmp_path / "r"), n=2500)
    data = RunDir(tmp_path / "r").user_data()
    assert data is not None
    m = result["compared"]  # all 60 held-out points
    first = evaluation.evaluate_points(np.zeros((m, 2)), data.holdout[:m], data.train[:m])
    for name, s in result["metrics"].items():
        assert s["floor"] == first.scores[name].floor, name  # unchanged by the spread
        assert s["floor_pairs"] == (OT_FLOOR_PAIRS if name in ("w1", "w2") else FLOOR_PAIRS)
        assert s["floor_se"] >= 0, name
    assert result["metrics"]["w1"]["floor_se"] > 0 < result["metrics"]["mmd2"]["floor_se"]
    assert result["floor_spread"] == f"{FLOOR_PAIRS} sets of {m} training points " \
        f"({OT_FLOOR_PAIRS} for w1, w2), 4 disjoint"  # fmt: skip
