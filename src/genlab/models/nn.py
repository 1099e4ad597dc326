"""Ensemble layers: every weight carries a leading member axis E.

E independent networks are evaluated at once with one batched matmul per layer
(``torch.baddbmm``): inputs ``(E, B, in)`` → outputs ``(E, B, out)``. Member e never sees
another member's weights or data, so summing the per-member losses and stepping an
elementwise optimizer (Adam) trains each member exactly as if it were alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from genlab.base.errors import UserError

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "tanh": nn.Tanh,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "relu": nn.ReLU,
    "elu": nn.ELU,
    "identity": nn.Identity,
}

FUNCTIONS = {
    "tanh": torch.tanh,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.2),
    "relu": torch.relu,
    "elu": F.elu,
    "identity": lambda x: x,
}
"""The same activations as functions of tensors, for ``mlp_forward``."""

Layout = tuple[tuple[int, int, int, str | None], ...]
"""An ensemble MLP's layers as (members, in, out, activation after it or None)."""


class EnsembleLinear(nn.Module):
    """y_e = x_e W_e + b_e for each member e; W: (E, in, out), b: (E, 1, out)."""

    def __init__(self, members: int, in_features: int, out_features: int) -> None:
        super().__init__()
        self.members, self.in_features, self.out_features = members, in_features, out_features
        self.weight = nn.Parameter(torch.empty(members, in_features, out_features))
        self.bias = nn.Parameter(torch.empty(members, 1, out_features))

    @torch.no_grad()
    def reset_member(self, e: int, generator: torch.Generator) -> None:
        """``nn.Linear``'s default init for member e, drawn from ``generator``.

        nn.Linear draws W (out, in) ~ U(±1/sqrt(in)) (kaiming_uniform with a = sqrt(5)) and then
        b ~ U(±1/sqrt(in)); drawing in that order and shape makes member e equal to an
        ``nn.Linear`` built after ``torch.manual_seed`` with the same seed stream.
        """
        bound = 1 / math.sqrt(self.in_features)
        w = torch.empty(self.out_features, self.in_features).uniform_(
            -bound, bound, generator=generator
        )
        b = torch.empty(self.out_features).uniform_(-bound, bound, generator=generator)
        self.weight[e].copy_(w.T)
        self.bias[e, 0].copy_(b)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (E, B, in) -> (E, B, out)
        return torch.baddbmm(self.bias, x, self.weight)

    def extra_repr(self) -> str:
        return f"members={self.members}, in={self.in_features}, out={self.out_features}"


class EnsembleMLP(nn.Module):
    """An ensemble of MLPs: widths[0] → widths[1] → … → widths[-1].

    ``activations[i]`` follows hidden layer i (one per hidden layer); the last layer is linear.
    """

    def __init__(self, members: int, widths: Sequence[int], activations: Sequence[str]) -> None:
        super().__init__()
        if len(activations) != len(widths) - 2:
            raise UserError(
                f"need one activation per hidden layer: widths {list(widths)} have "
                f"{len(widths) - 2} hidden layers, got activations {list(activations)}"
            )
        layers: list[nn.Module] = []
        for i, (w_in, w_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
            layers.append(EnsembleLinear(members, w_in, w_out))
            if i < len(activations):
                layers.append(ACTIVATIONS[activations[i]]())
        self.net = nn.Sequential(*layers)
        self.members = members
        acts = [*activations, None]
        self.layout: Layout = tuple(
            (members, w_in, w_out, acts[i])
            for i, (w_in, w_out) in enumerate(zip(widths[:-1], widths[1:], strict=True))
        )

    def linears(self) -> list[EnsembleLinear]:
        return [m for m in self.net if isinstance(m, EnsembleLinear)]

    def reset_member(self, e: int, generator: torch.Generator) -> None:
        """Initialise member e layer by layer, in order, from ``generator``."""
        for layer in self.linears():
            layer.reset_member(e, generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.net:  # .forward, not __call__: skips the hook machinery, which is
            x = layer.forward(x)  # a few percent of an eager step for these tiny layers
        return x


Layers = list[tuple[torch.Tensor, torch.Tensor]]
"""An ensemble MLP's parameters as (weight (E, in, out), bias (E, 1, out)) per layer."""


def mlp_forward(layers: Layers, layout: Layout, x: torch.Tensor) -> torch.Tensor:
    """``EnsembleMLP.forward`` of ``layout`` as a pure function of the parameters ``layers``
    (for a compiled step; ``split_layers`` gives them as views of a flat buffer).

    Each layer is ``bmm(x, W) + b``, not the modules' ``baddbmm(b, x, W)`` (equal here to the
    last bit, ``tests/models/test_nn.py``): compiled, the bias then joins the activation's
    fused kernel, where ATen's ``baddbmm`` first copies the broadcast bias into its output.
    """
    for (weight, bias), (*_, act) in zip(layers, layout, strict=True):
        x = torch.bmm(x, weight) + bias
        if act is not None:
            x = FUNCTIONS[act](x)
    return x


def split_layers(flat: torch.Tensor, *layouts: Layout) -> tuple[Layers, ...]:
    """The layers of each of ``layouts``, laid one after another in ``flat`` (all of it, in
    ``named_parameters`` order: weight (E, in, out), then bias (E, 1, out), layer by layer, the
    layout of ``genlab.optim.flat.flatten_parameters``), as views from one ``torch.split``.

    For a step compiled whole this is what slices of ``flat`` are not: the gradient of a
    split is one concatenation of its pieces' gradients, while that of each slice is the
    piece's gradient padded with zeros to ``flat``'s size, and their sum costs the fused
    update after it a masked load per piece for every parameter.
    """
    sizes = [n for layout in layouts for m, i, o, _ in layout for n in (m * i * o, m * o)]
    pieces = iter(flat.split(sizes))
    return tuple(
        [(next(pieces).view(m, i, o), next(pieces).view(m, 1, o)) for m, i, o, _ in layout]
        for layout in layouts
    )


def mlp_size(layout: Layout) -> int:
    """Number of parameters of an ensemble MLP of ``layout``."""
    return sum(m * (i + 1) * o for m, i, o, _ in layout)
