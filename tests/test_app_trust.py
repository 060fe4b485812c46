"""The app's trust views, on the demo (its own file:// GOVULNDB) and on universes with a
real checksum database: vulnerable modules marked in the list and the version picker,
OSV IDs in the details, ``x`` opening the preview of the nearest fixed version (the same
:meth:`Session.vuln_fix` as ``gomodx vuln --fix``), and who vouches for each module in
the versions pane and the prefetch view."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from gotool import environ, go_env, run_go
from test_app import make, settle, text_of
from textual.widgets import Static
from universe import random_universe
from vulngen import Vuln, write_vulndb

from analysis.session import Session, run_sync
from tui.app import GomodxApp, demo_session
from tui.commands.vuln import render_fixes
from tui.screens.fetch import PrefetchScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.plan import PlanScreen
from tui.widgets.details import DetailsPane, VersionTable
from tui.widgets.module_table import ModuleTable

SIZE = (120, 40)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _row_text(app: GomodxApp, path: str) -> str:
    table = app.screen.query_one(ModuleTable)
    return " ".join(str(c) for c in table.get_row(path))


async def test_demo_marks_vulnerable_modules_and_previews_the_fix() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        trust = app.trust
        assert trust.scanned and not trust.error
        assert {p: trust.ids(p) for p in trust.findings} == {
            "example.com/json": ("GO-DEMO-0001",),
            "example.org/x/crypto": ("GO-DEMO-0002",),
        }
        screen = app.screen
        assert isinstance(screen, MainScreen)
        # the list: the glyph (the words when the table is wide enough; the details
        # pane's title always says them)
        assert "☠" in _row_text(app, "example.com/json")
        assert "☠" not in _row_text(app, "example.com/router")
        # the details: the IDs, the summary, the fix, the key
        app.go_to_module("example.com/json")
        await settle(pilot)
        assert "☠ vulnerable" in text_of(screen.query_one("#detail-title", Static))
        body = text_of(screen.query_one("#detail-body", Static))
        assert "☠ vulnerable: 1 known vulnerability" in body
        assert "GO-DEMO-0001" in body and "fixed in v1.3.0" in body
        assert "x: preview go get of the nearest fixed version" in body
        # the version picker: vulnerable versions marked, the fixed ones not
        versions = screen.query_one(VersionTable)
        marks = {
            str(key.value): " ".join(str(c) for c in versions.get_row(key)) for key in versions.rows
        }
        shown = app.versions.fetched.get("example.com/json")
        # (on failure: what the rows said, and why the list may lack its marks)
        why = (marks, versions.path, shown.warnings if shown is not None else "not fetched")
        assert {v for v, t in marks.items() if "vulnerable" in t} == {"v1.1.0", "v1.2.0"}, why
        # who vouches for the selected version: the demo's go.sum
        note = text_of(screen.query_one("#versions-note", Static))
        assert "✓ verified by go.sum" in note
        # x: the preview of the nearest fixed version, as vuln --fix computes it
        await pilot.press("x")
        await settle(pilot)
        plan_screen = app.screen
        assert isinstance(plan_screen, PlanScreen)
        assert (plan_screen.path, plan_screen.version) == ("example.com/json", "v1.3.0")
        # go refuses it (router v1.9.0, which json v1.3.0 needs, asks for json v1.3.1):
        # the preview says so, and offers the nearest version go accepts
        assert plan_screen.plan is not None and not plan_screen.plan.ok
        shown = text_of(plan_screen.query_one("#plan-text", Static))
        assert "go get would refuse this change" in shown
        assert "indirectly requires example.com/json@v1.3.1" in shown
        assert "Nearest version go would accept: example.com/json@v1.3.1" in shown
        title = " ".join(text_of(s) for s in plan_screen.query(".screen-title").results(Static))
        assert "nearest version free of GO-DEMO-0001" in title
        fix = await app.session.vuln_fix("example.com/json", loaded=app.graph.loaded)
        assert fix.fixed == plan_screen.version and fix.plan is not None
        assert str(fix.plan.error) == str(plan_screen.plan.error)
        # s: the suggestion, which go accepts; router moves with it
        await pilot.press("s")
        await settle(pilot)
        accepted = app.screen
        assert isinstance(accepted, PlanScreen) and accepted.version == "v1.3.1"
        assert accepted.plan is not None and accepted.plan.ok
        moved = {c.path: (c.from_, c.to) for c in accepted.plan.changes}
        assert moved["example.com/router"] == ("v1.8.0", "v1.9.0")
        await pilot.press("escape")
        await settle(pilot)
        # no released version fixes crypto: said, and no preview
        app.go_to_module("example.org/x/crypto")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("no released version is free" in str(n.message) for n in app._notifications)


async def test_the_help_legend_and_palette_name_the_vulnerability_actions() -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        shown = " ".join(text_of(s) for s in help_screen.query(Static).results(Static))
        assert "☠ vulnerable" in shown
        assert "Nearest fixed version" in shown and "Check vulnerabilities" in shown


async def test_vulnerabilities_are_off_until_asked_outside_the_demo(tmp_path: Path) -> None:
    """A real project is not sent to GOVULNDB until V asks (the database is the user's
    choice); then rows, the picker and the details follow."""
    u = random_universe(7, modules=8)
    layout = u.write(tmp_path / "u")
    selected: dict[str, str] = {}
    session = Session.with_file_proxy(layout.main_dir, layout.proxy_dir)
    loaded = await session.load()
    await session.close()
    for m in loaded.build_list():
        if m.version and loaded.replacement(m) is None and m not in loaded.graph.mains:
            selected[m.path] = m.version
    rng = random.Random(7)
    path = rng.choice(sorted(selected))
    version = selected[path]
    db = write_vulndb(
        tmp_path / "db",
        [Vuln("GO-2027-0100", {path: [[("introduced", "0")]]}, summary="always bad")],
    )
    session = Session.with_file_proxy(layout.main_dir, layout.proxy_dir)
    session.govulndb = db.as_uri()
    app = make(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.trust.scanned and not app.trust.findings
        assert "☠" not in _row_text(app, path)
        app.go_to_module(path)
        await settle(pilot)
        await pilot.press("V")
        await settle(pilot)
        assert app.trust.findings[path][0].version == version
        assert "☠" in _row_text(app, path)
        details = app.screen.query_one(DetailsPane)
        assert "GO-2027-0100" in text_of(details.query_one("#detail-body", Static))
        table = app.screen.query_one(VersionTable)
        assert table.versions is not None
        assert all("GO-2027-0100" in e.vulns for e in table.versions.entries)


async def test_prefetch_says_who_vouches_for_each_module() -> None:
    session = demo_session()
    # one module not in go.sum: nobody vouches (GOSUMDB=off in the demo)
    gosum = session.directory / "go.sum"
    lines = gosum.read_text().splitlines()
    kept = [ln for ln in lines if not ln.startswith("example.com/uuid ")]
    gosum.write_text("\n".join(kept) + "\n")
    from analysis.hashes import GoSum

    session.gosum = GoSum.read(gosum)
    app = make(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PrefetchScreen)
        table = screen.query_one("#fetch-table")
        verified = {
            str(key.value): str(table.get_cell(key, "trust")).strip()  # type: ignore[attr-defined]
            for key in table.rows  # type: ignore[attr-defined]
        }
        assert verified["example.com/uuid"] == "? not verified (GOSUMDB=off)"
        others = {p: t for p, t in verified.items() if p != "example.com/uuid"}
        assert others and set(others.values()) == {"✓ verified by go.sum"}


def test_cli_and_app_share_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``gomodx vuln --fix`` on the demo project names the same version and moves as the
    app's x."""
    from tui.cli import main

    session = demo_session()
    env = go_env(
        tmp_path / "go",
        proxy=(Path(__file__).parent.parent / "tui" / "demo" / "proxy").as_uri(),
        GOVULNDB=str(session.govulndb),
        GOMODX_CACHE=str(tmp_path / "gx"),
    )
    with environ(env):
        code = main(["vuln", str(session.directory), "--json", "--fix", "--source", "proxy"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    fixes = {f["Module"]: f for f in out["Fixes"]}
    json_fix = fixes["example.com/json"]
    assert (json_fix["Fixed"], json_fix["OK"], json_fix["OSV"]) == (
        "v1.3.0",
        False,
        ["GO-DEMO-0001"],
    )
    assert json_fix["Suggestion"] == "example.com/json@v1.3.1"
    assert "Fixed" not in fixes["example.org/x/crypto"]
    fix = run_sync(session, lambda: session.vuln_fix("example.com/json"))
    text = render_fixes([fix])
    assert text.startswith(
        "fix example.com/json@v1.2.0: `go get example.com/json@v1.3.0` would be refused:\n"
    )
    assert "nearest version go would accept: example.com/json@v1.3.1" in text
    # and go says the same of the demo
    if shutil.which("go"):
        work = tmp_path / "copy"
        shutil.copytree(session.directory, work)
        proc = run_go(["get", "example.com/json@v1.3.0"], work, env, check=False)
        assert proc.returncode == 1
        assert proc.stderr.splitlines()[-1] == str(fix.plan.error if fix.plan else "")
        run_go(["get", "example.com/json@v1.3.1"], work, env)
    session.remove_scratch()


def test_a_named_database_is_scanned_on_start(tmp_path: Path) -> None:
    """``GOVULNDB`` set: the user chose a database, the app scans on load; unset: only
    when asked (V), so no project is sent to the public database unasked."""
    import os

    from tui.app import make_app

    layout = random_universe(3, modules=4).write(tmp_path / "u")
    db = write_vulndb(tmp_path / "db", [])
    base = {k: v for k, v in os.environ.items() if k != "GOVULNDB"}
    with environ({**base, "GOVULNDB": db.as_uri()}):
        assert make_app(layout.main_dir).session.options.vulns
    with environ(base):
        assert not make_app(layout.main_dir).session.options.vulns


def _directory_replaced_universe(tmp_path: Path) -> tuple[Path, Path, str]:
    """The first seeded universe whose main module replaces a module by a directory."""
    for seed in range(100):
        layout = random_universe(seed, modules=8).write(tmp_path / str(seed))
        for line in (layout.main_dir / "go.mod").read_text().splitlines():
            if "=> ./" in line or "=> ../" in line:
                return layout.main_dir, layout.proxy_dir, line.split()[1]
    raise AssertionError("no universe replaces a module by a directory")


async def test_replaced_modules_are_vouched_for_as_go_checks_them(tmp_path: Path) -> None:
    main_dir, proxy_dir, replaced = _directory_replaced_universe(tmp_path)
    app = make(Session.with_file_proxy(main_dir, proxy_dir))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PrefetchScreen)
        loaded = app.graph.loaded
        assert loaded is not None
        version = loaded.graph.selected()[replaced]
        check = app.trust.check(replaced, version)
        assert check is not None and check.verdict == "skipped"
        assert check.words.startswith("not verified (replaced by ./")
        # every other module: the session's own answer for what go would check
        for m in loaded.build_list():
            if m.path == replaced or m in loaded.graph.mains or not m.version:
                continue
            rep = loaded.replacement(m)
            want = await app.session.trust(
                *((rep.path, rep.version) if rep else (m.path, m.version))
            )
            got = app.trust.check(m.path, m.version)
            assert got is not None and got.words == want.words, m


def test_trust_state_transitions() -> None:
    from analysis.sumdb import SumCheck
    from analysis.vulnscan import Finding
    from tui.state import TrustState

    rng = random.Random(17)
    for _ in range(50):
        gen = rng.randint(1, 5)
        found = {
            f"example.com/m{i}": (Finding(f"GO-2027-{i:04d}", f"example.com/m{i}", "v1.0.0"),)
            for i in range(rng.randint(0, 4))
        }
        state = TrustState().for_graph(gen).started(gen)
        assert state.scanning and not state.scanned
        stale = state.with_findings(gen - 1, {"example.com/old": ()})
        assert stale is state  # a scan of an older graph is dropped
        done = state.with_findings(gen, found)
        assert done.scanned and not done.scanning
        assert {p: done.ids(p) for p in found} == {p: (f[0].osv,) for p, f in found.items()}
        assert done.ids("example.com/none") == ()
        check = SumCheck("example.com/m0 v1.0.0/go.mod h1:x", "verified", "go.sum")
        checked = done.with_check("example.com/m0", "v1.0.0", check)
        assert checked.check("example.com/m0", "v1.0.0") is check
        assert checked.check("example.com/m0", "v1.0.1") is None
        # a reload asks everything afresh (go.mod and go.sum may have changed)
        fresh = checked.for_graph(gen + 1)
        assert not fresh.findings and not fresh.checks and not fresh.scanned
        failed = fresh.started(gen + 1).with_error(gen + 1, "boom")
        assert failed.error == "boom" and not failed.scanning
