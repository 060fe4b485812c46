"""SVG snapshots of the app's key states (pytest-textual-snapshot; Textual is pinned).

Each snapshot is the demo with animations off and a fixed theme, taken after every
worker has finished, so the pictures depend on nothing but the code. After a deliberate
UI change, review and accept the new pictures with::

    python -m pytest tests/test_app_snapshots.py --snapshot-update
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerState

from tui.app import GomodxApp, demo_session
from tui.widgets.details import VersionTable

SIZE = (120, 40)

Compare = Callable[..., bool]


def demo_app() -> GomodxApp:
    # Prefetch on: the badges that need version lists (retracted, deprecated) are shown.
    return GomodxApp(demo_session(), prefetch=True, animations=False, theme="textual-dark")


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until no worker is pending or running and every message has been handled
    (a handled message may start another worker, so repeat until none does)."""
    await pilot.pause()
    while any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def steps(*actions: Callable[[Pilot[Any]], Awaitable[None]]) -> Callable[[Pilot[Any]], Any]:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for action in actions:
            await action(pilot)
            await settle(pilot)

    return run


def goto(path: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def go(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, GomodxApp)
        app.go_to_module(path)

    return go


def press(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        await pilot.press(*keys)

    return run


def pick_version(version: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        table = pilot.app.screen.query_one(VersionTable)
        table.move_cursor(row=table.get_row_index(version))

    return run


def test_main_list(snap_compare: Compare) -> None:
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=steps(goto("example.com/money")))


def test_conflicts_with_details(snap_compare: Compare) -> None:
    run = steps(press("c"), goto("example.com/pricing"))
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=run)


def test_versions_list(snap_compare: Compare) -> None:
    run = steps(goto("example.com/money"), press("v"))
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=run)


def test_downgrade_preview(snap_compare: Compare) -> None:
    run = steps(goto("example.com/pricing"), press("v"), pick_version("v0.7.2"), press("enter"))
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=run)


def test_dependents_tree(snap_compare: Compare) -> None:
    run = steps(goto("example.org/x/sys"), press("t"), press("x"))
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=run)


def test_help(snap_compare: Compare) -> None:
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=steps(press("question_mark")))
