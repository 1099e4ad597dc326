"""The lowest layer: atomic file writes, argument checks, errors, per-member random
streams, mean ± s.e., and the ``DONE`` marker. Imports nothing else of genlab.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "atomic": [
            "atomic_write",
            "save_figure",
            "save_npy",
            "save_npz",
            "write_json",
            "write_text",
        ],
        "checks": [
            "check_choice",
            "check_int",
            "check_nonnegative",
            "check_positive",
            "parse_seeds",
        ],
        "done": ["is_done", "mark_done"],
        "errors": ["NonFiniteLossError", "UserError"],
        "rng": ["member_generators", "stream_seed"],
        "stats": ["format_pm", "mean_se"],
    },
)
