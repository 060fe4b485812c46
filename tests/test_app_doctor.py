"""The doctor screen: opened with ``d`` or the command palette from the main screen, offered
when the proxy fails and on the load-error screen; it shows what
:meth:`Session.doctor` finds, one block per check."""

from __future__ import annotations

from pathlib import Path

import pytest
from proxyserver import dead_url
from test_app import SIZE, break_gomod, make, settle, status_text, text_of
from test_network_failures import open_session, universe
from textual.widgets import Static

from tui.app import demo_session
from tui.screens.doctor import DoctorScreen
from tui.screens.help import collect_keys
from tui.screens.load_error import LoadErrorScreen

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def blocks(screen: DoctorScreen) -> list[str]:
    return [text_of(w) for w in screen.query(".doctor-check").results(Static)]


async def test_d_opens_the_doctor_with_every_check() -> None:
    expected = demo_session()
    try:
        report = await expected.doctor()
    finally:
        await expected.close()
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        descriptions = {k.description for k in collect_keys(app.screen)}
        assert "Doctor" in descriptions  # in help and in the command palette
        await pilot.press("d")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DoctorScreen)
        assert screen.report is not None
        shown = blocks(screen)
        assert len(shown) == len(report.checks) == 8
        for block, check in zip(shown, report.checks, strict=True):
            glyph = {"ok": "✓", "warn": "!", "fail": "✗"}[check.status]
            assert block.startswith(f"{glyph} {check.status}")
            assert f"{check.id} {check.summary}" in block
            if check.fix:
                assert f"fix: {check.fix}" in block
        note = text_of(screen.query_one("#doctor-note", Static))
        warned = sum(1 for c in report.checks if c.status == "warn")
        assert f"{warned} warnings" in note
        assert screen.progress  # progress was shown while it ran
        await pilot.press("r")
        await settle(pilot)
        assert screen.report is not None and len(blocks(screen)) == 8
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, DoctorScreen)


async def test_a_dead_proxy_offers_the_doctor(tmp_path: Path) -> None:
    layout = universe(tmp_path)
    session = open_session(layout, dead_url())
    app = make(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "or d to diagnose why" in app.graph.error
        assert "or d to diagnose why" in status_text(app)
        await pilot.press("d")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DoctorScreen) and screen.report is not None
        goproxy = screen.report.by_id("goproxy")
        assert [c.status for c in goproxy] == ["fail"]
        assert "connection refused" in goproxy[0].summary
        assert any("connection refused" in b for b in blocks(screen))


async def test_the_load_error_screen_offers_the_doctor() -> None:
    session = demo_session()
    break_gomod(session, "syntax")
    app = make(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoadErrorScreen)
        assert "d to run the doctor" in text_of(app.screen.query_one("#load-error-note", Static))
        await pilot.press("d")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DoctorScreen) and screen.report is not None
        assert len(screen.report.checks) == 8
