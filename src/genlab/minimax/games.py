"""Two-player zero-sum games as pure functions: value and both gradients in closed form.

The homework's game is an *adversarially shifted* logistic regression (MathDNN HW12,
Problem 1): the data points ``X_i`` are shifted by a common vector ``φ`` chosen by an
adversary, who pays a ridge penalty::

    L(θ, φ) = (1/N) Σᵢ log(1 + exp(−Yᵢ (Xᵢ − φ)ᵀθ)) − (λ/2) ‖φ‖²,

θ minimizes and φ maximizes. With the margin ``mᵢ = Yᵢ (Xᵢ − φ)ᵀθ`` and
``σ(z) = 1/(1 + e^{−z})``::

    ∇θ L = −(1/N) Σᵢ σ(−mᵢ) Yᵢ (Xᵢ − φ)
    ∇φ L =  (1/N) Σᵢ σ(−mᵢ) Yᵢ θ − λ φ

Everything is evaluated through ``softplus(−m) = logaddexp(0, −m)`` and ``σ(−m) =
expit(−m)``, which neither overflow nor lose the tail for huge margins.

Every function broadcasts over leading axes of ``theta``/``phi`` (shape ``(..., p)``), so
a whole trajectory ``(T, p)`` is evaluated in one call (chunk it to bound memory: the
intermediate margins have shape ``(..., N)``).

The bilinear game ``f(x, y) = xᵀ A y`` is the standard test bed for minimax dynamics
(e.g. Daskalakis et al., 2018, "Training GANs with Optimism", ICLR).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genlab.base.errors import UserError

__all__ = [
    "expit",
    "BilinearGame",
    "ShiftedLogisticGame",
    "bilinear_grads",
    "bilinear_value",
    "shifted_logistic_grads",
    "shifted_logistic_margins",
    "shifted_logistic_sample_grads",
    "shifted_logistic_value",
]


def expit(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^{−x}) elementwise, as ``scipy.special.expit`` (to ~1 ulp) without
    importing SciPy (0.3 s): from e = e^{−|x|} ≤ 1, which never overflows,
    σ(x) = 1 / (1 + e) for x ≥ 0 and e / (1 + e) for x < 0."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def shifted_logistic_margins(
    theta: np.ndarray, phi: np.ndarray, X: np.ndarray, Y: np.ndarray
) -> np.ndarray:
    """Margins ``mᵢ = Yᵢ (Xᵢ − φ)ᵀθ = Yᵢ (Xᵢᵀθ − φᵀθ)``.

    Args:
        theta: ``(..., p)`` classifier weights.
        phi: ``(..., p)`` adversarial shift (broadcast against ``theta``).
        X: ``(N, p)`` data.
        Y: ``(N,)`` labels in {−1, +1}.

    Returns:
        ``(..., N)`` margins.
    """
    theta = np.asarray(theta, dtype=np.float64)
    phi = np.asarray(phi, dtype=np.float64)
    shift = np.sum(phi * theta, axis=-1, keepdims=True)  # (..., 1) = φᵀθ
    return Y * (theta @ X.T - shift)


def shifted_logistic_value(
    theta: np.ndarray, phi: np.ndarray, X: np.ndarray, Y: np.ndarray, lam: float
) -> np.ndarray:
    """``L(θ, φ) = (1/N) Σᵢ softplus(−mᵢ) − (λ/2)‖φ‖²`` (HW12, Problem 1).

    Returns:
        ``(...)`` values (a 0-d array for single vectors).
    """
    m = shifted_logistic_margins(theta, phi, X, Y)
    phi = np.asarray(phi, dtype=np.float64)
    return np.logaddexp(0.0, -m).mean(axis=-1) - 0.5 * lam * np.sum(phi * phi, axis=-1)


def shifted_logistic_grads(
    theta: np.ndarray, phi: np.ndarray, X: np.ndarray, Y: np.ndarray, lam: float
) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch gradients ``(∇θ L, ∇φ L)``.

    ``∇θ L = −(1/N) Σᵢ σ(−mᵢ) Yᵢ (Xᵢ − φ)`` and ``∇φ L = (1/N) Σᵢ σ(−mᵢ) Yᵢ θ − λφ``.
    With ``wᵢ = σ(−mᵢ) Yᵢ / N`` and ``S = Σᵢ wᵢ`` these are ``−Xᵀw + Sφ`` and ``Sθ − λφ``.

    Returns:
        Two ``(..., p)`` arrays.
    """
    theta = np.asarray(theta, dtype=np.float64)
    phi = np.asarray(phi, dtype=np.float64)
    m = shifted_logistic_margins(theta, phi, X, Y)
    w = expit(-m) * Y / X.shape[0]  # (..., N)
    S = w.sum(axis=-1, keepdims=True)  # (..., 1)
    return -(w @ X) + S * phi, S * theta - lam * phi


def shifted_logistic_sample_grads(
    theta: np.ndarray, phi: np.ndarray, x: np.ndarray, y: float, lam: float
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of one summand ``ℓᵢ = softplus(−yᵢ(xᵢ − φ)ᵀθ) − (λ/2)‖φ‖²``.

    ``∇θ ℓᵢ = −σ(−mᵢ) yᵢ (xᵢ − φ)`` and ``∇φ ℓᵢ = σ(−mᵢ) yᵢ θ − λφ``; their mean over i is
    the full-batch gradient.
    """
    d = x - phi
    s = expit(-y * np.dot(d, theta))
    return -s * y * d, s * y * theta - lam * phi


@dataclass(frozen=True, eq=False)
class ShiftedLogisticGame:
    """The homework's game bound to its data: ``L(θ, φ)`` with per-sample summands.

    Attributes:
        X: ``(N, p)`` data.
        Y: ``(N,)`` labels in {−1, +1}.
        lam: ridge weight λ ≥ 0 on the adversary's shift.
    """

    X: np.ndarray
    Y: np.ndarray
    lam: float

    def __post_init__(self) -> None:
        X = np.ascontiguousarray(self.X, dtype=np.float64)
        Y = np.ascontiguousarray(self.Y, dtype=np.float64)
        if X.ndim != 2 or Y.shape != (X.shape[0],):
            raise UserError(f"X must be (N, p) and Y (N,), got {X.shape} and {Y.shape}")
        if not np.all(np.abs(Y) == 1.0):
            raise UserError(f"Y must hold labels in {{-1, +1}}, got values {np.unique(Y)}")
        if not self.lam >= 0.0:
            raise UserError(f"lam must be >= 0, got {self.lam}")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "Y", Y)
        object.__setattr__(self, "lam", float(self.lam))

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def p(self) -> int:
        return self.X.shape[1]

    def value(self, theta: np.ndarray, phi: np.ndarray) -> np.ndarray:
        """Full-batch ``L(θ, φ)``."""
        return shifted_logistic_value(theta, phi, self.X, self.Y, self.lam)

    def grads(
        self, theta: np.ndarray, phi: np.ndarray, index: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(∇θ, ∇φ)`` of summand ``index``, or of the full batch when ``index`` is None."""
        if index is None:
            return shifted_logistic_grads(theta, phi, self.X, self.Y, self.lam)
        return shifted_logistic_sample_grads(theta, phi, self.X[index], self.Y[index], self.lam)


def bilinear_value(x: np.ndarray, y: np.ndarray, A: np.ndarray) -> np.ndarray:
    """``f(x, y) = xᵀ A y`` (x minimizes, y maximizes); the saddle point is (0, 0)."""
    return np.einsum("...i,ij,...j->...", x, A, y)


def bilinear_grads(x: np.ndarray, y: np.ndarray, A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(∇x f, ∇y f) = (A y, Aᵀ x)``."""
    return y @ A.T, x @ A


@dataclass(frozen=True, eq=False)
class BilinearGame:
    """``f(x, y) = xᵀ A y``: the joint field (Ay, −Aᵀx) is a pure rotation for A = I.

    Simultaneous GDA spirals out on it, alternating GDA cycles, extragradient and optimistic
    GDA converge to the saddle (Daskalakis et al., 2018; Gidel et al., 2019, ICLR,
    "A Variational Inequality Perspective on GANs").
    """

    A: np.ndarray

    def __post_init__(self) -> None:
        A = np.atleast_2d(np.asarray(self.A, dtype=np.float64))
        object.__setattr__(self, "A", A)

    def value(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return bilinear_value(x, y, self.A)

    def grads(
        self, x: np.ndarray, y: np.ndarray, index: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(Ay, Aᵀx)``; ``index`` is ignored (the game has no samples)."""
        return bilinear_grads(x, y, self.A)
