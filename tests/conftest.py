"""Shared fixtures: a headless matplotlib, one torch thread, a private floor cache, and tiny run
configurations."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("MPLBACKEND", "Agg")
# The floors' disk cache (genlab.evaluation.floor_cache) in a temporary folder of this test
# run: shared by its tests, never the user's own.
os.environ["GENLAB_CACHE"] = tempfile.mkdtemp(prefix="genlab-test-cache-")

from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
import torch._dynamo  # noqa: E402, F401  (imported by the first Adam; paid here, not by a test)

import genlab.plotting.run_figures  # noqa: E402, F401  (matplotlib and scipy.signal, likewise)
from genlab.training.config import GANConfig, RunConfig, TrainConfig, VAEConfig  # noqa: E402
from genlab.training.rundir import RunDir, environment  # noqa: E402

# One intra-op thread: results do not depend on how the work is split, and the tests share
# two cores with everything else on the machine.
torch.set_num_threads(1)

TINY_TRAIN = dict(n_samples=128, batch_size=32, epochs=4, snapshots=2, device="cpu")


def tiny_config(model: str = "vae", arch=None, **train) -> RunConfig:
    """A RunConfig small enough for a test: 128 points, batches of 32, 4 epochs, 2 snapshots."""
    t = TrainConfig(**{**TINY_TRAIN, **train})
    if arch is None:
        arch = VAEConfig() if model == "vae" else GANConfig()
    return RunConfig(model, t, arch)


@pytest.fixture(scope="session")
def make_config():
    """Factory: ``make_config("gan", seeds=(0, 1), epochs=2)`` → a tiny RunConfig."""
    return tiny_config


@pytest.fixture
def tiny_run_config(make_config) -> RunConfig:
    """The default tiny VAE configuration."""
    return make_config("vae")


@pytest.fixture
def make_run(tmp_path: Path):
    """Factory: a new RunDir under ``tmp_path`` holding ``config`` (name it to have several)."""

    def make(config: RunConfig, name: str = "run") -> RunDir:
        return RunDir.create(tmp_path / name, config, environment("cpu"))

    return make
