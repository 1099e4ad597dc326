"""Small HTML helpers for the report: escaping, embedded images, tables, boxes, the page.

Everything is a string; :class:`Html` marks a string as already safe (built here, escaped),
and every other value is escaped on its way in. Images are embedded as ``data:`` URIs, the CSS is
inline, and nothing refers to the network: the page opens from disk, offline, as it is.
"""

from __future__ import annotations

import base64
import html
import math
import re
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path

from PIL import Image

from genlab.base.errors import UserError

MIME = {".png": "image/png", ".gif": "image/gif", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
MAX_IMAGE_BYTES = 30 * 2**20
"""Images larger than this are named, not embedded (the page must stay openable)."""


class Html(str):
    """A string of HTML that is safe as it is (never escaped again)."""


def esc(value: object) -> Html:
    """``value`` as safe HTML: :class:`Html` as is, anything else ``str()``-ed and escaped."""
    return value if isinstance(value, Html) else Html(html.escape(str(value), quote=True))


def join(parts: Iterable[object], sep: str = "") -> Html:
    """The parts, each escaped unless :class:`Html`, separated by ``sep`` (markup, as is)."""
    return Html(sep.join(esc(p) for p in parts))


def tag(name: str, body: object = "", cls: str | None = None, **attrs: object) -> Html:
    """``<name class=cls attrs…>body</name>``, attribute values escaped."""
    if cls:
        attrs = {"class": cls, **attrs}
    a = "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items())
    return Html(f"<{name}{a}>{esc(body)}</{name}>")


def fmt(value: object, digits: int = 4) -> str:
    """A number to ``digits`` significant digits (``—`` for NaN or None); other values as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def data_uri(path: Path) -> tuple[str, int, int]:
    """The image at ``path`` as a ``data:`` URI, with its pixel width and height.

    Raises:
        ValueError: an unknown image type, a file too large to embed, or one that PIL cannot
            read (it would show as a broken image).
    """
    mime = MIME.get(path.suffix.lower())
    if mime is None:
        raise UserError(f"{path.name}: not an embeddable image ({', '.join(MIME)})")
    data = path.read_bytes()
    if len(data) > MAX_IMAGE_BYTES:
        raise UserError(f"{path.name} is {len(data) / 2**20:.0f} MiB, too large to embed")
    with Image.open(path) as im:
        im.verify()
        width, height = im.size
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}", width, height


def figure(path: Path, caption: object = "", cls: str = "fig") -> Html:
    """An embedded image with its caption; a visible note instead when it cannot be embedded."""
    try:
        uri, width, height = data_uri(path)
    except (OSError, ValueError, SyntaxError) as err:
        return note(f"figure {path.name} could not be embedded: {err}", "bad")
    img = Html(f'<img src="{uri}" alt="{esc(path.name)}" width="{width}" height="{height}">')
    cap = tag("figcaption", caption) if caption else ""
    return tag("figure", join([img, cap]), cls)


def panels(paths: Sequence[Path], caption: object = "", size: str = "") -> Html:
    """Several figures side by side in a grid (e.g. the homework's "Epoch : N" panels);
    ``size="large"`` makes them three to a row on a laptop screen, else five."""
    items = join(figure(p, cls="panel") for p in paths)
    cap = tag("figcaption", caption) if caption else ""
    return tag("figure", join([tag("div", items, f"panels {size}".strip()), cap]), "fig")


def row(figures: Sequence[object]) -> Html:
    """Figures (from :func:`figure`) next to each other, wrapping on a narrow screen."""
    return tag("div", join(figures), "row") if figures else Html("")


NUMBER = re.compile(r"[+\-−]?(\d[\d,]*\.?\d*|\.\d+)([eE][+\-]?\d+)?( ± \S+)?|—|nan|inf")


def _cell(value: object) -> Html:
    """A table cell; numbers (and "—") are right-aligned, anything else left-aligned."""
    numeric = not isinstance(value, Html) and NUMBER.fullmatch(str(value).strip()) is not None
    return tag("td", value, "num" if numeric else None)


def table(
    headers: Sequence[object],
    rows: Iterable[Sequence[object]],
    cls: str = "",
    row_classes: Sequence[str] | None = None,
) -> Html:
    """A table of escaped cells (pass :class:`Html` for markup), scrolled sideways when wide."""
    head = tag("tr", join(tag("th", h) for h in headers))
    body = []
    for i, row in enumerate(rows):
        rc = row_classes[i] if row_classes else ""
        body.append(tag("tr", join(_cell(c) for c in row), rc or None))
    inner = tag("table", join([tag("thead", head), tag("tbody", join(body))]), cls or None)
    return tag("div", inner, "scroll")


def key_values(items: Iterable[tuple[object, object]]) -> Html:
    """A two-column table of names and values."""
    return table(["", ""], ([tag("b", k), v] for k, v in items), "kv")


def transposed(headers: Sequence[object], rows: Sequence[Sequence[object]]) -> Html:
    """A table of few rows and many columns, turned: each column becomes a row, headed by the
    first column's values (e.g. one column per seed)."""
    head = [headers[0], *(r[0] for r in rows)]
    body = [[h, *(r[i] for r in rows)] for i, h in enumerate(headers) if i > 0]
    return table(head, body)


def details(summary: object, body: object, cls: str | None = None) -> Html:
    """A collapsed block (``<details>``): its summary line, the body on a click."""
    return tag("details", join([tag("summary", summary), body]), cls)


def pre(text: object) -> Html:
    return tag("pre", text)


def note(text: object, kind: str = "info") -> Html:
    """A highlighted paragraph: ``info``, ``warn`` or ``bad``."""
    return tag("p", text, f"note {kind}")


def badge(text: object, kind: str) -> Html:
    """A small coloured label: ``bad``, ``warn``, ``good`` or ``info``."""
    return tag("span", text, f"badge {kind}")


def error_box(title: object, error: object, trace: object = None) -> Html:
    """A failure, shown in full: the error, and its traceback in a collapsed block."""
    parts = [tag("p", join([tag("b", title), ": ", error]))]
    if trace:
        parts.append(details("traceback", pre(trace)))
    return tag("div", join(parts), "error")


def exception_box(title: object, err: BaseException) -> Html:
    """An exception raised while rendering, as :func:`error_box`."""
    trace = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    return error_box(title, f"{type(err).__name__}: {err}", trace)


def markdown_table(text: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the first GitHub-flavoured Markdown table in ``text``."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("|")]
    cells = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
    if not cells:
        raise UserError("no Markdown table found")
    rows = [r for r in cells[1:] if not all(set(c) <= set(":-") and c for c in r)]
    return cells[0], rows


CSS = """
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg2: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; line-height: 1.5; font-size: 16px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; }
h1 { font-size: 1.8rem; margin: 0.2rem 0 0.6rem; }
h2 { font-size: 1.45rem; margin: 2.6rem 0 0.8rem; padding-bottom: 0.3rem;
  border-bottom: 2px solid var(--line); }
h3 { font-size: 1.15rem; margin: 1.8rem 0 0.6rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 0.4rem; color: var(--muted); }
nav.toc { background: var(--bg2); border: 1px solid var(--line); border-radius: 6px;
  padding: 0.4rem 1rem; margin: 1rem 0; }
nav.toc a { margin-right: 1.2rem; white-space: nowrap; }
a { color: #0969da; }
figure.fig { margin: 1rem 0 1.4rem; text-align: center; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); background: #fff; }
figure.narrow img { max-width: 640px; }
figure.square img { max-width: 820px; }
figcaption { color: var(--muted); font-size: 0.9rem; margin-top: 0.35rem; }
.panels { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 6px; }
.panels.large { grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
figure.panel { margin: 0; }
.row { display: flex; flex-wrap: wrap; justify-content: center; gap: 0 2rem; }
.row > figure.fig { flex: 1 1 300px; max-width: 480px; }
.row > figure.fig img { width: 100%; }  /* the 300-px animations too, not only wide PNGs */
figure.panel img { width: 100%; }
.scroll { overflow-x: auto; margin: 0.6rem 0 1rem; }
table { border-collapse: collapse; font-size: 0.88rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 0.25rem 0.55rem; text-align: left;
  vertical-align: top; }
th { background: var(--bg2); }
td.num { text-align: right; white-space: nowrap; }
table.kv td { text-align: left; }
table.kv thead { display: none; }
tr.worse td { background: #fff1f0; }
.badge { display: inline-block; font-size: 0.75rem; font-weight: 600; padding: 0 0.45rem;
  border-radius: 1rem; white-space: nowrap; margin: 0.1rem 0.1rem; }
.badge.bad { background: #ffd8d3; color: #86181d; }
.badge.warn { background: #fff1c2; color: #6c4a00; }
.badge.good { background: #d2f4d3; color: #0f5323; }
.badge.info { background: #ddf4ff; color: #0a3069; }
.note { padding: 0.5rem 0.8rem; border-radius: 6px; border-left: 4px solid; }
.note.info { background: #f0f7ff; border-color: #54aeff; }
.note.warn { background: #fff8e1; border-color: #d4a72c; }
.note.bad { background: #fff1f0; border-color: #cf222e; }
.quick { background: #bc4c00; color: #fff; font-weight: 700; font-size: 1.1rem;
  padding: 0.7rem 1rem; border-radius: 6px; margin: 1rem 0; letter-spacing: 0.02em; }
.error { background: #fff1f0; border: 1px solid #cf222e; border-radius: 6px;
  padding: 0.4rem 0.9rem; margin: 0.8rem 0; }
details { margin: 0.6rem 0; }
summary { cursor: pointer; color: #0969da; }
pre { background: var(--bg2); border: 1px solid var(--line); border-radius: 6px;
  padding: 0.6rem 0.8rem; overflow-x: auto; font-size: 0.8rem; line-height: 1.35; }
.muted { color: var(--muted); }
"""


def page(title: str, body: object) -> str:
    """The complete document: inline CSS, no scripts, no external resources."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'  # no favicon request, not even to disk
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{esc(body)}\n</main>\n</body>\n</html>\n"
    )
