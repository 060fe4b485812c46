"""Making text fit a width without cutting a word: the responsive tables' helpers.

Plain functions on strings (no Textual), so the tables' choices can be tested as data::

    >>> elide_path("github.com/aws/aws-sdk-go-v2/service/s3", 24)
    'github.com/…/service/s3'
    >>> abbreviate_version("v0.0.0-20240301120000-3b1f2a4c5d6e", 12)
    'v0.0.0-…'
    >>> fit_words("Rounding error in currency conversion.", 20)
    'Rounding error in…'
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len

__all__ = ["ELLIPSIS", "abbreviate_version", "elide_path", "fit_list", "fit_words", "hard_cut"]

ELLIPSIS = "…"


def hard_cut(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis: the last resort."""
    if cell_len(text) <= width:
        return text
    if width <= 0:
        return ""
    out = ""
    for ch in text:
        if cell_len(out + ch) > width - 1:
            break
        out += ch
    return out + ELLIPSIS


def elide_path(path: str, width: int) -> str:
    """A module path in ``width`` cells, leaving out whole middle elements.

    The first element (the host) and as many trailing elements as fit are kept, because
    the tail tells modules apart: ``github.com/…/service/s3``. Only when not even
    ``host/…/last`` fits is the text cut.
    """
    if cell_len(path) <= width:
        return path
    parts = path.split("/")
    if len(parts) > 2:
        head = parts[0]
        for keep in range(len(parts) - 2, 0, -1):
            candidate = "/".join([head, ELLIPSIS, *parts[-keep:]])
            if cell_len(candidate) <= width:
                return candidate
        tail = f"{ELLIPSIS}/{parts[-1]}"
        if cell_len(tail) <= width:
            return tail
    return hard_cut(path, width)


def abbreviate_version(version: str, width: int) -> str:
    """A version in ``width`` cells, cut after a ``-`` or ``+`` (never inside a part).

    ``v0.0.0-20240301120000-3b1f2a4c5d6e`` → ``v0.0.0-…`` (its row says ``pseudo``);
    ``v3.2.2+incompatible`` → ``v3.2.2+…``.
    """
    if cell_len(version) <= width:
        return version
    best = ""
    for i, ch in enumerate(version):
        if ch in "-+" and cell_len(version[: i + 1]) + 1 <= width:
            best = version[: i + 1] + ELLIPSIS
    return best or hard_cut(version, width)


def fit_words(text: str, width: int) -> str:
    """``text`` in ``width`` cells, cut between words (with an ellipsis) when too long."""
    if cell_len(text) <= width:
        return text
    words = text.split(" ")
    out = ""
    for word in words:
        candidate = f"{out} {word}" if out else word
        if cell_len(candidate) + 1 > width:
            break
        out = candidate
    out = out.rstrip(",;:")
    return out + ELLIPSIS if out else hard_cut(text, width)


def fit_list(items: Sequence[str], width: int, sep: str = ", ") -> str:
    """As many whole ``items`` as fit in ``width`` cells, then ``+N`` for the rest.

    >>> fit_list(["example.com/a", "example.com/b", "example.com/c"], 20)
    'example.com/a +2'
    """
    for n in range(len(items), 0, -1):
        text = sep.join(items[:n])
        if n < len(items):
            text += f" +{len(items) - n}"
        if cell_len(text) <= width:
            return text
    more = f"+{len(items)}" if items else ""
    return more if cell_len(more) <= width else ""
