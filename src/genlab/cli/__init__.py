"""The command line, the only layer that parses arguments, sets globals or prints: ``genlab``
VERB ... (``main``), a thin layer over the library."""

from genlab.cli.main import main, run

__all__ = ["main", "run"]
