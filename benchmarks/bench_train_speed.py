"""Training speed: genlab's VAE and λ-GAN against the homework's own loop, in one process.

The baseline is written the homework's way (hw12 "Step 2"–"Step 4"): a ``DataLoader`` over a
per-item ``Dataset`` of float64 rows, ``nn.Sequential`` models, sigmoid then ``torch.log``,
default ``torch.optim.Adam``. genlab runs its own epoch loop (member axis, pre-drawn noise,
fused Adam), in eager mode and with ``--compile``, for 1 and 16 members.

    python benchmarks/bench_train_speed.py [--epochs 6] [--rounds 3] [--threads 1] [--members 1,16]

Prints ms per step and per member-step, and the speed-up over the baseline (per member-step).
The variants, baseline included, take turns: ``--rounds`` rounds, each timing ``--epochs``
epochs of every variant, and each variant's fastest round kept, so that a burst of other work
on the machine does not decide a ratio.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from genlab.base.rng import member_generators
from genlab.data import make_swiss_roll
from genlab.training import build_model, make_trainer, training_data
from genlab.training.config import RunConfig, TrainConfig

ROUNDS = 3


class RowDataset(Dataset):
    def __init__(self, data: np.ndarray) -> None:
        self.data = torch.from_numpy(data)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, i: int) -> torch.Tensor:
        return self.data[i]


def homework_vae_epoch(loader, enc, dec, opt, latent=16, reg=75.0) -> None:
    for x in loader:
        x = x.float()
        z = enc(x)
        mu, log_std = z[:, :latent], z[:, latent:]
        x_hat = dec(torch.randn_like(mu) * log_std.exp() + mu)
        recon = nn.MSELoss()(x_hat, x)
        kl = (-log_std - 0.5 + (torch.exp(2 * log_std) + mu**2) * 0.5).sum(1).mean()
        loss = recon * reg + kl
        loss.backward()
        opt.step()
        opt.zero_grad()


def homework_gan_epoch(loader, G, D, g_opt, d_opt, batch=64, z_dim=100, lam=500.0) -> None:
    for x in loader:
        D.zero_grad()
        x = x.float()
        d_real = torch.mean(torch.log(D(x)))
        d_fake = torch.mean(torch.log(1 - D(G(torch.randn(batch, z_dim)))))
        (-(d_real + lam * d_fake)).backward()
        d_opt.step()
        G.zero_grad()
        g_loss = -torch.mean(torch.log(D(G(torch.randn(batch, z_dim)))))
        g_loss.backward()
        g_opt.step()


def fastest_per_step(epoch, epochs: int, steps: int) -> float:
    """Seconds per step of ``epoch()`` (``steps`` steps each): the fastest of ``ROUNDS``
    rounds of ``epochs`` epochs."""
    best = float("inf")
    for _ in range(ROUNDS):
        tic = time.perf_counter()
        for _ in range(epochs):
            epoch()
        best = min(best, (time.perf_counter() - tic) / (epochs * steps))
    return best


def homework_epoch(model: str):
    """The homework's setup for ``model`` (data, loader, networks, Adam): (one epoch, steps)."""
    torch.manual_seed(0)
    data = make_swiss_roll(2000, generator=0).numpy()
    loader = DataLoader(RowDataset(data), batch_size=64, shuffle=True)
    if model == "vae":
        enc = nn.Sequential(
            nn.Linear(2, 128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.Tanh(), nn.Linear(128, 32)
        )
        dec = nn.Sequential(
            nn.Linear(16, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2)
        )
        opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=5e-4)

        def epoch() -> None:
            homework_vae_epoch(loader, enc, dec, opt)
    else:
        G = nn.Sequential(nn.Linear(100, 32), nn.Tanh(), nn.Linear(32, 2))
        D = nn.Sequential(
            nn.Linear(2, 128), nn.Tanh(), nn.Linear(128, 128), nn.Tanh(), nn.Linear(128, 1),
            nn.Sigmoid(),
        )  # fmt: skip
        g_opt = torch.optim.Adam(G.parameters(), lr=5e-4)
        d_opt = torch.optim.Adam(D.parameters(), lr=5e-4)

        def epoch() -> None:
            homework_gan_epoch(loader, G, D, g_opt, d_opt)

    return epoch, len(loader)


def epoch_runner(model: str, compile: bool, members: int = 1):
    """genlab's epoch loop for the homework's ``model`` with ``members`` members:
    (one epoch, steps per epoch, the trainer)."""
    cfg = RunConfig(model, TrainConfig(seeds=tuple(range(members)), compile=compile))
    device = torch.device("cpu")
    x = training_data(cfg, device)
    trainer = make_trainer(build_model(cfg, device), cfg)
    gens = member_generators(cfg.train.seeds, "train", device)
    steps = -(-x.shape[1] // cfg.train.batch_size)
    return (lambda: trainer.epoch(x, gens, cfg.train.batch_size)), steps, trainer


def genlab_epoch(model: str, members: int, compile: bool):
    """``epoch_runner``'s (one epoch, steps per epoch), warmed up (a compiled step built or
    loaded)."""
    epoch, steps, _ = epoch_runner(model, compile, members)
    for _ in range(2 if compile else 1):
        epoch()
    return epoch, steps


def interleaved(epochs: dict[str, tuple], per_round: int, rounds: int) -> dict[str, float]:
    """Seconds per step of each ``(epoch, steps)``, the fastest of ``rounds`` rounds of
    ``per_round`` epochs, the variants taking turns within each round: a slow minute on a
    shared machine then slows every variant of that round, not one of them."""
    best = dict.fromkeys(epochs, float("inf"))
    for _ in range(rounds):
        for name, (epoch, steps) in epochs.items():
            tic = time.perf_counter()
            for _ in range(per_round):
                epoch()
            best[name] = min(best[name], (time.perf_counter() - tic) / (per_round * steps))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--members", default="1,16")
    ap.add_argument("--models", default="vae,gan")
    ap.add_argument("--no-compile", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s), {args.rounds} rounds of "
          f"{args.epochs} epochs per variant, taking turns\n")  # fmt: skip
    print(f"{'model':5} {'variant':22} {'ms/step':>8} {'µs/member-step':>15} {'speed-up':>9}")
    members = [int(m) for m in args.members.split(",")]
    for model in args.models.split(","):
        baseline = homework_epoch(model)
        baseline[0]()  # warm-up
        epochs, sizes = {"homework loop": baseline}, {"homework loop": 1}
        for compile in (False, True) if not args.no_compile else (False,):
            for m in members:
                name = f"genlab E={m}" + (" compiled" if compile else " eager")
                epochs[name], sizes[name] = genlab_epoch(model, m, compile), m
        times = interleaved(epochs, args.epochs, args.rounds)
        base = times["homework loop"]
        for name, t in times.items():
            m = sizes[name]
            print(f"{model:5} {name:22} {t * 1e3:8.3f} {t / m * 1e6:15.1f} {base * m / t:9.2f}")


if __name__ == "__main__":
    main()
