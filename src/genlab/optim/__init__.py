"""Optimizers: Adam stepped in one fused kernel, parameters in one flat buffer, and the
update rules of two-player games (``rules``: the vocabulary shared with ``genlab.minimax``).
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "adam": ["adam_step", "make_adam"],
        "flat": ["flatten_parameters"],
        "rules": ["BASE_OPTIMIZERS", "RULES"],
        "game_steps": ["RULE_STEPS", "RuleStep", "make_rule_step"],
    },
)
