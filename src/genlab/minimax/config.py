"""Typed configuration and result records of a minimax run."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from genlab.base.checks import check_int
from genlab.base.errors import UserError
from genlab.base.stats import mean_se
from genlab.minimax.problem import ShiftedLogisticProblem
from genlab.minimax.rules import FIRST_PLAYERS, RULES

__all__ = ["BACKENDS", "MinimaxConfig", "MinimaxResult", "ManySeedsResult"]

BACKENDS: tuple[str, ...] = ("numba", "numpy")


def _check_float(name: str, value: Any, *, positive: bool) -> None:
    ok = isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or (value <= 0 if positive else value < 0):
        allowed = "> 0" if positive else ">= 0"
        raise UserError(f"{name} must be a finite number {allowed}, got {value!r}")


@dataclass(frozen=True)
class MinimaxConfig:
    """One run of an update rule on the homework's shifted logistic game (HW12, Problem 1).

    The defaults reproduce the homework: its rule, N = 30, p = 20, λ = 0.001, α = 0.3,
    β = 1e-4, 5000 epochs of N stochastic steps, seed 0.
    """

    rule: str = "homework"
    """Update rule, one of ``rules.RULES``; two-timescale = any rule with alpha != beta."""
    epochs: int = 5000
    """Epochs of N steps each: T = epochs · n iterations (also for full batch)."""
    alpha: float = 0.3
    """Step size of θ (the minimising player)."""
    beta: float = 1e-4
    """Step size of φ (the maximising player)."""
    lam: float = 1e-3
    """Ridge weight λ ≥ 0 on the adversary's shift φ."""
    n: int = 30
    """Number of samples N."""
    p: int = 20
    """Dimension p."""
    seed: int = 0
    """Seed of the legacy ``np.random.RandomState`` that draws X, Y, θ₀, φ₀ and the indices."""
    full_batch: bool = False
    """Full-batch gradients instead of one pre-drawn sample per step."""
    average: bool = False
    """Report metrics at the uniform average of the iterates instead of the last iterate."""
    first: str = "phi"
    """Who moves first in ``"alternating"`` (``"phi"`` or ``"theta"``); ignored otherwise
    (``"homework"`` is φ first by definition)."""
    backend: str = "numba"
    """``"numba"`` (compiled fast path) or ``"numpy"`` (reference; Python loop, slow)."""

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise UserError(f"rule must be one of {', '.join(RULES)}; got {self.rule!r}")
        check_int("epochs", self.epochs, 1)
        _check_float("alpha", self.alpha, positive=True)
        _check_float("beta", self.beta, positive=True)
        _check_float("lam", self.lam, positive=False)
        check_int("n", self.n, 1)
        check_int("p", self.p, 1)
        check_int("seed", self.seed, 0, 2**32 - 1)
        if not isinstance(self.full_batch, (bool, np.bool_)):
            raise UserError(f"full_batch must be a bool, got {self.full_batch!r}")
        if not isinstance(self.average, (bool, np.bool_)):
            raise UserError(f"average must be a bool, got {self.average!r}")
        if self.first not in FIRST_PLAYERS:
            raise UserError(f"first must be one of {', '.join(FIRST_PLAYERS)}; got {self.first!r}")
        if self.backend not in BACKENDS:
            raise UserError(f"backend must be one of {', '.join(BACKENDS)}; got {self.backend!r}")

    @property
    def steps(self) -> int:
        """Total number of iterations T = epochs · n."""
        return self.epochs * self.n

    def memory_estimate(self, seeds: int = 1) -> dict[str, int]:
        """Bytes of the float64 arrays a run keeps in memory, to refuse one that cannot fit
        before any work: the data X (n·p) and the T sample indices, then for one seed
        (``run_minimax``) the trajectory, θ and φ (and their averages), T·p each, and its
        three metrics; for several (``run_many_seeds``) only each seed's metrics."""
        steps, indices = self.steps, 0 if self.full_batch else self.steps
        parts = {"data and indices": 8 * (self.n * self.p + indices)}
        if seeds == 1:
            parts["trajectory"] = 8 * steps * self.p * (4 if self.average else 2)
        parts["metrics"] = 8 * seeds * 3 * steps
        return parts

    def replace(self, **changes: Any) -> MinimaxConfig:
        """A validated copy with some fields changed."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, eq=False)
class MinimaxResult:
    """A run: its trajectory and the full-batch metrics after every step.

    Row t of every per-step array belongs to the iterate after step t + 1 (iteration t + 1),
    as in the homework's lists. The metrics are those of the *reported* iterate: the uniform
    average of the iterates so far when ``config.average``, else the last iterate.
    """

    config: MinimaxConfig
    problem: ShiftedLogisticProblem
    theta: np.ndarray
    """``(T, p)`` iterates θₜ."""
    phi: np.ndarray
    """``(T, p)`` iterates φₜ."""
    theta_avg: np.ndarray | None
    """``(T, p)`` running uniform averages of θ (None unless ``config.average``)."""
    phi_avg: np.ndarray | None
    loss: np.ndarray
    """``(T,)`` full-batch ``L`` at the reported iterate."""
    grad_theta_norm: np.ndarray
    """``(T,)`` ``‖∇θL‖``."""
    grad_phi_norm: np.ndarray
    """``(T,)`` ``‖∇φL‖``."""
    elapsed_s: float = field(default=float("nan"))
    """Wall time of the run, metrics included."""

    @property
    def steps(self) -> int:
        return self.loss.shape[0]

    @property
    def iterations(self) -> np.ndarray:
        """``(T,)`` iteration numbers 1 … T (the x axis of the homework's plots)."""
        return np.arange(1, self.steps + 1)

    @property
    def reported_theta(self) -> np.ndarray:
        """``(T, p)`` the iterates the metrics describe (averages when averaging)."""
        return self.theta if self.theta_avg is None else self.theta_avg

    @property
    def reported_phi(self) -> np.ndarray:
        return self.phi if self.phi_avg is None else self.phi_avg

    def first_nonfinite(self) -> int | None:
        """The first iteration (1-based) whose iterate or metrics are NaN or infinite (the
        run overflowed from there on); None when every value is finite."""
        rows = [self.theta, self.phi, self.loss, self.grad_theta_norm, self.grad_phi_norm]
        bad = np.stack([~np.isfinite(a).reshape(self.steps, -1).all(axis=1) for a in rows])
        return int(bad.any(axis=0).argmax()) + 1 if bad.any() else None

    @property
    def final_loss(self) -> float:
        return float(self.loss[-1])

    @property
    def final_grad_theta_norm(self) -> float:
        return float(self.grad_theta_norm[-1])

    @property
    def final_grad_phi_norm(self) -> float:
        return float(self.grad_phi_norm[-1])

    def summary(self) -> dict[str, Any]:
        """JSON-ready final values."""
        return {
            "rule": self.config.rule,
            "steps": self.steps,
            "final_loss": self.final_loss,
            "final_grad_theta_norm": self.final_grad_theta_norm,
            "final_grad_phi_norm": self.final_grad_phi_norm,
            "final_theta_norm": float(np.linalg.norm(self.reported_theta[-1])),
            "final_phi_norm": float(np.linalg.norm(self.reported_phi[-1])),
            "elapsed_s": self.elapsed_s,
        }


@dataclass(frozen=True, eq=False)
class ManySeedsResult:
    """The same configuration run on several seeds (each its own instance and indices)."""

    config: MinimaxConfig
    """The configuration; its ``seed`` field is ignored in favour of ``seeds``."""
    seeds: np.ndarray
    """``(S,)``."""
    loss: np.ndarray
    """``(S, T)`` full-batch ``L`` at the reported iterate of each seed."""
    grad_theta_norm: np.ndarray
    """``(S, T)``."""
    grad_phi_norm: np.ndarray
    """``(S, T)``."""
    final_theta: np.ndarray
    """``(S, p)`` last reported θ (the average when averaging)."""
    final_phi: np.ndarray
    """``(S, p)``."""
    elapsed_s: float = field(default=float("nan"))

    def first_nonfinite(self) -> tuple[int, int] | None:
        """(seed, iteration) of the first NaN or infinite metric or final iterate, the seed
        first; None when every value is finite."""
        bad = ~(np.isfinite(self.loss) & np.isfinite(self.grad_theta_norm)
                & np.isfinite(self.grad_phi_norm))  # fmt: skip
        bad[:, -1] |= ~(np.isfinite(self.final_theta).all(1) & np.isfinite(self.final_phi).all(1))
        if not bad.any():
            return None
        k = int(bad.any(axis=1).argmax())
        return int(self.seeds[k]), int(bad[k].argmax()) + 1

    def summary(self) -> dict[str, Any]:
        """Mean and standard error over seeds of the final values."""

        def stats(x: np.ndarray) -> dict[str, float]:
            mean, se = mean_se(x)
            return {"mean": mean, "se": se}

        return {
            "rule": self.config.rule,
            "n_seeds": int(self.seeds.size),
            "final_loss": stats(self.loss[:, -1]),
            "final_grad_theta_norm": stats(self.grad_theta_norm[:, -1]),
            "final_grad_phi_norm": stats(self.grad_phi_norm[:, -1]),
            "elapsed_s": self.elapsed_s,
        }
