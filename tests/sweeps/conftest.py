"""Fixtures of the sweep tests: the serial reference of the tiny spec, computed once."""

from __future__ import annotations

import pytest
from sweep_helpers import tiny_spec, train_serially


@pytest.fixture(scope="session")
def serial_reference(tmp_path_factory):
    """Factory: the serial fingerprints of the tiny spec with ``epochs`` and ``every``."""
    cache: dict[tuple[int, int], dict[str, dict]] = {}

    def reference(epochs: int = 200, every: int = 10) -> dict[str, dict]:
        if (epochs, every) not in cache:
            tmp = tmp_path_factory.mktemp(f"serial-{epochs}-{every}")
            cache[(epochs, every)] = train_serially(tiny_spec(tmp, epochs, every), tmp / "out")
        return cache[(epochs, every)]

    return reference
