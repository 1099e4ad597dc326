"""Whole jobs built on the layers below: a run trained end to end (train → figures →
evaluation → ``DONE``), the homework reproduced stage by stage, the quality benchmark, and
the named presets.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "pipeline": ["train_run"],
        "reproduce": ["STAGES", "ReproduceSettings"],
        "benchmark": ["Protocol"],
        "presets": ["PRESETS", "get_preset"],
    },
)
