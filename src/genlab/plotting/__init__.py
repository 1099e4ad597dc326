"""Figures: every function draws on a given ``ax`` and returns it, never calls
``plt.show()`` and never touches pyplot's state or the backend. The homework's density style is
the default look; ``points`` draws samples beside data in any dimension (1-D marginals, corner
plots), in windows from ``window``.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "density": ["homework_style", "plot_density", "plot_losses", "plot_scatter", "subplots"],
        "gan_lab": ["plot_gan_lab"],
        "points": ["plot_corner", "plot_marginal", "plot_pair"],
        "window": ["data_window"],
        "animation": ["write_density_gif"],
        "run_figures": ["render_run"],
    },
)
