"""The HTML report: one self-contained page of a reproduction folder or of run folders."""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "page": ["build_report", "write_report"],
    },
)
