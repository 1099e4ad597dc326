"""Whether a metric is worse than its floor, beyond the sampling spread of both.

A run's metric is a mean over E members, each scored on its own samples against one reference
set; its floor is the same metric between that reference set and one more fresh data set (what
a perfect sampler scores). Both are noisy: the members scatter (their standard error ``se``) and
so would the floor, had another second data set been drawn (``floor_se``, the standard deviation
of the floor over K pairs, measured by :mod:`genlab.evaluation.suite`). A metric is *worse than
its floor* only when its mean lies beyond the floor on the bad side by more than z = 4 combined
standard errors:

    d = mean − floor,   s = sqrt(se² + floor_se²)
    worse   ⇔   d > z·s         (better = "lower")
                −d > z·s        (better = "higher")
                |d| > z·s       (better = "floor": both sides count)
    better  ⇔   the same beyond the good side (never for "floor" metrics)
    within  ⇔   neither

Why z = 4 and not 2: a run has 13–16 metrics, and its spreads are estimated from few values
(floor_se from 10 pairs, 5 for the exact OT metrics; se from E members), so the ratio d / s has
Student-like heavy tails and the chance that *some* metric crosses z is far above one metric's.
Measured through the ``evaluate_run`` path (``evaluate(floor_pairs=10, ot_pairs=5)`` →
``summarise`` → :func:`verdict`) with samplers drawn from the data itself, n = 500, 50 runs per
cell: the share of runs with at least one metric marked worse is

    ======================  =====  =====  =====
    dataset, members        z = 2  z = 3  z = 4
    ======================  =====  =====  =====
    swiss roll, E = 1       0.30   0.14   0.04
    swiss roll, E = 3       0.18   0.04   0.02
    ring, E = 1             0.28   0.04   0.02
    ring, E = 3             0.20   0.00   0.00
    ======================  =====  =====  =====

(with 5 pairs for every metric, z = 4 still gave 0.05–0.07 at E = 1: a spiral_w1 s.d. of 0.017
from 5 pairs where 30 give 0.065). z = 4 keeps that chance at a few per cent; anything it calls
worse is far outside the data's own scatter.

Two stand-ins, each reported on the :class:`Verdict`: a missing ``floor_se`` (an
``evaluation.json`` written before the spread was measured) is taken as 0, which is the old rule
(any difference on the bad side is worse); a missing ``se`` (a single member) is taken as
``floor_se``, the scatter of a single draw of a perfect sampler, since one member's own scatter
cannot be measured.

:func:`versus_floor` gives the contrast the report shows beside the floor: the ratio mean /
floor for the distances whose floor is a positive length-like number (:data:`RATIO_METRICS`),
the difference mean − floor for the rest (scores bounded by 1, counts, log-likelihoods, and the
unbiased MMD² and energy estimates and mode KL, whose floors sit at or below 0).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Z = 4.0
"""Standard errors beyond the floor before a metric is called worse (or better) than it."""

Status = Literal["worse", "within", "better", "unknown"]

RATIO_METRICS = frozenset({"sliced_w2", "w1", "w2", "spiral_w1", "spiral_tv"})
"""Metrics compared with their floor as a ratio (positive distances, floors well above 0)."""


@dataclass(frozen=True)
class Verdict:
    """A metric's mean against its floor.

    Attributes:
        status: ``worse``, ``within`` (the floor's spread), ``better``, or ``unknown`` (a NaN
            number or an unknown direction).
        difference: mean − floor.
        spread: the combined standard error sqrt(se² + floor_se²), stand-ins included.
        z: |difference| / spread (inf for a nonzero difference and zero spread, NaN if unknown).
        floor_se_assumed: the floor's spread was not measured and was taken as 0.
        se_assumed: the members' s.e. was not measured (one member) and was taken as floor_se.
    """

    status: Status
    difference: float
    spread: float
    z: float
    floor_se_assumed: bool = False
    se_assumed: bool = False


def _missing(x: float | None) -> bool:
    return x is None or math.isnan(x)


def verdict(
    mean: float, se: float | None, floor: float, floor_se: float | None, better: str | None
) -> Verdict:
    """The rule of this module: worse than the floor only beyond z·sqrt(se² + floor_se²).

    Args:
        mean: the members' mean.
        se: its standard error over members; NaN or None for a single member (stands in
            ``floor_se``).
        floor: the metric between two fresh data sets.
        floor_se: the floor's standard deviation over fresh pairs; NaN or None when not
            measured (taken as 0).
        better: ``lower``, ``higher`` or ``floor`` (closest to the floor is best).

    Returns:
        The :class:`Verdict`.
    """
    floor_se_assumed = _missing(floor_se)
    f_se = 0.0 if floor_se_assumed else float(floor_se)  # type: ignore[arg-type]
    se_assumed = _missing(se)
    m_se = f_se if se_assumed else float(se)  # type: ignore[arg-type]
    spread = math.hypot(m_se, f_se)
    d = float(mean) - float(floor)
    if math.isnan(d) or better not in ("lower", "higher", "floor"):
        return Verdict("unknown", d, spread, math.nan, floor_se_assumed, se_assumed)
    z = abs(d) / spread if spread > 0 else (0.0 if d == 0 else math.inf)
    bad_side = {"lower": d, "higher": -d, "floor": abs(d)}[better]
    status: Status = "within"
    if bad_side > Z * spread:
        status = "worse"
    elif better != "floor" and -bad_side > Z * spread:
        status = "better"
    return Verdict(status, d, spread, z, floor_se_assumed, se_assumed)


@dataclass(frozen=True)
class Contrast:
    """How a mean compares with its floor: ``ratio`` (mean / floor) or ``difference``."""

    kind: Literal["ratio", "difference"]
    value: float


def versus_floor(name: str, mean: float, floor: float) -> Contrast:
    """mean / floor for :data:`RATIO_METRICS` with a positive floor, else mean − floor."""
    if name in RATIO_METRICS and floor > 0 and math.isfinite(floor):
        return Contrast("ratio", mean / floor)
    return Contrast("difference", mean - floor)


def _names(names: list[str]) -> str:
    return ", ".join(names)


def verdict_sentence(verdicts: Mapping[str, Verdict]) -> str:
    """One sentence on what is good and what is not, e.g. "Within the floor's spread on 9 of
    13 metrics; worse on w1, w2, coverage, kde_ll." ("" without metrics)."""
    by: dict[str, list[str]] = {"worse": [], "within": [], "better": [], "unknown": []}
    for name, v in verdicts.items():
        by[v.status].append(name)
    total = len(verdicts)
    if not total:
        return ""
    within, worse = by["within"], by["worse"]
    if len(within) == total:
        head = f"Within the floor's spread on all {total} metrics"
    elif len(worse) == total:
        head = f"Worse than the floor on all {total} metrics"
    else:
        head = f"Within the floor's spread on {len(within)} of {total} metrics"
    parts = [head]
    if worse and len(worse) < total:
        parts.append(f"worse on {_names(worse)}")
    if by["better"]:
        parts.append(f"better than the floor on {_names(by['better'])}")
    if by["unknown"]:
        parts.append(f"no verdict on {_names(by['unknown'])}")
    return "; ".join(parts) + "."
