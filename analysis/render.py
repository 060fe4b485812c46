"""Images of the module graph through Graphviz: DOT text in, SVG or PNG bytes out.

:func:`render_image` runs Graphviz's ``dot`` on DOT text such as
:func:`analysis.export.to_dot` writes. Graphviz is optional: when ``dot`` is not installed
:class:`~analysis.errors.GraphvizMissing` says how to get it, and when it fails
:class:`~analysis.errors.GraphvizError` carries what it printed::

    >>> svg = render_image(to_dot(neighbourhood(g, "golang.org/x/text")), "svg")  # doctest: +SKIP
    >>> svg[:5]                                                                  # doctest: +SKIP
    b'<?xml'
"""

from __future__ import annotations

import shutil
import signal
import subprocess

from analysis.errors import GraphvizError, GraphvizMissing

__all__ = ["IMAGE_FORMATS", "MISSING_MESSAGE", "find_dot", "render_image"]

IMAGE_FORMATS = ("svg", "png")
"""The formats :func:`render_image` makes (``dot -Tsvg``, ``dot -Tpng``)."""

MISSING_MESSAGE = (
    "graphviz is not installed: install it (apt install graphviz / brew install graphviz)"
    " or use --format dot"
)


def find_dot() -> str | None:
    """The path of Graphviz's ``dot`` on ``PATH``, or ``None`` when it is not installed."""
    return shutil.which("dot")


def render_image(dot_text: str, fmt: str) -> bytes:
    """``dot_text`` rendered by Graphviz as ``fmt`` (``svg`` or ``png``).

    Raises :class:`~analysis.errors.GraphvizMissing` when ``dot`` is not on ``PATH`` and
    :class:`~analysis.errors.GraphvizError` (with ``dot``'s stderr) when it fails.
    """
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {fmt!r} (want one of {', '.join(IMAGE_FORMATS)})")
    exe = find_dot()
    if exe is None:
        raise GraphvizMissing(MISSING_MESSAGE)
    try:
        proc = subprocess.run(
            [exe, f"-T{fmt}"], input=dot_text.encode(), capture_output=True, check=False
        )
    except FileNotFoundError:
        raise GraphvizMissing(MISSING_MESSAGE) from None
    except OSError as exc:
        raise GraphvizError(f"cannot run {exe}: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        stderr = proc.stderr.decode(errors="replace").strip()
        raise GraphvizError(f"dot -T{fmt} failed: {stderr or _status(proc.returncode)}", stderr)
    return proc.stdout


def _status(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"
