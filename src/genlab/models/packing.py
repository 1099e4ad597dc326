"""PacGAN's packing: the discriminator scores m points at once (Lin, Khetan, Fanti & Oh,
"PacGAN: The power of two samples in generative adversarial networks", NeurIPS 2018).

A packed discriminator D(x₁, …, x_m) sees the concatenation of m samples, an input of width
m·d; a real pack holds m independent data points, a generated pack m independent G(z). The
paper shows that packing penalises mode collapse: a pack of m generated points from a
collapsed G is recognisably less diverse than m data points, so D's optimum, and the
generator's loss, see the distribution of m-tuples, q^⊗m against p^⊗m (their §3).

How a batch forms packs here: a batch of B points (for the data, consecutive points of the
epoch's shuffle; for the generator, its B independent noise draws) is cut into ⌊B/m⌋ packs of
m consecutive points; the last B mod m points are not scored. So ``batch_size`` keeps counting
points, every step sees the same data as an unpacked run, and an epoch has the same steps.
The paper's code (github.com/fjxmlzn/PacGAN, ``GaussianPackingMixture``) instead forms a
minibatch of B packs from m·B points, each pack position drawn from the data with
replacement; that is ``batch_size = m·B`` here (without the replacement). m = 1 returns the
batch itself, so the homework's computation is untouched.
"""

from __future__ import annotations

import torch


def pack(x: torch.Tensor, m: int) -> torch.Tensor:
    """Packs of m consecutive points: (E, B, d) -> (E, ⌊B/m⌋, m·d), the last B mod m points
    dropped; pack j is the concatenation [x_{jm}, x_{jm+1}, …, x_{jm+m−1}]. m = 1: ``x``.

    Args:
        x: points of every member, (E, B, d).
        m: points per pack (≥ 1).
    """
    if m == 1:
        return x
    members, b, d = x.shape
    packs = b // m
    return x[:, : packs * m].reshape(members, packs, m * d)
