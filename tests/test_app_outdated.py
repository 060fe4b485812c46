"""The outdated view: opened from the main screen (O) or the command palette, marks with
space and the two shortcuts, one preview of the combined go get, apply and undo."""

from __future__ import annotations

import pytest
from test_app import SIZE, anyio_backend, make, settle, text_of
from textual.widgets import DataTable, Static

from analysis.outdated import LEVELS
from tui.app import GomodxApp
from tui.screens.outdated import OutdatedScreen, target_of
from tui.screens.plan import PlanScreen

__all__ = ["anyio_backend"]  # the fixture, re-exported for pytest

pytestmark = pytest.mark.anyio


async def _open(pilot: object) -> OutdatedScreen:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await settle(pilot)
    await pilot.press("O")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, OutdatedScreen)
    return screen


async def test_outdated_view_lists_levels_and_marks_shortcuts() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        rows = {o.path: o for o in screen.rows}
        # The demo: router is a direct minor update, money a retracted patch update.
        assert rows["example.com/router"].level == "minor" and rows["example.com/router"].direct
        assert rows["example.com/money"].retracted
        table = screen.query_one("#outdated-table", DataTable)
        assert table.row_count == len(screen.rows)
        # Levels are glyph + word in the table.
        cells = [str(table.get_cell(o.path, "Level")) for o in screen.rows]
        assert all(c.split()[-1] in (*LEVELS, "current") and len(c.split()) == 2 for c in cells)
        # Sorted: most disruptive level first.
        ranks = [LEVELS.index(o.level) if o.level else -1 for o in screen.rows]
        assert ranks == sorted(ranks, reverse=True)

        await pilot.press("p")
        patch = {o.path for o in screen.rows if o.level == "patch" and target_of(o)}
        assert patch and screen.marked == patch
        await pilot.press("a")
        assert not screen.marked
        await pilot.press("m")
        minor_direct = {
            o.path for o in screen.rows if o.level == "minor" and o.direct and target_of(o)
        }
        assert minor_direct and screen.marked == minor_direct
        # space toggles the row under the cursor.
        table.move_cursor(row=table.get_row_index("example.com/json"))
        await pilot.press("space")
        assert "example.com/json" in screen.marked
        await pilot.press("space")
        assert "example.com/json" not in screen.marked
        title = text_of(screen.query_one("#outdated-title", Static))
        assert "go get example.com/router@v1.9.0" in title


async def test_combined_preview_apply_and_undo() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("p", "m")
        args = screen.targets()
        assert len(args) >= 2
        before = (app.session.directory / "go.mod").read_text()
        await pilot.press("enter")
        await settle(pilot)
        plan_screen = app.screen
        assert isinstance(plan_screen, PlanScreen)
        plan = plan_screen.plan
        assert plan is not None and plan.ok
        assert [t.raw for t in plan.targets] == args
        text = text_of(plan_screen.query_one("#plan-text", Static))
        assert f"{len(args)} modules in one go get" in text
        for a in args:
            path, _, version = a.rpartition("@")
            assert path in text and version in text
        assert "+++ b/go.mod" in text
        await pilot.press("y")
        await settle(pilot)
        # Back on the outdated view, asked again: the marked ones are no longer behind.
        assert isinstance(app.screen, OutdatedScreen)
        after = {o.path: o for o in app.screen.rows}
        for a in args:
            path, _, version = a.rpartition("@")
            assert path not in after or after[path].version == version
        assert (app.session.directory / "go.mod").read_text() != before
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert (app.session.directory / "go.mod").read_text() == before


async def test_refused_combination_offers_the_nearest_one() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app, GomodxApp)
        # pricing at v0.7.2 and cart at its current v0.3.1 (which needs pricing
        # v0.8.0-rc.1): go refuses the pair; without the pin on cart it works.
        app.preview_changes(["example.com/pricing@v0.7.2", "example.com/cart@v0.3.1"])
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PlanScreen)
        assert screen.plan is not None and not screen.plan.ok
        assert screen.plan.suggestion == "example.com/pricing@v0.7.2"
        text = text_of(screen.query_one("#plan-text", Static))
        assert "Nearest combination go would accept: example.com/pricing@v0.7.2" in text
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen) and app.screen.plan is not None
        assert app.screen.plan.ok


async def test_outdated_is_in_the_command_palette() -> None:
    from tui.screens.palette import BindingCommands

    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        provider = BindingCommands(app.screen)
        names = [k.description for k in provider._commands()]
        assert "Outdated" in names
