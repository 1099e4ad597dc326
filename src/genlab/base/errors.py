"""The errors genlab raises on purpose.

``UserError`` is bad input: a value outside its range, an unknown name, a missing or
unsuitable file. The command line reports it in one line and exits with code 2, before any
work. Any other exception is a bug and exits with code 1 (``genlab --debug`` shows the
traceback).
"""

from __future__ import annotations


class RunWarning(UserWarning):
    """Something about a run folder the user should know, though the command goes on (a
    damaged last checkpoint replaced by the previous one)."""


class UserError(ValueError):
    """Bad input, named with its allowed range or values (command line: exit code 2)."""


class NonFiniteLossError(RuntimeError):
    """A loss became NaN or infinite; the run stops and keeps its last good checkpoint."""


class DivergedError(NonFiniteLossError):
    """Training broke down beyond its losses: non-finite parameters or optimizer state, the
    model's own samples far outside the data, or a member whose parameters stopped changing.
    A ``NonFiniteLossError``, so it stops a run the same way (command line: exit code 1)."""
