"""Run directories: resolved config, metrics log, atomic checkpoints, snapshots, resume.

    RUN/config.json         the fully resolved RunConfig plus the environment it ran in
    RUN/config.toml         the same configuration as a file ``genlab train --config`` takes
    RUN/metrics.jsonl       one JSON line per epoch, per-member losses
    RUN/checkpoints/last.pt model, optimizer and RNG states at the last checkpointed epoch,
                            sealed (``genlab.training.integrity``); previous.pt the one before
    RUN/snapshots.npz       samples at every snapshot epoch N: samples_N (and prior_N), (E, n, d);
                            for a GAN also disc_logits_N (E, R, R), gen_points_N, gen_grad_N
    RUN/frames.npz          the training animation: epochs (F,), samples (F, E, n, d) (and prior)
    RUN/samples.npy         final samples (E, n, d): generated points, or VAE prior samples
    RUN/data.npy            the training data in the data's units: (E, N, d), each member's
                            own draw, or (1, N, d) for a data file (shared by the members)
    RUN/split.npz           a data file's run only: train, holdout (data units), mean, std
    RUN/figures/            density figures, the snapshot grid, loss curves
    RUN/DONE                written when everything above is complete
    RUN/manifest.json       every file's SHA-256 and size, written after DONE and after any
                            later write (``genlab verify`` checks a folder against it)

Every file is written atomically (temporary file, then ``os.replace``); every read checks what
it reads (the checkpoint's seal, the manifest) and names a damaged file.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from genlab.data.user_data import UserData

from genlab import __version__
from genlab.base import atomic
from genlab.base.done import CONFIG, DONE, EVALUATION, METRICS, is_done, mark_done
from genlab.base.errors import UserError
from genlab.base.lock import LOCK
from genlab.training import integrity
from genlab.training.config import RunConfig
from genlab.training.integrity import DamagedRunError


def environment(device: str) -> dict[str, Any]:
    """What a result depends on beyond its config: versions, device, threads, machine."""
    import numpy as np
    import torch

    return {
        "genlab": __version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "device": device,
        "torch_threads": torch.get_num_threads(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join(sys.argv),
    }


def _parse_metrics(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text().split("\n")
    records = []
    for i, line in enumerate(lines):
        if not line:
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            if i < len(lines) - 1:  # only the last line can be torn by an interrupted append
                raise DamagedRunError(
                    f"{path} is damaged: line {i + 1} is not JSON; restore it, or retrain"
                ) from None
    return records


def _load_npz(path: Path) -> dict[str, Any]:
    import zipfile

    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise DamagedRunError(f"{path} is unreadable ({err}); restore it, or retrain") from None


@dataclass(frozen=True)
class RunDir:
    """A run's folder and the files in it."""

    path: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))  # a str path works too

    @property
    def config_file(self) -> Path:
        return self.path / CONFIG

    @property
    def metrics_file(self) -> Path:
        return self.path / METRICS

    @property
    def checkpoint_file(self) -> Path:
        return self.path / "checkpoints" / "last.pt"

    @property
    def previous_checkpoint_file(self) -> Path:
        return self.path / "checkpoints" / "previous.pt"

    @property
    def snapshots_file(self) -> Path:
        return self.path / "snapshots.npz"

    @property
    def samples_file(self) -> Path:
        return self.path / "samples.npy"

    @property
    def figures(self) -> Path:
        return self.path / "figures"

    @property
    def data_file(self) -> Path:
        return self.path / "data.npy"

    @property
    def split_file(self) -> Path:
        return self.path / "split.npz"

    @property
    def reconstructions_file(self) -> Path:
        return self.path / "reconstructions.npy"

    @property
    def evaluation_file(self) -> Path:
        return self.path / EVALUATION

    @property
    def done_file(self) -> Path:
        return self.path / DONE

    def is_done(self) -> bool:
        return is_done(self.path)

    # -- creation ---------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, config: RunConfig, env: dict[str, Any]) -> RunDir:
        """A new run folder, with ``config.json`` (the record the code reads) and
        ``config.toml`` (the same configuration, for ``genlab train MODEL --config``); refuses
        a folder that already holds a run."""
        run = cls(Path(path))
        record = {**config.to_dict(), "environment": env}
        text = json.dumps(record, indent=2, default=str) + "\n"
        try:
            atomic.write_new(run.config_file, text.encode())
        except FileExistsError:
            raise UserError(
                f"{run.path} already holds a run; resume it, or choose another folder"
            ) from None
        from genlab.training.config_file import to_toml

        atomic.write_text(run.path / "config.toml", to_toml(config))  # a copy to edit and rerun
        return run

    @classmethod
    def open(cls, path: str | Path) -> RunDir:
        run = cls(Path(path))
        if not run.config_file.exists():
            raise UserError(f"no run at {run.path} (no config.json there)")
        return run

    def read_json(self, path: Path) -> Any:
        """A JSON file of the run, checked against the manifest; damage is named."""
        self.check(path)
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError) as err:
            raise DamagedRunError(f"{path} is unreadable ({err}); restore it, or retrain") from None

    def config(self) -> RunConfig:
        try:
            record = self.read_json(self.config_file)
        except DamagedRunError as err:
            raise DamagedRunError(self._edited_config(err)) from None
        try:
            return RunConfig.from_dict(record)
        except UserError as err:
            raise DamagedRunError(
                f"{self.config_file} holds an invalid configuration: {err}"
            ) from None
        except (KeyError, TypeError, AttributeError) as err:
            raise DamagedRunError(
                f"{self.config_file} is not a genlab run configuration ({type(err).__name__}: "
                f"{err}); restore it, or retrain"
            ) from None

    def environment(self) -> dict[str, Any]:
        return self.read_json(self.config_file).get("environment", {})

    def _edited_config(self, err: DamagedRunError) -> str:
        """``err``, with the fields that differ from the checkpoint's configuration when
        ``config.json`` still parses (an edit rather than damage)."""
        from genlab.training.checkpoints import sealed_config

        try:
            current = integrity.json_roundtrip(
                RunConfig.from_dict(json.loads(self.config_file.read_text())).to_dict()
            )
            saved = sealed_config(self.checkpoint_file)
        except Exception:  # noqa: BLE001 - not an edit: the damage as it was found
            return str(err)
        diff = integrity.config_differences(saved, current) if saved else []
        if not diff:
            return str(err)
        return (f"{self.config_file} differs from the configuration the run was trained under: "
                f"{'; '.join(diff)}; restore config.json, or train a new run")  # fmt: skip

    # -- integrity ----------------------------------------------------------------------------
    def manifest(self) -> dict[str, dict[str, Any]] | None:
        """The manifest of a finished run (None before ``DONE``)."""
        return integrity.read_manifest(self.path)

    def check(self, path: Path) -> None:
        """``DamagedRunError`` unless ``path`` holds what the run's manifest says."""
        integrity.check_file(self.path, path.relative_to(self.path).as_posix(), self.manifest())

    def files(self) -> list[str]:
        """Every file of the run (relative, POSIX), but the manifest and temporary files."""
        return sorted(
            p.relative_to(self.path).as_posix() for p in self.path.rglob("*")
            if p.is_file() and p.name not in (integrity.MANIFEST, LOCK)
            and not p.name.endswith(".tmp")
        )  # fmt: skip

    def record(self, *paths: Path) -> None:
        """Add written files to the manifest of a finished run (after ``genlab evaluate``...)."""
        files = self.manifest()
        if files is not None:
            for path in paths:
                files[path.relative_to(self.path).as_posix()] = integrity.describe(
                    self.path, path.relative_to(self.path).as_posix()
                )
            integrity.write_manifest(self.path, files)

    def clean_temporary(self) -> list[Path]:
        """Remove the ``.NAME.XXXX.tmp`` files an interrupted atomic write leaves behind."""
        left = [p for p in self.path.rglob(".*.tmp") if p.is_file()]
        for p in left:
            p.unlink(missing_ok=True)
        return left

    # -- metrics ------------------------------------------------------------------------------
    def append_metrics(self, records: list[dict[str, Any]]) -> None:
        """Append per-epoch records (called at checkpoints, so the log matches the checkpoint)."""
        if records:
            with open(self.metrics_file, "a") as f:
                f.writelines(json.dumps(r) + "\n" for r in records)
                f.flush()
                os.fsync(f.fileno())

    def read_metrics(self) -> list[dict[str, Any]]:
        if not self.metrics_file.exists():
            return []
        self.check(self.metrics_file)
        return _parse_metrics(self.metrics_file)

    def truncate_metrics(self, last_epoch: int) -> None:
        """Drop records after ``last_epoch`` (written after the checkpoint a resume starts from)."""
        old = self.metrics_file.read_text() if self.metrics_file.exists() else ""
        new = integrity.metrics_text(self.read_metrics(), last_epoch)
        if new != old:  # also drops a torn last line, so the next append starts clean
            atomic.write_text(self.metrics_file, new)

    # -- checkpoints and arrays ----------------------------------------------------------------
    def save_checkpoint(self, state: dict[str, Any]) -> None:
        """Seal and write ``state`` as ``last.pt`` (``genlab.training.checkpoints``)."""
        from genlab.training.checkpoints import save_checkpoint

        save_checkpoint(self, state)

    def load_checkpoint(self) -> dict[str, Any] | None:
        """The last checkpoint, checked (``genlab.training.checkpoints``); None before one."""
        from genlab.training.checkpoints import load_checkpoint

        return load_checkpoint(self)

    def has_checkpoint(self) -> bool:
        """Whether there is a checkpoint to read: a finished run always has one (its manifest
        names a missing one when it is read); an unfinished run needs last.pt or previous.pt."""
        files = (self.checkpoint_file, self.previous_checkpoint_file)
        return self.is_done() or any(p.exists() for p in files)

    def checkpoint_epoch(self) -> int:
        """The epoch of the last checkpoint; ``UserError`` when there is none yet."""
        ckpt = self.load_checkpoint()
        if ckpt is None:
            raise UserError(f"run {self.path} has no checkpoint yet: train it first")
        return int(ckpt["epoch"])

    def save_snapshots(self, snapshots: dict[str, np.ndarray]) -> None:
        atomic.save_npz_stored(self.snapshots_file, **snapshots)  # float32 points: deflate
        # saves ~8 % for ~10× the write time

    def load_snapshots(self) -> dict[str, np.ndarray]:
        if not self.snapshots_file.exists():
            return {}
        self.check(self.snapshots_file)
        return _load_npz(self.snapshots_file)

    def save_user_data(self, data: UserData) -> None:
        """The split of a data file's run (``split.npz``), written before training starts."""
        atomic.save_npz(self.split_file, **data.arrays())
        self.__dict__["_user_data"] = data

    def user_data(self) -> UserData | None:
        """The split a data file's run trains on and is evaluated against; None for a run on a
        registered dataset. A data file's run without its split is damaged. Read once per
        ``RunDir`` (training, figures and evaluation of one run share it): a split never
        changes once written."""
        if "_user_data" not in self.__dict__:
            self.__dict__["_user_data"] = self._read_user_data()
        return self.__dict__["_user_data"]

    def _read_user_data(self) -> UserData | None:
        data = self.config().train.data
        if data is None:
            return None
        from genlab.data.user_data import UserData

        if not self.split_file.exists():
            raise DamagedRunError(
                f"{self.split_file} is missing: the run on {data} cannot go on without its "
                "split; train it again"
            )
        self.check(self.split_file)
        z = _load_npz(self.split_file)
        try:
            return UserData(z["train"], z["holdout"], z["mean"], z["std"])
        except KeyError as err:
            raise DamagedRunError(f"{self.split_file} is damaged: it has no {err} array") from None

    def data_dim(self) -> int:
        """The dimension d of the run's points."""
        dim = self.config().train.data_dim
        if dim is None:
            data = self.user_data()
            assert data is not None
            return data.dim
        return dim

    @property
    def frames_file(self) -> Path:
        return self.path / "frames.npz"

    def save_frames(self, epochs: list[int], frames: dict[str, list[np.ndarray]]) -> None:
        """The animation frames so far: ``epochs`` (F,) and each kind stacked (F, E, n, 2)."""
        import numpy as np

        arrays = {k: np.stack(v) for k, v in frames.items()}
        atomic.save_npz_stored(
            self.frames_file, epochs=np.asarray(epochs, dtype=np.int64), **arrays
        )

    def load_frames(self, last_epoch: int) -> tuple[list[int], dict[str, list[np.ndarray]]]:
        """The frames recorded up to ``last_epoch`` (those after it belong to a lost future)."""
        if not self.frames_file.exists():
            return [], {}
        self.check(self.frames_file)
        z = _load_npz(self.frames_file)
        if "epochs" not in z:
            raise DamagedRunError(f"{self.frames_file} is damaged: it has no 'epochs' array")
        keep = [i for i, e in enumerate(z["epochs"]) if e <= last_epoch]
        epochs = [int(z["epochs"][i]) for i in keep]
        return epochs, {k: [z[k][i] for i in keep] for k in z if k != "epochs"}

    def frame_digests(self) -> dict[str, list[str]]:
        """One digest per recorded frame, per kind (``frames.npz`` as it is now)."""
        epochs, frames = self.load_frames(2**62)
        digests = {k: [integrity.digest(f) for f in v] for k, v in frames.items()}
        return {"epochs": [str(e) for e in epochs], **digests}

    def mark_done(self, summary: dict[str, Any]) -> None:
        """Write ``DONE``, then the manifest of every file of the run."""
        mark_done(self.path, summary)
        files = {f: integrity.describe(self.path, f) for f in self.files()}
        integrity.write_manifest(self.path, files)
