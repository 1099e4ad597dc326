"""Problem 2, the λ-GAN theorem: f-divergences, closed-form densities, quadrature, both
sides of max_D V_λ = D_fλ(p‖q) − c_λ, and discriminators trained against D* = p / (p + λq).
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "identity": ["PAIRS", "TheoryRow", "check_theorem"],
        "divergences": ["DIVERGENCES", "lambda_constant", "lambda_gan", "optimal_logit"],
        "densities": ["DENSITIES", "get_density"],
        "discriminator_fit": ["FitConfig", "fit_discriminator"],
        "gan_discriminator": ["gan_discriminator_fit"],
    },
)
