"""The report's header: what was run, with which settings, when, where, with what, how long.

From the reproduction's manifest (``reproduce.json``) when there is one; otherwise (older
folders, or runs given one by one) from what the runs recorded themselves: each training run's
``config.json`` environment, each minimax run's versions, the ``DONE`` markers' times.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from genlab.base.done import CONFIG, DONE
from genlab.report.html import Html, badge, details, join, key_values, pre, tag

STATUS_BADGE = {"done": "good", "skipped": "good", "failed": "bad", "incomplete": "bad",
                "damaged": "bad", "not run": "warn", "not found": "bad"}  # fmt: skip
MACHINE_KEYS = ("device", "gpu", "platform", "machine", "cpu_count", "torch_threads", "threads")
VERSION_KEYS = ("python", "genlab", "torch", "numpy", "scipy", "numba", "matplotlib", "cuda")
QUICK_BANNER = "QUICK RUN — shortened schedules, not the homework's numbers"


def try_json(path: Path) -> Any:
    """The JSON in ``path``, or None when it is missing or unreadable (a report never fails on
    a bad file; the section that needs it says so)."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def stage_settings(root: Path, names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """stage → the settings it was made with: its SETTINGS.json, else (older folders) its
    training config (``quick`` when not the homework's 2000 epochs)."""
    found = {}
    for name in names:
        made = try_json(root / name / "SETTINGS.json")
        if not isinstance(made, dict):
            cfg = try_json(root / name / CONFIG)
            t = cfg.get("train") if isinstance(cfg, dict) else None
            made = {"seeds": t.get("seeds"), "quick": t.get("epochs") != 2000} if t else None
        if isinstance(made, dict):
            found[name] = made
    return found


def reproduction_settings(
    root: Path, names: Sequence[str], manifest: dict[str, Any] | None
) -> dict[str, Any]:
    """The manifest's settings, else those the stages record; ``quick`` is true when the manifest
    or any stage says so (a quick stage is never passed off as a full one)."""
    stages = stage_settings(root, names)
    if manifest and isinstance(manifest.get("settings"), dict):
        settings = dict(manifest["settings"])
    elif stages:
        first = next(iter(stages.values()))
        settings = {"seeds": first.get("seeds"), "quick": False,
                    "recorded by": ", ".join(stages)}  # fmt: skip
    else:
        return {}
    quick = [n for n, m in stages.items() if m.get("quick")]
    if quick and not settings.get("quick"):
        settings["quick"] = f"True for {', '.join(quick)}"
    return settings


def environments(folders: Sequence[Path]) -> list[dict[str, Any]]:
    """The environment recorded by each run in or below ``folders`` (two levels)."""
    found = []
    for folder in folders:
        for pattern in (CONFIG, f"*/{CONFIG}", f"*/*/{CONFIG}"):
            for cfg in map(try_json, sorted(folder.glob(pattern))):
                if isinstance(cfg, dict) and isinstance(cfg.get("environment"), dict):
                    found.append(cfg["environment"])
                elif isinstance(cfg, dict) and isinstance(cfg.get("versions"), dict):
                    found.append({**cfg["versions"], "machine": cfg.get("machine")})
    return found


def merge(envs: Sequence[dict[str, Any]]) -> dict[str, str]:
    """key → value, or the distinct values joined by " / " where runs differ (nested dicts, such
    as a ``versions`` block, are flattened into their keys)."""
    merged: dict[str, list[str]] = {}
    for env in envs:
        flat: dict[str, Any] = {}
        for k, v in env.items():
            flat |= v if isinstance(v, dict) else {k: v}
        for k, v in flat.items():
            if v is not None and str(v) not in merged.setdefault(k, []):
                merged[k].append(str(v))
    return {k: " / ".join(v) for k, v in merged.items() if v}


def duration(seconds: float | None) -> str:
    if not isinstance(seconds, (int, float)):
        return "unknown"
    m, s = divmod(float(seconds), 60)
    return f"{seconds:.1f} s" if m == 0 else f"{int(m)} min {s:.0f} s"


def _timing(folders: Sequence[Path], manifest: dict[str, Any] | None, env: dict[str, str]):
    """(rows for started / finished, total time), from the manifest or else inferred."""
    if manifest and manifest.get("started"):
        rows = [("Started", manifest["started"]), ("Finished", manifest.get("finished", "—"))]
        return rows, duration(manifest.get("seconds"))
    rows = []
    if env.get("created"):
        rows.append(("Started", f"{env['created'].split(' / ')[0]} (first run's config)"))
    dones = [d / DONE for f in folders for d in (f, *sorted(f.glob("*"))) if (d / DONE).exists()]
    if dones:
        last = datetime.fromtimestamp(max(d.stat().st_mtime for d in dones), timezone.utc)
        rows.append(("Finished", f"{last.astimezone().isoformat(timespec='seconds')} "
                                 "(last DONE marker written)"))  # fmt: skip
    secs = [s for d in dones if isinstance(s := (try_json(d) or {}).get("seconds"), (int, float))]
    return rows, f"{duration(sum(secs))} (sum of the stage times)" if secs else "unknown"


def header(
    title: str, folders: Sequence[Path], states: Sequence[Any], *,
    manifest: dict[str, Any] | None = None, settings: dict[str, Any] | None = None,
    label: str = "Stages",
) -> Html:  # fmt: skip
    """The title, the quick banner (iff ``settings["quick"]``), and a table: stages (or runs)
    with their status and time, settings, started / finished, total time, machine, versions;
    the full environment collapsed below it."""
    envs = [manifest["environment"]] if manifest and manifest.get("environment") else []
    env = merge(envs or environments([f for f in folders if f.is_dir()]))
    chips = [join([badge(s.status, STATUS_BADGE.get(s.status, "info")), " ", s.title,
                   f" ({duration(s.seconds)})" if s.seconds is not None else ""])
             for s in states]  # fmt: skip
    rows: list[tuple[object, object]] = [(label, join(chips, "<br>"))]
    if settings:
        rows.append(("Settings", ", ".join(f"{k} = {v}" for k, v in settings.items())))
    timing, total = _timing(folders, manifest, env)
    rows += [*timing, ("Total time", total)]
    machine = [f"{k} = {env[k]}" for k in MACHINE_KEYS if k in env]
    rows.append(("Machine", ", ".join(machine) or "not recorded"))
    versions = [f"{k} {env[k]}" for k in VERSION_KEYS if k in env]
    rows.append(("Versions", ", ".join(versions) or "not recorded"))
    out = [tag("h1", title)]
    if settings and settings.get("quick"):
        out.append(tag("div", QUICK_BANNER, "quick"))
    out += [key_values(rows), details("full environment", pre(json.dumps(env, indent=2)))]
    return join(out)
