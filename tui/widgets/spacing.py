"""Spaces that survive an SVG screenshot.

Textual's SVG export (the README's screenshots, the snapshot tests) writes each run of
same-styled text as one ``<text>`` placed at its column, and SVG renderers drop a
run's *leading* spaces: ``("v1.2.0", bold), ("   press s", dim)`` shows as
``v1.2.0press s``, an indented line starts at the margin. A run of spaces alone is never
written (its column places the next run), so every space that separates or indents must
either end the run before it or be a run of its own, in a style no text next to it has:

* :data:`GAP` is that style (invisible: it only carries a mark), :func:`gap` and
  :func:`indent` make such runs, :func:`padded` pads a table cell with them;
* :func:`join_runs` joins parts with separators that end the part before them;
* :class:`~tui.widgets.padded_table.PaddedTable` is a DataTable whose cell padding is
  :func:`padded`'s (DataTable's own padding takes the cell's style and merges with its
  text).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.style import Style
from rich.text import Text, TextType

__all__ = ["GAP", "gap", "indent", "join_runs", "padded"]

GAP = Style(meta={"gomodx-gap": True})
"""The style of spacing runs: no visible attribute, but equal to no text's style."""


def gap(n: int = 1) -> Text:
    """``n`` spaces as a run of their own (see the module docstring).

    The style is a span, not the Text's base style: text appended to the result must
    not inherit it.
    """
    out = Text()
    out.append(" " * n, style=GAP)
    return out


def indent(text: Text | str, n: int = 2, style: str = "") -> Text:
    """``text`` after ``n`` spaces of indentation that a screenshot keeps."""
    out = gap(n)
    out.append_text(text if isinstance(text, Text) else Text(text, style=style))
    return out


def padded(text: TextType) -> Text:
    """``text`` with a space either side, as a table cell's padding."""
    out = gap(1)
    out.end = ""  # a cell, not a line
    out.append_text(text if isinstance(text, Text) else Text(text))
    out.append(" ", style=GAP)
    return out


def join_runs(parts: Iterable[Text], sep: str = " ") -> Text:
    """``parts`` joined by ``sep``, each separator ending the run before it (in its
    style) rather than starting a run of its own: a separator run would merge with the
    next part wherever their styles meet (a table's cursor row recolours both), and
    ``● selected β prerelease`` would read ``● selectedβ prerelease``.
    """
    items = list(parts)
    out = Text()
    for i, part in enumerate(items):
        if i < len(items) - 1:
            style = part.style
            if not style and part.spans and part.spans[-1].end >= len(part):
                style = part.spans[-1].style
            part = part.copy()
            part.append(sep, style=style or None)
        out.append_text(part)
    return out
