"""analysis.render: DOT through the real Graphviz ``dot``, and the errors when it is missing
or fails."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from analysis.errors import GomodxError, GraphvizError, GraphvizMissing
from analysis.export import to_dot
from analysis.modgraph import parse_graph
from analysis.render import IMAGE_FORMATS, MISSING_MESSAGE, find_dot, render_image

SVG = "{http://www.w3.org/2000/svg}"
GRAPH = parse_graph("m a@v1.0.0\nm b@v1.0.0\na@v1.0.0 b@v1.1.0\n")


def need_dot() -> None:
    if find_dot() is None:
        pytest.skip("Graphviz dot is not installed")


def without_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH on which there is no ``dot`` (an empty directory)."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_svg_is_what_dot_draws() -> None:
    need_dot()
    svg = ET.fromstring(render_image(to_dot(GRAPH), "svg"))
    titles = {t.text for t in svg.iter(f"{SVG}title")}
    assert {"m", "a@v1.0.0", "b@v1.0.0", "b@v1.1.0", "m->a@v1.0.0"} <= titles


def test_png_is_a_png() -> None:
    need_dot()
    assert render_image(to_dot(GRAPH), "png").startswith(b"\x89PNG\r\n\x1a\n")


def test_dot_failing_says_what_dot_said() -> None:
    need_dot()
    with pytest.raises(GraphvizError) as caught:
        render_image("digraph {\n  a -> \n", "svg")
    assert not isinstance(caught.value, GraphvizMissing)
    assert str(caught.value).startswith("dot -Tsvg failed: ")
    assert "syntax error" in caught.value.stderr
    assert caught.value.stderr in str(caught.value)


def test_missing_dot_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    without_dot(monkeypatch, tmp_path)
    assert find_dot() is None
    for fmt in IMAGE_FORMATS:
        with pytest.raises(GraphvizMissing) as caught:
            render_image(to_dot(GRAPH), fmt)
        assert str(caught.value) == MISSING_MESSAGE
        assert isinstance(caught.value, GomodxError)
    assert MISSING_MESSAGE == (
        "graphviz is not installed: install it (apt install graphviz / brew install graphviz)"
        " or use --format dot"
    )


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="svg, png"):
        render_image("digraph {}", "jpeg")


def test_find_dot_follows_path() -> None:
    assert find_dot() == shutil.which("dot")
