"""The Textual app, driven with Pilot on the bundled demo (a file:// proxy, no network).

Every test builds its own app on a temporary copy of the demo project, waits on the
workers it started (never sleeps), and checks widget state and files on disk.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Input, RadioButton, Static
from textual.widgets._footer import FooterKey
from textual.worker import WorkerState

from analysis.errors import FileWriteError, GraphvizMissing
from analysis.export import graph_to_json, neighbourhood
from analysis.loader import LoadedGraph
from analysis.session import Session
from analysis.versions import ModuleVersions
from tui.app import DEMO_DIR, GomodxApp, demo_session
from tui.screens.export import ExportRequest, ExportScreen, export_graph
from tui.screens.fetch import NetworkLogScreen, PrefetchScreen
from tui.screens.help import HelpScreen, collect_keys
from tui.screens.load_error import LoadErrorScreen
from tui.screens.main import MainScreen
from tui.screens.plan import PlanScreen
from tui.screens.tree import ModuleTree, TreeScreen
from tui.widgets.details import DetailsPane, VersionTable
from tui.widgets.module_table import ModuleTable
from tui.widgets.status import StatusBar

SIZE = (120, 40)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio


def make(session: Session | None = None, **options: object) -> GomodxApp:
    """The app on the demo (or ``session``): no animations, a fixed theme, no prefetch."""
    options.setdefault("prefetch", False)
    return GomodxApp(
        session or demo_session(),
        animations=False,
        theme="textual-dark",
        **options,  # type: ignore[arg-type]
    )


def _busy(app: App[object]) -> bool:
    return any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)


def _queued(app: App[object]) -> bool:
    """Whether a message waits in the queue of the app or of a widget on its screen."""
    try:
        screen = app.screen
    except Exception:  # no screen yet, or the app is closing
        return False
    return any(node.message_queue_size for node in (app, *screen.walk_children(with_self=True)))


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker has finished and every message has been handled.

    A handled message may post another (a cursor move -> highlight -> details) or start a
    worker (highlight -> versions -> facts), so this repeats until a pass leaves no
    message queued and no worker pending or running. (``pilot.pause`` alone handles only
    the messages queued when it starts, then waits for the process to look idle: under
    load a message posted meanwhile could still be waiting.)
    """
    await pilot.pause()
    while _busy(pilot.app) or _queued(pilot.app):
        if _busy(pilot.app):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def hold_versions(app: GomodxApp, held_path: str) -> tuple[asyncio.Event, asyncio.Event]:
    """Make ``held_path``'s versions fetch wait: ``reached`` is set once it is waiting,
    and it goes on when the test sets ``release``."""
    reached, release = asyncio.Event(), asyncio.Event()
    fetch = app.session.versions

    async def held(path: str, loaded: LoadedGraph | None) -> ModuleVersions:
        if path == held_path and not release.is_set():
            reached.set()
            await release.wait()
        return await fetch(path, loaded)

    app.session.versions = held  # type: ignore[method-assign]
    return reached, release


def main_screen(app: GomodxApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen), type(screen)
    return screen


def status_text(app: GomodxApp) -> str:
    return str(app.screen.query_one(StatusBar).render())


def table_paths(app: GomodxApp) -> list[str]:
    return [r.path for r in app.screen.query_one(ModuleTable).rows_shown]


def text_of(widget: Static) -> str:
    """What a Static shows, as plain text (wide enough that nothing wraps)."""
    console = Console(width=300, record=True, color_system=None, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def goto(pilot: Pilot[None], path: str) -> None:
    app = pilot.app
    assert isinstance(app, GomodxApp)
    app.go_to_module(path)
    await settle(pilot)
    assert main_screen(app).current == path


# -- the list ----------------------------------------------------------------------------


async def test_build_list_with_badges_and_status() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paths = table_paths(app)
        assert paths[0] == "example.com/shop"
        assert len(paths) == 24
        rows = main_screen(app).rows
        assert rows["example.com/pricing"].risk == "high"
        assert rows["example.com/pricing"].prerelease
        assert rows["example.com/yaml"].pseudo
        assert rows["example.com/jwt"].incompatible
        assert rows["example.com/log"].replaced == "example.com/forks/log@v1.1.1"
        assert rows["example.com/cache"].excluded == ("v0.4.1",)
        assert rows["example.com/router"].indirect is False
        assert rows["example.com/uuid"].indirect is True
        assert rows["example.org/x/sys"].asked == 4
        status = status_text(app)
        assert "24 modules" in status and "11 conflicts" in status
        assert app.screen.query_one(ModuleTable).has_focus


async def test_filter_as_you_type_and_escape_clears() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        box = app.screen.query_one("#filter", Input)
        assert box.display and box.has_focus
        await pilot.press(*"x/")
        assert table_paths(app) == [
            "example.org/x/crypto",
            "example.org/x/sys",
            "example.org/x/text",
        ]
        await pilot.press("s", "y")
        assert table_paths(app) == ["example.org/x/sys"]
        # Several terms must all match; flag words match too.
        await pilot.press("ctrl+u", *"pseudo")
        assert table_paths(app) == ["example.com/yaml"]
        await pilot.press("escape")
        assert not box.display and box.value == ""
        assert len(table_paths(app)) == 24
        assert app.screen.query_one(ModuleTable).has_focus


async def test_conflicts_toggle_sorts_by_risk() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        shown = app.screen.query_one(ModuleTable).rows_shown
        assert len(shown) == 11
        risks = [r.risk for r in shown]
        assert risks == sorted(risks, key={"high": 0, "medium": 1, "low": 2}.__getitem__)
        assert shown[0].path == "example.org/x/sys"  # high, and asked at the most versions
        assert "conflicts by risk" in status_text(app)
        await pilot.press("c")
        assert len(table_paths(app)) == 24


def test_rows_rank_only_the_conflicts_the_build_sees() -> None:
    """A path that only unselected versions ask for at several versions gets no risk
    badge (as `gomodx conflicts` leaves it out by default); the others keep their level."""
    from analysis.modgraph import parse_graph
    from analysis.session import LoadedModule
    from tui.widgets.rows import build_facts

    g = parse_graph(
        "m x@v1.0.0\nm x@v1.1.0\nx@v1.0.0 z@v0.1.0\nx@v1.1.0 z@v0.5.0\nm z@v0.5.0\n"
        "m b@v0.1.0\nx@v1.1.0 b@v0.2.0\n"
    )
    facts = build_facts(LoadedModule(g, None, Path("."), "graph"))
    risks = {r.path: r.risk for r in facts.rows}
    assert risks == {"m": "", "b": "high", "x": "low", "z": ""}
    assert sorted(facts.conflicts) == ["b", "x"]


async def test_vim_keys_move_the_cursor() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ModuleTable)
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == 23
        await pilot.press("g")
        assert table.cursor_row == 0


# -- details and versions ----------------------------------------------------------------


async def test_details_show_requirers_winner_and_why() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "example.com/pricing")
        body = text_of(app.screen.query_one("#detail-body", Static))
        assert "high conflict" in body
        assert "Requested by (3)" in body
        assert " ★ v0.8.0-rc.1  example.com/cart@v0.3.1" in body
        assert "   v0.7.2       example.com/billing@v1.2.0" in body
        assert "Why is it in the build?" in body
        assert "example.com/shop → example.com/pricing@v0.8.0-rc.1" in body


async def test_versions_load_in_a_worker_with_a_loading_indicator() -> None:
    app = make()
    # Hold example.com/api's fetch until the loading state has been checked: how long
    # pilot.press takes (it waits for the CPU to go idle) must not decide the outcome.
    reached, release = hold_versions(app, "example.com/api")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")  # example.com/api: not fetched yet
        await reached.wait()  # the versions worker is fetching
        versions = app.screen.query_one(VersionTable)
        assert versions.loading
        release.set()
        await settle(pilot)
        assert not versions.loading
        assert versions.path == "example.com/api"
        assert [str(k.value) for k in versions.rows] == ["v1.4.0", "v1.3.0"]
        await goto(pilot, "example.com/money")
        mv = versions.versions
        assert mv is not None and mv.latest == "v1.4.2"
        entry = mv.entry("v1.4.1")
        assert entry is not None and entry.retracted and entry.selected
        assert main_screen(app).rows["example.com/money"].retracted
        await goto(pilot, "example.com/retry")
        note = text_of(app.screen.query_one("#versions-note", Static))
        assert "deprecated: use example.com/backoff instead" in note
        await goto(pilot, "example.com/proto")
        assert "newer major versions: example.com/proto/v2" in text_of(
            app.screen.query_one("#versions-note", Static)
        )


async def test_retraction_raises_the_risk_once_known() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert main_screen(app).rows["example.com/money"].risk == "low"
        await goto(pilot, "example.com/money")
        await settle(pilot)
        assert main_screen(app).rows["example.com/money"].risk == "high"
        facts = app.graph.facts
        assert facts is not None
        reasons = facts.conflicts["example.com/money"].risk.reasons
        assert any("retracted" in r for r in reasons)


@pytest.fixture
def broken_proxy(tmp_path: Path) -> Path:
    """The demo proxy without example.com/retry's version list."""
    proxy = tmp_path / "proxy"
    shutil.copytree(DEMO_DIR / "proxy", proxy)
    (proxy / "example.com" / "retry" / "@v" / "list").unlink()
    return proxy


async def test_versions_failure_is_shown_not_raised(broken_proxy: Path) -> None:
    session = Session.with_file_proxy(DEMO_DIR / "project", broken_proxy)
    app = make(session)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await goto(pilot, "example.com/retry")
        versions = app.screen.query_one(VersionTable)
        assert not versions.loading
        assert versions.row_count == 0
        note = text_of(app.screen.query_one("#versions-note", Static))
        assert "could not fetch versions" in note
        assert any(n.severity == "error" for n in app._notifications)
        # The app still works: another module loads fine.
        await goto(pilot, "example.com/api")
        assert versions.row_count == 2


async def test_stale_versions_reply_is_ignored() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "example.com/api")
        # uuid's list arrives while the cursor is on api: the state has it, the pane
        # keeps showing api.
        other = await app.fetch_versions("example.com/uuid")
        await settle(pilot)
        assert app.versions.fetched["example.com/uuid"] is other
        assert app.screen.query_one(VersionTable).path == "example.com/api"


# -- changing versions -------------------------------------------------------------------


async def choose_version(pilot: Pilot[None], path: str, version: str) -> PlanScreen:
    app = pilot.app
    await goto(pilot, path)
    await pilot.press("v")
    versions = app.screen.query_one(VersionTable)
    assert versions.has_focus
    versions.move_cursor(row=versions.get_row_index(version))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, PlanScreen)
    return app.screen


async def test_downgrade_preview_apply_reload_and_undo() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        gomod = app.session.directory / "go.mod"
        original = gomod.read_bytes()
        screen = await choose_version(pilot, "example.com/pricing", "v0.7.2")
        text = text_of(screen.query_one("#plan-text", Static))
        assert "downgraded example.com/pricing v0.8.0-rc.1 → v0.7.2" in text
        assert "example.com/cart" in text and "v0.3.1" in text and "v0.3.0" in text
        assert "resolved   example.com/pricing" in text
        assert re.search(r"^\+\s+example.com/pricing v0.7.2 // indirect$", text, re.M)
        assert gomod.read_bytes() == original  # a preview writes nothing
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert b"example.com/pricing v0.7.2 // indirect" in gomod.read_bytes()
        rows = main_screen(app).rows
        assert rows["example.com/pricing"].version == "v0.7.2"
        assert rows["example.com/pricing"].changed == "v0.8.0-rc.1"
        assert rows["example.com/cart"].changed == "v0.3.1"
        assert rows["example.com/pricing"].risk == ""  # the conflict is gone
        assert len(app.undo_stack) == 1
        await pilot.press("u")
        await settle(pilot)
        assert gomod.read_bytes() == original
        assert main_screen(app).rows["example.com/pricing"].version == "v0.8.0-rc.1"
        assert not app.undo_stack


def row_text(app: GomodxApp, path: str) -> list[str]:
    """The cells of ``path``'s row as the table holds them."""
    return [str(cell).strip() for cell in app.screen.query_one(ModuleTable).get_row(path)]


async def test_undo_marks_what_moved_back_and_rows_keep_their_badges() -> None:
    app = make()
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        before = row_text(app, "example.com/pricing")
        assert "β prerelease · indirect" in before
        await choose_version(pilot, "example.com/pricing", "v0.7.2")
        await pilot.press("y")
        await settle(pilot)
        applied = row_text(app, "example.com/pricing")
        assert applied[1] == "v0.8.0-rc.1 → v0.7.2"
        assert applied[-1] == "· indirect ✓ changed"  # v0.7.2 is no prerelease
        await pilot.press("u")
        await settle(pilot)
        undone = row_text(app, "example.com/pricing")
        # What moved back, said as an undo; and what the module is now, in full.
        assert undone[1] == "v0.7.2 → v0.8.0-rc.1"
        assert undone[-1] == "β prerelease · indirect ↶ undone"
        assert "changed" not in undone[-1]
        cart = row_text(app, "example.com/cart")
        assert cart[1] == "v0.3.0 → v0.3.1" and cart[-1] == "↶ undone"
        rows = main_screen(app).rows
        assert rows["example.com/pricing"].flags() == ["prerelease", "indirect", "undone"]


async def test_preview_cancel_writes_nothing() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        gomod = app.session.directory / "go.mod"
        original = gomod.read_bytes()
        await choose_version(pilot, "example.com/money", "v1.4.2")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert gomod.read_bytes() == original
        assert not app.undo_stack


async def test_refusal_shows_chain_and_suggestion() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await choose_version(pilot, "example.com/json", "v1.3.0")
        text = text_of(screen.query_one("#plan-text", Static))
        assert "go get would refuse" in text
        assert "indirectly requires example.com/json@v1.3.1" in text
        assert "Requirement chain" in text
        assert "example.com/router@v1.9.0" in text
        lines = [line.rstrip() for line in text.splitlines()]
        chain = lines.index("Requirement chain")
        assert lines[chain + 1 : chain + 4] == [
            "  example.com/json@v1.3.0",
            "     └─ requires example.com/router@v1.9.0",
            "        └─ requires example.com/json@v1.3.1",
        ]
        assert lines[chain + 4] == ""
        # The nearest version go accepts that is a change (v1.2.0 is selected already).
        assert "Nearest version go would accept: example.com/json@v1.3.1" in text
        assert "example.com/json@v1.2.0" not in text
        assert not screen.check_action("apply", ())
        await pilot.press("y")  # disabled: nothing happens
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen) and app.screen.version == "v1.3.1"
        text = text_of(app.screen.query_one("#plan-text", Static))
        assert "upgraded example.com/json v1.2.0 → v1.3.1" in text
        assert "nothing to do" not in text


async def test_preview_of_the_selected_version_says_only_what_go_would_write() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await choose_version(pilot, "example.com/json", "v1.2.0")
        text = text_of(screen.query_one("#plan-text", Static))
        assert "nothing to do: example.com/json is already at v1.2.0" in text
        # go get M@V on the selected version still records M's zip hash in go.sum (the
        # real go does, see test_plan); the preview says so, not "1 line(s) added".
        assert "line(s) added" not in text
        assert "go.mod stays as it is" in text
        assert "go get would still add 1 checksum line to go.sum" in text
        assert not screen.check_action("apply", ())


async def test_plan_offline_says_why_instead_of_failing() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "example.com/cart")  # its versions arrive while online
        app.set_offline()  # the zips the plan needs are not cached
        screen = await choose_version(pilot, "example.com/cart", "v0.3.0")
        text = text_of(screen.query_one("#plan-text", Static))
        assert "The plan cannot be computed" in text
        assert "offline" in text
        assert screen.plan is None and not screen.check_action("apply", ())


async def test_apply_refuses_when_gomod_was_edited_meanwhile() -> None:
    app = make()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        gomod = app.session.directory / "go.mod"
        await choose_version(pilot, "example.com/money", "v1.4.2")
        edited = gomod.read_bytes() + b"\n// edited in another window\n"
        gomod.write_bytes(edited)
        await pilot.press("y")
        await settle(pilot)
        assert gomod.read_bytes() == edited
        assert isinstance(app.screen, PlanScreen)
        assert any("changed on disk" in str(n.message) for n in app._notifications)


# -- tree, fetching, export, help, palette ---------------------------------------------


async def test_dependents_tree_and_invert() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "example.org/x/sys")
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TreeScreen) and screen.inverted
        tree = screen.query_one(ModuleTree)
        labels = [str(c.label) for c in tree.root.children]
        assert labels[0].startswith("example.com/shop  asks v0.15.0 ★")
        assert any(lbl.startswith("example.com/router@v1.8.0  asks v0.12.0") for lbl in labels)
        assert any("asks v0.15.0 ★" in lbl for lbl in labels)
        router = next(
            c for c in tree.root.children if str(c.label).startswith("example.com/router")
        )
        router.expand()
        await settle(pilot)
        assert [str(c.label).split()[0] for c in router.children] == ["example.com/shop"]
        await pilot.press("i")
        await settle(pilot)
        assert not screen.inverted
        title = text_of(screen.query_one("#tree-title", Static))
        assert "Dependencies of example.org/x/sys@v0.15.0" in title
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_prefetch_progress_and_network_log() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PrefetchScreen)
        assert screen.done == 23 and screen.failed == 0
        summary = text_of(screen.query_one("#fetch-summary", Static))
        assert "23/23 modules" in summary and "finished" in summary
        assert main_screen_rows(app)["example.com/money"].retracted
        assert main_screen_rows(app)["example.com/retry"].deprecated
        await pilot.press("n")
        await settle(pilot)
        log = app.screen
        assert isinstance(log, NetworkLogScreen)
        table = log.query_one("#log-table")
        assert table.row_count == app.net.events > 50
        outcomes = {e.outcome for e in app.net.log}
        assert {"ok", "not_found"} <= outcomes
        assert app.net.level == "online"
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, MainScreen)


def main_screen_rows(app: GomodxApp) -> dict[str, object]:
    for screen in app.screen_stack:
        if isinstance(screen, MainScreen):
            return screen.rows  # type: ignore[return-value]
    raise AssertionError("no main screen")


async def test_offline_state_is_visible() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.set_offline()
        await goto(pilot, "example.com/api")
        assert app.net.level == "offline"
        assert "offline" in status_text(app)


@pytest.mark.parametrize(
    ("button", "suffix", "check"),
    [
        ("#fmt-dot", ".dot", lambda d: d.startswith(b"digraph gomodgraph {")),
        ("#fmt-mermaid", ".mmd", lambda d: d.startswith(b"flowchart LR")),  # conflicts: LR
        ("#fmt-json", ".json", lambda d: b'"Edges"' in d),
        ("#fmt-svg", ".svg", lambda d: b"<svg" in d),
    ],
)
async def test_export_dialog_writes_files(
    tmp_path: Path, button: str, suffix: str, check: Callable[[bytes], bool]
) -> None:
    if suffix == ".svg" and shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        await pilot.click(button)
        box = dialog.query_one("#export-path", Input)
        assert box.value.endswith("shop-conflicts" + suffix)
        target = tmp_path / f"out{suffix}"
        box.value = str(target)
        await pilot.click("#export")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert check(target.read_bytes())


async def test_export_dialog_cancel() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_export_neighbourhood_and_png(tmp_path: Path) -> None:
    session = demo_session()
    try:
        loaded = await session.load()
    finally:
        await session.close()
    sub = neighbourhood(loaded.graph, "example.com/pricing")
    nodes = {str(n) for n in sub.nodes()}
    assert {"example.com/billing@v1.2.0", "example.com/pricing@v0.7.2"} <= nodes
    assert "example.com/uuid@v1.3.0" not in nodes
    req = ExportRequest("module", "json", tmp_path / "n.json", "example.com/pricing")
    assert export_graph(loaded, req) > 0
    assert json.loads(req.path.read_text())["Nodes"] == graph_to_json(sub)["Nodes"]
    bad = ExportRequest("full", "json", tmp_path / "n.json" / "x.json")  # under a file
    with pytest.raises(FileWriteError, match=r"^writing .*/n\.json/x\.json: not a directory$"):
        export_graph(loaded, bad)
    if shutil.which("dot"):
        png = tmp_path / "c.png"
        export_graph(loaded, ExportRequest("conflicts", "png", png))
        assert png.read_bytes().startswith(b"\x89PNG")
        svg = tmp_path / "n.svg"
        export_graph(loaded, ExportRequest("module", "svg", svg, "example.com/pricing"))
        assert b"example.com/pricing@v0.7.2" in svg.read_bytes()


async def test_export_dialog_without_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No dot on PATH: SVG and PNG are offered disabled, with a word why; an image request
    made anyway fails with the engine's message, and writes nothing."""
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        assert dialog.query_one("#fmt-svg", RadioButton).disabled
        assert dialog.query_one("#fmt-png", RadioButton).disabled
        assert any("Graphviz" in text_of(s) for s in dialog.query(Static))
    target = tmp_path / "c.svg"
    with pytest.raises(GraphvizMissing, match="graphviz is not installed"):
        export_graph(dialog.loaded, ExportRequest("conflicts", "svg", target))
    assert not target.exists()


async def test_help_is_built_from_the_bindings() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = {(k.group, k.description): k.keys for k in collect_keys(app.screen)}
        assert keys[("Main screen", "Conflicts")] == ("c",)
        assert keys[("Module list", "Down")] == ("j", "↓")
        assert ("Everywhere", "Quit") in keys
        assert ("Versions list", "Preview change") in keys
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = text_of(app.screen.query_one("#help-keys", Static))
        for word in ("Filter", "Conflicts", "Dependents", "Export", "Undo change", "Quit"):
            assert word in shown
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


def help_rows(app: GomodxApp) -> set[tuple[str, str]]:
    """The open help screen's rows: ``{("j / ↓", "Down"), …}`` (group titles left out)."""
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    rows: set[tuple[str, str]] = set()
    for line in text_of(screen.query_one("#help-keys", Static)).splitlines():
        # Two columns of "keys  description", each at least two spaces apart.
        for keys, desc in re.findall(r"(\S+(?: / \S+)*)  +(\S.*?)(?=\s{3,}|$)", line):
            rows.add((keys, desc))
    return rows


def working_keys(screen: Screen[object]) -> set[str]:
    """The keys of gomodx's own bindings that work on ``screen`` now, as displayed."""
    return {
        screen.app.get_key_display(a.binding)
        for a in screen.active_bindings.values()
        if a.enabled and a.binding.id is not None
    }


def listed_keys(screen: Screen[object]) -> set[str]:
    return {key for k in collect_keys(screen) if k.available for key in k.keys}


async def open_help(pilot: Pilot[None]) -> tuple[Screen[object], set[tuple[str, str]]]:
    app = pilot.app
    assert isinstance(app, GomodxApp)
    below = app.screen
    assert working_keys(below) <= listed_keys(below)
    await pilot.press("question_mark")
    await settle(pilot)
    rows = help_rows(app)
    await pilot.press("escape")
    await settle(pilot)
    assert app.screen is below
    return below, rows


async def test_help_lists_the_keys_of_the_screen_it_was_opened_on(tmp_path: Path) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _, rows = await open_help(pilot)
        assert {("c", "Conflicts"), ("r", "Reload"), ("u", "Undo change")} <= rows
        assert ("⏎", "Versions") in rows  # on the module list
        assert ("^p", "Command palette (every action, themes)") in rows
        assert ("⏎", "Filter done (not now)") in rows  # only while filtering
        assert not any(keys == "y" for keys, _ in rows)  # the preview's key is not here

        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TreeScreen)
        _, rows = await open_help(pilot)
        assert {("i", "Invert"), ("x", "Expand 3 levels"), ("esc", "Back")} <= rows
        await pilot.press("escape")
        await settle(pilot)

        screen = await choose_version(pilot, "example.com/json", "v1.1.0")
        _, rows = await open_help(pilot)
        assert {("y", "Apply"), ("esc / n", "Cancel")} <= rows
        assert ("s", "Preview suggestion (not now)") in rows  # not refused: no suggestion
        await pilot.press("escape")
        await settle(pilot)

        screen = await choose_version(pilot, "example.com/json", "v1.3.0")  # refused
        _, rows = await open_help(pilot)
        assert {("s", "Preview suggestion"), ("y", "Apply (not now)")} <= rows
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        # Help cannot open over the dialog (? is text in its file name): its keys are
        # in its own footer, and the list it would show has them all.
        assert working_keys(dialog) <= listed_keys(dialog)
        keys = {(k.keys, k.description) for k in collect_keys(dialog)}
        assert {(("⏎",), "Export"), (("^s",), "Export"), (("esc",), "Cancel")} <= keys
        assert not any(d == "Quit" for _, d in keys)  # the app's keys stop at a modal
        footer = {(f.key, f.description) for f in dialog.query(FooterKey)}
        assert ("enter", "Export") in footer and ("escape", "Cancel") in footer
        assert not any(d in ("Conflicts", "Versions", "Quit") for _, d in footer)
        assert screen is not None


async def test_export_dialog_enter_exports_what_is_chosen(tmp_path: Path) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "example.com/pricing")
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        dialog.directory = tmp_path
        await pilot.press("down")  # the scope: arrows choose
        await pilot.press("tab", "down", "down")  # the format: JSON
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        written = tmp_path / "shop-graph.json"
        assert json.loads(written.read_text())["Edges"]
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("tab", "tab", "tab")  # past both choices and the file name
        assert isinstance(app.screen.focused, Button) and app.screen.focused.id == "cancel"
        await pilot.press("enter")  # on a button, Enter presses it
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_palette_runs_any_bound_action() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"conflicts")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert main_screen(app).conflicts_only


async def test_palette_goes_to_a_module() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzz", "enter")
        assert table_paths(app) == []
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"protobuf")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert main_screen(app).current == "example.net/protobuf"
        assert len(table_paths(app)) == 24  # the filter was cleared to show it
        details = app.screen.query_one(DetailsPane)
        assert "example.net/protobuf" in text_of(details.query_one("#detail-title", Static))


async def test_q_quits() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_load_failure_is_reported(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "go.mod").write_text(
        "module example.com/p\n\ngo 1.22\n\nrequire example.com/nope v1.0.0\n"
    )
    session = Session.with_file_proxy(project, DEMO_DIR / "proxy")
    app = make(session)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert app.graph.facts is None
        assert "could not be loaded" in status_text(app)
        assert not app.screen.query_one(ModuleTable).loading
        assert any(n.severity == "error" for n in app._notifications)


async def test_reload_shows_the_highlighted_module_from_the_new_graph() -> None:
    # go.mod changes on disk (or a change is applied) and the graph is reloaded: the
    # details of the module under the cursor must come from the new graph, not the old.
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await goto(pilot, "example.com/pricing")
        body = app.screen.query_one("#detail-body", Static)
        assert "example.com/cart@v0.3.1" in text_of(body)
        gomod = app.session.directory / "go.mod"
        gomod.write_text(
            gomod.read_text().replace("example.com/cart v0.3.1", "example.com/cart v0.2.0")
        )
        await pilot.press("r")
        await settle(pilot)
        assert main_screen(app).current == "example.com/pricing"
        shown = text_of(body)
        assert "example.com/cart@v0.2.0" in shown
        assert "example.com/cart@v0.3.1" not in shown


async def test_reload_while_versions_load_shows_the_module_again() -> None:
    # A reload (or an applied change) replaces the graph while the highlighted module's
    # versions are still being fetched: the pane must not stay "loading" for ever, and it
    # must show the new graph's facts.
    app = make()
    reached, release = hold_versions(app, "example.com/api")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")  # example.com/api
        await reached.wait()
        versions = app.screen.query_one(VersionTable)
        assert versions.loading
        generation = app.graph.generation
        await pilot.press("r")
        release.set()
        await settle(pilot)
        assert app.graph.generation == generation + 1
        assert main_screen(app).current == "example.com/api"
        assert not versions.loading
        assert versions.path == "example.com/api"
        assert [str(k.value) for k in versions.rows] == ["v1.4.0", "v1.3.0"]


# -- a module that cannot be read ---------------------------------------------------------


def break_gomod(session: Session, how: str) -> None:
    gomod = session.directory / "go.mod"
    if how == "syntax":
        lines = gomod.read_text().splitlines()
        lines.insert(7, "foo bar")  # line 8, between the go line and the requires
        gomod.write_text("\n".join(lines) + "\n")
    elif how == "missing":
        gomod.unlink()
    elif how == "unreadable":
        gomod.unlink()
        gomod.mkdir()  # reading it fails (permissions would not stop root)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("syntax", "/go.mod:8: unknown directive: foo"),
        ("missing", "go.mod file not found"),
        ("unreadable", "go.mod: is a directory"),
    ],
)
async def test_a_broken_gomod_gets_a_screen_until_it_is_fixed(how: str, message: str) -> None:
    session = demo_session()
    gomod = session.directory / "go.mod"
    good = gomod.read_bytes()
    break_gomod(session, how)
    app = make(session)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LoadErrorScreen)
        text = text_of(screen.query_one("#load-error-text", Static))
        assert message in text
        assert "press r to read it again" in text_of(screen.query_one("#load-error-note", Static))
        assert not app._notifications  # the screen says it; no toast that fades
        await pilot.press("r")  # still broken: still here, same words
        await settle(pilot)
        assert app.screen is screen
        assert message in text_of(screen.query_one("#load-error-text", Static))
        # The user fixes the file in an editor and retries.
        if gomod.is_dir():
            gomod.rmdir()
        gomod.write_bytes(good)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert len(table_paths(app)) == 24


async def test_a_gomod_broken_while_the_app_runs_gets_the_screen_and_q_quits() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        break_gomod(app.session, "syntax")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, LoadErrorScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
