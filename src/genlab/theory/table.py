"""The theorem-check table (``genlab.theory.identity.TheoryRow``) as Markdown and CSV text."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any

from genlab.theory.identity import TheoryRow

COLUMNS = [f.name for f in fields(TheoryRow)]
HEADERS = {
    "pair": "pair",
    "lam": "λ",
    "method": "method",
    "lhs": "V_λ(D*)",
    "rhs": "D_fλ − c_λ",
    "difference": "lhs − rhs",
    "stderr": "s.e.",
    "lhs_stderr": "s.e. lhs",
    "rhs_stderr": "s.e. rhs",
    "lower_bound": "lower −c_λ",
    "upper_bound": "upper 0",
    "n": "n",
    "seconds": "s",
}


def _cell(name: str, value: Any) -> str:
    if name == "lam":
        return f"{value:g}"
    if name == "difference":
        return f"{value:+.2e}"
    if name in ("stderr", "lhs_stderr", "rhs_stderr"):
        return "—" if math.isnan(value) else f"{value:.1e}"
    if name == "seconds":
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.10f}"
    return str(value)


def to_markdown(rows: Sequence[TheoryRow]) -> str:
    """A GitHub-flavoured Markdown table, one line per row (nan s.e. shown as —)."""
    lines = [
        "| " + " | ".join(HEADERS[c] for c in COLUMNS) + " |",
        "|" + "|".join("---" if c in ("pair", "method") else "---:" for c in COLUMNS) + "|",
    ]
    for row in rows:
        d = asdict(row)
        lines.append("| " + " | ".join(_cell(c, d[c]) for c in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def to_csv(rows: Sequence[TheoryRow]) -> str:
    """CSV with a header of the field names and full-precision values (nan written as nan)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: repr(v) if isinstance(v, float) else v for k, v in asdict(row).items()})
    return buf.getvalue()
