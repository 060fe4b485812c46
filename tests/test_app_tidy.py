"""The app's ``go mod tidy`` preview: reachable by ``T`` and the command palette, a reason
per changed line, ``y`` applies, ``u`` undoes; offered when an applied change leaves a
tidy go.mod untidy."""

from __future__ import annotations

import asyncio
import random
import shutil
from pathlib import Path

import pytest
from test_app import SIZE, anyio_backend, main_screen, make, settle, text_of
from textual.widgets import Static
from tidygen import untidy_main
from universe import random_universe

from analysis.session import Session
from tui.screens.main import MainScreen
from tui.screens.tidy import TidyScreen

__all__ = ["anyio_backend"]  # the fixture, re-exported for pytest

pytestmark = pytest.mark.anyio


async def test_tidy_preview_apply_and_undo() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        gomod = app.session.directory / "go.mod"
        original = gomod.read_bytes()
        await pilot.press("T")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TidyScreen)
        plan = screen.plan
        assert plan is not None and plan.ok and not plan.tidy
        text = text_of(screen.query_one("#tidy-text", Static))
        # The demo's main.go imports only fmt: tidy drops every requirement, and says why.
        assert "removed: no package of the main module imports anything from it" in text
        assert "diff current/go.mod tidy/go.mod" in text
        assert all(ln.why for ln in plan.lines)
        assert gomod.read_bytes() == original  # a preview writes nothing
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert gomod.read_bytes() == plan.gomod_after
        assert len(app.undo_stack) == 1
        await pilot.press("u")
        await settle(pilot)
        assert gomod.read_bytes() == original
        assert not app.undo_stack


async def test_tidy_is_in_the_command_palette() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"tidy", "space", *"preview")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TidyScreen)


def _universe_session(tmp_path: Path) -> tuple[Session, list[str]]:
    """A generated main module, tidied, and the module arguments to try on it."""
    from analysis.tidy import TidyPlan

    for seed in range(8000, 8100):
        u = random_universe(seed, 10, 3, packages=True)
        untidy_main(u, random.Random(seed))
        layout = u.write(tmp_path / str(seed))
        session = Session.with_file_proxy(layout.main_dir, layout.proxy_dir)
        plan: TidyPlan = asyncio.run(session.tidy())
        if not plan.ok or plan.tidy:
            continue
        session.apply(plan)
        shutil.rmtree(layout.main_dir)  # the session works on its own copy
        args = [f"{p}@{v}" for (p, v) in sorted(u.mods) if not p.endswith("/nested")]
        return session, args
    raise AssertionError("no universe to tidy in 100 seeds")


async def test_untidy_after_an_applied_change_is_offered(tmp_path: Path) -> None:
    session, args = await asyncio.to_thread(_universe_session, tmp_path)
    app = make(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        offered = 0
        for arg in args:
            plan = await app.session.plan(arg)
            if not plan.ok or not plan.gomod_changed:
                continue
            await app.apply_plan(plan)
            await settle(pilot)
            after = await app.session.tidy()
            # Offered exactly when the change left the (tidy) go.mod untidy.
            assert app.untidy == (after.ok and not after.tidy)
            if app.untidy:
                offered += 1
                await pilot.press("T")
                await settle(pilot)
                assert isinstance(app.screen, TidyScreen)
                await pilot.press("y")
                await settle(pilot)
                assert (await app.session.tidy()).tidy
                app.untidy = False
            if offered:
                break
        assert offered, "no change in the universe left go.mod untidy"
        assert isinstance(app.screen, MainScreen)
        assert main_screen(app) is app.screen


async def test_import_paths_in_the_details_pane(tmp_path: Path) -> None:
    """``W``: the highlighted module's import paths (``go mod why -m``, every shortest
    one) join its requirement paths, as ``gomodx why --imports -m --all`` prints them."""
    from test_app import goto

    session, _ = await asyncio.to_thread(_universe_session, tmp_path)
    app = make(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        loaded = app.graph.loaded
        assert loaded is not None
        mods = [m.path for m in loaded.build_list() if m.version]
        want = await app.session.why_imports(mods, modules=True, all_paths=True)
        needed = [m for m in mods if f"# {m}\n(main module does not need" not in want]
        assert needed, want
        path = needed[0]
        await goto(pilot, path)
        await settle(pilot)
        body = main_screen(app).query_one("#detail-body", Static)
        assert "Which imports need it?" not in text_of(body)
        await pilot.press("I")
        await settle(pilot)
        shown = text_of(body)
        assert "Which imports need it? (go mod why -m, every shortest path)" in shown
        stanza = want.split(f"# {path}\n", 1)[1].split("\n# ", 1)[0].strip("\n")
        for step in stanza.splitlines():
            assert step in shown


@pytest.mark.go
async def test_import_paths_on_a_stale_module_are_gos(tmp_path: Path) -> None:
    """``I`` on a stale go.mod without go.sum (roots below their selected versions: a
    readonly build refuses it, ``go mod why`` does not): the import path shown for a
    module is the one ``go mod why -m`` prints."""
    from gotool import go_env, run_go
    from test_app import goto
    from tidygen import stale_requirements

    def build() -> tuple[Session, Path, dict[str, str]] | None:
        for seed in range(8200, 8240):
            u = random_universe(seed, 10, 3, packages=True)
            rng = random.Random(seed)
            untidy_main(u, rng)
            layout = u.write(tmp_path / str(seed))
            env = go_env(tmp_path / str(seed) / "go", proxy=layout.proxy_url, GOFLAGS="")
            if run_go(["mod", "tidy"], layout.main_dir, env, check=False).returncode != 0:
                continue
            if not stale_requirements(layout.main_dir, u, rng):
                continue
            (layout.main_dir / "go.sum").unlink(missing_ok=True)
            return Session.with_file_proxy(layout.main_dir, layout.proxy_dir), layout.main_dir, env
        return None

    built = await asyncio.to_thread(build)
    assert built is not None, "no stale module in 40 seeds"
    session, main, env = built
    app = make(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        loaded = app.graph.loaded
        assert loaded is not None
        mods = [m.path for m in loaded.build_list() if m.version]
        go = await asyncio.to_thread(run_go, ["mod", "why", "-m", *mods], main, env, False)
        assert go.returncode == 0, go.stderr
        needed = [m for m in mods if f"# {m}\n(main module does not need" not in go.stdout]
        assert needed, go.stdout
        path = needed[-1]
        await goto(pilot, path)
        await settle(pilot)
        await pilot.press("I")
        await settle(pilot)
        shown = text_of(main_screen(app).query_one("#detail-body", Static))
        stanza = go.stdout.split(f"# {path}\n", 1)[1].split("\n# ", 1)[0].strip("\n")
        for step in stanza.splitlines():
            assert step in shown, (path, stanza, shown)
