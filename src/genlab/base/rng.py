"""Per-member random streams.

Each member owns its streams, derived from its seed alone, so member k of ``--seeds 0-15``
draws exactly what ``--seeds k`` draws. The ``init`` stream is the raw seed, so that a
member's initial weights equal the homework's modules built after ``torch.manual_seed(seed)``;
the other streams are derived with NumPy's ``SeedSequence`` so they never overlap it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

STREAMS = {"init": None, "data": 1, "train": 2, "eval": 3, "sample": 4}


def stream_seed(seed: int, stream: str, *extra: int) -> int:
    """The 64-bit seed of ``stream`` for member ``seed`` (``extra`` keys sub-streams)."""
    key = STREAMS[stream]
    if key is None and not extra:
        return int(seed)
    entropy = [int(seed), 0 if key is None else key, *map(int, extra)]
    return int(np.random.SeedSequence(entropy).generate_state(1, np.uint64)[0])


def member_generators(
    seeds: Sequence[int], stream: str, device: str | torch.device = "cpu", *extra: int
) -> list[torch.Generator]:
    """One generator per member on ``device``, seeded from ``(seed, stream, *extra)``."""
    gens = []
    for s in seeds:
        g = torch.Generator(device=device)
        g.manual_seed(stream_seed(s, stream, *extra))
        gens.append(g)
    return gens


def fresh_generators(members: int, device: str | torch.device = "cpu") -> list[torch.Generator]:
    """One generator per member seeded from fresh OS entropy (never the global RNG)."""
    gens = [torch.Generator(device=device) for _ in range(members)]
    for g in gens:
        g.seed()
    return gens


def randn_members(
    generators: Sequence[torch.Generator], shape: Sequence[int], device: str | torch.device
) -> torch.Tensor:
    """Standard normal draws of ``shape`` for each member, stacked: (E, *shape)."""
    return torch.stack([torch.randn(*shape, generator=g, device=device) for g in generators])


def rand_members(
    generators: Sequence[torch.Generator], shape: Sequence[int], device: str | torch.device
) -> torch.Tensor:
    """Uniform [0, 1) draws of ``shape`` for each member, stacked: (E, *shape)."""
    return torch.stack([torch.rand(*shape, generator=g, device=device) for g in generators])


def randperm_members(
    generators: Sequence[torch.Generator], n: int, device: str | torch.device
) -> torch.Tensor:
    """One permutation of range(n) per member: (E, n)."""
    return torch.stack([torch.randperm(n, generator=g, device=device) for g in generators])
