"""Training: run configurations, the loop on the member axis, run folders with
atomic checkpoints and exact resume.

Data path: ``RunConfig`` → per-member data (E, N, 2) → trainer epoch (model, objective, rule
step) → ``EpochRecord`` → ``RunDir`` (metrics, checkpoints, snapshots, frames).
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "config": ["RunConfig", "TrainConfig"],
        "device": ["resolve_device"],
        "loop": ["EpochRecord", "FitHooks", "FitResult", "fit", "load_model"],
        "rundir": ["RunDir", "environment"],
        "trainers": ["GANTrainer", "VAETrainer", "build_model", "make_trainer", "training_data"],
    },
)
