"""The app in a workspace: main modules, who requires what, and ``go work sync``.

On the demo workspace (:func:`tui.app.demo_workspace_session`: the bundled example beside
a second module, one go.work) and on random workspaces (``tests/workspacegen.py``):

* every used module is a main module, and each row's ``⌂`` badge names exactly the main
  modules whose go.mod requires its path;
* ``W`` previews ``go work sync``: the files the screen says change, and their bytes
  after, are exactly what the real ``go work sync`` writes in a copy;
* ``y`` writes every file at once, and ``u`` on the main screen puts every one back.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from gotool import go_env, require_go
from test_app import SIZE, make, settle
from workspacegen import random_workspace

from analysis.modfile import parse
from analysis.session import Session, SessionOptions
from tui.app import demo_workspace_session
from tui.screens.main import MainScreen
from tui.screens.plan import PlanScreen
from tui.screens.worksync import WorkSyncScreen

pytestmark = [pytest.mark.anyio, pytest.mark.go]

NAMES = ("go.mod", "go.sum", "go.work", "go.work.sum")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.name in NAMES and p.is_file() and "proxy" not in p.relative_to(root).parts
    }


def go_work_sync(root: Path, env: dict[str, str], copy: Path) -> tuple[str, dict[str, bytes]]:
    """go's error (``""``: none) and the workspace's files after the real ``go work
    sync`` on a copy of ``root``."""
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("proxy"), symlinks=True)
    proc = subprocess.run(
        [require_go(), "work", "sync"], cwd=copy, env=env, capture_output=True, text=True
    )
    lines = [x for x in proc.stderr.splitlines() if not x.startswith("go: downloading ")]
    return ("\n".join(lines) or "failed") if proc.returncode else "", files(copy)


def expected_requirers(session: Session) -> dict[str, tuple[str, ...]]:
    ws = session.workspace
    assert ws is not None
    out: dict[str, list[str]] = {}
    for root in ws.roots:
        name = root.relative_to(ws.path.parent).as_posix() or "."
        f = parse(str(root / "go.mod"), (root / "go.mod").read_bytes())
        for r in f.require:
            if name not in out.setdefault(r.mod.path, []):
                out[r.mod.path].append(name)
    return {k: tuple(v) for k, v in out.items()}


async def check_workspace_app(session: Session, env: dict[str, str], tmp: Path) -> None:
    ws = session.workspace
    assert ws is not None
    root = ws.path.parent
    before = files(root)
    error, after = go_work_sync(root, env, tmp / "go-copy")
    changed = sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))
    app = make(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        facts = app.graph.facts
        assert facts is not None
        assert sorted(r.path for r in facts.rows if r.main) == sorted(ws.modules)
        want = expected_requirers(session)
        for row in facts.rows:
            if not row.main:
                assert row.required_by == want.get(row.path, ()), row.path

        if session.sandbox_workspace is not None and not session.plans_alone:
            # A version change previews go get as go does it in the workspace.
            row = next(r for r in facts.rows if not r.main)
            app.preview_change(row.path, row.version)
            await settle(pilot)
            plan_screen = app.screen
            assert isinstance(plan_screen, PlanScreen) and plan_screen.plan is not None
            assert plan_screen.plan.source == "go"
            assert plan_screen._gomod_name().endswith("go.mod")
            assert files(root) == before
            await pilot.press("escape")
            await settle(pilot)

        await pilot.press("W")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WorkSyncScreen) and screen.sync is not None
        sync = screen.sync
        if error:
            # go fails (even go's internal errors happen): so does the preview, with
            # go's words, and there is nothing to apply.
            assert not sync.ok and sync.error is not None
            assert sync.error.splitlines()[-1] == error.splitlines()[-1]
            assert not screen.check_action("apply", ())
            await pilot.press("escape")
            await settle(pilot)
            assert files(root) == before
            return
        assert sync.ok, sync.error
        assert sorted(f.name for f in sync.changed) == changed
        for f in sync.files:
            assert f.new == after.get(f.name), f.name

        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert files(root) == after
        if changed:
            assert app.undo_stack and app.undo_stack[-1] is sync
            await pilot.press("u")
            await settle(pilot)
            assert files(root) == before
            assert not app.undo_stack


async def test_the_demo_workspace(tmp_path: Path) -> None:
    session = demo_workspace_session(tmp_path)
    try:
        env = go_env(tmp_path / "env", session.env.goproxy, GOFLAGS="", GOWORK="")
        await check_workspace_app(session, env, tmp_path)
    finally:
        session.remove_scratch()


@pytest.mark.parametrize("seed", [0, 2, 4])
async def test_random_workspaces(tmp_path: Path, seed: int) -> None:
    ws = random_workspace(seed, tmp_path / "w", packages=True)
    env = go_env(tmp_path / "env", ws.layout.proxy_url, GOFLAGS="", GOWORK="")
    options = SessionOptions(
        source="proxy",
        use_go=seed % 4 == 0,  # go get previews on a sandbox copy, or the module alone
        state_dir=tmp_path / "state",
        cache_dir=tmp_path / "gomodx-cache",
    )
    proc = subprocess.run(
        [require_go(), "mod", "graph"], cwd=ws.run_dir, env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        pytest.skip(f"go refuses this workspace: {proc.stderr.strip()}")
    # The session runs go work sync with the process's environment: the test's own.
    import os

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        session = Session.open(ws.run_dir, options, environ=env)
        await check_workspace_app(session, env, tmp_path)
    finally:
        os.environ.clear()
        os.environ.update(saved)
