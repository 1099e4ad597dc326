"""The report's sections for Problems 1 and 2: minimax runs and the λ-GAN theorem's checks.

Problem 1 shows the homework's three-panel figure (L, ‖∇θL‖, ‖∇φL‖) first, then the final
values, the primal gap and the other update rules on the same instance; Problem 2 the identity
table (both sides of the theorem, by quadrature and Monte Carlo) and a discriminator trained
against the optimal one D*.
"""

from __future__ import annotations

from pathlib import Path

from genlab.base.done import CONFIG
from genlab.report.html import (
    Html,
    badge,
    details,
    fmt,
    join,
    key_values,
    markdown_table,
    note,
    table,
    tag,
)
from genlab.report.metrics import read_json
from genlab.report.sections import (
    config_details,
    h4,
    maybe_figure,
    md_table,
    parts,
    required_figure,
)


# -- Problem 1: minimax
def minimax_run(run: Path) -> Html:
    """A minimax run directory: the homework's three panels, final values, the primal gap."""
    cfg = read_json(run / CONFIG) if (run / CONFIG).exists() else {}
    labels = {"rule": "rule {}", "alpha": "α = {}", "beta": "β = {}", "lam": "λ = {}",
              "epochs": "{} epochs", "n": "N = {}", "seed": "seed {}"}  # fmt: skip
    what = ", ".join(f.format(cfg[k]) for k, f in labels.items() if k in cfg)

    def summary() -> Html:
        s = read_json(run / "summary.json")
        out = [h4("Final values"), key_values((k, fmt(v, 6)) for k, v in s.items())]
        if "final_gap" in s:
            out.append(
                tag(
                    "p",
                    f"Φ(θ) − L(θ, φ) is 0 at a saddle point; this run ends at "
                    f"{fmt(s['final_gap'], 3)}.",
                )
            )
        return join(out)

    return parts(
        lambda: required_figure(
            run / "figures" / "homework.png",
            f"The homework's figure: L, ‖∇θL‖ and ‖∇φL‖ at every iteration ({what})."
            if what
            else "The homework's figure: L, ‖∇θL‖ and ‖∇φL‖ at every iteration.",
            "fig square",
        ),
        lambda: h4("genlab's additions"),
        summary,
        lambda: maybe_figure(
            run / "figures" / "primal_gap.png",
            "Primal value Φ(θₜ) = max_φ L(θₜ, φ) and duality gap Φ(θₜ) − L(θₜ, φₜ) along the run.",
            "fig narrow",
        ),
        lambda: config_details(run / CONFIG),
    )


def minimax_comparison(folder: Path) -> Html:
    """The same instance under every update rule: table and figure."""

    def rows() -> Html:
        data = read_json(folder / "comparison.json")
        keys = list(data[0]) if data else []
        return table(keys, ([fmt(r.get(k), 5) for k in keys] for r in data))

    return parts(
        lambda: tag(
            "p",
            "The homework's instance under each update rule (same data, "
            "initialisation and sample indices).",
        ),
        rows,
        lambda: maybe_figure(folder / "figures" / "comparison.png", "Update rules compared."),
    )


def problem1(folder: Path) -> Html:
    return parts(
        lambda: minimax_run(folder / "homework"),
        lambda: (
            h4("Other update rules on the same problem") if (folder / "compare").exists() else ""
        ),
        lambda: minimax_comparison(folder / "compare") if (folder / "compare").exists() else "",
    )


# -- Problem 2: the λ-GAN theorem
def agrees(row: dict[str, str]) -> bool:
    """Both sides agree: within 3 s.e. (Monte Carlo) or to 1e-6 relative (quadrature)."""
    diff, se = float(row["lhs − rhs"]), row.get("s.e.", "—")
    if se in ("—", "", "nan"):
        return abs(diff) <= 1e-6 * max(1.0, abs(float(row["V_λ(D*)"])))
    return abs(diff) <= 3 * float(se)


def theory_check(folder: Path) -> Html:
    """The identity table: both sides of the theorem, by quadrature and by Monte Carlo, one row
    per (pair, λ); the full table (bounds, per-side s.e., timings) collapsed below it."""
    headers, rows = markdown_table((folder / "table.md").read_text())
    records = [dict(zip(headers, r, strict=False)) for r in rows]
    cases: dict[tuple[str, str], dict[str, dict[str, str]]] = {}
    for r in records:
        cases.setdefault((r["pair"], r["λ"]), {})[r["method"]] = r
    out, bad = [], 0
    for (pair, lam), by in cases.items():
        q, mc = by.get("quadrature", {}), by.get("monte_carlo", {})
        failed = [m for m, r in by.items() if not agrees(r)]
        bad += len(failed)
        verdict = (badge("disagree: " + ", ".join(failed), "bad") if failed
                   else badge("agree", "good"))  # fmt: skip
        mc_diff = f"{mc['lhs − rhs']} ± {mc['s.e.']}" if mc else "—"
        out.append([pair, lam, q.get("V_λ(D*)", "—"), q.get("D_fλ − c_λ", "—"),
                    q.get("lhs − rhs", "—"), mc.get("V_λ(D*)", "—"), mc_diff,
                    mc.get("n", "—"), verdict])  # fmt: skip
    head = ["pair", "λ", "V_λ(D*), quadrature", "D_fλ − c_λ, quadrature", "lhs − rhs",
            "V_λ(D*), Monte Carlo", "lhs − rhs ± s.e.", "MC samples", "verdict"]  # fmt: skip
    text = (
        "The theorem: max_φ L(θ, φ) = V_λ(D*) equals D_fλ(p_true ‖ p_θ) − c_λ with "
        "c_λ = (1 + λ) log(1 + λ) − λ log λ. Both sides are computed independently, by "
        "quadrature (agreement to 1e-6 relative) and by Monte Carlo (within 3 s.e.)."
    )
    summary = (note(f"{bad} of {len(records)} computations do not agree.", "bad") if bad
               else note(f"All {len(records)} computations agree.", "info"))  # fmt: skip
    full = details("full table (bounds, per-side s.e., timing)", md_table(folder / "table.md"))
    return join([tag("p", text), table(head, out), summary, full,
                 config_details(folder / CONFIG)])  # fmt: skip


def theory_discriminator(folder: Path) -> Html:
    """A discriminator trained alone against the optimal one D*."""
    return parts(
        lambda: required_figure(
            folder / "figures" / "discriminator.png",
            "The discriminator against D*: learned and optimal logits, their "
            "difference, and the learned D.",
        ),
        lambda: md_table(folder / "members.md"),
        lambda: tag(
            "p",
            "excess = exact maximum − value reached (≥ 0; 0 would be D*), by "
            "quadrature and Monte Carlo; d_mae = mean |D − D*|.",
        ),
        lambda: maybe_figure(
            folder / "figures" / "losses.png", "Discriminator loss.", "fig narrow"
        ),
        lambda: config_details(folder / CONFIG),
    )


def problem2(folder: Path) -> Html:
    return parts(
        lambda: h4("The identity, checked") if (folder / "check").exists() else "",
        lambda: (
            theory_check(folder / "check")
            if (folder / "check").exists()
            else note("No identity table (check/ is missing).", "bad")
        ),
        lambda: h4("A trained discriminator against D* (p = swiss roll, λ = 500)"),
        lambda: (
            theory_discriminator(folder / "discriminator")
            if (folder / "discriminator").exists()
            else note("discriminator/ is missing.", "bad")
        ),
    )
