"""The README's screenshots keep their spacing.

SVG renderers drop the leading spaces of a text run, so a run that starts with a space
loses it in the picture: an indented line starts at the margin, ``v1.2.0   press s``
reads ``v1.2.0press s``. Each screenshot of ``scripts/screenshots.py`` is taken here and
every run the app wrote (Textual's own widgets aside: header, footer, buttons, radio
sets, inputs) must start with a visible character (see tui.widgets.spacing).
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from textual.geometry import Region
from textual.widgets import Button, Footer, Header, Input, ProgressBar, RadioSet
from textual.worker import WorkerState

from scripts.screenshots import SHOTS, session_for
from tui.app import GomodxApp, demo_session

pytestmark = pytest.mark.anyio

SIZE = (130, 40)  # the screenshots' size
TEXTUAL_WIDGETS = (Header, Footer, Button, Input, RadioSet, ProgressBar)
RUN = re.compile(
    r'<text class="[^"]*" x="([0-9.]+)" y="[0-9.]+" textLength="[0-9.]+"'
    r' clip-path="url\(#[^)]*-line-(\d+)\)">([^<]*)</text>'
)
CHAR_WIDTH = 12.2  # Rich's SVG export: 0.61 of its 20px font


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def runs(svg: str) -> list[tuple[int, int, str]]:
    """``(line, column, text)`` of every text run in a Textual SVG screenshot."""
    return [
        (int(line), round(float(x) / CHAR_WIDTH), html.unescape(text).replace("\xa0", " "))
        for x, line, text in RUN.findall(svg)
    ]


def lost_spaces(app: GomodxApp) -> list[str]:
    """The runs that start with a space (a renderer would drop it), outside Textual's
    own widgets."""
    svg = app.export_screenshot()
    theirs: list[Region] = []
    for screen in app.screen_stack:
        theirs += [w.region for w in screen.query("*") if isinstance(w, TEXTUAL_WIDGETS)]
    # A dialog on top cuts the lines behind it: what shows right of its edge starts
    # wherever the cut falls, a space included. That is the overlay, not our markup.
    edges = {
        (w.region.right, row)
        for screen in app.screen_stack[1:]
        for w in screen.children
        for row in range(w.region.y, w.region.bottom)
    }
    bad = []
    for line, col, text in runs(svg):
        outside = not any(r.contains(col, line) for r in theirs)
        if text.startswith(" ") and text.strip() and outside and (col, line) not in edges:
            bad.append(f"line {line} col {col}: {text!r}")
    return bad


async def settle(pilot: Any) -> None:
    await pilot.pause()
    while any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def test_the_parser_reads_runs() -> None:
    svg = (
        '<text class="t-r1" x="24.4" y="44.4" textLength="61" clip-path="url(#t-line-3)">'
        "&#160;&#160;abc</text>"
    )
    assert runs(svg) == [(3, 2, "  abc")]


async def network_log(pilot: Any) -> None:
    await pilot.press("n")


async def broken_gomod(pilot: Any) -> None:
    gomod = pilot.app.session.directory / "go.mod"
    lines = gomod.read_text().splitlines()
    gomod.write_text("\n".join([*lines[:7], "foo bar", *lines[7:]]) + "\n")
    await pilot.press("r")


MORE = {"network-log": network_log, "load-error": broken_gomod}


@pytest.mark.parametrize("name", [*SHOTS, *MORE])
async def test_screenshots_keep_their_spacing(name: str) -> None:
    step = SHOTS[name][0] if name in SHOTS else MORE[name]
    session = session_for(name) if name in SHOTS else demo_session()
    app = GomodxApp(session, prefetch=True, animations=False, theme="textual-dark")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await step(pilot)
        await settle(pilot)
        assert lost_spaces(app) == []
