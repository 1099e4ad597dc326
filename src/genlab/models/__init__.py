"""The models: ensembles of E independent members (weights (E, in, out), batches
(E, B, dim)), the homework's VAE and λ-GAN, their configurations, and rejection sampling.

Every model samples with ``sample(n, *, generators=None)``: (E, n, 2) points, one generator per
member (None: fresh OS entropy).
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "config": ["ACTIVATIONS", "GANConfig", "VAEConfig"],
        "gan": ["GAN"],
        "vae": ["VAE"],
        "nn": ["EnsembleLinear", "EnsembleMLP"],
        "rejection": ["RejectionSamplingError", "rejection_sample"],
    },
)
