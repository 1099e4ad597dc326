"""The minimax lab's rule names, NumPy-free so that the command line can list them at no cost.

The four rules of ``genlab.optim.rules`` (the vocabulary shared with GAN training), plus
``homework``: the homework's own SGDA update (hw12 Problem 1).
"""

from __future__ import annotations

RULES: tuple[str, ...] = ("homework", "simultaneous", "alternating", "extragradient", "optimistic")
"""Every rule of the minimax lab; the default comparison runs them in this order."""
FIRST_PLAYERS: tuple[str, ...] = ("phi", "theta")
"""Who moves first in the alternating rule."""
