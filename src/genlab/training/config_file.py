"""A run's configuration as a TOML file: ``to_toml``, ``from_toml`` and ``read_config``.

Every run writes its resolved configuration as ``RUN/config.toml``
(``config.json`` stays the record the code reads); ``genlab train MODEL --config FILE`` trains
from such a file. A full example, a GAN (every key is optional but ``model``: an absent key
takes the dataclass's default, and an absent ``noise`` is the dataset's own)::

    model = "gan"

    [train]
    dataset = "swiss_roll"
    n_samples = 2000
    # noise = 0.025               # absent: the dataset's default
    epochs = 2000
    batch_size = 64
    lr = 0.0005
    lr_decay = 0.0
    seeds = [0, 1, 2]
    snapshots = 5
    frames = 50
    checkpoint_every = 100
    device = "auto"
    compile = false
    threads = 0
    eval_samples = 2500

    [gan]                         # [vae] for model = "vae"
    z_dim = 100
    generator_hidden = [32]
    generator_activations = ["tanh"]
    discriminator_hidden = [128, 128]
    discriminator_activations = ["tanh", "tanh"]
    lam = 500.0
    generator_loss = "nonsaturating"
    rule = "alternating"
    base_optimizer = "adam"
    sampler = "generator"

A VAE's section is ``[vae]``: ``latent_dim``, ``encoder_hidden``, ``encoder_activations``,
``decoder_hidden``, ``decoder_activations``, ``reg_coeff``, ``sampler`` (``"prior"``),
``gmm_components``.

Reading is strict, and every error is a ``UserError`` naming the file (``source``): invalid
TOML (with its line and column), a missing ``model``, an unknown key or section (listing the
known ones), a value of the wrong type (naming the key and the expected type; an integer is
accepted where a number is expected, a boolean never where an integer is), and any value the
configuration classes reject (their message, prefixed with the file).
"""

from __future__ import annotations

import re
import sys
import typing
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from genlab.base.checks import is_int, is_number
from genlab.base.errors import UserError
from genlab.models.config import MODEL_CONFIGS
from genlab.training.config import RunConfig, TrainConfig

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["from_toml", "read_config", "to_toml"]

HEADER = "# genlab run configuration: `genlab train MODEL --config THIS_FILE` trains it again\n"


def to_toml(config: RunConfig) -> str:
    """``config`` as TOML: ``model``, ``[train]`` and the model's section (``[vae]`` or
    ``[gan]``); tuples as arrays, a ``None`` (``noise``) left out."""
    import tomli_w

    def section(obj: Any) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v
                for k, v in asdict(obj).items() if v is not None}  # fmt: skip

    doc = {"model": config.model, "train": section(config.train),
           config.model: section(config.arch)}  # fmt: skip
    text = tomli_w.dumps(doc)
    # tomli-w writes one array item a line; these arrays are short: one line each
    compact = _ARRAY.sub(lambda m: "[" + ", ".join(_ITEM.findall(m[1])) + "]", text)
    return HEADER + (compact if tomllib.loads(compact) == doc else text)


_ARRAY = re.compile(r"\[\n((?: +[^\n]*,\n)+)\]")
_ITEM = re.compile(r"^ +(.*),$", re.M)


def read_config(path: str | Path) -> RunConfig:
    """The ``RunConfig`` of the TOML file at ``path`` (``from_toml``, errors naming it)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UserError(f"cannot read the configuration file {path}: {err.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UserError(f"{path} is not UTF-8 text (byte {err.start}); a TOML file is") from None
    return from_toml(text, source=str(path))


def from_toml(text: str, *, source: str = "config") -> RunConfig:
    """The ``RunConfig`` a TOML text describes (see the module's example); ``source`` names
    it in errors."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"{source} is not valid TOML: {err}") from None
    if "model" not in doc:
        raise UserError(
            f'{source} has no \'model\' key; start it with model = "vae" or model = "gan"'
        )
    model = doc["model"]
    if not isinstance(model, str):
        raise UserError(f"model in {source}: expected a string (vae or gan), got {model!r}")
    if model not in MODEL_CONFIGS:
        raise UserError(f"{source}: unknown model {model!r}; allowed: {', '.join(MODEL_CONFIGS)}")
    known = ("model", "train", model)
    for key in doc:
        if key not in known:
            other = f" (the section of model {key!r}; this file's model is {model!r})" if (
                key in MODEL_CONFIGS) else ""  # fmt: skip
            raise UserError(f"unknown key {key!r} in {source}{other}; known: {', '.join(known)}")
    train_fields = _section(doc, "train", TrainConfig, source)
    arch_fields = _section(doc, model, MODEL_CONFIGS[model], source)
    try:  # the values the configuration classes reject, with their message
        return RunConfig(model, TrainConfig(**train_fields), MODEL_CONFIGS[model](**arch_fields))
    except UserError as err:
        raise UserError(f"{source}: {err}") from None


def _section(doc: dict[str, Any], name: str, cls: type, source: str) -> dict[str, Any]:
    """The keyword arguments of ``cls`` that section ``name`` gives, each checked for type."""
    table = doc.get(name, {})
    if not isinstance(table, dict):
        raise UserError(f"{name} in {source}: expected a table [{name}], got {table!r}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in fields(cls)]
    out = {}
    for key, value in table.items():
        if key not in names:
            raise UserError(f"unknown key '{name}.{key}' in {source}; known: {', '.join(names)}")
        out[key] = _convert(f"{name}.{key}", value, hints[key], source)
    return out


def _convert(key: str, value: Any, hint: Any, source: str) -> Any:
    """``value`` as the field's type ``hint`` wants it, or ``UserError`` naming ``key``."""
    args = typing.get_args(hint)
    if type(None) in args:  # float | None: None is spelled by leaving the key out
        (hint,) = [a for a in args if a is not type(None)]
        args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple:
        item = args[0]
        what = "an array of integers" if item is int else "an array of strings"
        if isinstance(value, list) and all(_is(v, item) for v in value):
            return tuple(value)
    elif _is(value, hint):
        if hint is float and not isinstance(value, float):
            try:
                return float(value)
            except OverflowError:
                raise UserError(f"{key} in {source}: {value} is too large a number") from None
        return value
    else:
        what = {int: "an integer", float: "a number", str: "a string",
                bool: "true or false"}[hint]  # fmt: skip
    raise UserError(f"{key} in {source}: expected {what}, got {value!r}")


def _is(value: Any, typ: type) -> bool:
    if typ is int:
        return is_int(value)
    if typ is float:
        return is_number(value)
    return isinstance(value, typ)
