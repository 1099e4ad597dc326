"""A sweep's specification as a TOML file: a base run configuration, a grid and the seeds.

The base is a run configuration in the format of ``genlab train MODEL --config FILE``
(``genlab.training.config_file``: ``model``, ``[train]``, ``[vae]`` or ``[gan]``). Two more
tables make it a sweep::

    model = "gan"

    [train]
    epochs = 200
    eval_samples = 2500

    [grid]                        # any configuration field, SECTION.FIELD = [values...]
    "gan.lam" = [1.0, 500.0]
    "train.dataset" = ["ring", "grid"]

    [sweep]
    seeds = "0-7"                 # or [0, 1, 2]; every cell trains them all, as members
    members_per_task = 8          # optional; --members-per-task overrides it

The cells are the Cartesian product of the grid's values, in the order the keys are written
(the last key varies fastest). The grid key ``preset`` (no section) takes named presets
(``genlab presets``): each cell's model, architecture and schedule are its preset's
(``Preset.run_config`` of the cell's ``[train]``), so that such a spec gives no ``model`` and
no model section, and its other keys are ``train.*`` (the shipped ``benchmark`` spec).
A grid key may also be written as nested tables (``[grid.gan]``
``lam = [...]``). Seeds are not a grid axis: every cell trains every seed, packed as members of
one run (``genlab.sweeps.cells``).

Reading is strict, and every error is a ``UserError`` naming the file: invalid TOML, an unknown
key or section, a grid key that names no configuration field, an axis without values or with a
repeated value, and every value the configuration rejects, in any cell (``expand`` builds them
all, through the same reader as ``genlab train --config``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from genlab.base.checks import check_int, is_int, parse_seeds
from genlab.base.errors import UserError
from genlab.models.config import MODEL_CONFIGS
from genlab.training.config import TrainConfig

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["Axis", "SweepSpec", "parse_spec", "read_spec"]

SWEEP_KEYS = ("seeds", "members_per_task")
"""The keys of the ``[sweep]`` table."""
PRESET_KEY = "preset"
"""The grid key whose values are named presets (``genlab.workflows.presets``)."""


@dataclass(frozen=True)
class Axis:
    """One grid axis: a configuration field (``SECTION.FIELD``) and the values it takes."""

    key: str
    values: tuple[Any, ...]

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0] if "." in self.key else ""

    @property
    def field(self) -> str:
        return self.key.split(".", 1)[-1]


@dataclass(frozen=True)
class SweepSpec:
    """A parsed, checked sweep specification (``expand`` turns it into cells)."""

    source: str
    """Where it came from (a path, or a name): errors name it."""
    text: str
    """The specification as written (kept as ``DIR/spec.toml``)."""
    model: str
    base: dict[str, Any]
    """The base configuration as a TOML document (``model``, ``train``, the model's section)."""
    axes: tuple[Axis, ...]
    seeds: tuple[int, ...]
    members_per_task: int | None = None
    """At most this many members per task (None: the command's default)."""

    @property
    def n_cells(self) -> int:
        n = 1
        for axis in self.axes:
            n *= len(axis.values)
        return n


def read_spec(path: str | Path) -> SweepSpec:
    """The ``SweepSpec`` in the TOML file at ``path`` (``parse_spec``, errors naming it)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise UserError(f"cannot read the sweep spec {path}: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise UserError(f"{path} is not UTF-8 text (byte {err.start}); a TOML file is") from None
    return parse_spec(text, source=str(path))


def parse_spec(text: str, *, source: str = "spec") -> SweepSpec:
    """The ``SweepSpec`` a TOML text describes (see the module's example); ``source`` names it
    in errors. The base configuration is checked here; the cells by ``expand``."""
    from genlab.training.config_file import from_toml

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"{source} is not valid TOML: {err}") from None
    grid = doc.pop("grid", None)
    sweep = doc.pop("sweep", {})
    presets = _presets(grid, source)
    model = doc.get("model")
    known: tuple[str, ...] = ("model", "train", str(model), "grid", "sweep")
    if presets:
        known = ("train", "grid", "sweep")
        for key in doc:
            if key not in known:
                raise UserError(
                    f"{source} has a preset axis, which sets each cell's model and architecture: "
                    f"drop {key!r} (give [train] and train.* grid keys only)"
                )
    for key in doc:
        if key not in known and model in MODEL_CONFIGS:
            raise UserError(f"unknown key {key!r} in {source}; known: {', '.join(known)}")
    if not isinstance(sweep, dict):
        raise UserError(f"sweep in {source}: expected a table [sweep], got {sweep!r}")
    for key in sweep:
        if key not in SWEEP_KEYS:
            raise UserError(
                f"unknown key 'sweep.{key}' in {source}; known: {', '.join(SWEEP_KEYS)}"
            )
    seeds = _seeds(doc, sweep, source)
    import tomli_w

    for m in sorted({p.model for p in presets}) or [None]:  # the base alone: keys, types, values
        from_toml(tomli_w.dumps(doc if m is None else {"model": m, **doc}), source=source)
    axes = _axes(grid, None if presets else str(model), source)
    per_task = sweep.get("members_per_task")
    if per_task is not None:
        try:
            check_int("sweep.members_per_task", per_task, 1)
        except UserError as err:
            raise UserError(f"{source}: {err}") from None
    return SweepSpec(source, text, PRESET_KEY if presets else str(model), doc, axes, seeds,
                     per_task)  # fmt: skip


def _seeds(doc: dict[str, Any], sweep: dict[str, Any], source: str) -> tuple[int, ...]:
    """The seeds: ``[sweep] seeds`` (an array or a text such as ``"0-15"``), else the base's
    ``train.seeds``, else the configuration's default."""
    train = doc.get("train", {})
    given = isinstance(train, dict) and "seeds" in train
    if "seeds" not in sweep:
        return tuple(train["seeds"]) if given else TrainConfig().seeds
    if given:
        raise UserError(
            f"{source} gives seeds twice, as sweep.seeds and train.seeds: keep one (sweep.seeds)"
        )
    value = sweep["seeds"]
    if isinstance(value, str):
        try:
            return parse_seeds(value)
        except UserError as err:
            raise UserError(f"sweep.seeds in {source}: {err}") from None
    if isinstance(value, list) and value and all(is_int(s) for s in value):
        return tuple(value)
    raise UserError(
        f'sweep.seeds in {source}: expected an array of integers or a text such as "0-15", '
        f"got {value!r}"
    )


def _leaves(table: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """``[grid]`` flattened: nested tables (``[grid.gan]``) become dotted keys."""
    out = []
    for key, value in table.items():
        name = f"{prefix}{key}"
        out += _leaves(value, f"{name}.") if isinstance(value, dict) else [(name, value)]
    return out


def _presets(grid: Any, source: str) -> list[Any]:
    """The presets of the grid's ``preset`` axis ([] without one), each checked by name."""
    if not isinstance(grid, dict) or PRESET_KEY not in grid:
        return []
    from genlab.workflows.presets import PRESETS

    values = grid[PRESET_KEY]
    if not isinstance(values, list) or not values:
        raise UserError(f"grid key 'preset' in {source}: expected an array of preset names, "
                        f"got {values!r}")  # fmt: skip
    for name in values:
        if name not in PRESETS:
            raise UserError(f"grid key 'preset' in {source}: unknown preset {name!r}; "
                            f"known (genlab presets): {', '.join(PRESETS)}")  # fmt: skip
    return [PRESETS[name] for name in values]


def _axes(grid: Any, model: str | None, source: str) -> tuple[Axis, ...]:
    """The grid's axes, each key naming a field of the run's configuration (or ``preset``,
    when ``model`` is None)."""
    if grid is None:
        raise UserError(
            f"{source} has no [grid]: a sweep needs at least one key, e.g. "
            '"train.lr" = [0.0005, 0.0001] (a single run is `genlab train --config`)'
        )
    if not isinstance(grid, dict):
        raise UserError(f"grid in {source}: expected a table [grid], got {grid!r}")
    leaves = _leaves(grid)
    if not leaves:
        raise UserError(f"the [grid] of {source} is empty: give at least one key and its values")
    sections: dict[str, type] = {"train": TrainConfig}
    if model is not None:
        sections[model] = MODEL_CONFIGS[model]
    axes = []
    for key, values in leaves:
        if key == PRESET_KEY:  # checked by ``_presets``
            axes.append(Axis(key, tuple(values)))
            continue
        section, _, name = key.partition(".")
        if section not in sections or "." in name or not name:
            other = ""
            if section in MODEL_CONFIGS:
                other = f" (this spec's model is {model!r})" if model else " (a preset sets it)"
            raise UserError(
                f"grid key {key!r} in {source} names no configuration field{other}; write "
                f"SECTION.FIELD with SECTION one of {', '.join(sections)}"
            )
        names = [f.name for f in fields(sections[section])]
        if name not in names:
            raise UserError(
                f"unknown grid key {key!r} in {source}; the fields of [{section}]: "
                f"{', '.join(names)}"
            )
        if key == "train.seeds":
            raise UserError(
                f"grid key 'train.seeds' in {source}: seeds are not a grid axis; list them in "
                "[sweep] seeds (every cell trains them all, as members of one run)"
            )
        if not isinstance(values, list):
            raise UserError(
                f"grid key {key!r} in {source}: expected an array of values, got {values!r}"
            )
        if not values:
            raise UserError(f"grid key {key!r} in {source} has no values: give at least one")
        for i, v in enumerate(values):
            if v in values[:i]:
                raise UserError(f"grid key {key!r} in {source} repeats the value {v!r}")
        axes.append(Axis(key, tuple(values)))
    return tuple(axes)
