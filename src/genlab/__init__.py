"""genlab: train, evaluate and understand small generative models and minimax optimizers."""

__version__ = "0.1.0"
