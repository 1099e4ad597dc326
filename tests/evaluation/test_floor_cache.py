"""The floors' disk cache: what it returns is exactly what is computed, a damaged entry is
computed again, another code version never reads an entry, and it can be switched off."""

from __future__ import annotations

import numpy as np
import pytest

from genlab.evaluation import floor_cache, suite


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_CACHE", str(tmp_path))
    suite._floors.cache_clear()
    suite._floor_spread.cache_clear()
    yield tmp_path / "floors"
    suite._floors.cache_clear()
    suite._floor_spread.cache_clear()


def test_cached_floors_equal_computed_ones_bit_for_bit(fresh, monkeypatch):
    first = suite.floors("ring", n=200)
    assert len(list(fresh.glob("floor-*.json"))) == 1
    suite._floors.cache_clear()
    again = suite.floors("ring", n=200)  # from disk
    monkeypatch.setenv("GENLAB_CACHE", "off")
    suite._floors.cache_clear()
    computed = suite.floors("ring", n=200)
    assert first == again == computed


def test_the_spread_round_trips_with_its_pair_counts(fresh):
    x = np.random.default_rng(0).normal(size=(200, 2)) * 0.01
    a = suite.evaluate(x, "ring", n=200, floor_pairs=4, ot_pairs=2)
    suite._floor_spread.cache_clear()
    b = suite.evaluate(x, "ring", n=200, floor_pairs=4, ot_pairs=2)
    assert a == b and a.scores["w1"].floor_pairs == 2 and a.scores["mmd2"].floor_pairs == 4


def test_a_damaged_entry_is_computed_again(fresh):
    value = suite.floors("grid", n=100)
    (path,) = fresh.glob("floor-*.json")
    path.write_text("{not json")
    suite._floors.cache_clear()
    assert suite.floors("grid", n=100) == value


def test_another_code_version_never_reads_an_entry(fresh, monkeypatch):
    suite.floors("grid", n=100)
    monkeypatch.setattr(floor_cache, "code_version", lambda: "edited")
    suite._floors.cache_clear()
    suite.floors("grid", n=100)
    assert len(list(fresh.glob("floor-*.json"))) == 2


def test_a_folder_that_cannot_be_written_is_not_used(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("GENLAB_CACHE", str(tmp_path / "file"))  # a file, not a folder
    assert floor_cache.cached("floor", ("k",), lambda: {"a": 1.0}) == {"a": 1.0}
