"""The data layer: seeded samplers of 2-D distributions and the registry of them by name.

Every sampler is ``make_<name>(n_samples, *, noise=..., generator=None)`` and returns a
float64 tensor ``(n_samples, 2)``; ``generator`` is a ``torch.Generator``, an ``int`` seed or
``None`` (fresh OS entropy, never the global RNG). ``get_dataset(name).sample(n)`` draws from a
registered dataset with its default noise; ``load_points(FILE)`` reads a user's own N × d
points (.npy, .npz[:KEY], .csv), refusing bad data with the line, column or row named.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "files": ["MAX_BYTES", "MAX_DIM", "MIN_POINTS", "check_points", "load_points"],
        "user_data": ["UserData", "split_points"],
        "surfaces": ["make_swiss_roll_3d"],
        "registry": ["DATASETS", "DatasetSpec", "get_dataset", "register"],
        "samplers": [
            "as_generator",
            "grid_centers",
            "make_grid",
            "make_ring",
            "make_swiss_roll",
            "ring_centers",
            "sample_mixture",
        ],
        "toy_suite": [
            "make_checkerboard",
            "make_circles",
            "make_eight_gaussians",
            "make_moons",
            "make_pinwheel",
            "make_rings",
            "make_twenty_five_gaussians",
            "make_two_spirals",
        ],
    },
)
