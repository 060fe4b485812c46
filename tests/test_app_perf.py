"""How fast the app is on a big project: figures are printed, not asserted tightly.

A seeded universe of 400 modules x 8 versions with dense requirements (about 16k edges
in the loaded graph) is written as a ``file://`` GOPROXY and opened in the app. Printed:

* first paint: from the graph being loaded to the module table painted (rows and
  conflict risks computed in between);
* filter: per keystroke, from the key press to the table refilled and repainted.

Run with ``python -m pytest tests/test_app_perf.py -s`` to see the figures. The only
assertions are generous "no freeze" bounds (a shared CI machine is noisy).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
from universe import random_universe

from analysis.session import Session
from tui.app import GomodxApp
from tui.screens.main import MainScreen
from tui.widgets.module_table import ModuleTable

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def big_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    u = random_universe(7, modules=400, versions=8, max_deps=10, zips=False)
    layout = u.write(tmp_path_factory.mktemp("universe"))
    return layout.main_dir, layout.proxy_dir


async def test_first_paint_and_filter_latency(big_project: tuple[Path, Path]) -> None:
    main_dir, proxy_dir = big_project
    app = GomodxApp(
        Session.with_file_proxy(main_dir, proxy_dir),
        animations=False,
        theme="textual-dark",
    )
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        while screen.painted_at is None:
            await pilot.pause()
            await app.workers.wait_for_complete()
        facts = app.graph.facts
        assert facts is not None
        first_paint = screen.painted_at - app.timings["loaded"]
        table = screen.query_one(ModuleTable)

        await pilot.press("slash")
        per_key: list[float] = []
        # Narrowing, then widening again: the first and last keystrokes refill ~all rows.
        for key in [*"example.com/m1", *["backspace"] * 14]:
            start = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            per_key.append(time.perf_counter() - start)
        painted = screen.filter_latencies  # key handled -> refilled table painted
        assert len(painted) == 28
        assert len(table.rows_shown) == len(facts.rows)

    print(
        f"\n{len(facts.rows)} modules, {facts.edges} edges, {len(facts.conflicts)} conflicts"
        f"\nload {app.timings['load'] * 1000:.0f} ms (file:// proxy),"
        f" rows+risks {app.timings['facts'] * 1000:.0f} ms"
        f"\nfirst paint after load: {first_paint * 1000:.0f} ms"
        f"\nfilter keystroke, handled to painted: median"
        f" {statistics.median(painted) * 1000:.1f} ms, max {max(painted) * 1000:.1f} ms"
        f"\nfilter keystroke, Pilot press to idle (rest of the rows and details included): median"
        f" {statistics.median(per_key) * 1000:.1f} ms, max {max(per_key) * 1000:.1f} ms"
    )
    assert facts.edges > 10_000
    assert first_paint < 5.0  # generous: a freeze, not a slow machine, should fail this
    assert statistics.median(painted) < 0.5
