"""Run directories: resolved config, metrics log, atomic checkpoints, snapshots, resume.

    RUN/config.json         the fully resolved RunConfig plus the environment it ran in
    RUN/metrics.jsonl       one JSON line per epoch, per-member losses
    RUN/checkpoints/last.pt model, optimizer and RNG states at the last checkpointed epoch
    RUN/snapshots.npz       samples at every snapshot epoch N: samples_N (and prior_N), (E, n, 2);
                            for a GAN also disc_logits_N (E, R, R), gen_points_N, gen_grad_N
    RUN/frames.npz          the training animation: epochs (F,), samples (F, E, n, 2) (and prior)
    RUN/samples.npy         final samples (E, n, 2): generated points, or VAE prior samples
    RUN/figures/            density figures, the snapshot grid, loss curves
    RUN/DONE                written last, when everything above is complete

Every file is written atomically (temporary file, then ``os.replace``).
"""

from __future__ import annotations

import io
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

from genlab import __version__
from genlab.base import atomic
from genlab.base.done import CONFIG, DONE, EVALUATION, METRICS, is_done, mark_done
from genlab.base.errors import UserError
from genlab.training.config import RunConfig


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


@dataclass(frozen=True)
class RunDir:
    """A run's folder and the files in it."""

    path: Path

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
        """A new run folder; refuses a folder that already holds a run."""
        run = cls(Path(path))
        if run.config_file.exists():
            raise UserError(f"{run.path} already holds a run; resume it, or choose another folder")
        atomic.write_json(run.config_file, {**config.to_dict(), "environment": env})
        return run

    @classmethod
    def open(cls, path: str | Path) -> RunDir:
        run = cls(Path(path))
        if not run.config_file.exists():
            raise UserError(f"no run at {run.path} (no config.json there)")
        return run

    def config(self) -> RunConfig:
        return RunConfig.from_dict(json.loads(self.config_file.read_text()))

    def environment(self) -> dict[str, Any]:
        return json.loads(self.config_file.read_text()).get("environment", {})

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
        lines = self.metrics_file.read_text().split("\n")
        records = []
        for i, line in enumerate(lines):
            if not line:
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                if i < len(lines) - 1:  # only the last line can be torn by an interrupted append
                    raise
        return records

    def truncate_metrics(self, last_epoch: int) -> None:
        """Drop records after ``last_epoch`` (written after the checkpoint a resume starts from)."""
        old = self.metrics_file.read_text() if self.metrics_file.exists() else ""
        kept = [r for r in self.read_metrics() if r["epoch"] <= last_epoch]
        new = "".join(json.dumps(r) + "\n" for r in kept)
        if new != old:  # also drops a torn last line, so the next append starts clean
            atomic.write_text(self.metrics_file, new)

    # -- checkpoints and arrays ----------------------------------------------------------------
    def save_checkpoint(self, state: dict[str, Any]) -> None:
        import torch

        buf = io.BytesIO()
        torch.save(state, buf)
        atomic.write_bytes(self.checkpoint_file, buf.getvalue())

    def load_checkpoint(self) -> dict[str, Any] | None:
        if not self.checkpoint_file.exists():
            return None
        import torch

        return torch.load(self.checkpoint_file, map_location="cpu", weights_only=False)

    def checkpoint_epoch(self) -> int:
        """The epoch of the last checkpoint; ``UserError`` when there is none yet."""
        ckpt = self.load_checkpoint()
        if ckpt is None:
            raise UserError(f"run {self.path} has no checkpoint yet: train it first")
        return int(ckpt["epoch"])

    def save_snapshots(self, snapshots: dict[str, np.ndarray]) -> None:
        atomic.save_npz(self.snapshots_file, **snapshots)

    def load_snapshots(self) -> dict[str, np.ndarray]:
        if not self.snapshots_file.exists():
            return {}
        import numpy as np

        with np.load(self.snapshots_file) as z:
            return {k: z[k] for k in z.files}

    @property
    def frames_file(self) -> Path:
        return self.path / "frames.npz"

    def save_frames(self, epochs: list[int], frames: dict[str, list[np.ndarray]]) -> None:
        """The animation frames so far: ``epochs`` (F,) and each kind stacked (F, E, n, 2)."""
        import numpy as np

        arrays = {k: np.stack(v) for k, v in frames.items()}
        atomic.save_npz(self.frames_file, epochs=np.asarray(epochs, dtype=np.int64), **arrays)

    def load_frames(self, last_epoch: int) -> tuple[list[int], dict[str, list[np.ndarray]]]:
        """The frames recorded up to ``last_epoch`` (those after it belong to a lost future)."""
        if not self.frames_file.exists():
            return [], {}
        import numpy as np

        with np.load(self.frames_file) as z:
            keep = [i for i, e in enumerate(z["epochs"]) if e <= last_epoch]
            epochs = [int(z["epochs"][i]) for i in keep]
            return epochs, {k: [z[k][i] for i in keep] for k in z.files if k != "epochs"}

    def mark_done(self, summary: dict[str, Any]) -> None:
        mark_done(self.path, summary)
